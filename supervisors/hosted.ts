import { startHostedActor, type ActorDefinition, type HostDeps, type SnapshotStore } from '../runtime/host/index.js';
import type { RestartType } from '../protocols/index.js';
import type { ChildSpec } from './types.js';

/**
 * A child spec that hosts one XState actor. The supervisor's `fresh` flag (a restored snapshot
 * that crash-looped) makes the host drop the snapshot, keep the cursor and tell the machine.
 */
export function hostedChild(
  def: ActorDefinition,
  id: string,
  deps: HostDeps & { store: SnapshotStore },
  opts: { childId?: string; restart?: RestartType; shutdown?: number | 'brutal' } = {},
): ChildSpec {
  return {
    id: opts.childId ?? `${def.kind}.${id}`.replace(/\./g, '-'),
    type: 'worker',
    restart: opts.restart ?? 'permanent',
    shutdown: opts.shutdown ?? 5_000,
    start: (ctx) => startHostedActor(def, id, deps, { fresh: ctx.fresh }),
  };
}
