/** Account and position views (positionRisk, account, balance) in Binance's wire shape. */
import type { Core } from './core.js';
import { initialMargin, maintMargin, upnl, type Position } from './ledger.js';
import { liqPriceOf, summary } from './margin.js';
import { fmt, fmtUsd, roundTo } from './num.js';
import type { AccountPositionView, AccountView, BalanceView, PositionView } from './types.js';

/** Max notional of the single bracket at a leverage (Binance's brackets shrink as leverage grows). */
export const maxNotionalAt = (leverage: number): number => Math.floor(50_000_000 / Math.max(1, leverage / 20));

/** GET /fapi/v2/positionRisk row. */
export function positionView(core: Core, p: Position): PositionView {
  const s = core.spec(p.symbol);
  const mark = core.market(p.symbol).markOrLast();
  const iso = p.marginType === 'ISOLATED';
  const u = upnl(p, mark);
  return {
    symbol: p.symbol,
    positionAmt: fmt(p.amt, s.quantityPrecision),
    entryPrice: String(roundTo(p.entry, 8)),
    breakEvenPrice: String(roundTo(p.entry, 8)),
    markPrice: fmt(mark, Math.min(10, s.pricePrecision + 4)),
    unRealizedProfit: fmtUsd(u),
    liquidationPrice: fmt(liqPriceOf(core, p), s.pricePrecision + 4),
    leverage: String(p.leverage),
    maxNotionalValue: String(maxNotionalAt(p.leverage)),
    marginType: iso ? 'isolated' : 'cross',
    isolatedMargin: fmtUsd(iso ? p.isoWallet + u : 0),
    isAutoAddMargin: 'false',
    positionSide: 'BOTH',
    notional: fmtUsd(p.amt * mark),
    isolatedWallet: fmtUsd(p.isoWallet),
    updateTime: p.updateTime,
  };
}

function accountPosition(core: Core, p: Position): AccountPositionView {
  const s = core.spec(p.symbol);
  const mark = core.market(p.symbol).markOrLast();
  const im = initialMargin(p, mark);
  const ooim = core.openOrderIM(p.symbol);
  return {
    symbol: p.symbol,
    initialMargin: fmtUsd(im + ooim),
    maintMargin: fmtUsd(maintMargin(p, mark, s)),
    unrealizedProfit: fmtUsd(upnl(p, mark)),
    positionInitialMargin: fmtUsd(im),
    openOrderInitialMargin: fmtUsd(ooim),
    leverage: String(p.leverage),
    isolated: p.marginType === 'ISOLATED',
    entryPrice: String(roundTo(p.entry, 8)),
    maxNotional: String(maxNotionalAt(p.leverage)),
    positionSide: 'BOTH',
    positionAmt: fmt(p.amt, s.quantityPrecision),
    notional: fmtUsd(p.amt * mark),
    isolatedWallet: fmtUsd(p.isoWallet),
    updateTime: p.updateTime,
  };
}

/** GET /fapi/v2/account. Lists positions of every symbol touched so far (flat ones included). */
export function accountView(core: Core): AccountView {
  const m = summary(core);
  const now = core.clock.now();
  const available = fmtUsd(m.available);
  const maxWithdraw = fmtUsd(Math.max(0, Math.min(m.available, m.crossWallet)));
  return {
    feeTier: 0,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: now,
    totalInitialMargin: fmtUsd(m.positionIM + m.openOrderIM),
    totalMaintMargin: fmtUsd(m.totalMaint),
    totalWalletBalance: fmtUsd(m.wallet),
    totalUnrealizedProfit: fmtUsd(m.totalUpnl),
    totalMarginBalance: fmtUsd(m.wallet + m.totalUpnl),
    totalPositionInitialMargin: fmtUsd(m.positionIM),
    totalOpenOrderInitialMargin: fmtUsd(m.openOrderIM),
    totalCrossWalletBalance: fmtUsd(m.crossWallet),
    totalCrossUnPnl: fmtUsd(m.crossUpnl),
    availableBalance: available,
    maxWithdrawAvailable: maxWithdraw,
    assets: [
      {
        asset: 'USDT',
        walletBalance: fmtUsd(m.wallet),
        unrealizedProfit: fmtUsd(m.totalUpnl),
        marginBalance: fmtUsd(m.wallet + m.totalUpnl),
        maintMargin: fmtUsd(m.totalMaint),
        initialMargin: fmtUsd(m.positionIM + m.openOrderIM),
        positionInitialMargin: fmtUsd(m.positionIM),
        openOrderInitialMargin: fmtUsd(m.openOrderIM),
        crossWalletBalance: fmtUsd(m.crossWallet),
        crossUnPnl: fmtUsd(m.crossUpnl),
        availableBalance: available,
        maxWithdrawAvailable: maxWithdraw,
        marginAvailable: true,
        updateTime: now,
      },
    ],
    positions: [...core.ledger.positions.values()].map((p) => accountPosition(core, p)),
  };
}

/** GET /fapi/v2/balance. */
export function balanceView(core: Core): BalanceView[] {
  const m = summary(core);
  return [
    {
      accountAlias: 'SimFuturesAccount',
      asset: 'USDT',
      balance: fmtUsd(m.wallet),
      crossWalletBalance: fmtUsd(m.crossWallet),
      crossUnPnl: fmtUsd(m.crossUpnl),
      availableBalance: fmtUsd(m.available),
      maxWithdrawAvailable: fmtUsd(Math.max(0, Math.min(m.available, m.crossWallet))),
      marginAvailable: true,
      updateTime: core.clock.now(),
    },
  ];
}
