import { describe, expect, it, vi } from 'vitest';
import { subjects, type JournalEntry, type PositionUpdate, type SupervisionEvent } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import type { Bus } from '../nats/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { runGolive } from '../cli/golive.js';
import { checkGoLive, maxDrawdown } from './check.js';

const H = 3_600_000;
const T0 = Date.now() - 50 * H;

const pub = (bus: Bus, subject: string, data: unknown) => bus.js.publish(subject, encode(data), { headers: msgHeaders() });
const journal = (kind: JournalEntry['kind'], ts: number, data: Record<string, unknown> = {}, summary: string = kind): JournalEntry => ({ kind, ts, summary, data });
const pos = (over: Partial<PositionUpdate>): PositionUpdate => ({
  symbol: 'BTCUSDT', state: 'open', side: 'LONG', qty: 1, avgEntry: 100, markPrice: 100, realizedPnl: 0, unrealizedPnl: 0, fees: 0, funding: 0,
  stop: { clientOrderId: 's', price: 98, confirmed: true, sinceTs: T0 }, unprotectedSince: null, attribution: 'm', intentId: null, openedAt: T0, ts: T0, ...over,
});

/** A clean 50 h paper record: equity 10000 → 9500 → 10200, stops confirmed within 2 s. */
async function cleanRecord(bus: Bus): Promise<void> {
  await pub(bus, subjects.journal('signal'), journal('signal', T0));
  for (const [h, equity] of [[1, 10_000], [20, 9_500], [49, 10_200]] as const) await pub(bus, subjects.journal('pnl'), journal('pnl', T0 + h * H, { equity }));
  await pub(bus, subjects.position('BTCUSDT', 'opening'), pos({ state: 'opening', stop: null, unprotectedSince: T0, ts: T0 + 2_000 }));
  await pub(bus, subjects.position('BTCUSDT', 'open'), pos({ ts: T0 + 2_500 }));
  await pub(bus, subjects.journal('alert'), journal('alert', T0 + 3 * H, { key: 'unprotected:BTCUSDT', resolved: true }, 'BTCUSDT is protected or closed'));
  await pub(bus, subjects.journal('order'), journal('order', T0 + 50 * H));
}

describe('checkGoLive', () => {
  it('passes a clean 50 h record, with numbers per gate', async () => {
    await using env = await natsEnv();
    await cleanRecord(env.bus);
    const r = await checkGoLive({ bus: env.bus });
    expect(r.gates.map((g) => [g.name, g.pass])).toEqual([['paper-hours', true], ['max-drawdown', true], ['unprotected-positions', true], ['escalations', true]]);
    expect(r.pass).toBe(true);
    expect(r.gates[0]!.value).toBe(50);
    expect(r.gates[1]!.value).toBe(0.05);
    expect(r.config).toMatchObject({ minHours: 48, maxDrawdown: 0.1 });
  });

  it('fails each gate on its own evidence', async () => {
    await using env = await natsEnv();
    await cleanRecord(env.bus);
    await pub(env.bus, subjects.journal('pnl'), journal('pnl', T0 + 49.5 * H, { equity: 8_500 }));
    await pub(env.bus, subjects.journal('alert'), journal('alert', T0 + 4 * H, { key: 'unprotected:ETHUSDT', severity: 'critical' }, 'ETHUSDT position has no venue-side stop'));
    await pub(env.bus, subjects.position('SOLUSDT', 'open'), pos({ symbol: 'SOLUSDT', stop: null, unprotectedSince: T0 + 5 * H, ts: T0 + 5 * H + 9_000 }));
    const esc: SupervisionEvent = { type: 'escalated', path: 'root.brains', id: 'brains', kind: 'supervisor', ts: Date.now(), restarts: 4, node: 'n1' };
    await pub(env.bus, subjects.supervision(esc.path, esc.type), esc);
    // The journal is written in time order; the record ends with its last entry.
    await pub(env.bus, subjects.journal('order'), journal('order', T0 + 50 * H));
    const r = await checkGoLive({ bus: env.bus, gates: { minHours: 60 } });
    const by = Object.fromEntries(r.gates.map((g) => [g.name, g]));
    expect(r.pass).toBe(false);
    expect(by['paper-hours']).toMatchObject({ pass: false, value: 50, limit: 60 });
    expect(by['max-drawdown']).toMatchObject({ pass: false, value: 0.1667 });
    expect(by['unprotected-positions']!.pass).toBe(false);
    expect(by['unprotected-positions']!.detail).toMatch(/1 unprotected-stop alerts \(ETHUSDT\); naked > 5 s: SOLUSDT/);
    expect(by['escalations']).toMatchObject({ pass: false, value: 1, detail: 'escalated: root.brains' });
  });

  it('an empty record fails; a position naked right now fails even without an alert', async () => {
    await using env = await natsEnv();
    const empty = await checkGoLive({ bus: env.bus, gates: { minHours: 0 } });
    expect(empty.pass).toBe(false);
    expect(empty.gates.find((g) => g.name === 'max-drawdown')?.detail).toMatch(/nothing proves the drawdown/);

    await cleanRecord(env.bus);
    const now = Date.now();
    await pub(env.bus, subjects.position('XRPUSDT', 'opening'), pos({ symbol: 'XRPUSDT', state: 'opening', stop: null, unprotectedSince: now - 7_000, ts: now - 6_999 }));
    const r = await checkGoLive({ bus: env.bus, now: () => now });
    expect(r.gates.find((g) => g.name === 'unprotected-positions')).toMatchObject({ pass: false, detail: 'naked > 5 s: XRPUSDT 7 s' });
  });

  it('maxDrawdown takes the worse of equity peak-to-trough and reported drawdowns', () => {
    expect(maxDrawdown([journal('pnl', 1, { equity: 100 }), journal('pnl', 2, { equity: 120 }), journal('pnl', 3, { equity: 90 })])).toBeCloseTo(0.25);
    expect(maxDrawdown([journal('pnl', 1, { equityUsd: 100 }), journal('pnl', 2, { drawdown: 0.3 })])).toBe(0.3);
    expect(maxDrawdown([])).toBe(0);
  });

  it('qt golive check prints the gates and exits non-zero on fail, zero on pass', async () => {
    await using env = await natsEnv();
    await cleanRecord(env.bus);
    // In-process: main.ts dispatches `golive` to runGolive once the lead wires it.
    const run = async (args: string[]) => {
      let stdout = '';
      const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        return { code: await runGolive(args), stdout };
      } finally {
        out.mockRestore();
        err.mockRestore();
      }
    };
    const fail = await run(['check', '--nats', env.server.url, '--min-hours', '100']);
    expect(fail.stdout).toMatch(/FAIL {2}paper-hours/);
    expect(fail.stdout).toContain('go-live gate: FAILED');
    expect(fail.code).toBe(1);
    const ok = await run(['check', '--json', '--nats', env.server.url]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ pass: true, gates: [{ name: 'paper-hours', value: 50 }, {}, {}, {}] });
    expect(await run(['nope'])).toMatchObject({ code: 2 });
  });
});
