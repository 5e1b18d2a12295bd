import type { JournalEntry } from '../../protocols/index.js';

/** Synthetic journal lines for the report tests. */
export const H = 3_600_000;
export const D1 = Date.UTC(2024, 0, 1);
export const D2 = Date.UTC(2024, 0, 2);
export const D3 = Date.UTC(2024, 0, 3);

/** A `qt.journal.pnl` line as the position actor writes it (notional 1000, 2 USDT fees; realizedPnl is net). */
export function pnl(symbol: string, side: 'LONG' | 'SHORT', net: number, openedAt: number, closedAt: number, exitReason: string, attribution: string, n: number): JournalEntry {
  return {
    kind: 'pnl', ts: closedAt, symbol, intentId: `${symbol}:${openedAt}:${side === 'LONG' ? 'BUY' : 'SELL'}`, attribution, summary: `${symbol} closed ${net}`,
    data: { reason: exitReason, side, qty: 10, avgEntry: 100, avgExit: 100 + ((side === 'LONG' ? 1 : -1) * (net + 2)) / 10, realizedPnl: net, fees: 2, funding: 0, openedAt, closedAt, durationMs: closedAt - openedAt, n },
  };
}

/** Nets +100, −50, +200, −100 over three UTC days. */
export const FOUR: JournalEntry[] = [
  pnl('BTCUSDT', 'LONG', 100, D1, D1 + H, 'tp1', 'ensemble:v1', 1),
  pnl('ETHUSDT', 'SHORT', -50, D1 + 2 * H, D1 + 3 * H, 'sl', 'fallback:momentum', 2),
  pnl('BTCUSDT', 'LONG', 200, D2, D2 + 4 * H, 'tp3', 'ensemble:v1', 3),
  pnl('ETHUSDT', 'LONG', -100, D3 + 10 * H, D3 + 12 * H, 'sl', 'ensemble:v1', 4),
];
