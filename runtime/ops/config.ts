import { z } from 'zod';

/**
 * The `ops` config section. Meant to be added to the one ConfigSchema as
 * `ops: OpsConfigSchema.prefault({})`; it holds no secrets (see `ALERT_SECRET_ENV`). Imports only
 * zod, so runtime/config can import this file without pulling in NATS or the alert sinks.
 */
export const OpsConfigSchema = z.strictObject({
  http: z
    .strictObject({
      /** @default true */
      enabled: z.boolean().default(true),
      /** /metrics, /healthz, /readyz. @default 9464 */
      port: z.number().int().min(0).max(65535).default(9464),
      /** Loopback unless Prometheus scrapes from another host or a container. @default 127.0.0.1 */
      host: z.string().default('127.0.0.1'),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      /** @default 900 */
      dedupWindowSec: z.number().positive().default(900),
      /** @default 30 */
      maxPerMinute: z.number().int().positive().default(30),
      /** @default [0.05, 0.1, 0.2] */
      drawdownThresholds: z.array(z.number().gt(0).lt(1)).default([0.05, 0.1, 0.2]),
      /** @default 5 */
      unprotectedGraceSec: z.number().positive().default(5),
      crashLoop: z.strictObject({ restarts: z.number().int().min(2).default(3), windowSec: z.number().positive().default(60) }).prefault({}),
      telegram: z.strictObject({ chatId: z.string(), baseUrl: z.string().url().optional() }).optional(),
      /** The webhook URL itself is a secret (env ALERT_WEBHOOK_URL); this only switches it on. */
      webhook: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
      email: z
        .strictObject({
          host: z.string(),
          port: z.number().int().default(587),
          secure: z.boolean().default(false),
          user: z.string().optional(),
          from: z.string(),
          to: z.array(z.string()).min(1),
        })
        .optional(),
    })
    .prefault({}),
  doctor: z
    .strictObject({
      /** @default 1000 */
      lagWarn: z.number().int().positive().default(1_000),
      /** @default 500 */
      ackPendingWarn: z.number().int().positive().default(500),
    })
    .prefault({}),
});
export type OpsConfig = z.infer<typeof OpsConfigSchema>;
