import { terminateHandle, type ChildHandle, type ChildSpec, type ExitReason, type StartContext } from '../../supervisors/index.js';
import type { Clock } from '../clock/index.js';
import type { Cluster } from '../lease/index.js';
import type { UniverseTargets } from '../market/index.js';

/**
 * A cluster singleton: with leases, the child runs only while this node holds the leader lease.
 * Standing by, it is an idle child (so the tree keeps its shape and `qt status` shows it as
 * `standby`); on gaining leadership it starts the real child, and on losing it stops it before the
 * lease can be taken by another node. A crash of the real child is the wrapper's crash, so the
 * supervisor's restart and intensity rules apply as on a single node. Without leases the spec is
 * returned unchanged.
 */
export function leaderOnly(spec: ChildSpec, cluster: Cluster, clock: Clock): ChildSpec {
  if (!cluster.enabled) return spec;
  return { ...spec, start: (ctx) => startGated(spec, ctx, cluster, clock) };
}

async function startGated(spec: ChildSpec, ctx: StartContext, cluster: Cluster, clock: Clock): Promise<ChildHandle> {
  let resolveExit!: (e: ExitReason) => void;
  const exited = new Promise<ExitReason>((r) => (resolveExit = r));
  let ended = false;
  let inner: ChildHandle | undefined;
  let chain: Promise<void> = Promise.resolve();
  const end = (e: ExitReason) => {
    if (ended) return;
    ended = true;
    off();
    resolveExit(e);
  };
  const stopInner = async () => {
    const h = inner;
    inner = undefined;
    if (!h) return;
    // The supervisor's own defaults: 5 s for a worker, no deadline for a subtree (OTP's infinity).
    await terminateHandle(h, spec.shutdown ?? (spec.type === 'supervisor' ? Number.POSITIVE_INFINITY : 5_000), clock);
  };
  let first = true;
  const startInner = async () => {
    if (ended || inner) return;
    // Only the start the supervisor asked for may be fresh; a later leadership gain restores.
    const h = await spec.start(first ? ctx : { ...ctx, fresh: false });
    first = false;
    if (ended) return void (await h.stop());
    inner = h;
    // The real child ending on its own (crash or normal) ends the wrapper, and the supervisor decides.
    void h.exited.then((e) => inner === h && end(e));
  };
  const off = cluster.onLeader((leader) => {
    chain = chain.then(() => (leader ? startInner() : stopInner())).catch((error: unknown) => end({ kind: 'crash', error: error instanceof Error ? error : new Error(String(error)) }));
    // A loss is awaited (the lease is not given up before the child is down); a gain is not, so
    // slow starts (the AI brain loads its models) never hold up the leader lease's renewals.
    return leader ? undefined : chain;
  });
  if (cluster.isLeader()) await startInner().catch((e: unknown) => (off(), Promise.reject(e)));
  return {
    exited,
    async stop() {
      off();
      await chain;
      await stopInner();
      end({ kind: 'shutdown' });
    },
    kill() {
      inner?.kill();
      end({ kind: 'shutdown' });
    },
    inject(error) {
      if (inner?.inject) inner.inject(error);
      else end({ kind: 'crash', error });
    },
    info: () => (inner ? { ...inner.info?.(), leader: true } : { standby: true }),
  };
}

/**
 * The universe watcher's targets on a cluster node: only leased symbols get actors and market
 * data. The watcher's view (universe + draining) becomes what the leases share out; a gained lease
 * starts the symbol (pinned in the watcher when it is outside this node's view, e.g. a dead node's
 * draining position), a lost one stops it before anyone else can take it.
 */
export function clusterTargets(inner: UniverseTargets, cluster: Cluster, pin: () => ((symbol: string) => Promise<void>) | undefined): UniverseTargets {
  if (!cluster.enabled) return inner;
  let wanted = new Set<string>();
  const market = () => inner.setMarketSymbols(cluster.owned());
  // Per symbol, starts and stops run in order; a stop waits for that symbol's start only.
  const work = new Map<string, Promise<void>>();
  const queue = (symbol: string, job: () => Promise<void>) => {
    const p = (work.get(symbol) ?? Promise.resolve()).then(job);
    // A failed start is retried by the watcher's resync; a failed stop surfaces in the pool's tree.
    work.set(symbol, p.catch(() => undefined));
    return p;
  };
  cluster.onSymbol((symbol, owned) => {
    // A loss is awaited: the lease is handed over only once the actors are down. A gain is not:
    // starting many taken-over symbols must not hold up the renewals of the leases already held.
    if (!owned) return queue(symbol, async () => (await inner.stopSymbol(symbol), await market()));
    void queue(symbol, async () => {
      if (!cluster.owns(symbol)) return;
      await inner.startSymbol(symbol);
      await market();
      // Outside this node's view (a dead node's draining position): the watcher keeps it until it
      // is flat. Not awaited: the watcher may itself be waiting on a lease call.
      if (!wanted.has(symbol)) void Promise.resolve().then(() => pin()?.(symbol)).catch(() => undefined);
    }).catch(() => undefined);
  });
  return {
    startSymbol: async (s) => (cluster.owns(s) ? inner.startSymbol(s) : undefined),
    async stopSymbol(s) {
      await inner.stopSymbol(s);
      // Left the universe, flat: nobody needs to own it any more.
      if (cluster.owns(s)) await cluster.retire(s);
    },
    hasOpenPosition: (s) => inner.hasOpenPosition(s),
    async setMarketSymbols(symbols) {
      wanted = new Set(symbols);
      cluster.setWanted(symbols);
      await market();
    },
  };
}
