import { describe, expect, it } from 'vitest';
import { BUCKETS, POLICY_KEYS, subjects, type JournalEntry, type NodeStatusRecord, type PositionUpdate } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { collectConsoleSnapshot } from './snapshot.js';
import { renderConsole } from './render-terminal.js';

const tree: NodeStatusRecord = {
  path: 'root', id: 'root', kind: 'supervisor', status: 'running', restarts: 0, strategy: 'one_for_one', updatedAt: 1, node: 'n1',
  children: [
    { path: 'root.brains', id: 'brains', kind: 'supervisor', status: 'running', restarts: 0, strategy: 'one_for_one', updatedAt: 1,
      children: [{ path: 'root.brains.heartbeat', id: 'heartbeat', kind: 'worker', status: 'backoff', restarts: 2, backoffMs: 400, restart: 'permanent', updatedAt: 1 }] },
    { path: 'root.venue.market-data', id: 'market-data', kind: 'worker', status: 'running', restarts: 0, updatedAt: 1,
      info: { health: { order: { state: 'open', since: 5 }, account: { state: 'closed', since: 0 } } } },
  ],
};

const pos = (symbol: string, over: Partial<PositionUpdate>): PositionUpdate => ({
  symbol, state: 'open', side: 'LONG', qty: 0.5, avgEntry: 100, markPrice: 104, realizedPnl: 0, unrealizedPnl: 2, fees: 0, funding: 0,
  stop: { clientOrderId: 'x', price: 98, confirmed: true, sinceTs: 1 }, unprotectedSince: null, attribution: 'm', intentId: null, openedAt: 1, ts: 1, ...over,
});

describe('collectConsoleSnapshot', () => {
  it('shows "-" for absent policy, no positions section when none, and the tree with backoff', async () => {
    await using env = await natsEnv();
    const s = await collectConsoleSnapshot(env.bus, { tree: () => tree });
    expect(s.policy).toEqual({ tradingState: '-', riskMode: '-', killSwitch: '-', reconciling: '-', champion: '-', challenger: '-', shadow: '-' });
    expect(s.positions).toEqual([]);
    expect(s.errors).toEqual([]);
    const text = renderConsole(s);
    expect(text).toContain('state=-  risk=-');
    expect(text).not.toContain('POSITIONS');
    expect(text).toMatch(/heartbeat \(permanent\) backoff restarts=2 backoff=400ms/);
    expect(text).toMatch(/root\.venue\.market-data {2}order=open account=closed/);
  });

  it('reads policy (msgpack objects and plain text), the newest update per position, and the latest alerts', async () => {
    await using env = await natsEnv();
    const kv = await env.bus.kvm.open(BUCKETS.policy);
    await kv.put(POLICY_KEYS.riskMode, 'SAFE');
    await kv.put(POLICY_KEYS.killSwitch, encode({ on: true, reason: 'operator', ts: 1, by: 'me' }));
    await kv.put(POLICY_KEYS.champion, encode({ ids: ['gbdt-v7', 'mlp-v7'], since: 1, by: 'promote' }));
    await kv.put(POLICY_KEYS.challenger, encode({ id: 'ens-v9', ts: 1 }));
    await kv.put(POLICY_KEYS.shadow, encode('ens-v8'));
    const pub = (subject: string, data: unknown) => env.bus.js.publish(subject, encode(data), { headers: msgHeaders() });
    await pub(subjects.position('BTCUSDT', 'opening'), pos('BTCUSDT', { state: 'opening', stop: null, unprotectedSince: 1_000, ts: 10 }));
    await pub(subjects.position('BTCUSDT', 'open'), pos('BTCUSDT', { ts: 20 }));
    await pub(subjects.position('ETHUSDT', 'open'), pos('ETHUSDT', { side: 'SHORT', stop: null, unprotectedSince: 1_000, unrealizedPnl: -3, ts: 30 }));
    await pub(subjects.position('SOLUSDT', 'closed'), pos('SOLUSDT', { state: 'closed', qty: 0, ts: 40 }));
    for (let i = 0; i < 12; i++) {
      const e: JournalEntry = { kind: 'alert', ts: Date.now() - (12 - i) * 1000, summary: `alert ${i}`, data: { severity: i === 11 ? 'critical' : 'warning' } };
      await pub(subjects.journal('alert'), e);
    }
    await pub(subjects.journal('signal'), { kind: 'signal', ts: 1, summary: 'not an alert', data: {} });

    // Without a risk brain in the tree: the operator's settings, and no trading state.
    const bare = await collectConsoleSnapshot(env.bus, { tree: () => tree, alerts: 5, now: () => 7_000 });
    expect(bare.policy).toMatchObject({ tradingState: '-', riskMode: 'SAFE', killSwitch: 'on', reconciling: '-' });
    // With one: what it applies (a CEO may have made the mode stricter than the operator's), even
    // where the operator's key says otherwise; a risk brain that is not running is not believed.
    const risk = (status: NodeStatusRecord['status'], info: Record<string, unknown>): NodeStatusRecord => ({ path: 'root.brains.risk', id: 'risk', kind: 'worker', status, restarts: 0, updatedAt: 1, info });
    const withRisk = (r: NodeStatusRecord): NodeStatusRecord => ({ ...tree, children: [...tree.children!, r] });
    const crashed = await collectConsoleSnapshot(env.bus, { tree: () => withRisk(risk('backoff', { tradingState: 'ACTIVE', riskMode: 'NORMAL', killSwitch: false, reconciling: false })), now: () => 7_000 });
    expect(crashed.policy.tradingState).toBe('-');
    const s = await collectConsoleSnapshot(env.bus, { tree: () => withRisk(risk('running', { tradingState: 'REDUCING', riskMode: 'CRITICAL', killSwitch: false, reconciling: true })), alerts: 5, now: () => 7_000 });
    expect(s.policy).toMatchObject({ tradingState: 'REDUCING', riskMode: 'CRITICAL', killSwitch: 'off', reconciling: 'on', champion: 'gbdt-v7+mlp-v7', shadow: 'ens-v8', challenger: 'ens-v9' });
    expect(s.positions.map((p) => [p.symbol, p.state, p.stop, p.unprotectedMs])).toEqual([
      ['BTCUSDT', 'open', 'confirmed', null],
      ['ETHUSDT', 'open', 'none', 6_000],
    ]);
    expect(s.alerts.map((a) => a.summary)).toEqual(['alert 11', 'alert 10', 'alert 9', 'alert 8', 'alert 7']);
    const text = renderConsole(s);
    expect(text).toContain('POSITIONS (2)');
    expect(text).toMatch(/ETHUSDT +SHORT .*uPnL=-3\.00 .*NO STOP unprotected 6s/);
    expect(text).toMatch(/critical alert 11/);
  });

  it('keeps the rest when the node does not answer', async () => {
    await using env = await natsEnv();
    const s = await collectConsoleSnapshot(env.bus, { timeoutMs: 300 });
    expect(s.tree).toBeNull();
    expect(s.errors[0]).toMatch(/^supervision tree: /);
    expect(renderConsole(s)).toContain('node not answering');
  });
});
