import { describe, expect, it } from 'vitest';
import {
  BUCKETS, clientOrderId, DLQ_REASON_HEADER, STREAMS, subjects,
  type JournalEntry, type OrderCommand, type OrderEvent, type PositionUpdate, type SubmitCommand,
} from '../../protocols/index.js';
import { encode } from '../../runtime/codec.js';
import { createSimulatedClock } from '../../runtime/clock/index.js';
import { positionDef } from '../../runtime/cli/defs-position.js';
import type { HostedActor } from '../../runtime/host/index.js';
import { natsEnv, type NatsEnv } from '../../runtime/testing/nats-env.js';
import { hostKit } from '../../runtime/testing/host-env.js';
import { readStream, until } from '../../runtime/testing/wait.js';
import type { PositionContext } from './index.js';

const SYM = 'BTCUSDT';
const T0 = 1_700_000_000_000;
const RULES = { tickSize: 0.1, stepSize: 0.001, minQty: 0.001, minNotional: 5 };
const def = positionDef({ venue: 'sim', rules: () => RULES });
const IN = { order: 0, mark: 1, control: 2, intent: 3 } as const;

/** A position actor on a real nats-server and simulated time, with helpers to feed and read it. */
async function rig(env: NatsEnv, clock = createSimulatedClock(T0)) {
  const kit = await hostKit(env, { clock });
  let a: HostedActor = await kit.start(SYM, def);
  const feed = async (i: number, subject: string, data: unknown) => {
    const ack = await env.bus.js.publish(subject, encode(data));
    await until(() => ((a.info().cursors as number[])[i] ?? 0) >= ack.seq, `input ${i} seq ${ack.seq}`);
  };
  return {
    clock,
    get actor() { return a; },
    ctx: () => a.actor.getSnapshot().context as PositionContext,
    state: () => a.actor.getSnapshot().value as string,
    restart: async () => { await a.stop(); a = await kit.start(SYM, def); },
    order: (e: OrderEvent) => feed(IN.order, subjects.order(SYM, 'event'), e),
    mark: (markPrice: number, ts = clock.now()) => feed(IN.mark, subjects.market('sim', SYM, 'mark'), { venue: 'sim', symbol: SYM, ts, markPrice, fundingRate: 0.0001 }),
    control: (data: unknown) => feed(IN.control, subjects.actorInput('position', SYM), data),
    intent: (data: unknown) => feed(IN.intent, subjects.intent(SYM), data),
    commands: async () => (await readStream<OrderCommand>(env.bus, STREAMS.orders, subjects.order(SYM, 'submit'))).map((m) => ({ ...m.data, msgId: m.headers['Nats-Msg-Id'] })),
    updates: async () => (await readStream<PositionUpdate>(env.bus, STREAMS.positions, subjects.positionAll)).map((m) => m.data),
    journal: async (kind: string) => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal(kind))).map((m) => m.data),
  };
}

function orderEvent(intentId: string, leg: OrderEvent['leg'], side: 'BUY' | 'SELL', status: OrderEvent['status'], fill?: { id: number; price: number; qty: number; fee: number; cum: number }, n = 0): OrderEvent {
  return {
    clientOrderId: clientOrderId(intentId, leg, n), intentId, leg, symbol: SYM, side, status, prev: null,
    qty: fill?.cum ?? 0, filledQty: fill?.cum ?? 0, avgPrice: fill?.price ?? 0, attribution: 'model:v1', ts: T0,
    ...(fill ? { fill: { tradeId: fill.id, price: fill.price, qty: fill.qty, fee: fill.fee, feeAsset: 'USDT', realizedPnl: 0, maker: false, ts: T0 } } : {}),
  };
}

const submits = (cs: Array<OrderCommand & { msgId?: string }>) => cs.filter((c): c is SubmitCommand & { msgId: string } => c.type === 'submit');
const cancels = (cs: Array<OrderCommand & { msgId?: string }>) => cs.filter((c) => c.type === 'cancel').map((c) => c.clientOrderId);

describe('position actor', () => {
  it('long round trip: stop + TPs at the first fill, confirmation, breakeven after TP1, trailing, closed by the trailed stop with PnL net of fees', async () => {
    await using env = await natsEnv();
    const r = await rig(env);
    const I = `${SYM}:1:BUY`;
    const id = (leg: OrderEvent['leg'], n = 0) => clientOrderId(I, leg, n);
    await r.order(orderEvent(I, 'entry', 'BUY', 'accepted'));
    expect(r.state()).toBe('opening');
    await r.order(orderEvent(I, 'entry', 'BUY', 'filled', { id: 1, price: 100, qty: 1, fee: 0.04, cum: 1 }));
    expect(r.state()).toBe('open');

    const first = submits(await r.commands());
    expect(first.map((c) => [c.leg, c.orderType, c.side, c.qty, c.stopPrice])).toEqual([
      ['sl', 'STOP_MARKET', 'SELL', 1, 98],
      ['tp1', 'TAKE_PROFIT_MARKET', 'SELL', 0.3, 102],
      ['tp2', 'TAKE_PROFIT_MARKET', 'SELL', 0.3, 103.3],
      ['tp3', 'TAKE_PROFIT_MARKET', 'SELL', 0.4, 105.2],
    ]);
    for (const c of first) expect(c).toMatchObject({ reduceOnly: true, workingType: 'MARK_PRICE', msgId: c.clientOrderId, intentId: I, attribution: 'model:v1' });
    expect(first[0]!.clientOrderId).toBe(id('sl'));
    let u = (await r.updates()).at(-1)!;
    expect(u).toMatchObject({ state: 'open', side: 'LONG', qty: 1, avgEntry: 100, realizedPnl: -0.04, fees: 0.04, unprotectedSince: T0, stop: { clientOrderId: id('sl'), price: 98, confirmed: false } });

    await r.order(orderEvent(I, 'sl', 'SELL', 'accepted'));
    u = (await r.updates()).at(-1)!;
    expect(u).toMatchObject({ unprotectedSince: null, stop: { confirmed: true, sinceTs: T0 } });
    expect(r.ctx().timers).toEqual({});

    // TP1 fills: realised +0.6 − fee, and the stop moves to breakeven (100 + 2 × 0.04 fee/unit → 100.1) for the 0.7 left.
    await r.order(orderEvent(I, 'tp1', 'SELL', 'filled', { id: 2, price: 102, qty: 0.3, fee: 0.01, cum: 0.3 }));
    expect(r.state()).toBe('reducing');
    let cmds = await r.commands();
    expect(submits(cmds).at(-1)).toMatchObject({ clientOrderId: id('sl', 1), stopPrice: 100.1, qty: 0.7 });
    expect(cancels(cmds)).not.toContain(id('sl')); // the old stop keeps working until the new one is confirmed
    await r.order(orderEvent(I, 'sl', 'SELL', 'accepted', undefined, 1));
    expect(cancels(await r.commands())).toContain(id('sl'));

    // +1.5%: trailing is active, the stop tightens to 101.5 × (1 − 0.8%) → 100.6.
    await r.mark(101.5);
    cmds = await r.commands();
    expect(submits(cmds).at(-1)).toMatchObject({ clientOrderId: id('sl', 2), stopPrice: 100.6, qty: 0.7 });
    await r.order(orderEvent(I, 'sl', 'SELL', 'accepted', undefined, 2));
    // A lower mark never loosens it.
    await r.mark(100.9);
    expect(submits(await r.commands()).length).toBe(submits(cmds).length);

    await r.order(orderEvent(I, 'sl', 'SELL', 'filled', { id: 3, price: 100.6, qty: 0.7, fee: 0.02, cum: 0.7 }, 2));
    expect(r.state()).toBe('flat');
    cmds = await r.commands();
    expect(cancels(cmds)).toEqual(expect.arrayContaining([id('sl', 1), id('tp2'), id('tp3')]));
    const closed = (await r.updates()).filter((x) => x.state === 'closed');
    expect(closed).toHaveLength(1);
    const pnl = -0.04 + (0.6 - 0.01) + (0.6 * 0.7 - 0.02);
    expect(closed[0]!.realizedPnl).toBeCloseTo(pnl, 9);
    expect(closed[0]!.qty).toBe(0);
    expect(closed[0]!.fees).toBeCloseTo(0.07, 12);
    const exit = (await r.journal('exit'))[0]!;
    expect(exit).toMatchObject({ intentId: I, attribution: 'model:v1', data: { reason: 'trail' } });
    expect((exit.data.exits as Array<{ reason: string }>).map((e) => e.reason)).toEqual(['tp1', 'trail']);
    expect((await r.journal('pnl'))[0]!.data.realizedPnl).toBeCloseTo(pnl, 9);
    expect(r.ctx()).toMatchObject({ phase: 'flat', qty: 0, side: null, closes: 1 });
    await r.actor.stop();
  });

  it('short round trip: stop above, targets below, closed by the stop with the loss and fees', async () => {
    await using env = await natsEnv();
    const r = await rig(env);
    const I = `${SYM}:2:SELL`;
    await r.order(orderEvent(I, 'entry', 'SELL', 'partially_filled', { id: 10, price: 200, qty: 1, fee: 0.08, cum: 1 }));
    expect(r.state()).toBe('opening');
    let s = submits(await r.commands());
    expect(s.map((c) => [c.leg, c.side, c.qty, c.stopPrice])).toEqual([['sl', 'BUY', 1, 204], ['tp1', 'BUY', 0.3, 196.1], ['tp2', 'BUY', 0.3, 193.5], ['tp3', 'BUY', 0.4, 189.6]]);
    // The second fill resizes every leg with the next ids; the unconfirmed stop is replaced at once.
    await r.order(orderEvent(I, 'entry', 'SELL', 'filled', { id: 11, price: 202, qty: 1, fee: 0.08, cum: 2 }));
    expect(r.state()).toBe('open');
    const cmds = await r.commands();
    s = submits(cmds).slice(4);
    // avg 201: the plan's stop would be 205.1, looser than the 204 working: a resize never loosens,
    // so the stop keeps 204 at the new size. Targets 197.08 / 194.47 / 190.55 round down.
    expect(s.map((c) => [c.clientOrderId, c.qty, c.stopPrice])).toEqual([
      [clientOrderId(I, 'sl', 1), 2, 204],
      [clientOrderId(I, 'tp1', 1), 0.6, 197],
      [clientOrderId(I, 'tp2', 1), 0.6, 194.4],
      [clientOrderId(I, 'tp3', 1), 0.8, 190.5],
    ]);
    expect(cancels(cmds)).toEqual([clientOrderId(I, 'sl'), clientOrderId(I, 'tp1'), clientOrderId(I, 'tp2'), clientOrderId(I, 'tp3')]);
    await r.order(orderEvent(I, 'sl', 'BUY', 'accepted', undefined, 1));
    expect(r.ctx().stop).toMatchObject({ confirmed: true, price: 204 });
    await r.order(orderEvent(I, 'sl', 'BUY', 'filled', { id: 12, price: 204.1, qty: 2, fee: 0.16, cum: 2 }, 1));
    const closed = (await r.updates()).find((x) => x.state === 'closed')!;
    expect(closed.realizedPnl).toBeCloseTo(-(204.1 - 201) * 2 - 0.32, 9);
    expect((await r.journal('exit'))[0]!.data).toMatchObject({ reason: 'sl', side: 'SHORT' });
    expect(r.state()).toBe('flat');
    await r.actor.stop();
  });

  it('alerts 5 s after the first fill while the stop is unconfirmed, re-submits a rejected stop, and resumes after a restart with the same plan and timer', async () => {
    await using env = await natsEnv();
    const clock = createSimulatedClock(T0);
    const r = await rig(env, clock);
    const I = `${SYM}:3:BUY`;
    await r.order(orderEvent(I, 'entry', 'BUY', 'filled', { id: 20, price: 100, qty: 1, fee: 0, cum: 1 }));
    const plan = r.ctx().plan;
    expect(r.ctx().timers).toEqual({ protect: T0 + 5_000 });
    await r.restart(); // mid-position: plan and deadline come back from KV
    expect(r.ctx().plan).toEqual(plan);
    expect(r.actor.info().timers).toBe(1);
    clock.advance(4_999);
    await r.actor.idle();
    expect(await r.journal('alert')).toHaveLength(0);
    clock.advance(1);
    const alerts = await until(async () => { const a = await r.journal('alert'); return a.length ? a : undefined; }, 'unprotected alert');
    expect(alerts[0]!.summary).toMatch(/UNPROTECTED LONG 1 BTCUSDT for 5s/);
    await until(async () => (await r.updates()).some((x) => x.ts === T0 + 5_000 && x.unprotectedSince === T0), 'update with unprotectedSince');
    expect(submits(await r.commands()).filter((c) => c.leg === 'sl')).toHaveLength(1); // pending, not rejected: no re-submit

    await r.order({ ...orderEvent(I, 'sl', 'SELL', 'rejected'), reason: 'venue said no' });
    expect(r.ctx().unprotectedSince).toBe(T0);
    clock.advance(10_000); // the deadline backs off after the first alert
    await until(async () => submits(await r.commands()).filter((c) => c.leg === 'sl').length === 2, 'stop re-submitted');
    expect(submits(await r.commands()).filter((c) => c.leg === 'sl').at(-1)).toMatchObject({ clientOrderId: clientOrderId(I, 'sl', 1), stopPrice: 98, qty: 1 });
    await r.order(orderEvent(I, 'sl', 'SELL', 'accepted', undefined, 1));
    expect(r.ctx()).toMatchObject({ unprotectedSince: null, timers: {} });
    // Re-starting again republishes nothing new: the outbox is deduplicated by client order id.
    const before = (await r.commands()).length;
    await r.restart();
    await r.actor.idle();
    expect((await r.commands()).length).toBe(before);
    await r.actor.stop();
  });

  it('adopts an orphan venue position and protects it like its own; a refused ATR plan falls back with an alert', async () => {
    await using env = await natsEnv();
    const r = await rig(env);
    await r.control({ type: 'adopt', side: 'SHORT', qty: 0.5, entry: 200, ts: T0 - 60_000 });
    expect(r.state()).toBe('open');
    const s = submits(await r.commands());
    expect(s.map((c) => [c.leg, c.orderType, c.side, c.qty, c.stopPrice])).toEqual([
      ['sl', 'STOP_MARKET', 'BUY', 0.5, 204], ['tp1', 'TAKE_PROFIT_MARKET', 'BUY', 0.15, 196.1], ['tp2', 'TAKE_PROFIT_MARKET', 'BUY', 0.15, 193.5], ['tp3', 'TAKE_PROFIT_MARKET', 'BUY', 0.2, 189.6],
    ]);
    expect(s[0]).toMatchObject({ reduceOnly: true, workingType: 'MARK_PRICE', intentId: `adopt:${SYM}:${T0 - 60_000}` });
    expect((await r.journal('reconcile'))[0]!.summary).toMatch(/adopted orphan SHORT 0.5 BTCUSDT/);
    expect((await r.updates()).at(-1)).toMatchObject({ state: 'open', attribution: 'reconcile:adopted', unprotectedSince: T0 });
    await r.order(orderEvent(`adopt:${SYM}:${T0 - 60_000}`, 'sl', 'BUY', 'accepted'));
    expect(r.ctx().unprotectedSince).toBeNull();
    await r.control({ type: 'funding', amount: -0.25, ts: T0 });
    expect(r.ctx()).toMatchObject({ funding: -0.25, realizedPnl: -0.25 });
    await r.control({ type: 'flatten', reason: 'operator' });
    const f = submits(await r.commands()).at(-1)!;
    expect(f).toMatchObject({ leg: 'flatten', orderType: 'MARKET', side: 'BUY', qty: 0.5, reduceOnly: true });
    await r.order(orderEvent(`adopt:${SYM}:${T0 - 60_000}`, 'flatten', 'BUY', 'filled', { id: 30, price: 199, qty: 0.5, fee: 0.04, cum: 0.5 }));
    expect((await r.journal('exit'))[0]!.data).toMatchObject({ reason: 'manual' });
    expect(r.state()).toBe('flat');

    // The -4006 story in the actor: an intent whose ATR stop would be below zero.
    const I = `${SYM}:4:BUY`;
    await r.intent({ intentId: I, symbol: SYM, venue: 'sim', ts: T0, kind: 'entry', side: 'BUY', confidence: 0.7, attribution: 'model:v1', price: 100, qty: 1, notional: 100, leverage: 3, atr: 80, exit: { stopAtr: 2 } });
    await r.order(orderEvent(I, 'entry', 'BUY', 'filled', { id: 31, price: 100, qty: 1, fee: 0, cum: 1 }));
    const sl = submits(await r.commands()).filter((c) => c.intentId === I && c.leg === 'sl');
    expect(sl.map((c) => c.stopPrice)).toEqual([98]);
    expect((await r.journal('alert')).some((a) => /fell back .*stop .* ≤ 0.*-4006/.test(a.summary))).toBe(true);
    for (const c of submits(await r.commands())) expect(c.stopPrice === undefined || c.stopPrice > 0).toBe(true);
    await r.actor.stop();
  });

  it('dead-letters malformed events, marks, controls and intents with a reason, and lives on', async () => {
    await using env = await natsEnv();
    const r = await rig(env);
    const I = `${SYM}:5:BUY`;
    const good = orderEvent(I, 'entry', 'BUY', 'filled', { id: 40, price: 100, qty: 1, fee: 0, cum: 1 });
    await r.order({ ...good, fill: { ...good.fill!, price: Number.NaN } });
    await r.order({ ...good, leg: 'moon' as never });
    await r.order({ ...good, symbol: 'ETHUSDT' });
    await r.mark(-5);
    await r.control({ type: 'adopt', side: 'LONG', qty: -1, entry: 100, ts: T0 });
    await r.control({ type: 'nuke' });
    await r.intent({ intentId: I, symbol: SYM });
    await r.order(good);
    const dlq = await readStream(env.bus, STREAMS.dlq, subjects.dlq(`position.${SYM}`), { decode: false });
    const reasons = dlq.map((d) => d.headers[DLQ_REASON_HEADER]);
    expect(reasons).toHaveLength(7);
    expect(reasons[0]).toMatch(/malformed order event: fill.price/);
    expect(reasons[1]).toMatch(/leg/);
    expect(reasons[2]).toMatch(/ETHUSDT on BTCUSDT's subject/);
    expect(reasons.slice(3).join('\n')).toMatch(/markPrice/);
    expect(reasons.slice(3).join('\n')).toMatch(/position control: qty/);
    expect(reasons.slice(3).join('\n')).toMatch(/malformed intent/);
    expect(r.actor.actor.getSnapshot().status).toBe('active');
    expect(r.ctx()).toMatchObject({ qty: 1, phase: 'open' });
    // The same fill reported again (a retry, a replay) is applied once.
    await r.order(good);
    expect(r.ctx().qty).toBe(1);
    await r.actor.stop();
  });

  it('a flat book\'s marks are not stored one by one: a restart replays them from the stream, and a store comes at the bound', async () => {
    await using env = await natsEnv();
    const r = await rig(env);
    const stored = async () => (await (await env.bus.kvm.open(BUCKETS.actors)).get(`position.${SYM}`))!.revision;
    const before = await stored();
    for (let k = 1; k <= 10; k++) await r.mark(100 + k, T0 + k * 1_000);
    // Ten marks applied (the live context has the last), none of them written to KV.
    expect(r.ctx()).toMatchObject({ mark: 110, markTs: T0 + 10_000 });
    expect(await stored()).toBe(before);

    // Stopped without a store for them: the restarted actor replays them and ends where it was.
    await r.restart();
    await until(() => r.ctx().markTs === T0 + 10_000, 'marks replayed after the restart');
    expect(r.ctx().mark).toBe(110);

    // 64 silent inputs since the last store force one (so a restart never replays more).
    for (let k = 11; k <= 64 + 10; k++) await r.mark(100 + k, T0 + k * 1_000);
    expect(await stored()).toBeGreaterThan(before);
    await r.actor.stop();
  });
});
