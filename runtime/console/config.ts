import { z } from 'zod';

/**
 * Proposed `console` config section: `console: WebConsoleConfigSchema.prefault({})` in the one
 * ConfigSchema. zod only, so runtime/config can import it without pulling in http or ws. The token
 * is a secret and never lives here: it comes from env `CONSOLE_TOKEN` / `CONSOLE_TOKEN_FILE`
 * via `readSecret` (see {@link CONSOLE_TOKEN_ENV}).
 */
export const WebConsoleConfigSchema = z.strictObject({
  web: z
    .strictObject({
      /** Serve the web console from the node. @default true */
      enabled: z.boolean().default(true),
      /** Loopback unless reached through a tunnel/proxy; any other address requires the token. @default 127.0.0.1 */
      host: z.string().default('127.0.0.1'),
      /** Next to the ops endpoint's 9464. @default 9465 */
      port: z.number().int().min(0).max(65535).default(9465),
      /** Push cadence in ms. @default 1000 */
      intervalMs: z.number().int().min(100).default(1_000),
    })
    .prefault({}),
});
export type WebConsoleConfig = z.infer<typeof WebConsoleConfigSchema>;

/**
 * Env name of the console token, read with `readSecret` (so `_FILE` works). Not `QT_`-prefixed:
 * that prefix is reserved for config keys, and an unknown one stops the node.
 */
export const CONSOLE_TOKEN_ENV = 'CONSOLE_TOKEN';
