import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type JournalEntry, type PositionUpdate, type SubmitCommand } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { silentLogger as logger, tradingStack } from '../testing/trading-stack.js';
import { readStream, until } from '../testing/wait.js';
import { startVenueEnv } from '../venues/binance/testkit.js';
import { reconcileOnce, startReconciler, type PendingMismatch } from './reconcile.js';

const SYM = 'BTCUSDT';

/**
 * One symbol's trading path (tradingStack) plus the reconciler worker. Its periodic pass is an hour
 * away: after the start-up pass, only the prompt passes that follow an unknown order's fill (and
 * their second look) can run.
 */
async function stack() {
  const base = await tradingStack(SYM);
  const { env, v, ctx, pos } = base;
  const rec = await startReconciler({ bus: env.bus, venue: v.venue, clock: base.clock, logger, everyMs: 3_600_000, mismatchGraceMs: 300, promptMs: 50 });
  return {
    env, v, rec, ctx,
    /** Our position, opened through the whole flow, with its stop confirmed by the venue. */
    async open(qty: number) {
      const cmd: SubmitCommand = {
        type: 'submit', clientOrderId: 'entry-1', intentId: `${SYM}:entry-1:BUY`, leg: 'entry', symbol: SYM, side: 'BUY', orderType: 'MARKET',
        qty, price: 60_000, reduceOnly: false, attribution: 'fallback:momentum', ts: 1,
      };
      await base.submit(cmd);
      await until(async () => ctx().qty === qty && (await pos())?.stop?.confirmed === true, 'position open with a confirmed stop', 20_000);
    },
    /** Resting protective orders at the venue, from the simulator itself. */
    venueLegs: async () => (await v.venue.openOrders(SYM)).filter((o) => o.reduceOnly || o.closePosition),
    async [Symbol.asyncDispose]() {
      await rec.stop();
      await base[Symbol.asyncDispose]();
    },
  };
}

describe('reconciliation corrects a book the venue contradicts (simulator, adapter, actors, real NATS)', () => {
  it('a position closed on the venue by hand: the actor closes it (booked as reconciled) and no stop is left on the venue', async () => {
    await using s = await stack();
    await s.open(0.003);
    expect((await s.venueLegs()).some((o) => o.type === 'STOP_MARKET')).toBe(true);
    // The web UI's close: an order we never placed, its fill reaching only the orders actor.
    await s.v.venue.placeOrder({ symbol: SYM, side: 'SELL', type: 'MARKET', qty: 0.003, reduceOnly: true, clientOrderId: 'web_close_1' });
    expect((await s.v.venue.positions(SYM)).filter((p) => p.qty > 0)).toEqual([]);

    await until(() => s.ctx().qty === 0 && s.ctx().phase === 'flat', 'the ghost position closed', 20_000);
    await until(async () => (await s.venueLegs()).length === 0, 'no protective order left on the venue', 20_000);
    const exit = (await readStream<JournalEntry>(s.env.bus, STREAMS.journal, subjects.journal('exit'))).map((m) => m.data).at(-1);
    expect(exit).toMatchObject({ symbol: SYM, data: { reason: 'reconciled' } });
    const inputs = await readStream<{ type: string; qty: number }>(s.env.bus, STREAMS.inputs, subjects.actorInput('position', SYM));
    expect(inputs.map((m) => m.data)).toEqual([expect.objectContaining({ type: 'adopt', side: 'LONG', qty: 0 })]);
    expect(inputs[0]!.headers['Nats-Msg-Id']).toMatch(/^fix:BTCUSDT:\d+:0\.003>0$/);
    const fix = (await readStream<JournalEntry>(s.env.bus, STREAMS.journal, subjects.journal('reconcile'))).map((m) => m.data).find((e) => e.data.venue);
    expect(fix).toMatchObject({ symbol: SYM, data: { venue: { qty: 0 }, ours: { side: 'LONG', qty: 0.003 } } });
  }, 60_000);

  it('a position increased on the venue by hand: the actor takes the venue size and the venue holds one stop for all of it', async () => {
    await using s = await stack();
    await s.open(0.003);
    await s.v.venue.placeOrder({ symbol: SYM, side: 'BUY', type: 'MARKET', qty: 0.002, clientOrderId: 'web_add_1' });
    const [vp] = await s.v.venue.positions(SYM);
    expect(vp!.qty).toBe(0.005);

    await until(() => s.ctx().qty === 0.005, 'the actor at the venue size', 20_000);
    // From the venue's own open orders: one reduce-only stop for the whole position, the old one gone.
    const stops = await until(async () => {
      const st = (await s.venueLegs()).filter((o) => o.type === 'STOP_MARKET');
      return st.length === 1 && st[0]!.qty === 0.005 ? st : null;
    }, 'a single venue stop covering 0.005', 20_000);
    expect(stops[0]).toMatchObject({ side: 'SELL', reduceOnly: true, status: 'NEW' });
    // The targets follow the size too.
    await until(async () => {
      const tps = (await s.venueLegs()).filter((o) => o.type === 'TAKE_PROFIT_MARKET');
      return Math.abs(tps.reduce((a, o) => a + o.qty, 0) - 0.005) < 1e-9;
    }, 'targets summing to 0.005', 20_000);
    const inputs = await readStream<{ type: string; qty: number }>(s.env.bus, STREAMS.inputs, subjects.actorInput('position', SYM));
    expect(inputs.map((m) => m.data)).toEqual([expect.objectContaining({ type: 'adopt', side: 'LONG', qty: 0.005, entry: vp!.entryPrice })]);
  }, 60_000);
});

describe('a difference seen once is not acted on', () => {
  const update = (qty: number, ts: number): PositionUpdate => ({
    symbol: SYM, state: 'open', side: 'LONG', qty, avgEntry: 60_000, markPrice: 60_000, realizedPnl: 0, unrealizedPnl: 0, fees: 0, funding: 0,
    stop: null, unprotectedSince: null, attribution: 'test', intentId: 'i', openedAt: 1, ts,
  });

  it('a book that catches up by the next pass is left alone; one that still differs after the grace gets the venue position', async () => {
    await using env = await natsEnv();
    await using v = await startVenueEnv();
    const live = createLiveClock();
    let now = live.now();
    const clock = { ...live, now: () => now };
    const mismatches = new Map<string, PendingMismatch>();
    const o = { bus: env.bus, venue: v.venue, clock, logger, mismatches, mismatchGraceMs: 5_000 };
    const publish = (u: PositionUpdate) => env.bus.js.publish(subjects.position(SYM, u.state), encode(u));
    const inputs = () => readStream(env.bus, STREAMS.inputs, subjects.actorInput('position', SYM));
    await v.venue.placeOrder({ symbol: SYM, side: 'BUY', type: 'MARKET', qty: 0.004, clientOrderId: 'x-1' });

    // The venue answered after a fill our position actor had not applied yet: ours 0.003, theirs 0.004.
    await publish(update(0.003, now));
    const first = await reconcileOnce(o);
    expect(first).toMatchObject({ mismatched: [SYM], corrected: [] });
    // The fill lands; the next pass, well past the grace, finds the books equal and forgets the difference.
    await publish(update(0.004, now + 1));
    now += 30_000;
    expect(await reconcileOnce(o)).toMatchObject({ mismatched: [], corrected: [] });
    expect(mismatches.size).toBe(0);
    expect(await inputs()).toHaveLength(0);

    // A real drift: our book says 0.006 on every pass.
    await publish(update(0.006, now));
    now += 30_000;
    expect(await reconcileOnce(o)).toMatchObject({ mismatched: [SYM], corrected: [] });
    now += 1_000; // seen again, but within the grace
    expect(await reconcileOnce(o)).toMatchObject({ mismatched: [SYM], corrected: [] });
    expect(await inputs()).toHaveLength(0);
    const firstSeen = mismatches.get(SYM)!.since;
    now += 5_000;
    expect(await reconcileOnce(o)).toMatchObject({ mismatched: [SYM], corrected: [SYM] });
    const sent = await inputs();
    expect(sent.map((m) => m.data)).toEqual([expect.objectContaining({ type: 'adopt', side: 'LONG', qty: 0.004 })]);
    expect(sent[0]!.headers['Nats-Msg-Id']).toBe(`fix:${SYM}:${firstSeen}:0.006>0.004`);
    const fix = (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('reconcile'))).map((m) => m.data).find((e) => e.data.venue);
    expect(fix).toMatchObject({ symbol: SYM, data: { venue: { side: 'LONG', qty: 0.004 }, ours: { qty: 0.006 }, firstSeen } });
  });
});

describe('a stop the venue refuses as already triggered', () => {
  it('flattens the position at once with a reduce-only market order, instead of re-trying the stop after the protect timer', async () => {
    await using s = await stack();
    // A position opened by hand: its fill reaches the orders actor as unknown, and the prompt pass adopts it.
    await s.v.venue.placeOrder({ symbol: SYM, side: 'BUY', type: 'MARKET', qty: 0.004, clientOrderId: 'web_open_1' });
    // The adopted position's first order is its stop; the venue answers it with -2021.
    s.v.sim.server.faults.add({ kind: 'reject', code: -2021, msg: 'Order would immediately trigger.', method: 'POST', path: '/fapi/v1/order', symbol: SYM, count: 1 });
    await until(async () => (await s.v.venue.positions(SYM)).every((p) => p.qty === 0), 'the venue position closed', 20_000);
    const history = (await (await fetch(`${s.v.sim.server.url}/sim/orders`)).json()) as Array<{ clientOrderId: string; type: string; reduceOnly: boolean; status: string }>;
    expect(history.filter((o) => o.type === 'MARKET' && o.reduceOnly)).toEqual([expect.objectContaining({ status: 'FILLED', clientOrderId: expect.stringMatching(/^qt[A-Za-z0-9]{18}-/) })]);
    // The refused stop was the only stop: none was re-placed while the flatten went through.
    expect(history.filter((o) => o.type === 'STOP_MARKET')).toEqual([]);
    await until(() => s.ctx().qty === 0 && s.ctx().phase === 'flat', 'the actor closed', 20_000);
  }, 60_000);
});

