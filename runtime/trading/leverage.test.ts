import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type SubmitCommand, type VenueReport } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import type { UserEvent } from '../venues/sim/engine/types.js';
import { engineOrders, startVenueEnv, type VenueEnv } from '../venues/binance/testkit.js';
import { startExecutor, startUserStreamBridge, type ExecutorOptions } from './index.js';

const SYM = 'BTCUSDT';
const LEVERAGE = { path: '/fapi/v1/leverage', method: 'POST' } as const;
const entry = (clientOrderId: string, o: Partial<SubmitCommand> = {}): SubmitCommand => ({
  type: 'submit', clientOrderId, intentId: `${SYM}:${clientOrderId}:BUY`, leg: 'entry', symbol: SYM, side: 'BUY', orderType: 'MARKET',
  qty: 0.002, price: 60_000, reduceOnly: false, attribution: 'test', ts: 1, ...o,
});

/** Real NATS, the simulator over loopback HTTP, the adapter and an executor. */
async function rig(o: Partial<ExecutorOptions> = {}, sim: { dualSidePosition?: boolean } = {}) {
  const env = await natsEnv();
  const venueEnv: VenueEnv = await startVenueEnv({ sim });
  const executor = await startExecutor({ bus: env.bus, venue: venueEnv.venue, clock: createLiveClock(), logger: pino({ level: 'silent' }), leverage: 3, ...o }).catch(async (e: unknown) => {
    await venueEnv.close();
    await env[Symbol.asyncDispose]();
    throw e;
  });
  // The simulator's own record of what happened, in its order.
  const events: UserEvent[] = [];
  const off = venueEnv.sim.engine.subscribeUser((e) => void events.push(e));
  let n = 0;
  return {
    env, venueEnv, executor, events,
    place: (c: SubmitCommand) => env.bus.js.publish(subjects.order(SYM, 'exec'), encode({ op: 'place', command: { ...c, ts: Date.now() } }), { msgID: `exec:${c.clientOrderId}:place:${n++}` }),
    report: (cid: string) =>
      until(async () => (await readStream<VenueReport>(env.bus, STREAMS.orders, subjects.order(SYM, 'report'))).map((m) => m.data).find((r) => r.clientOrderId === cid), `the report of ${cid}`, 15_000),
    leverageOnVenue: () => Number(venueEnv.sim.engine.positions(SYM)[0]!.leverage),
    async [Symbol.asyncDispose]() {
      off();
      await executor.stop();
      await venueEnv.close();
      await env[Symbol.asyncDispose]();
    },
  };
}

/**
 * An account setting the node cannot trade with: the executor refuses to start, not retryable,
 * logged fatal with the reason, and takes no command (its consumer is never created); once
 * `switchOff` sets the account right on the venue, it starts.
 */
async function expectRefusedStart(sim: { dualSidePosition?: boolean; feeBurn?: boolean; multiAssetsMargin?: boolean }, refusal: { name: string; message: RegExp; logged: RegExp }, switchOff: (v: VenueEnv) => Promise<void>) {
  const env = await natsEnv();
  const venueEnv = await startVenueEnv({ sim });
  try {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    await expect(startExecutor({ bus: env.bus, venue: venueEnv.venue, clock: createLiveClock(), logger })).rejects.toMatchObject({
      name: refusal.name, retryable: false, message: expect.stringMatching(refusal.message),
    });
    expect(lines.some((l) => l.level === 60 && refusal.logged.test(l.msg))).toBe(true);
    await expect(env.bus.jsm.consumers.info(STREAMS.orders, 'qt_executor')).rejects.toThrow();
    await switchOff(venueEnv);
    const ex = await startExecutor({ bus: env.bus, venue: venueEnv.venue, clock: createLiveClock(), logger });
    await ex.stop();
  } finally {
    await venueEnv.close();
    await env[Symbol.asyncDispose]();
  }
}

describe('leverage and position mode on the venue (sim over HTTP, real NATS, executor)', () => {
  it("the first entry of a symbol sets the venue's leverage before the order; later entries do not ask again", async () => {
    await using r = await rig();
    const faults = r.venueEnv.sim.server.faults;
    const calls = faults.add({ kind: 'latency', latencyMs: 0, ...LEVERAGE });
    const leverageCalls = () => faults.list().find((x) => x.id === calls.id)!.fired;
    // The simulator starts every symbol at 20x, as Binance does.
    expect(r.leverageOnVenue()).toBe(20);

    await r.place(entry('lev-1'));
    expect(await r.report('lev-1')).toMatchObject({ status: 'FILLED' });
    expect(r.leverageOnVenue()).toBe(3);
    // The engine saw the leverage change before it saw the order.
    const config = r.events.findIndex((e) => e.e === 'ACCOUNT_CONFIG_UPDATE' && e.ac.s === SYM && e.ac.l === 3);
    const order = r.events.findIndex((e) => e.e === 'ORDER_TRADE_UPDATE' && e.o.c === 'lev-1');
    expect(config).toBeGreaterThanOrEqual(0);
    expect(order).toBeGreaterThan(config);
    // And margins the position at it: initial margin = notional / 3.
    const pos = r.venueEnv.sim.engine.account().positions.find((p) => p.symbol === SYM)!;
    expect(Number(pos.positionInitialMargin)).toBeCloseTo(Math.abs(Number(pos.notional)) / 3, 6);

    await r.place(entry('lev-2'));
    expect(await r.report('lev-2')).toMatchObject({ status: 'FILLED' });
    expect(leverageCalls()).toBe(1);
    expect(r.executor.info()).toMatchObject({ leverage: { [SYM]: 3 } });
    await r.place(entry('lev-flat', { side: 'SELL', qty: 0.004, reduceOnly: true, leg: 'exit' }));
    expect(await r.report('lev-flat')).toMatchObject({ status: 'FILLED' });
    expect(leverageCalls()).toBe(1);
  });

  it('a refused leverage change rejects the entry with its reason and sends no order', async () => {
    await using r = await rig({ leverage: 7 });
    r.venueEnv.sim.server.faults.add({ kind: 'reject', code: -4028, msg: 'Leverage 7 is not valid', ...LEVERAGE });
    await r.place(entry('lev-refused'));
    const rep = await r.report('lev-refused');
    expect(rep).toMatchObject({ status: 'REJECTED', code: -4028 });
    expect(rep.reason).toBe('not sent: leverage 7x on BTCUSDT refused by the venue (-4028): Leverage 7 is not valid');
    expect(engineOrders(r.venueEnv.sim, 'lev-refused')).toBe(0);
    expect(r.leverageOnVenue()).toBe(20);
  });

  it('while the leverage answer is unknown the entry waits (not sent) and a stop goes out; once confirmed the entry follows', async () => {
    await using r = await rig({ notSentGiveUpMs: 30_000, retryBaseMs: 20, retryMaxMs: 100, maxEntryWaitMs: 30_000 });
    const faults = r.venueEnv.sim.server.faults;
    // A position to protect, opened outside the executor.
    await r.venueEnv.venue.placeOrder({ symbol: SYM, side: 'BUY', type: 'MARKET', qty: 0.002, clientOrderId: 'lev-pos' });
    const outage = faults.add({ kind: 'http5xx', status: 503, ...LEVERAGE });
    await r.place(entry('lev-waits'));
    await until(() => (faults.list().find((x) => x.id === outage.id)?.fired ?? 0) >= 2, 'leverage retried');
    await r.place(entry('lev-stop', { leg: 'sl', side: 'SELL', orderType: 'STOP_MARKET', stopPrice: 55_000, reduceOnly: true, price: undefined, workingType: 'MARK_PRICE' }));
    expect(await r.report('lev-stop')).toMatchObject({ status: 'NEW' });
    expect(engineOrders(r.venueEnv.sim, 'lev-waits')).toBe(0);
    expect(r.leverageOnVenue()).toBe(20);
    faults.remove(outage.id);
    expect(await r.report('lev-waits')).toMatchObject({ status: 'FILLED' });
    expect(r.leverageOnVenue()).toBe(3);
    const config = r.events.findIndex((e) => e.e === 'ACCOUNT_CONFIG_UPDATE' && e.ac.l === 3);
    expect(r.events.findIndex((e) => e.e === 'ORDER_TRADE_UPDATE' && e.o.c === 'lev-waits')).toBeGreaterThan(config);
  });

  it('a leverage changed on the venue by someone else (ACCOUNT_CONFIG_UPDATE through the user stream) is set again by the next entry', async () => {
    await using r = await rig();
    // Wired as a node wires them: the user stream's account-config events reach the executor.
    const bridge = await startUserStreamBridge({
      bus: r.env.bus, venue: r.venueEnv.venue, clock: createLiveClock(), logger: pino({ level: 'silent' }),
      onAccountConfig: (e) => r.executor.leverageObserved(e.symbol, e.leverage),
    });
    // The stream reports each order too (NEW, then FILLED): wait for the fill, whichever source says it.
    const filled = (cid: string) =>
      until(async () => (await readStream<VenueReport>(r.env.bus, STREAMS.orders, subjects.order(SYM, 'report'))).some((m) => m.data.clientOrderId === cid && m.data.status === 'FILLED'), `${cid} filled`, 15_000);
    try {
      await r.place(entry('lev-a'));
      await filled('lev-a');
      expect(r.leverageOnVenue()).toBe(3);
      // Someone raises it to 10x by hand (Binance's own endpoint, another client).
      expect(await (await r.venueEnv.sim.signed('POST', '/fapi/v1/leverage', { symbol: SYM, leverage: 10 })).json()).toMatchObject({ leverage: 10 });
      await until(() => r.executor.info().leverage && !(SYM in (r.executor.info().leverage as Record<string, number>)), 'the executor forgot its 3x');
      await r.place(entry('lev-b'));
      await filled('lev-b');
      expect(r.leverageOnVenue()).toBe(3);
      const b = r.events.findIndex((e) => e.e === 'ORDER_TRADE_UPDATE' && e.o.c === 'lev-b');
      const lastTo3 = r.events.map((e, i) => (e.e === 'ACCOUNT_CONFIG_UPDATE' && e.ac.l === 3 ? i : -1)).reduce((a, i) => Math.max(a, i), -1);
      const to10 = r.events.findIndex((e) => e.e === 'ACCOUNT_CONFIG_UPDATE' && e.ac.l === 10);
      expect(lastTo3).toBeGreaterThan(to10);
      expect(lastTo3).toBeLessThan(b);
    } finally {
      await bridge.stop();
    }
  });

  it('a hedge-mode account makes the executor refuse to start, with the reason; switched to one-way it starts', async () => {
    await expectRefusedStart({ dualSidePosition: true }, { name: 'HedgeModeError', message: /hedge mode \(dualSidePosition=true\).*one-way mode only/, logged: /hedge mode/ }, async (v) => {
      const flip = await v.sim.call('POST', '/sim/positionSide/dual', { dualSidePosition: false });
      expect(await flip.json()).toEqual({ dualSidePosition: false });
    });
  });

  it('an account paying fees in BNB makes the executor refuse to start, with the reason; switched off it starts', async () => {
    await expectRefusedStart({ feeBurn: true }, { name: 'FeeBurnError', message: /pays fees in BNB \(feeBurn=true\).*turn BNB fee payment off/, logged: /fees in BNB/ }, async (v) => {
      // Turned off on the venue, as the message says (Binance's own endpoint).
      expect(await (await v.sim.signed('POST', '/fapi/v1/feeBurn', { feeBurn: 'false' })).json()).toEqual({ code: 200, msg: 'success' });
    });
  });

  it('an account in multi-assets margin mode makes the executor refuse to start, with the reason; switched off it starts', async () => {
    await expectRefusedStart({ multiAssetsMargin: true }, { name: 'MultiAssetsModeError', message: /multi-assets margin mode \(multiAssetsMargin=true\).*switch to single-asset mode/, logged: /multi-assets margin/ }, async (v) => {
      expect(await (await v.sim.signed('POST', '/fapi/v1/multiAssetsMargin', { multiAssetsMargin: 'false' })).json()).toEqual({ code: 200, msg: 'success' });
    });
  });
});
