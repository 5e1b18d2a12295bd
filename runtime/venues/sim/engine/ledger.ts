/**
 * Wallet and positions (USDT-margined, one-way mode) with Binance's margin arithmetic: single
 * maintenance bracket, cross and isolated margin, liquidation price by Binance's published formula
 * (with the bracket's maintenance amount taken as 0).
 */
import { roundTo } from './num.js';
import type { MarginType, OrderSide, SymbolSpec } from './types.js';

/** One symbol's position and settings. */
export interface Position {
  symbol: string;
  /** Signed size: > 0 long, < 0 short. */
  amt: number;
  entry: number;
  leverage: number;
  marginType: MarginType;
  /** Isolated wallet (margin carved out of the total wallet); 0 in cross. */
  isoWallet: number;
  updateTime: number;
}

/** What a fill did to the position. */
export interface FillEffect {
  realizedPnl: number;
  /** Quantity that closed existing exposure. */
  closedQty: number;
  /** Quantity that opened new exposure. */
  openedQty: number;
}

const USD = 8;

/** Positions and the single USDT wallet. `wallet` is the total, isolated wallets included. */
export class Ledger {
  wallet: number;
  readonly positions = new Map<string, Position>();

  constructor(initial: number, private readonly defaults: { leverage: number; marginType: MarginType }) {
    this.wallet = initial;
  }

  /** Position record of a symbol, created flat on first use. */
  pos(symbol: string): Position {
    let p = this.positions.get(symbol);
    if (!p) {
      p = { symbol, amt: 0, entry: 0, leverage: this.defaults.leverage, marginType: this.defaults.marginType, isoWallet: 0, updateTime: 0 };
      this.positions.set(symbol, p);
    }
    return p;
  }

  /** Cross wallet = total wallet minus what isolated positions hold. */
  crossWallet(): number {
    let iso = 0;
    for (const p of this.positions.values()) iso += p.isoWallet;
    return this.wallet - iso;
  }

  /**
   * Applies a fill. Closing realises PnL against the average entry; opening averages the entry. A flip
   * is a close followed by an open. Isolated margin moves between the cross wallet and the position.
   */
  applyFill(spec: SymbolSpec, side: OrderSide, qty: number, price: number, time: number): FillEffect {
    const p = this.pos(spec.symbol);
    const qd = spec.quantityPrecision;
    const signed = side === 'BUY' ? qty : -qty;
    let realizedPnl = 0;
    let closedQty = 0;
    if (p.amt !== 0 && Math.sign(p.amt) !== Math.sign(signed)) {
      closedQty = Math.min(Math.abs(p.amt), qty);
      const dir = Math.sign(p.amt);
      realizedPnl = roundTo(closedQty * (price - p.entry) * dir, USD);
      const before = Math.abs(p.amt);
      if (p.marginType === 'ISOLATED') {
        // Released margin goes back to cross; the PnL lands on the total wallet.
        p.isoWallet = roundTo(p.isoWallet * (1 - closedQty / before), USD);
      }
      p.amt = roundTo(p.amt + dir * -closedQty, qd);
      if (p.amt === 0) {
        p.entry = 0;
        p.isoWallet = 0;
      }
      this.wallet = roundTo(this.wallet + realizedPnl, USD);
    }
    const openedQty = roundTo(qty - closedQty, qd);
    if (openedQty > 0) {
      const newAbs = Math.abs(p.amt) + openedQty;
      p.entry = (Math.abs(p.amt) * p.entry + openedQty * price) / newAbs;
      p.amt = roundTo(p.amt + (side === 'BUY' ? openedQty : -openedQty), qd);
      if (p.marginType === 'ISOLATED') p.isoWallet = roundTo(p.isoWallet + (openedQty * price) / p.leverage, USD);
    }
    p.updateTime = time;
    return { realizedPnl, closedQty, openedQty };
  }

  /** Adds (or with a negative amount, charges) USDT; isolated charges hit the position's margin. */
  credit(amount: number, isolatedSymbol?: string): void {
    this.wallet = roundTo(this.wallet + amount, USD);
    if (isolatedSymbol) {
      const p = this.pos(isolatedSymbol);
      p.isoWallet = roundTo(p.isoWallet + amount, USD);
    }
  }
}

/** Unrealised PnL at `mark`. */
export const upnl = (p: Position, mark: number): number => p.amt * (mark - p.entry);
/** Maintenance margin at `mark`. */
export const maintMargin = (p: Position, mark: number, s: SymbolSpec): number => Math.abs(p.amt) * mark * s.maintMarginRate;
/** Initial margin at `mark`. */
export const initialMargin = (p: Position, mark: number): number => (Math.abs(p.amt) * mark) / p.leverage;

/**
 * Binance's one-way liquidation price: LP = (WB − TMM₁ + UPNL₁ − side·|Q|·EP) / (|Q|·MMR − side·|Q|),
 * where WB is the cross wallet (or the isolated wallet) and TMM₁/UPNL₁ are the maintenance margin and
 * unrealised PnL of all *other* cross positions. Returns 0 when no positive price liquidates.
 */
export function liquidationPrice(p: Position, s: SymbolSpec, wallet: number, otherMaint: number, otherUpnl: number): number {
  if (p.amt === 0) return 0;
  const side = Math.sign(p.amt);
  const q = Math.abs(p.amt);
  const den = q * s.maintMarginRate - side * q;
  if (den === 0) return 0;
  const lp = (wallet - otherMaint + otherUpnl - side * q * p.entry) / den;
  return lp > 0 ? lp : 0;
}
