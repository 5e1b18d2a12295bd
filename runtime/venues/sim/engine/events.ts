/**
 * Wire-shaped stream events (Binance USD-M user data stream and public market streams). Split from
 * `types.ts` for size; `types.ts` re-exports everything here, so import from either.
 */
import type { ExecutionType, OrderSide, VenueOrderStatus, OrderType, TimeInForce, WorkingType } from './types.js';


/** `o` of ORDER_TRADE_UPDATE. */
export interface OrderTradeUpdateBody {
  s: string; c: string; S: OrderSide; o: OrderType | 'LIQUIDATION'; f: TimeInForce; q: string; p: string; ap: string; sp: string;
  x: ExecutionType; X: VenueOrderStatus; i: number; l: string; z: string; L: string; N: 'USDT'; n: string; T: number; t: number;
  b: string; a: string; m: boolean; R: boolean; wt: WorkingType; ot: OrderType; ps: 'BOTH'; cp: boolean; AP?: string; cr?: string;
  pP: boolean; si: number; ss: number; rp: string; V: 'NONE'; pm: 'NONE'; gtd: number;
}
export interface OrderTradeUpdateEvent { e: 'ORDER_TRADE_UPDATE'; E: number; T: number; o: OrderTradeUpdateBody }

export type AccountUpdateReason = 'ORDER' | 'FUNDING_FEE' | 'MARGIN_TYPE_CHANGE' | 'DEPOSIT' | 'INSURANCE_CLEAR';
export interface AccountUpdateEvent {
  e: 'ACCOUNT_UPDATE';
  E: number;
  T: number;
  a: {
    m: AccountUpdateReason;
    B: Array<{ a: 'USDT'; wb: string; cw: string; bc: string }>;
    P: Array<{ s: string; pa: string; ep: string; bep: string; cr: string; up: string; mt: 'cross' | 'isolated'; iw: string; ps: 'BOTH' }>;
  };
}
export interface AccountConfigUpdateEvent { e: 'ACCOUNT_CONFIG_UPDATE'; E: number; T: number; ac: { s: string; l: number } }
export interface MarginCallEvent {
  e: 'MARGIN_CALL'; E: number; cw: string;
  p: Array<{ s: string; ps: 'BOTH'; pa: string; mt: 'CROSSED' | 'ISOLATED'; iw: string; mp: string; up: string; mm: string }>;
}
/** Events of the user data stream (listenKey). */
export type UserEvent = OrderTradeUpdateEvent | AccountUpdateEvent | AccountConfigUpdateEvent | MarginCallEvent;

export interface AggTradeEvent { e: 'aggTrade'; E: number; s: string; a: number; p: string; q: string; f: number; l: number; T: number; m: boolean }
export interface KlineEvent {
  e: 'kline'; E: number; s: string;
  k: { t: number; T: number; s: string; i: string; f: number; L: number; o: string; c: string; h: string; l: string; v: string; n: number; x: boolean; q: string; V: string; Q: string; B: string };
}
export interface MarkPriceEvent { e: 'markPriceUpdate'; E: number; s: string; p: string; i: string; P: string; r: string; T: number }
export interface BookTickerEvent { e: 'bookTicker'; u: number; E: number; T: number; s: string; b: string; B: string; a: string; A: string }
/** Public liquidation print (`<symbol>@forceOrder`), emitted when the simulated account is liquidated. */
export interface ForceOrderEvent {
  e: 'forceOrder'; E: number;
  o: { s: string; S: OrderSide; o: 'LIMIT'; f: 'IOC'; q: string; p: string; ap: string; X: VenueOrderStatus; l: string; z: string; T: number };
}
/** Events of the public market streams; stream name is `<lowercase symbol>@<kind>` (kline: `@kline_1m`). */
export type MarketEvent = AggTradeEvent | KlineEvent | MarkPriceEvent | BookTickerEvent | ForceOrderEvent;

