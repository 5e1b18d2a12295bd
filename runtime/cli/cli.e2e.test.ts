import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUCKETS, STREAMS, subjects, type NodeStatusRecord, type SupervisionEvent } from '../../protocols/index.js';
import { encode } from '../codec.js';
import { scanKv, type Bus } from '../nats/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { runQt, startQtNode } from '../testing/cli.js';
import { readStream, until } from '../testing/wait.js';

const find = (t: NodeStatusRecord, path: string): NodeStatusRecord | undefined =>
  t.path === path ? t : t.children?.map((c) => find(c, path)).find(Boolean);

async function statusJson(url: string): Promise<NodeStatusRecord | undefined> {
  const r = await runQt(['status', '--json', '--nats', url]);
  return r.code === 0 ? (JSON.parse(r.stdout) as NodeStatusRecord) : undefined;
}

/** The same request `qt status` makes, without a process per poll. */
async function statusVia(bus: Bus): Promise<NodeStatusRecord | undefined> {
  try {
    const r = await bus.nc.request(subjects.control('supervisor', 'status'), '', { timeout: 2_000 });
    return (JSON.parse(r.string()) as { tree?: NodeStatusRecord }).tree;
  } catch {
    return undefined;
  }
}

describe('qt CLI end to end', () => {
  it('qt chaos kill restarts only the named actor; QT_SUPERVISION and qt status --json show it', async () => {
    await using env = await natsEnv();
    const dataDir = mkdtempSync(join(tmpdir(), 'qt-e2e-'));
    await using _node = startQtNode(['--nats', env.server.url], { QT_NODE__ID: 'e2e', QT_NODE__DATA_DIR: dataDir, QT_LOG__LEVEL: 'info', QT_SIM__SYMBOLS: '3', QT_UNIVERSE__TOP_N: '3' });
    const before = await until(() => statusVia(env.bus), 'node answering status', 20_000);
    expect(find(before, 'root.brains.heartbeat')?.status).toBe('running');
    await until(async () => (await env.bus.kvm.open('qt_actors').then((kv) => kv.get('heartbeat.e2e'))) ?? false, 'heartbeat snapshot in KV');

    const kill = await runQt(['chaos', 'kill', 'heartbeat', '--nats', env.server.url, '--reason', 'e2e chaos']);
    expect(kill.stdout).toContain('crash injected into root.brains.heartbeat');
    expect(kill.code).toBe(0);

    await until(async () => {
      const t = await statusVia(env.bus);
      const hb = t && find(t, 'root.brains.heartbeat');
      return hb?.restarts === 1 && hb.status === 'running';
    }, 'heartbeat restarted');
    const after = (await statusJson(env.server.url))!;
    expect(find(after, 'root.brains')?.restarts).toBe(0);
    expect(find(after, 'root.symbols')?.restarts).toBe(0);
    expect(find(after, 'root')?.restarts).toBe(0);

    const events = await readStream<SupervisionEvent>(env.bus, STREAMS.supervision, subjects.supervisionAll);
    const notStarted = events.filter((e) => e.data.type !== 'started').map((e) => `${e.data.type} ${e.data.path}`);
    expect(notStarted).toEqual(['crashed root.brains.heartbeat', 'restarted root.brains.heartbeat']);
    expect(events.find((e) => e.data.type === 'crashed')?.data).toMatchObject({ reason: 'e2e chaos', node: 'e2e' });

    const human = await runQt(['status', '--nats', env.server.url]);
    expect(human.stdout).toMatch(/heartbeat \(permanent\) running restarts=1/);

    // Market data is the venue subtree's most volatile child (sockets, backfill, a delisted symbol):
    // it is the last one, so under rest_for_one its crash restarts nothing that places or tracks orders.
    expect((await runQt(['chaos', 'kill', 'root.venue.market-data', '--nats', env.server.url])).code).toBe(0);
    await until(async () => find((await statusVia(env.bus))!, 'root.venue.market-data')?.restarts === 1, 'market data restarted');
    const venueEvents = (await readStream<SupervisionEvent>(env.bus, STREAMS.supervision, subjects.supervisionAll))
      .map((e) => `${e.data.type} ${e.data.path}`).filter((e) => e.includes('root.venue') && !e.startsWith('started'));
    expect(venueEvents).toEqual(['crashed root.venue.market-data', 'restarted root.venue.market-data']);
  }, 60_000);

  it('a second qt up with a running node\'s id refuses to start, says who holds it, and leaves that node alone', async () => {
    await using env = await natsEnv();
    const env1 = { QT_NODE__ID: 'dup', QT_SIM__SYMBOLS: '2', QT_UNIVERSE__TOP_N: '2' };
    await using first = startQtNode(['--nats', env.server.url], { ...env1, QT_NODE__DATA_DIR: mkdtempSync(join(tmpdir(), 'qt-e2e-')) });
    await until(async () => find((await statusVia(env.bus)) ?? ({} as NodeStatusRecord), 'root.brains.heartbeat')?.status === 'running', 'first node running', 20_000);
    const second = await runQt(['up', '--nats', env.server.url], { env: { ...env1, QT_NODE__DATA_DIR: mkdtempSync(join(tmpdir(), 'qt-e2e-')) }, timeoutMs: 30_000 });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`qt up: node id 'dup' is already running on this NATS system \\(pid ${first.proc.pid} on `));
    // Nothing of the second process ran: no consumer was recreated under the first, nothing restarted.
    const t = (await statusJson(env.server.url))!;
    expect([find(t, 'root')?.restarts, find(t, 'root.brains')?.restarts, find(t, 'root.brains.heartbeat')?.restarts]).toEqual([0, 0, 0]);
    const events = await readStream<SupervisionEvent>(env.bus, STREAMS.supervision, subjects.supervisionAll);
    expect(events.filter((e) => e.data.type !== 'started')).toEqual([]);
    expect(first.proc.exitCode).toBeNull();
  }, 90_000);

  it('a timed run ends even when the start never completes (an external simulator that accepts and never answers)', async () => {
    await using env = await natsEnv();
    const silent = createServer(() => undefined); // accepts connections and never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const run = await runQt(['up', '--nats', env.server.url, '--duration', '2'], {
        env: { QT_NODE__ID: 'stuck', QT_NODE__DATA_DIR: mkdtempSync(join(tmpdir(), 'qt-e2e-')), QT_SIM__URL: `http://127.0.0.1:${port}` },
        timeoutMs: 30_000, // the simulator's clock alone is retried for over a minute
      });
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toContain('the node was still starting when --duration 2s elapsed: exiting');
    } finally {
      silent.close();
    }
  }, 60_000);

  it('root escalation exits the process non-zero, after publishing escalated', async () => {
    await using env = await natsEnv();
    const dataDir = mkdtempSync(join(tmpdir(), 'qt-e2e-'));
    await using node = startQtNode(['--nats', env.server.url], {
      QT_NODE__ID: 'esc',
      QT_NODE__DATA_DIR: dataDir,
      QT_SIM__SYMBOLS: '1',
      QT_UNIVERSE__TOP_N: '1',
      QT_SUPERVISION__INTENSITY: '1',
      QT_SUPERVISION__PERIOD: '60000',
      QT_SUPERVISION__BACKOFF: JSON.stringify({ min: 1, max: 5 }),
    });
    await until(() => statusVia(env.bus), 'node answering status', 20_000);
    let code: number | null | undefined;
    void node.exited.then((c) => (code = c));
    for (let i = 0; i < 40 && code === undefined; i++) {
      const t = await statusVia(env.bus);
      if (t && find(t, 'root.brains.heartbeat')?.status === 'running') {
        await env.bus.nc.request(subjects.control('supervisor', 'kill'), JSON.stringify({ target: 'root.brains.heartbeat' }), { timeout: 2_000 }).catch(() => undefined);
      } else await new Promise((r) => setTimeout(r, 100));
    }
    expect(await node.exited).toBe(1);
    const events = await readStream<SupervisionEvent>(env.bus, STREAMS.supervision, subjects.supervisionAll);
    expect(events.filter((e) => e.data.type === 'escalated').map((e) => e.data.path)).toContain('root');
    expect(node.logs()).toMatch(/root supervisor escalated: exiting non-zero/);
  }, 90_000);

  it('qt up --venue sim --symbols 20: candles for all 20 in QT_MARKET, 20 symbol actors in status and KV, labelled signals', async () => {
    await using env = await natsEnv();
    const dataDir = mkdtempSync(join(tmpdir(), 'qt-e2e-'));
    await using _node = startQtNode(['--nats', env.server.url, '--venue', 'sim', '--symbols', '20'], { QT_NODE__ID: 'md', QT_NODE__DATA_DIR: dataDir });
    const symbolsOf = (t: NodeStatusRecord | undefined) => find(t ?? ({} as NodeStatusRecord), 'root.symbols')?.children?.filter((c) => c.status === 'running') ?? [];
    await until(async () => symbolsOf(await statusVia(env.bus)).length === 20, '20 symbol actors', 30_000);
    const tree = (await statusJson(env.server.url))!;
    expect(symbolsOf(tree).map((c) => c.id).every((id) => /^symbol-[A-Z0-9]+USDT$/.test(id))).toBe(true);
    const candleSubjects = await until(async () => {
      const info = await env.bus.jsm.streams.info(STREAMS.market, { subjects_filter: 'qt.md.sim.*.candle.1m' });
      const subs = Object.keys(info.state.subjects ?? {});
      return subs.length === 20 ? subs : undefined;
    }, 'candles for 20 symbols', 30_000);
    expect(candleSubjects.sort()).toEqual(symbolsOf(tree).map((c) => `qt.md.sim.${c.id.slice(7)}.candle.1m`).sort());
    // Not kv.keys(): it chases the actors' rewrites while it lists (see scanKv).
    const keys = (await scanKv(env.bus, BUCKETS.actors, 'symbol.*')).map((e) => e.key);
    expect(keys).toEqual(symbolsOf(tree).map((c) => `symbol.${c.id.slice(7)}`).sort());
    const sigs = await until(async () => {
      const s = await readStream<{ attribution: string; source: string }>(env.bus, STREAMS.signals, 'qt.signal.*');
      return s.length ? s : undefined;
    }, 'signals', 30_000);
    // The ensemble is really used: model-attributed signals carrying every member (three families).
    const model = await until(async () => {
      const s = await readStream<{ source: string; contributions: Array<{ family: string; version: string; probs: number[] }> }>(env.bus, STREAMS.signals, 'qt.signal.*');
      return s.find((x) => x.data.source === 'model');
    }, 'a model signal', 60_000);
    expect(new Set(model.data.contributions.map((c) => c.family))).toEqual(new Set(['gbdt', 'mlp', 'temporal']));
    expect(model.data.contributions.every((c) => c.version && c.probs.length === 3)).toBe(true);
    const ls = await runQt(['models', 'ls', '--json', '--nats', env.server.url]);
    expect(ls.code).toBe(0);
    const listed = JSON.parse(ls.stdout) as { models: Array<{ family: string; role: string; manifest?: unknown }> };
    const families = new Set(listed.models.map((m) => m.family));
    expect(listed.models.every((m) => m.role === 'champion')).toBe(true);
    expect([...families].sort()).toEqual(['gbdt', 'mlp', 'temporal']);
    // Every signal says where it came from: the model ensemble (with each member's say), or a labelled fallback.
    expect(sigs.every((s) => (s.data.source === 'model' && s.data.attribution.startsWith('ensemble:')) || (s.data.source === 'fallback' && s.data.attribution.startsWith('fallback:')))).toBe(true);
  }, 90_000);

  it('qt decode turns msgpack into JSON and flags garbage', async () => {
    const ok = await runQt(['decode'], { input: encode({ type: 'inc', by: 2, nested: { x: [1, 2] } }) });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ type: 'inc', by: 2, nested: { x: [1, 2] } });
    const bad = await runQt(['decode'], { input: new Uint8Array([0xc1]) });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toHaveProperty('$undecodable');
  });

  it('live trading needs the opt-in flag, the config acknowledgement and keys; testnet needs keys', async () => {
    const live = await runQt(['up', '--venue', 'binance-live', '--nats', 'nats://127.0.0.1:1']);
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(/--i-understand-live-trading/);
    const ack = await runQt(['up', '--venue', 'binance-live', '--i-understand-live-trading', '--nats', 'nats://127.0.0.1:1'], { env: { BINANCE_API_KEY: 'k'.repeat(20), BINANCE_API_SECRET: 's'.repeat(20) } });
    expect(ack.code).toBe(1);
    expect(ack.stderr).not.toContain('s'.repeat(20));
    const testnet = await runQt(['up', '--venue', 'binance-testnet', '--nats', 'nats://127.0.0.1:1'], { env: { BINANCE_API_KEY: '', BINANCE_API_SECRET: '' } });
    expect(testnet.code).toBe(1);
    expect(testnet.stderr).toMatch(/needs BINANCE_API_KEY and BINANCE_API_SECRET/);
  });

  it('qt up refuses an unknown config key, naming it', async () => {
    const r = await runQt(['up', '--nats', 'nats://127.0.0.1:1'], { env: { QT_SUPERVISION__INTENSTY: '3' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown config key 'supervision\.intensty'/);
  });
});
