import { describe, expect, it } from 'vitest';
import type { OrderEvent, PositionUpdate, SupervisionEvent } from '../../protocols/index.js';
import { journalHoldsFills, noActorErrors, noLostFills, positionsMatch, restartsExplained, stopCoverage, uniqueClientOrderIds, venuePositions } from './invariants.js';
import type { SimHistory, SimOrder, SimTrade } from './types.js';

const ID = 'qtAAAAAAAAAAAAAAAAAA';
const order = (p: Partial<SimOrder> & Pick<SimOrder, 'orderId' | 'clientOrderId' | 'type' | 'side' | 'time'>): SimOrder => ({
  symbol: 'BTCUSDT', status: 'FILLED', origType: p.type, reduceOnly: false, closePosition: false, origQty: '1', executedQty: '0', stopPrice: '0', updateTime: p.time, ...p,
});
const trade = (id: number, orderId: number, side: 'BUY' | 'SELL', qty: number, time: number): SimTrade => ({ symbol: 'BTCUSDT', id, orderId, side, price: '100', qty: String(qty), time });

/** A long opened at t=1000 and stopped out at t=20000, its stop placed at `stopAt`. */
function history(stopAt: number): SimHistory {
  return {
    orders: [
      order({ orderId: 1, clientOrderId: `${ID}-entry`, type: 'MARKET', side: 'BUY', time: 1_000, executedQty: '2' }),
      order({ orderId: 2, clientOrderId: `${ID}-sl`, type: 'STOP_MARKET', side: 'SELL', reduceOnly: true, time: stopAt, updateTime: 20_000, executedQty: '2' }),
    ],
    trades: [trade(1, 1, 'BUY', 2, 1_000), trade(2, 2, 'SELL', 2, 20_000)],
    rejects: [],
    liquidations: [],
  };
}

const ev = (coid: string, filledQty: number): OrderEvent => ({ clientOrderId: coid, intentId: 'i', leg: 'entry', symbol: 'BTCUSDT', side: 'BUY', status: 'filled', prev: null, qty: 2, filledQty, avgPrice: 100, attribution: 'x', ts: 1 });
const sup = (type: SupervisionEvent['type'], path: string, reason?: string): SupervisionEvent => ({ type, path, id: path.split('.').pop()!, kind: 'worker', ts: 1, restarts: 0, ...(reason ? { reason } : {}) });

describe('chaos invariants (pure, over simulator records)', () => {
  it('stop coverage: a stop within 5 s passes; a late one is a gap unless an injected outage covers it', () => {
    expect(stopCoverage(history(4_000), 30_000)).toEqual([]);
    const late = stopCoverage(history(9_000), 30_000);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ invariant: 'stop-coverage', clientOrderId: `${ID}-entry` });
    expect(stopCoverage(history(9_000), 30_000, [{ from: 1_500, to: 6_000, what: 'node down' }])).toEqual([]);
    // A stop on the wrong side protects nothing.
    const h = history(2_000);
    h.orders[1]!.side = 'BUY';
    expect(stopCoverage(h, 30_000)).toHaveLength(1);
  });

  it('stop coverage: a position still open at the end without a live stop is reported', () => {
    const h = history(2_000);
    h.trades.pop();
    h.orders[1]!.status = 'CANCELED';
    h.orders[1]!.updateTime = 5_000;
    expect(stopCoverage(h, 30_000)[0]?.detail).toMatch(/still unprotected/);
  });

  it('venue positions, fills and journal against the runtime', () => {
    const h = history(2_000);
    h.trades.pop();
    expect(venuePositions(h).get('BTCUSDT')).toBe(2);
    const pos = (qty: number, state: PositionUpdate['state']) => new Map([['BTCUSDT', { symbol: 'BTCUSDT', state, side: 'LONG', qty, ts: 1 } as PositionUpdate]]);
    expect(positionsMatch(h, pos(2, 'open'))).toEqual([]);
    expect(positionsMatch(h, pos(2, 'closed'))).toHaveLength(1);
    const full = history(2_000);
    expect(noLostFills(full, [ev(`${ID}-entry`, 2), ev(`${ID}-sl`, 2)])).toEqual([]);
    expect(noLostFills(full, [ev(`${ID}-entry`, 2)])).toMatchObject([{ clientOrderId: `${ID}-sl` }]);
    const j = (coid: string, tradeId: number, qty: number) => ({ kind: 'fill' as const, ts: 1, clientOrderId: coid, summary: '', data: { tradeId, qty } });
    expect(journalHoldsFills(full, [j(`${ID}-entry`, 1, 2), j(`${ID}-entry`, 1, 2), j(`${ID}-sl`, 2, 2)])).toEqual([]);
    expect(journalHoldsFills(full, [j(`${ID}-entry`, 1, 2)])).toHaveLength(1);
  });

  it('duplicate client order ids, actor errors and unexplained restarts', () => {
    const h = history(2_000);
    h.orders.push({ ...h.orders[0]!, orderId: 3 });
    expect(uniqueClientOrderIds(h)).toHaveLength(1);
    const events = [sup('crashed', 'root.orders.orders-BTCUSDT', 'chaos: kill'), sup('restarted', 'root.orders.orders-BTCUSDT', 'orders-BTCUSDT crashed'), sup('crashed', 'root.positions.position-BTCUSDT', 'boom')];
    expect(noActorErrors(events, [], /^chaos:/)).toMatchObject([{ invariant: 'no-actor-errors' }]);
    expect(noActorErrors([], [{ key: 'orders.BTCUSDT', status: 'error', error: 'x' }], /^chaos:/)).toHaveLength(1);
    expect(restartsExplained(events)).toEqual([]);
    expect(restartsExplained([sup('restarted', 'root.brains.risk', 'risk crashed')])).toHaveLength(1);
  });
});
