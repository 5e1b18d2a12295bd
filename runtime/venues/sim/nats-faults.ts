/**
 * The simulator's fault switches over NATS: request/reply on `qt.ctl.sim.faults`, taking the JSON
 * that POST /sim/faults takes, plus `{action: 'list' | 'clear'}` and `{action: 'remove', id}`, so an
 * operator drives chaos with `nats req qt.ctl.sim.faults '{"kind":"http5xx","count":3}'`.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import { subjects } from '../../../protocols/names.js';
import { faultSpecSchema } from './server/admin.js';
import type { FaultController, FaultSpec } from './server/index.js';

/** Subject of the fault service. */
export const SIM_FAULTS_SUBJECT = subjects.control('sim', 'faults');

const requestSchema = z.union([
  faultSpecSchema,
  z.strictObject({ faults: z.array(faultSpecSchema) }),
  z.discriminatedUnion('action', [
    z.strictObject({ action: z.literal('list') }),
    z.strictObject({ action: z.literal('clear') }),
    z.strictObject({ action: z.literal('remove'), id: z.string().min(1) }),
    z.strictObject({ action: z.literal('dropWebSockets'), path: z.string().optional(), graceful: z.boolean().optional() }),
    z.strictObject({ action: z.literal('expireListenKeys'), listenKey: z.string().optional() }),
    z.strictObject({ action: z.literal('reseed'), seed: z.number().int() }),
  ]),
]);

/** The request body this service accepts. */
export type SimFaultRequest = z.infer<typeof requestSchema>;

/** Applies one request to the controller; the reply mirrors the HTTP admin endpoint's. */
export function handleFaultRequest(faults: FaultController, body: unknown): unknown {
  const req = requestSchema.parse(body);
  if ('action' in req) {
    switch (req.action) {
      case 'list':
        return { faults: faults.list() };
      case 'clear':
        faults.clear();
        return { faults: [] };
      case 'remove':
        return { removed: faults.remove(req.id) };
      case 'dropWebSockets': {
        const filter: { path?: string; graceful?: boolean } = {};
        if (req.path !== undefined) filter.path = req.path;
        if (req.graceful !== undefined) filter.graceful = req.graceful;
        return { dropped: faults.dropWebSockets(filter) };
      }
      case 'expireListenKeys':
        return { expired: faults.expireListenKeys(req.listenKey) };
      case 'reseed':
        faults.reseed(req.seed);
        return { seed: req.seed };
    }
  }
  if ('faults' in req) return { faults: req.faults.map((f) => faults.add(f as FaultSpec)) };
  return faults.add(req as FaultSpec);
}

function errorText(err: unknown): string {
  if (err instanceof z.ZodError) return z.prettifyError(err);
  return err instanceof Error ? err.message : String(err);
}

/**
 * Serves `qt.ctl.sim.faults` on `nc` until `stop()`. Bad requests get `{error}` replies; the
 * subscription never dies on them.
 */
export function serveSimFaults(nc: NatsConnection, faults: FaultController): { stop(): void } {
  const reply = (m: Msg, body: unknown): void => {
    if (m.reply) m.respond(JSON.stringify(body));
  };
  const sub: Subscription = nc.subscribe(SIM_FAULTS_SUBJECT, {
    callback: (err, m) => {
      if (err) return;
      try {
        const text = m.string();
        reply(m, handleFaultRequest(faults, text.trim() === '' ? { action: 'list' } : JSON.parse(text)));
      } catch (e) {
        reply(m, { error: errorText(e) });
      }
    },
  });
  return {
    stop() {
      sub.unsubscribe();
    },
  };
}
