/** Account-wide margin figures, computed from the ledger at current mark prices. */
import type { Core } from './core.js';
import { initialMargin, liquidationPrice, maintMargin, upnl, type Position } from './ledger.js';

/** Margin summary of the whole account. */
export interface MarginSummary {
  wallet: number;
  crossWallet: number;
  crossUpnl: number;
  totalUpnl: number;
  crossPositionIM: number;
  positionIM: number;
  crossMaint: number;
  totalMaint: number;
  openOrderIM: number;
  available: number;
}

/** Positions with a non-zero amount. */
export function livePositions(core: Core): Position[] {
  const out: Position[] = [];
  for (const p of core.ledger.positions.values()) if (p.amt !== 0) out.push(p);
  return out;
}

/** Binance's availableBalance = cross wallet + cross uPnL − cross position IM − open order IM. */
export function summary(core: Core): MarginSummary {
  const crossWallet = core.ledger.crossWallet();
  let crossUpnl = 0, totalUpnl = 0, crossPositionIM = 0, positionIM = 0, crossMaint = 0, totalMaint = 0;
  for (const p of livePositions(core)) {
    const mark = core.market(p.symbol).markOrLast();
    const s = core.spec(p.symbol);
    const u = upnl(p, mark);
    const im = initialMargin(p, mark);
    const mm = maintMargin(p, mark, s);
    totalUpnl += u;
    positionIM += im;
    totalMaint += mm;
    if (p.marginType === 'CROSSED') {
      crossUpnl += u;
      crossPositionIM += im;
      crossMaint += mm;
    }
  }
  const openOrderIM = core.openOrderIM();
  return {
    wallet: core.ledger.wallet, crossWallet, crossUpnl, totalUpnl, crossPositionIM, positionIM, crossMaint, totalMaint, openOrderIM,
    available: crossWallet + crossUpnl - crossPositionIM - openOrderIM,
  };
}

/** Liquidation price of a position (0 when none). */
export function liqPriceOf(core: Core, p: Position): number {
  const s = core.spec(p.symbol);
  if (p.marginType === 'ISOLATED') return liquidationPrice(p, s, p.isoWallet, 0, 0);
  let otherMaint = 0, otherUpnl = 0;
  for (const q of livePositions(core)) {
    if (q === p || q.marginType !== 'CROSSED') continue;
    const mark = core.market(q.symbol).markOrLast();
    otherMaint += maintMargin(q, mark, core.spec(q.symbol));
    otherUpnl += upnl(q, mark);
  }
  return liquidationPrice(p, s, core.ledger.crossWallet(), otherMaint, otherUpnl);
}

/** Quantity of an order of `side`/`qty` that would open new exposure (the rest reduces). */
export function increasingQty(amt: number, side: 'BUY' | 'SELL', qty: number): number {
  const signed = side === 'BUY' ? qty : -qty;
  if (amt === 0 || Math.sign(amt) === Math.sign(signed)) return qty;
  return Math.max(0, qty - Math.abs(amt));
}
