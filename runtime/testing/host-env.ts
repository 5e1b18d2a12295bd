import { pino } from 'pino';
import { BUCKETS, STREAMS, subjects } from '../../protocols/index.js';
import type { Clock } from '../clock/index.js';
import { createLiveClock } from '../clock/index.js';
import { createHostDeps, startHostedActor, type ActorDefinition, type HostFaults, type HostedActor } from '../host/index.js';
import type { Bus } from '../nats/index.js';
import type { NatsEnv } from './nats-env.js';
import { counterMachine } from './counter.machine.js';

export const counterDef: ActorDefinition = {
  kind: 'counter',
  machine: counterMachine,
  version: 1,
  input: { stream: STREAMS.inputs, subject: (id) => subjects.actorInput('counter', id) },
};

/** Everything a test needs to start hosted actors against a real nats-server. */
export async function hostKit(env: NatsEnv, opts: { clock?: Clock; bus?: Bus; faults?: HostFaults; node?: string } = {}) {
  const bus = opts.bus ?? env.bus;
  const kv = await bus.kvm.open(BUCKETS.actors);
  const deps = await createHostDeps({ bus, cfg: env.cfg, clock: opts.clock ?? createLiveClock(), logger: pino({ level: 'silent' }), node: opts.node ?? 'test', ...(opts.faults ? { faults: opts.faults } : {}) });
  return {
    deps,
    kv,
    start: (id: string, def: ActorDefinition = counterDef, o: { fresh?: boolean } = {}): Promise<HostedActor> => startHostedActor(def, id, deps, o),
  };
}
