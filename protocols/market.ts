import { z } from 'zod';
import { SYMBOL_PATTERN } from './names.js';

export const INTERVALS = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Interval length in ms. */
export const INTERVAL_MS: Record<Interval, number> = {
  '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000,
  '2h': 7_200_000, '4h': 14_400_000, '6h': 21_600_000, '8h': 28_800_000, '12h': 43_200_000, '1d': 86_400_000,
};

const price = z.number().finite().positive();
const qty = z.number().finite().nonnegative();

/**
 * A closed candle as published on `qt.md.<venue>.<symbol>.candle.<interval>`. Exactly one per
 * interval: its `Nats-Msg-Id` is `<venue>:<symbol>:<interval>:<openTime>`.
 */
export const CandleSchema = z
  .strictObject({
    venue: z.string().min(1),
    symbol: z.string().regex(SYMBOL_PATTERN, 'symbol must be upper-case letters and digits'),
    interval: z.enum(INTERVALS),
    openTime: z.number().int().nonnegative(),
    closeTime: z.number().int().nonnegative(),
    open: price,
    high: price,
    low: price,
    close: price,
    volume: qty,
    quoteVolume: qty.optional(),
    trades: z.number().int().nonnegative().optional(),
    /** Mark price and funding rate at the candle's close, when the venue streams them. */
    markPrice: price.optional(),
    fundingRate: z.number().finite().min(-1).max(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.high < c.low) ctx.addIssue({ code: 'custom', message: `high ${c.high} < low ${c.low}` });
    if (c.high < Math.max(c.open, c.close)) ctx.addIssue({ code: 'custom', message: `high ${c.high} below open/close` });
    if (c.low > Math.min(c.open, c.close)) ctx.addIssue({ code: 'custom', message: `low ${c.low} above open/close` });
    const len = INTERVAL_MS[c.interval];
    if (c.openTime % len !== 0) ctx.addIssue({ code: 'custom', message: `openTime ${c.openTime} not aligned to ${c.interval}` });
    if (c.closeTime !== c.openTime + len - 1) ctx.addIssue({ code: 'custom', message: `closeTime must be openTime + ${len} - 1` });
  });
export type Candle = z.infer<typeof CandleSchema>;

/** Mark price / funding tick: `qt.md.<venue>.<symbol>.mark`. */
export const MarkTickSchema = z.strictObject({
  venue: z.string().min(1),
  symbol: z.string().min(1),
  ts: z.number().int().nonnegative(),
  markPrice: price,
  indexPrice: price.optional(),
  fundingRate: z.number().finite(),
  nextFundingTime: z.number().int().nonnegative().optional(),
});
export type MarkTick = z.infer<typeof MarkTickSchema>;

/** Aggregated trade: `qt.md.<venue>.<symbol>.trade`. */
export const TradeTickSchema = z.strictObject({
  venue: z.string().min(1),
  symbol: z.string().min(1),
  ts: z.number().int().nonnegative(),
  price,
  qty: z.number().finite().positive(),
  /** True when the buyer was the maker (the aggressor sold). */
  buyerMaker: z.boolean(),
  id: z.number().int().nonnegative(),
});
export type TradeTick = z.infer<typeof TradeTickSchema>;

/** Universe changes: `qt.md.<venue>.universe`. */
export const UniverseSchema = z.strictObject({
  venue: z.string(),
  ts: z.number().int(),
  symbols: z.array(z.string()),
  added: z.array(z.string()),
  removed: z.array(z.string()),
});
export type Universe = z.infer<typeof UniverseSchema>;

/** msgID of a closed candle; the same candle seen twice (reconnect, backfill) dedups to one. */
export function candleMsgId(c: Pick<Candle, 'venue' | 'symbol' | 'interval' | 'openTime'>): string {
  return `${c.venue}:${c.symbol}:${c.interval}:${c.openTime}`;
}

/** Validates a candle payload, naming every problem (NaN, high < low, negative volume, …). */
export function checkCandle(payload: unknown): { ok: true; candle: Candle } | { ok: false; reason: string } {
  const r = CandleSchema.safeParse(payload);
  if (r.success) return { ok: true, candle: r.data };
  return { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.') || 'candle'}: ${i.message}`).join('; ') };
}
