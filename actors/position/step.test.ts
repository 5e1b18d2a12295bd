import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { clientOrderId, type JournalEntry, type OrderEvent, type OutputEvent, type SubmitCommand } from '../../protocols/index.js';
import { positionMachine, type PositionContext, type PositionEvent, type PositionEventInput } from './index.js';

const SYM = 'ETHUSDT';
const RULES = { tickSize: 0.01, stepSize: 0.01, minQty: 0.01, minNotional: 5 };

/** The machine without a host: events in, outputs collected. Pure rules need no NATS. */
function machine(rules: typeof RULES | null = RULES) {
  const a = createActor(positionMachine, { input: { symbol: SYM, venue: 'sim', ...(rules ? { rules } : {}) } }).start();
  const outs: OutputEvent[] = [];
  a.on('qt.out', (o) => outs.push(o));
  let at = 1_000;
  const send = (e: PositionEventInput & { at?: number }) => a.send({ at: (at += 10), ...e } as PositionEvent);
  return {
    a, outs, send,
    ctx: () => a.getSnapshot().context as PositionContext,
    submits: () => outs.filter((o) => (o.data as { type?: string }).type === 'submit').map((o) => o.data as SubmitCommand),
    alerts: () => outs.filter((o) => o.subject === 'qt.journal.alert').map((o) => (o.data as JournalEntry).summary),
  };
}

function ev(intentId: string, leg: OrderEvent['leg'], side: 'BUY' | 'SELL', status: OrderEvent['status'], filledQty = 0, avgPrice = 0, fill?: { id: number; price: number; qty: number; fee: number }, n = 0): PositionEventInput & { type: 'order' } {
  return {
    type: 'order',
    event: {
      clientOrderId: clientOrderId(intentId, leg, n), intentId, leg, symbol: SYM, side, status, prev: null, qty: filledQty, filledQty, avgPrice, attribution: 'fallback:momentum', ts: 0,
      ...(fill ? { fill: { tradeId: fill.id, price: fill.price, qty: fill.qty, fee: fill.fee, feeAsset: 'USDT', realizedPnl: 0, maker: false, ts: 0 } } : {}),
    },
  };
}

describe('position rules (machine without host)', () => {
  it('applies a trade-less REST fill once, then only the fee of the trade that reports it again', () => {
    const m = machine();
    m.send(ev('I1', 'entry', 'BUY', 'filled', 2, 50));
    expect(m.ctx()).toMatchObject({ qty: 2, avgEntry: 50, fees: 0 });
    m.send(ev('I1', 'entry', 'BUY', 'filled', 2, 50, { id: 7, price: 50, qty: 2, fee: 0.05 }));
    m.send(ev('I1', 'entry', 'BUY', 'filled', 2, 50, { id: 7, price: 50, qty: 2, fee: 0.05 }));
    expect(m.ctx()).toMatchObject({ qty: 2, fees: 0.05, realizedPnl: -0.05 });
    expect(m.submits().filter((s) => s.leg === 'sl')).toHaveLength(1);
  });

  it('books each funding payment once, in venue-time order, and none from before the position opened', () => {
    const m = machine();
    m.send(ev('I9', 'entry', 'BUY', 'filled', 2, 50, { id: 1, price: 50, qty: 2, fee: 0 }));
    const opened = m.ctx().openedAt!;
    m.send({ type: 'funding', amount: -0.4, ts: opened - 1 }); // the previous position's
    m.send({ type: 'funding', amount: -0.1, ts: opened + 8 * 3_600_000 });
    m.send({ type: 'funding', amount: -0.1, ts: opened + 8 * 3_600_000 }); // re-read after a restart
    m.send({ type: 'funding', amount: 0.05, ts: opened + 16 * 3_600_000 });
    expect(m.ctx()).toMatchObject({ funding: -0.05, realizedPnl: -0.05 });
  });

  it('weights the average entry over partial fills and derives the price of a fill reported without detail', () => {
    const m = machine();
    m.send(ev('I2', 'entry', 'SELL', 'partially_filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    m.send(ev('I2', 'entry', 'SELL', 'filled', 3, 102)); // 2 more, no trade: implied (306 − 100) / 2 = 103
    expect(m.ctx()).toMatchObject({ side: 'SHORT', qty: 3, phase: 'open' });
    expect(m.ctx().avgEntry).toBeCloseTo(102, 12);
  });

  it('never opens a position from a reduce-only leg, and goes back to flat when the entry ends unfilled', () => {
    const m = machine();
    m.send(ev('I3', 'sl', 'SELL', 'filled', 1, 90, { id: 1, price: 90, qty: 1, fee: 0 }));
    expect(m.ctx().qty).toBe(0);
    expect(m.alerts()[0]).toMatch(/reduce-only leg sl .* no position/);
    m.send(ev('I3', 'entry', 'BUY', 'accepted'));
    expect(m.a.getSnapshot().value).toBe('opening');
    m.send(ev('I3', 'entry', 'BUY', 'canceled'));
    expect(m.a.getSnapshot().value).toBe('flat');
  });

  it('flattens at market when a rejected stop can no longer be placed because the mark crossed it', () => {
    const m = machine();
    m.send(ev('I4', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    const rej = ev('I4', 'sl', 'SELL', 'rejected');
    m.send({ ...rej, event: { ...rej.event, reason: '-2021 would immediately trigger' } });
    m.send({ type: 'mark', tick: { venue: 'sim', symbol: SYM, ts: 5, markPrice: 97.5, fundingRate: 0 } });
    m.send({ type: 'qt.timer', name: 'protect', dueAt: 6_000, at: 6_000 });
    const last = m.submits().at(-1)!;
    expect(last).toMatchObject({ leg: 'flatten', orderType: 'MARKET', side: 'SELL', qty: 1, reduceOnly: true });
    expect(m.a.getSnapshot().value).toBe('reducing');
    expect(m.alerts().some((a) => /UNPROTECTED/.test(a))).toBe(true);
  });

  it('guesses a grid without rules, alerts, and re-plans on the real rules when they arrive', () => {
    const m = machine(null);
    m.send(ev('I5', 'entry', 'BUY', 'filled', 1.5, 2000.5, { id: 1, price: 2000.5, qty: 1.5, fee: 0 }));
    expect(m.alerts()[0]).toMatch(/no trading rules/);
    expect(m.submits()[0]).toMatchObject({ leg: 'sl', stopPrice: 1960.4, qty: 1.5 }); // guessed tick 0.1
    m.send({ type: 'rules', tickSize: 0.01, stepSize: 0.001, minQty: 0.001, minNotional: 5 });
    expect(m.submits().filter((s) => s.leg === 'sl').at(-1)).toMatchObject({ stopPrice: 1960.49 });
  });

  it('an intent that arrives after its fill replaces the default plan with the one it asked for', () => {
    const m = machine();
    m.send(ev('I6', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    expect(m.ctx().planSource).toBe('default');
    m.send({ type: 'intent', intent: { intentId: 'I6', symbol: SYM, attribution: 'x', atr: 1, exit: { stopPct: 0.02, stopAtr: 1, takeProfits: [{ atr: 2, fraction: 1 }], trailing: { activatePct: 0.01, callbackPct: 0.008 }, breakevenAfterTp1: true } } });
    expect(m.ctx().planSource).toBe('intent');
    expect(m.ctx().plan).toMatchObject({ stop: 99, takeProfits: [{ price: 102, qty: 1 }] });
    expect(m.ctx().stop?.price).toBe(99);
  });

  it('closes the book when reconciliation says the venue is flat, and publishes marks at most once a minute', () => {
    const m = machine();
    m.send(ev('I7', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    const n = () => m.outs.filter((o) => o.subject.startsWith('qt.position.')).length;
    const before = n();
    m.send({ type: 'mark', tick: { venue: 'sim', symbol: SYM, ts: 1, markPrice: 100.2, fundingRate: 0 }, at: 2_000 });
    m.send({ type: 'mark', tick: { venue: 'sim', symbol: SYM, ts: 2, markPrice: 100.3, fundingRate: 0 }, at: 30_000 });
    expect(n()).toBe(before);
    m.send({ type: 'mark', tick: { venue: 'sim', symbol: SYM, ts: 3, markPrice: 100.4, fundingRate: 0 }, at: 70_000 });
    expect(n()).toBe(before + 1);
    m.send({ type: 'adopt', side: 'LONG', qty: 0, entry: 100, ts: 3 });
    expect(m.a.getSnapshot().value).toBe('flat');
    expect(m.outs.some((o) => o.subject === 'qt.position.ETHUSDT.closed')).toBe(true);
  });

  it('a partial exit that is not a take-profit shrinks the venue\'s take-profits furthest first, re-placing a shrunk one at its price', () => {
    const m = machine();
    m.send(ev('IT', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    const tps = () => m.ctx().tps.map((t) => [t.leg, t.qty, t.price]);
    const before = tps();
    expect(before.map((t) => t[1])).toEqual([0.3, 0.3, 0.4]);
    const cancels = () => m.outs.filter((o) => (o.data as { type?: string }).type === 'cancel').map((o) => (o.data as { clientOrderId: string }).clientOrderId);
    // The strategy sells half: TP3 (0.4) goes, TP2 shrinks 0.3 → 0.2 at its price, TP1 stays.
    m.send(ev('IT', 'exit', 'SELL', 'filled', 0.5, 101, { id: 2, price: 101, qty: 0.5, fee: 0 }));
    expect(m.ctx().qty).toBe(0.5);
    expect(tps()).toEqual([before[0], ['tp2', 0.2, before[1]![2]]]);
    expect(cancels().filter((id) => /-tp\d$/.test(id)).sort()).toEqual([clientOrderId('IT', 'tp2'), clientOrderId('IT', 'tp3')].sort());
    const replaced = m.submits().filter((x) => x.leg === 'tp2').at(-1)!;
    expect(replaced).toMatchObject({ orderType: 'TAKE_PROFIT_MARKET', qty: 0.2, stopPrice: before[1]![2], reduceOnly: true, clientOrderId: clientOrderId('IT', 'tp2', 1) });
    // The venue's take-profits add up to the position again.
    expect(m.ctx().tps.reduce((a, t) => a + t.qty, 0)).toBeCloseTo(m.ctx().qty, 9);
  });

  it('a refused stop move leaves the stop it replaced current, and is not retried at the same price', () => {
    const m = machine();
    m.send(ev('I8', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    m.send(ev('I8', 'sl', 'SELL', 'accepted'));
    const mark = (p: number, ts: number) => m.send({ type: 'mark', tick: { venue: 'sim', symbol: SYM, ts, markPrice: p, fundingRate: 0 } });
    mark(102, 1);
    expect(m.ctx().stop).toMatchObject({ n: 1, price: 101.18, kind: 'trail', confirmed: false });
    expect(m.ctx().unprotectedSince).toBeNull(); // the first stop still works
    m.send(ev('I8', 'sl', 'SELL', 'rejected', 0, 0, undefined, 1));
    expect(m.ctx().stop).toMatchObject({ n: 0, price: 98, confirmed: true });
    mark(102, 2);
    expect(m.submits().filter((x) => x.leg === 'sl')).toHaveLength(2);
    mark(102.5, 3); // a new high gives a new level: tried again
    expect(m.ctx().stop).toMatchObject({ n: 2, price: 101.68 });
  });

  it('flattens a position whose stop the venue keeps refusing', () => {
    const m = machine();
    m.send(ev('I9', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    for (let n = 0; n < 4; n++) {
      m.send(ev('I9', 'sl', 'SELL', 'rejected', 0, 0, undefined, n));
      m.send({ type: 'qt.timer', name: 'protect', dueAt: 0 });
    }
    expect(m.submits().filter((x) => x.leg === 'sl')).toHaveLength(4);
    expect(m.submits().at(-1)).toMatchObject({ leg: 'flatten', orderType: 'MARKET', qty: 1 });
    expect(m.ctx().flatten?.reason).toMatch(/no confirmed stop after 4 checks/);
  });

  it('takes the venue position from reconciliation: a larger size gets a stop and targets for all of it, a smaller or flat one books what left at the mark', () => {
    const m = machine();
    m.send(ev('IA', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    m.send(ev('IA', 'sl', 'SELL', 'accepted'));
    m.send({ type: 'mark', tick: { venue: 'sim', symbol: SYM, ts: 1, markPrice: 99, fundingRate: 0 } });
    const from = m.submits().length;
    m.send({ type: 'adopt', side: 'LONG', qty: 2, entry: 101, ts: 5 });
    expect(m.ctx()).toMatchObject({ qty: 2, avgEntry: 101, entryQty: 2 });
    const after = m.submits().slice(from);
    expect(after.filter((x) => x.leg === 'sl')).toEqual([expect.objectContaining({ qty: 2, reduceOnly: true, clientOrderId: clientOrderId('IA', 'sl', 1) })]);
    expect(after.filter((x) => x.leg.startsWith('tp')).reduce((a, x) => a + (x.qty ?? 0), 0)).toBeCloseTo(2, 9);
    // Make before break: the stop for 1 works until the one for 2 is confirmed.
    expect(m.ctx().prevStop?.n).toBe(0);
    m.send(ev('IA', 'sl', 'SELL', 'accepted', 0, 0, undefined, 1));
    expect(m.outs.some((o) => (o.data as { type?: string; clientOrderId?: string }).type === 'cancel' && (o.data as { clientOrderId: string }).clientOrderId === clientOrderId('IA', 'sl', 0))).toBe(true);

    m.send({ type: 'adopt', side: 'LONG', qty: 1.5, entry: 101, ts: 6 });
    expect(m.ctx().exits.at(-1)).toMatchObject({ reason: 'reconciled', qty: 0.5, price: 99, pnl: -1 });
    expect(m.submits().filter((x) => x.leg === 'sl').at(-1)).toMatchObject({ qty: 1.5 });

    m.send({ type: 'adopt', side: 'LONG', qty: 0, entry: 101, ts: 7 });
    expect(m.a.getSnapshot().value).toBe('flat');
    const exit = m.outs.filter((o) => o.subject === 'qt.journal.exit').map((o) => o.data as JournalEntry).at(-1)!;
    expect(exit.data).toMatchObject({ reason: 'reconciled', realizedPnl: -4 });
  });

  it('flattens at once, reduce-only, when the venue refuses the stop as already triggered (-2021 or WRONG_SIDE); other refusals wait for the protect timer', () => {
    const refused = (intentId: string, reason: string, n = 0) => {
      const r = ev(intentId, 'sl', 'SELL', 'rejected', 0, 0, undefined, n);
      return { ...r, event: { ...r.event, reason } };
    };
    for (const [id, reason] of [
      ['IR1', 'not sent: venue rejected (400 -2021): Order would immediately trigger.'],
      ['IR2', 'not sent: order refused locally (WRONG_SIDE on stopPrice): SELL STOP_MARKET stopPrice 98 must be below the current mark 97.9'],
    ] as const) {
      const m = machine();
      m.send(ev(id, 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
      m.send(refused(id, reason));
      expect(m.submits().at(-1)).toEqual(expect.objectContaining({ clientOrderId: clientOrderId(id, 'flatten', 0), leg: 'flatten', orderType: 'MARKET', side: 'SELL', qty: 1, reduceOnly: true }));
      expect(m.a.getSnapshot().value).toBe('reducing');
    }
    // The typed code and refusal decide, whatever the text says (a venue's wording changes).
    for (const [id, typed] of [['IT1', { code: -2021 }], ['IT2', { code: 0, refusal: 'WRONG_SIDE' }]] as const) {
      const m = machine();
      m.send(ev(id, 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
      const r = refused(id, 'Ordre refusé.');
      m.send({ ...r, event: { ...r.event, ...typed } });
      expect(m.submits().at(-1)).toMatchObject({ leg: 'flatten', reduceOnly: true });
    }
    const coded = machine();
    coded.send(ev('IT3', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    const r3 = refused('IT3', 'would immediately trigger, says a message of code -4164');
    coded.send({ ...r3, event: { ...r3.event, code: -4164 } });
    expect(coded.submits().some((x) => x.leg === 'flatten')).toBe(false);
    // Refused for another reason: no proof the price is past it, so no flatten before the timer.
    const other = machine();
    other.send(ev('IR3', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    other.send(refused('IR3', 'not sent: venue rejected (400 -4164): notional too small'));
    expect(other.submits().some((x) => x.leg === 'flatten')).toBe(false);
    expect(other.ctx().unprotectedSince).not.toBeNull();
    // A refused trailing move: the stop still working is looser than the refused level, so it still protects.
    const move = machine();
    move.send(ev('IR4', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    move.send(ev('IR4', 'sl', 'SELL', 'accepted'));
    move.send({ type: 'mark', tick: { venue: 'sim', symbol: SYM, ts: 1, markPrice: 102, fundingRate: 0 } });
    move.send(refused('IR4', 'not sent: venue rejected (400 -2021): Order would immediately trigger.', 1));
    expect(move.ctx().stop).toMatchObject({ n: 0, price: 98, confirmed: true });
    expect(move.submits().some((x) => x.leg === 'flatten')).toBe(false);
  });

  it('a refused resize leaves the position larger than its stop: unprotected, and the protect timer places a stop for all of it', () => {
    const m = machine();
    m.send(ev('IS', 'entry', 'BUY', 'filled', 1, 100, { id: 1, price: 100, qty: 1, fee: 0 }));
    m.send(ev('IS', 'sl', 'SELL', 'accepted'));
    m.send({ type: 'adopt', side: 'LONG', qty: 2, entry: 100, ts: 5 });
    const r = ev('IS', 'sl', 'SELL', 'rejected', 0, 0, undefined, 1);
    m.send({ ...r, event: { ...r.event, reason: 'not sent: venue rejected (400 -4164): notional too small' } });
    expect(m.ctx().stop).toMatchObject({ n: 0, qty: 1, confirmed: true });
    expect(m.ctx().unprotectedSince).not.toBeNull();
    m.send({ type: 'qt.timer', name: 'protect', dueAt: 0 });
    expect(m.submits().filter((x) => x.leg === 'sl').at(-1)).toMatchObject({ clientOrderId: clientOrderId('IS', 'sl', 2), qty: 2, stopPrice: 98 });
    m.send(ev('IS', 'sl', 'SELL', 'accepted', 0, 0, undefined, 2));
    expect(m.ctx().stop).toMatchObject({ n: 2, qty: 2, confirmed: true });
    expect(m.ctx().unprotectedSince).toBeNull();
  });
});
