import type { z } from 'zod';

/**
 * How an actor definition's `parse` may treat one payload. `trusted`: the payload was produced in
 * this process by code typed against the schema (a backtest's own actors, matching engine and
 * brain), so re-checking the schema at every hop is skipped; routing and business checks still
 * run. Input from outside the process (the wire, replay files) is never trusted.
 */
export interface ParseOptions {
  trusted?: boolean;
}

/** `schema.safeParse(payload)`, or the payload as is when it is trusted. */
export function checkSchema<T>(schema: z.ZodType<T>, payload: unknown, o?: ParseOptions): z.ZodSafeParseResult<T> {
  return o?.trusted ? { success: true, data: payload as T } : schema.safeParse(payload);
}
