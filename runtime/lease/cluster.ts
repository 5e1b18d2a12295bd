import { KvWatchInclude, type KvWatchEntry } from '@nats-io/kv';
import type { Logger } from 'pino';
import { BUCKETS, leaseKey } from '../../protocols/index.js';
import type { Clock, TimerHandle } from '../clock/index.js';
import { decode } from '../codec.js';
import type { Bus } from '../nats/index.js';
import { createLeaseManager, type LeaseManager, type LeaseValue } from './manager.js';

/** The leader lease's name among the symbol leases (`lease._leader`); no venue symbol starts with `_`. */
export const LEADER = '_leader';

export interface ClusterOptions {
  bus: Bus;
  node: string;
  /** Live clock: leases are about real time, whatever `--speed` does to the market. */
  clock: Clock;
  enabled: boolean;
  ttlMs: number;
  renewMs?: number;
  skewMs?: number;
  logger?: Logger;
}

/** What this node may run: which symbols, and whether the cluster singletons. */
export interface Cluster {
  readonly enabled: boolean;
  readonly node: string;
  /** Whether this node runs the cluster singletons (always true without leases). */
  isLeader(): boolean;
  /** Whether this node hosts the symbol's actors and market data (always true without leases). */
  owns(symbol: string): boolean;
  /** Symbols whose lease this node holds. */
  owned(): string[];
  /** The symbols the node wants to share out (its universe watcher's view). Starts a lease pass. */
  setWanted(symbols: readonly string[]): void;
  /** The symbol left the universe with nothing open: give its lease up for good. */
  retire(symbol: string): Promise<void>;
  /** Awaited before a lease is handed over (lost) and after it is taken (gained). */
  onSymbol(cb: (symbol: string, owned: boolean) => void | Promise<void>): () => void;
  /** Awaited on leadership changes; a loss is awaited before the leader lease can be taken. */
  onLeader(cb: (leader: boolean) => void | Promise<void>): () => void;
  /** For `qt status`. */
  info(): Record<string, unknown>;
  /** Takes the first leases (leader and a fair share) and keeps renewing them. */
  start(): Promise<void>;
  /** Stops renewing; by default releases every lease so the other nodes take over at once. */
  stop(opts?: { release?: boolean }): Promise<void>;
}

/**
 * One node's membership in a cluster over KV `qt_leases`: symbol leases shared out by rendezvous
 * hashing (see `balance`), plus one leader lease for the singletons (brains, executor, user stream,
 * reconciler, universe selector). Leadership is sticky — it moves only when the leader dies or
 * leaves — because moving it restarts every brain.
 *
 * The symbols balanced are the wanted ones (the universe plus what this node drains) and every
 * lease in KV never retired: a symbol whose owner died while draining it (an open position outside
 * the universe) is still taken over, by whichever live node the balance names.
 */
export async function createCluster(o: ClusterOptions): Promise<Cluster> {
  if (!o.enabled) return single(o.node);
  const { clock } = o;
  const opts = { bus: o.bus, node: o.node, clock, ttlMs: o.ttlMs, ...(o.renewMs ? { renewMs: o.renewMs } : {}), ...(o.skewMs !== undefined ? { skewMs: o.skewMs } : {}), ...(o.logger ? { logger: o.logger } : {}) };
  const symbols = await createLeaseManager(opts);
  // A second manager over the same bucket holds only the leader key: `rebalance` of the first
  // would hand it out like a symbol, and leadership must not follow the hash.
  const leader = await createLeaseManager(opts);
  const every = Math.max(10, Math.min(o.renewMs ?? Math.floor(o.ttlMs / 3), o.ttlMs / 2));
  let wanted: readonly string[] = [];
  /** When each wanted symbol became wanted (see `claim`). */
  const since = new Map<string, number>();
  let running = false;
  let timer: TimerHandle | undefined;
  let current: Promise<void> = Promise.resolve();

  const leaderPass = async () => {
    try {
      await leader.renew();
      if (!leader.owned().includes(LEADER)) await leader.acquire(LEADER);
    } catch (err) {
      o.logger?.warn({ err }, 'leader lease pass failed; retrying');
    }
  };
  let kickedLeader = false;
  const leaderLoop = () => {
    clock.clearTimeout(timer);
    current = (async () => {
      await leaderPass();
      if (!running) return;
      // A dead leader's lease is taken as soon as it can be, not up to a renew interval later.
      const wait = Math.max(1, Math.min(every, leader.takeRetryAt() - clock.now()));
      timer = clock.setTimeout(() => running && leaderLoop(), wait);
    })();
  };
  const kickLeader = () => {
    if (!running || kickedLeader) return;
    kickedLeader = true;
    void current.then(() => {
      kickedLeader = false;
      if (running) leaderLoop();
    });
  };
  const stopWatch = await watchPeers(o, symbols, kickLeader);

  return {
    enabled: true,
    node: o.node,
    isLeader: () => leader.owned().includes(LEADER),
    owns: (s) => symbols.owned().includes(s),
    owned: () => symbols.owned(),
    setWanted(next) {
      wanted = [...next];
      for (const s of [...since.keys()]) if (!wanted.includes(s)) since.delete(s);
      for (const s of wanted) if (!since.has(s)) since.set(s, clock.now());
      symbols.kick();
    },
    retire: (s) => symbols.retire(s),
    onSymbol(cb) {
      const offLost = symbols.onLost((s) => cb(s, false));
      const offGained = symbols.onGained((s) => cb(s, true));
      return () => (offLost(), offGained());
    },
    onLeader(cb) {
      const offLost = leader.onLost(() => cb(false));
      const offGained = leader.onGained(() => cb(true));
      return () => (offLost(), offGained());
    },
    info: () => ({ leader: leader.owned().includes(LEADER), owned: symbols.owned() }),
    async start() {
      running = true;
      // The first leader pass is awaited, so the singletons start (or stay standby) with the tree.
      await leaderPass();
      leaderLoop();
      symbols.start(async () => {
        const claimed = await symbols.claimed();
        // A symbol only this node knows (a draining position, an adopted orphan) that the hash
        // gives to another node must be visible to that node, or nobody would take it.
        for (const s of wanted) if (!claimed.includes(s)) await symbols.claim(s, since.get(s) ?? 0);
        // The leader key lives in the same bucket; it is never shared out like a symbol.
        return [...new Set([...wanted, ...claimed])].filter((s) => s !== LEADER);
      });
    },
    async stop(opts = {}) {
      running = false;
      stopWatch();
      clock.clearTimeout(timer);
      await current;
      await symbols.stop(opts);
      await leader.stop(opts);
    },
  };
}

/**
 * Passes run on a timer, which bounds a takeover after a crash; a peer's clean goodbye or arrival
 * is seen at once through a watch on the bucket, so a handover does not wait for the next tick.
 * Heartbeat renewals of known peers are ignored (they would make every renewal a pass).
 */
async function watchPeers(o: ClusterOptions, symbols: LeaseManager, kickLeader: () => void): Promise<() => void> {
  const kv = await o.bus.kvm.open(BUCKETS.leases);
  const iter = await kv.watch({ key: '>', include: KvWatchInclude.UpdatesOnly });
  const peers = new Set<string>();
  const value = (e: KvWatchEntry): LeaseValue | undefined => {
    try {
      return e.operation === 'PUT' ? decode<LeaseValue>(e.value) : undefined;
    } catch {
      return undefined;
    }
  };
  void (async () => {
    for await (const e of iter) {
      const v = value(e);
      if (v?.node === o.node) continue;
      if (e.key.startsWith('node.')) {
        const peer = e.key.slice('node.'.length);
        // A new peer gets its share now; a leaving one's symbols are free after its release.
        if (v && !peers.has(peer)) (peers.add(peer), symbols.kick());
        else if (!v) (peers.delete(peer), symbols.kick());
      } else if (v?.expiresAt === 0) {
        if (e.key === leaseKey(LEADER)) kickLeader();
        else symbols.kick();
      }
    }
  })().catch((err: unknown) => o.logger?.warn({ err }, 'lease watch ended; handovers wait for the next pass'));
  return () => iter.stop();
}

/** A node alone: it owns everything and leads, with no KV traffic. */
function single(node: string): Cluster {
  return {
    enabled: false,
    node,
    isLeader: () => true,
    owns: () => true,
    owned: () => [],
    setWanted: () => undefined,
    retire: async () => undefined,
    onSymbol: () => () => undefined,
    onLeader: () => () => undefined,
    info: () => ({}),
    start: async () => undefined,
    stop: async () => undefined,
  };
}
