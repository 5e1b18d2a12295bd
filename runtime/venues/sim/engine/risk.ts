/**
 * Liquidation and funding. Both are things the venue does *to* the account, on its own clock, so they
 * emit the same events a user order would (liquidation orders carry clientOrderId `autoclose-…`, as on
 * Binance) and land in the history the invariant checks read.
 */
import type { Core } from './core.js';
import { livePositions, summary } from './margin.js';
import { maintMargin, upnl, type Position } from './ledger.js';
import { fmt } from './num.js';
import { isOpen } from './order.js';

/** Liquidates cross positions when cross margin ratio ≥ 100 %, and each isolated position on its own. */
export function checkLiquidations(core: Core): void {
  const live = livePositions(core);
  if (live.length === 0) return;
  const m = summary(core);
  const cross = live.filter((p) => p.marginType === 'CROSSED');
  if (cross.length > 0 && m.crossMaint > 0 && m.crossWallet + m.crossUpnl <= m.crossMaint) {
    for (const p of cross) liquidate(core, p);
    // Bankruptcy: the insurance fund absorbs a negative cross wallet.
    const cw = core.ledger.crossWallet();
    if (cw < 0) {
      core.ledger.credit(-cw);
      core.addIncome(cross[0]?.symbol ?? '', 'INSURANCE_CLEAR', -cw);
    }
  }
  for (const p of live) {
    if (p.marginType !== 'ISOLATED' || p.amt === 0) continue;
    const mark = core.market(p.symbol).markOrLast();
    if (p.isoWallet + upnl(p, mark) <= maintMargin(p, mark, core.spec(p.symbol))) liquidate(core, p);
  }
}

/** Closes one position at the mark price with a liquidation order and charges the clearance fee. */
function liquidate(core: Core, p: Position): void {
  const s = core.spec(p.symbol);
  const mark = core.market(p.symbol).markOrLast();
  const now = core.clock.now();
  for (const o of [...core.openOf(p.symbol)]) if (isOpen(o)) core.finish(o, 'CANCELED');
  const isoBefore = p.isoWallet;
  const side = p.amt > 0 ? ('SELL' as const) : ('BUY' as const);
  const qty = Math.abs(p.amt);
  const o = core.newOrder(
    {
      symbol: p.symbol, side, type: 'MARKET', tif: 'IOC', qty, price: 0, stopPrice: 0, activationPrice: 0, callbackRate: 0,
      workingType: 'MARK_PRICE', reduceOnly: true, closePosition: false, priceProtect: false,
      clientOrderId: `autoclose-${now}${core.liquidations.length}`,
    },
    now,
    true,
  );
  o.price = mark;
  const walletBefore = core.ledger.wallet;
  core.fill(o, qty, mark, { maker: false, feeRate: 0 });
  const realized = core.ledger.wallet - walletBefore;
  const notional = qty * mark;
  if (p.marginType === 'ISOLATED') {
    // An isolated position can lose its margin and no more.
    if (realized < -isoBefore) core.ledger.credit(-isoBefore - realized);
    const left = Math.max(0, isoBefore + realized);
    const fee = Math.min(notional * core.cfg.liquidationFeeRate, left);
    if (fee > 0) {
      core.ledger.credit(-fee);
      core.addIncome(p.symbol, 'INSURANCE_CLEAR', -fee);
    }
  } else {
    const fee = Math.min(notional * core.cfg.liquidationFeeRate, Math.max(0, core.ledger.crossWallet()));
    if (fee > 0) {
      core.ledger.credit(-fee);
      core.addIncome(p.symbol, 'INSURANCE_CLEAR', -fee);
    }
  }
  core.liquidations.push(o.orderId);
  core.accountUpdate('ORDER', [p.symbol]);
  core.emitMarket({
    e: 'forceOrder', E: now,
    o: {
      s: p.symbol, S: side, o: 'LIMIT', f: 'IOC', q: fmt(qty, s.quantityPrecision), p: fmt(mark, s.pricePrecision),
      ap: fmt(mark, s.pricePrecision), X: 'FILLED', l: fmt(qty, s.quantityPrecision), z: fmt(qty, s.quantityPrecision), T: now,
    },
  });
}

/** Settles funding for every open position at its symbol's current rate and mark; longs pay when rate > 0. */
export function settleFunding(core: Core): void {
  const now = core.clock.now();
  for (const m of core.markets.values()) m.recordFunding(now);
  const touched: string[] = [];
  for (const p of livePositions(core)) {
    const m = core.market(p.symbol);
    const amount = -p.amt * m.markOrLast() * m.fundingRate;
    core.ledger.credit(amount, p.marginType === 'ISOLATED' ? p.symbol : undefined);
    core.addIncome(p.symbol, 'FUNDING_FEE', amount);
    touched.push(p.symbol);
  }
  if (touched.length > 0) {
    core.accountUpdate('FUNDING_FEE', touched);
    checkLiquidations(core);
  }
}

/** Next funding instant strictly after `now`, aligned to UTC midnight. */
export function nextFundingTime(now: number, intervalMs: number): number {
  return Math.floor(now / intervalMs) * intervalMs + intervalMs;
}
