import type { Logger } from 'pino';
import { subjects, type JournalEntry, type OrderEvent, type PositionUpdate, type RiskVerdict, type Signal } from '../../protocols/index.js';
import { decode } from '../codec.js';
import type { QtMetrics } from '../metrics/index.js';
import type { Bus } from '../nats/index.js';

/**
 * Feeds the trading metrics from what the actors publish (core NATS subscriptions: metrics are a
 * live view, not a ledger): signals by source, risk denials by reason, orders by state, fills,
 * PnL and exposure per symbol, unprotected positions. Nothing here can slow or stop trading.
 */
export function watchTradingMetrics(o: { bus: Bus; metrics: QtMetrics; logger?: Logger }) {
  const { bus, metrics } = o;
  const positions = new Map<string, PositionUpdate>();
  const subs = [
    bus.nc.subscribe('qt.signal.*', {
      callback: (_e, m) => {
        const s = decode<Signal>(m.data);
        metrics.signal(s.source, s.symbol, s.side);
      },
    }),
    bus.nc.subscribe(subjects.journal('risk'), {
      callback: (_e, m) => {
        const v = decode<JournalEntry>(m.data).data['verdict'] as RiskVerdict | undefined;
        if (v?.decision === 'deny') for (const r of v.reasons) metrics.riskDenial(r.code);
      },
    }),
    bus.nc.subscribe(subjects.orderEach('event'), {
      callback: (_e, m) => {
        const e = decode<OrderEvent>(m.data);
        metrics.order(e.status, e.symbol);
        if (e.fill) metrics.fill(e.symbol, e.side, e.fill.price * e.fill.qty);
      },
    }),
    bus.nc.subscribe(subjects.positionAll, {
      callback: (_e, m) => {
        const p = decode<PositionUpdate>(m.data);
        positions.set(p.symbol, p);
        metrics.pnl(p.symbol, p.realizedPnl, p.unrealizedPnl);
        metrics.exposure(p.symbol, p.qty * (p.markPrice || p.avgEntry));
        const open = [...positions.values()].filter((x) => x.unprotectedSince !== null && x.qty > 0);
        metrics.unprotected(open.length, open.length ? Math.max(...open.map((x) => (p.ts - x.unprotectedSince!) / 1000)) : 0);
      },
    }),
  ];
  return {
    stop() {
      for (const s of subs) s.unsubscribe();
    },
  };
}
