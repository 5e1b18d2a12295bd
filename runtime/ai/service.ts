import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { SERVICES, subjects } from '../../protocols/index.js';
import { decode } from '../codec.js';
import type { Bus } from '../nats/index.js';
import type { AiBrain } from './brain.js';

function body(m: ServiceMsg): unknown {
  if (m.data.length === 0) return undefined;
  const text = new TextDecoder().decode(m.data);
  try {
    return JSON.parse(text);
  } catch {
    return decode(m.data); // msgpack, as on the bus
  }
}

/**
 * The `qt-ai` NATS micro service (`nats micro info qt-ai`): `signal` (one features message, JSON
 * or msgpack → the signal the brain would publish; nothing is published), `models` (loaded
 * members, versions, weights, shadows, pointers) and `health` (loaded? fallback and why? last
 * inference latency, errors). Subjects `qt.ctl.ai.<op>`. Replies are JSON.
 */
export async function startAiService(bus: Bus, brain: () => AiBrain | undefined, node: string, version = '0.1.0'): Promise<Service> {
  const svc = await new Svcm(bus.nc as unknown as ConstructorParameters<typeof Svcm>[0]).add({
    name: SERVICES.ai,
    version,
    description: 'Quantum Trader AI brain: batched ONNX ensemble, fallback status, model pointers',
    metadata: { node },
  });
  const ops: Record<string, (m: ServiceMsg) => Promise<unknown>> = {
    signal: async (m) => need().predict(body(m)),
    models: async () => need().models(),
    health: async () => need().health(),
  };
  const need = () => {
    const b = brain();
    if (!b) throw new Error('the AI brain is not running on this node');
    return b;
  };
  for (const [op, run] of Object.entries(ops)) {
    svc.addEndpoint(op, {
      subject: subjects.control('ai', op),
      metadata: { op },
      handler: (err, m) => {
        if (err) return;
        void run(m).then(
          (r) => m.respond(JSON.stringify(r)),
          (e: Error) => m.respondError(400, e.message, JSON.stringify({ ok: false, error: e.message })),
        );
      },
    });
  }
  return svc;
}
