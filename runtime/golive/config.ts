import { z } from 'zod';

/**
 * Proposed `golive` config section: `golive: GoLiveConfigSchema.prefault({})` in the one
 * ConfigSchema. These are the bars the paper/shadow record must clear before `binance-live` may
 * start. zod only, so runtime/config can import it.
 */
export const GoLiveConfigSchema = z.strictObject({
  /** Hours between the first and the last journal entry. The old system's 48 h shadow run never completed. @default 48 */
  minHours: z.number().nonnegative().default(48),
  /** Largest peak-to-trough equity drop allowed over the record (0..1). @default 0.1 */
  maxDrawdown: z.number().gt(0).max(1).default(0.1),
  /** A position may be open this long without a confirmed venue stop before it counts as unprotected. @default 5 */
  unprotectedGraceSec: z.number().positive().default(5),
  /** Supervision escalations tolerated over the period. @default 0 */
  maxEscalations: z.number().int().nonnegative().default(0),
  /** pnl journal entries needed for the drawdown to mean anything. @default 1 */
  minPnlEntries: z.number().int().nonnegative().default(1),
  /** Only count journal entries whose `data.venue` is this (entries without one always count). */
  venue: z.string().optional(),
});
export type GoLiveConfig = z.infer<typeof GoLiveConfigSchema>;
/** Gates as `checkGoLive` takes them (every field optional; defaults as above). */
export type GoLiveGates = z.input<typeof GoLiveConfigSchema>;
