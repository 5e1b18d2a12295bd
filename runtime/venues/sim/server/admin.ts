/**
 * Simulator control endpoints under `/sim/` (no auth, no weight, no faults): fault switching and
 * the engine's full order history for invariant checks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Clock } from '../../../clock/index.js';
import type { SimEngine } from '../engine/types.js';
import type { FaultController, FaultSpec } from './faults.js';
import { sendJson } from './http.js';
import type { RateLimiter } from './limits.js';

/** JSON accepted by `POST /sim/faults` for one rule (unknown keys rejected). */
export const faultSpecSchema = z.strictObject({
  kind: z.enum(['latency', 'http5xx', 'timeout', 'rateLimit', 'marginInsufficient', 'reject', 'statusUnknown']),
  path: z.string().optional(),
  method: z.string().optional(),
  symbol: z.string().optional(),
  count: z.number().int().positive().optional(),
  probability: z.number().min(0).max(1).optional(),
  latencyMs: z.number().min(0).optional(),
  jitterMs: z.number().min(0).optional(),
  status: z.number().int().min(200).max(599).optional(),
  phase: z.enum(['before', 'after']).optional(),
  executeAfterMs: z.number().min(0).optional(),
  respondAfterMs: z.number().min(0).optional(),
  retryAfterSec: z.number().int().min(0).optional(),
  code: z.number().int().optional(),
  msg: z.string().optional(),
});

const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('dropWebSockets'), path: z.string().optional(), graceful: z.boolean().optional() }),
  z.strictObject({ action: z.literal('expireListenKeys'), listenKey: z.string().optional() }),
  z.strictObject({ action: z.literal('reseed'), seed: z.number().int() }),
]);

const postSchema = z.union([faultSpecSchema, z.strictObject({ faults: z.array(faultSpecSchema) }), actionSchema]);

/** What the admin endpoints act on. */
export interface AdminDeps {
  readonly engine: SimEngine;
  readonly faults: FaultController & { dropWebSockets(filter?: { path?: string; graceful?: boolean }): number };
  readonly limiter: RateLimiter;
  /** The server's (wall) clock, as `/fapi/v1/time` answers it. */
  readonly serverClock: Clock;
}

/**
 * `GET /sim/clock`: the market clock of the engine with its speed and the server's time, so a node
 * trading against this simulator runs its market clock on this one (a scaled clock anchored in
 * another process would date every event differently).
 */
export interface SimClockInfo {
  marketTime: number;
  serverTime: number;
  speed: number;
}

function post(d: AdminDeps, body: unknown): unknown {
  const parsed = postSchema.parse(body);
  if ('action' in parsed) {
    if (parsed.action === 'dropWebSockets') {
      const filter: { path?: string; graceful?: boolean } = {};
      if (parsed.path !== undefined) filter.path = parsed.path;
      if (parsed.graceful !== undefined) filter.graceful = parsed.graceful;
      return { dropped: d.faults.dropWebSockets(filter) };
    }
    if (parsed.action === 'expireListenKeys') return { expired: d.faults.expireListenKeys(parsed.listenKey) };
    d.faults.reseed(parsed.seed);
    return { seed: parsed.seed };
  }
  if ('faults' in parsed) return { faults: parsed.faults.map((f) => d.faults.add(f as FaultSpec)) };
  return d.faults.add(parsed as FaultSpec);
}

/** Returns the `/sim/*` handler; false means "not an admin path". */
export function createAdmin(d: AdminDeps): (req: IncomingMessage, res: ServerResponse, path: string, body: string) => boolean {
  return (req, res, path, body) => {
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      if (path === '/sim/faults') {
        if (method === 'GET') sendJson(res, 200, { faults: d.faults.list() });
        else if (method === 'DELETE') {
          const id = new URL(req.url ?? '/', 'http://loopback').searchParams.get('id');
          if (id) sendJson(res, 200, { removed: d.faults.remove(id) });
          else {
            d.faults.clear();
            sendJson(res, 200, { faults: [] });
          }
        } else if (method === 'POST') sendJson(res, 200, post(d, JSON.parse(body || '{}')));
        else sendJson(res, 405, { error: 'method not allowed' });
        return true;
      }
      if (path === '/sim/clock' && method === 'GET') {
        const info: SimClockInfo = { marketTime: d.engine.clock.now(), serverTime: d.serverClock.now(), speed: d.engine.clock.speed ?? 1 };
        sendJson(res, 200, info);
        return true;
      }
      if (path === '/sim/orders' && method === 'GET') {
        sendJson(res, 200, d.engine.history().orders);
        return true;
      }
      if (path === '/sim/history' && method === 'GET') {
        sendJson(res, 200, d.engine.history());
        return true;
      }
      if (path === '/sim/limits/reset' && method === 'POST') {
        d.limiter.reset();
        sendJson(res, 200, {});
        return true;
      }
    } catch (err) {
      const msg = err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : String(err);
      sendJson(res, 400, { error: msg });
      return true;
    }
    return false;
  };
}
