/**
 * The `data` of the journal entries the report reads, matching what the position actor
 * (actors/position/book.ts `close`) and the orders actor (actors/order/effects.ts) emit. Entries
 * are `JournalEntry`s (protocols/trading.ts) on `qt.journal.<kind>`; `symbol`, `intentId`,
 * `attribution` and `ts` sit on the entry itself.
 *
 * Money is in USDT. `realizedPnl` is NET, as in PositionUpdate: price moves minus every fee plus
 * funding received (funding is signed: + received, − paid). Gross = realizedPnl + fees − funding.
 */
import { z } from 'zod';

const money = z.number().finite();
const pos = z.number().finite().positive();
const ms = z.number().int().nonnegative();

/** One exit fill of a position (partial or final). */
export const ExitLegSchema = z.object({ reason: z.string(), qty: pos, price: pos, pnl: money, fee: z.number().finite().nonnegative(), ts: ms });

/**
 * `qt.journal.pnl`: one per closed position (a whole round trip), emitted by the position actor
 * when it reaches `closed`. The report's primary source of trades. (`qt.journal.exit` carries the
 * same data at the same moment.)
 */
export const PnlDataSchema = z.object({
  /** What closed the last part: 'sl' | 'tp1' | 'tp2' | 'tp3' | 'trail' | 'liquidation' | 'manual' | … */
  reason: z.string().min(1),
  /** Position side. */
  side: z.enum(['LONG', 'SHORT']),
  /** Total entry quantity, base units. */
  qty: pos,
  avgEntry: pos,
  avgExit: pos,
  /** NET of fees, funding included. */
  realizedPnl: money,
  fees: z.number().finite().nonnegative(),
  funding: money.default(0),
  /** Null when the position was adopted without a known open time; the close time is used then. */
  openedAt: ms.nullable(),
  closedAt: ms,
  durationMs: ms.nullable().optional(),
  exits: z.array(ExitLegSchema).optional(),
});
export type PnlData = z.infer<typeof PnlDataSchema>;

/**
 * `qt.journal.exit`: one per exit decision that closed (part of) a position, e.g. TP1 hit.
 * Used for the exit reason of trades rebuilt from fills.
 */
export const ExitDataSchema = z.object({
  /** Same vocabulary as PnlData.exitReason. */
  reason: z.string().min(1),
  qty: pos.optional(),
  price: pos.optional(),
  realizedPnl: money.optional(),
  fees: z.number().finite().nonnegative().optional(),
});
export type ExitData = z.infer<typeof ExitDataSchema>;

/**
 * `qt.journal.fill`: one per venue trade of one of our orders (the orders actor's OrderEvent
 * fill). When a position has no `pnl` line, its trade is rebuilt from the fills of its intent:
 * the `entry` leg opens, every other leg closes.
 */
export const FillDataSchema = z.object({
  /** Order side; when absent it is read from the intent id (`<SYM>:<ts>:<BUY|SELL>`) for entry fills. */
  side: z.enum(['BUY', 'SELL']).optional(),
  /** OrderLeg: 'entry' opens, 'sl' | 'tp1' | 'tp2' | 'tp3' | 'trail' | 'exit' | 'flatten' | 'adopt-sl' close. */
  leg: z.string().min(1),
  /** 0 for a trade that only details quantity already journaled from the venue totals (adds its fee). */
  qty: z.number().finite().nonnegative(),
  price: pos,
  fee: z.number().finite().nonnegative().default(0),
  tradeId: z.union([z.string(), z.number()]).optional(),
});
export type FillData = z.infer<typeof FillDataSchema>;

/** A round trip as the report sees it, from a `pnl` line or rebuilt from fills. */
export interface Trade {
  id: string;
  symbol: string;
  side: 'LONG' | 'SHORT';
  qty: number;
  entry: number;
  exit: number;
  /** Price move × qty, before fees and funding. */
  gross: number;
  fees: number;
  funding: number;
  /** gross − fees + funding (= the position actor's realizedPnl). */
  net: number;
  /** net / (qty × entry): the return on the position's notional. */
  ret: number;
  exitReason: string;
  attribution: string;
  openedAt: number;
  closedAt: number;
  source: 'pnl' | 'fills';
}
