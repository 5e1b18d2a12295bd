import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { BUCKETS, leaseKey, leaseNodeKey } from '../../protocols/index.js';
import type { Clock, TimerHandle } from '../clock/index.js';
import { decode, encode } from '../codec.js';
import { scanKv, type Bus } from '../nats/index.js';
import { balance } from './balance.js';

/** A lease (or a node heartbeat) as stored in KV. */
export interface LeaseValue {
  node: string;
  /** Clock ms after which another node may take the key. 0 = released. */
  expiresAt: number;
  ts: number;
  /**
   * Released for good: the symbol left the universe with nothing open. A lease that expired or was
   * released without this still names a symbol someone must own (a draining position, an orphan).
   */
  retired?: true;
}

/** Why this node stopped owning a symbol. */
export type LostReason = 'conflict' | 'expired' | 'rebalanced' | 'released';

export interface LeaseManagerOptions {
  bus: Bus;
  /** This node's id; unique per process across the cluster. */
  node: string;
  /** Lease lifetime. @default 15000 */
  ttlMs?: number;
  /** How often `start` renews, heartbeats and rebalances; must be well under the TTL. @default ttlMs / 3 */
  renewMs?: number;
  clock: Clock;
  /**
   * Clock skew tolerated between nodes: an owner stops `skewMs` before its lease ends and a taker
   * waits `skewMs` after, so two machines whose clocks differ by less never overlap.
   * @default min(1000, ttlMs / 10)
   */
  skewMs?: number;
  /**
   * Time allowed to stop a symbol's actors when a lease cannot be renewed: the owner lets go this
   * much before `expiresAt - skewMs`, so its actors are down before anyone may take over. A stop
   * slower than this may still overlap the next owner's start; KV compare-and-set fences that.
   * @default min(2000, ttlMs / 5)
   */
  stopMs?: number;
  /** @default 'qt_leases' */
  bucket?: string;
  logger?: Logger;
}

/** Symbol leases of one node. */
export interface LeaseManager {
  readonly node: string;
  readonly ttlMs: number;
  /** Takes the lease when free, released, expired, or already ours. Never takes a live lease of another node. */
  acquire(symbol: string): Promise<boolean>;
  /** Extends every held lease with compare-and-set; a conflict loses that symbol at once. */
  renew(): Promise<void>;
  /** Gives the lease up (onLost 'released' fires first, so the symbol stops before anyone can take it). */
  release(symbol: string): Promise<void>;
  /** Releases for good: the symbol needs no owner any more (see `LeaseValue.retired`). */
  retire(symbol: string): Promise<void>;
  /** Symbols with a lease in KV that was never retired, whoever holds it (alive or not). */
  claimed(): Promise<string[]>;
  /**
   * Makes a symbol this node wants visible to every node (a released, unretired lease), so that
   * whichever node the balance names takes it, even one that does not know the symbol. A lease
   * retired after `wantedSince` stays retired: the retiring owner knew better.
   */
  claim(symbol: string, wantedSince: number): Promise<void>;
  /** Earliest clock ms at which a lease or heartbeat seen live since the last call expires (then resets); Infinity if none. */
  takeRetryAt(): number;
  /** Symbols held right now, by this node's clock. */
  owned(): string[];
  /** Called when a symbol stops being ours; the manager awaits it before handing a symbol over. */
  onLost(cb: (symbol: string, why: LostReason) => void | Promise<void>): () => void;
  onGained(cb: (symbol: string) => void | Promise<void>): () => void;
  /** Announces this node as live for one TTL. */
  heartbeat(): Promise<void>;
  /** Nodes whose heartbeat has not expired. */
  liveNodes(): Promise<string[]>;
  /** One balancing pass: release what `balance` gives to others, acquire what it gives us. */
  rebalance(universe: readonly string[]): Promise<void>;
  /** Runs heartbeat + renew + rebalance every `renewMs` until `stop`. */
  start(universe: () => readonly string[] | Promise<readonly string[]>): void;
  /** Runs a pass now (e.g. the universe changed) instead of at the next tick. */
  kick(): void;
  /** Stops the loop; by default releases every lease and withdraws the heartbeat, so others take over at once. */
  stop(opts?: { release?: boolean }): Promise<void>;
}

interface Held {
  revision: number;
  expiresAt: number;
  timer: TimerHandle | undefined;
}

/** JetStream's answer to a compare-and-set on a stale revision (10071 wrong last sequence). */
const isConflict = (e: unknown) => /wrong last sequence|key exists/i.test((e as Error)?.message ?? '') || (e as { api_error?: { err_code?: number } })?.api_error?.err_code === 10071;

/**
 * Creates the lease manager of one node over KV `qt_leases`. TTL is implemented with
 * compare-and-set rather than per-key TTL (NATS 2.10+): the value carries `{ node, expiresAt }`,
 * a node takes a key over only after `expiresAt + skew` using `kv.update(key, value, revision)`,
 * so of two takers exactly one wins; the owner renews every ttl/3 with the same CAS.
 */
export async function createLeaseManager(o: LeaseManagerOptions): Promise<LeaseManager> {
  const bucket = o.bucket ?? BUCKETS.leases;
  const kv: KV = await o.bus.kvm.open(bucket);
  const { clock, node } = o;
  const ttl = o.ttlMs ?? 15_000;
  const skew = o.skewMs ?? Math.min(1_000, ttl / 10);
  // Local ownership ends this early: skew for the clocks, plus time to stop the actors.
  const early = skew + (o.stopMs ?? Math.min(2_000, ttl / 5));
  const every = Math.max(10, Math.min(o.renewMs ?? Math.floor(ttl / 3), ttl - 2 * early));
  const held = new Map<string, Held>();
  const lostCbs = new Set<(s: string, why: LostReason) => void | Promise<void>>();
  const gainedCbs = new Set<(s: string) => void | Promise<void>>();
  let retryAt = Infinity;
  let chain: Promise<unknown> = Promise.resolve();
  // KV writes of one manager run one at a time: a renew racing a release of the same key would
  // otherwise read as a conflict and report a loss that never happened.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => undefined);
    return p;
  };
  const notify = async <A extends unknown[]>(cbs: Set<(...a: A) => void | Promise<void>>, ...args: A) => {
    for (const cb of cbs) {
      try {
        await cb(...args);
      } catch (err) {
        o.logger?.error({ err, args }, 'lease callback failed');
      }
    }
  };
  const lapse = async (symbol: string, why: LostReason) => {
    const h = held.get(symbol);
    if (!h) return;
    held.delete(symbol);
    clock.clearTimeout(h.timer);
    o.logger?.[why === 'rebalanced' || why === 'released' ? 'info' : 'warn']({ symbol, why }, `lease lost: ${symbol} (${why})`);
    await notify(lostCbs, symbol, why);
  };
  const hold = (symbol: string, revision: number, expiresAt: number) => {
    const prev = held.get(symbol);
    clock.clearTimeout(prev?.timer);
    const h: Held = { revision, expiresAt, timer: undefined };
    // Stop owning before the lease ends (skew + stop time early) even when renewals hang: NATS may be unreachable.
    h.timer = clock.setTimeout(() => held.get(symbol) === h && void lapse(symbol, 'expired'), Math.max(0, expiresAt - early - clock.now()));
    held.set(symbol, h);
  };
  const value = (expiresAt: number, retired = false): Uint8Array => encode({ node, expiresAt, ts: clock.now(), ...(retired ? { retired: true as const } : {}) } satisfies LeaseValue);

  const acquire = (symbol: string) =>
    serial(async () => {
      const now = clock.now();
      const h = held.get(symbol);
      if (h && h.expiresAt - early > now) return true;
      const key = leaseKey(symbol);
      const e = await kv.get(key);
      let cur: LeaseValue | undefined;
      if (e && e.operation === 'PUT') {
        try {
          cur = decode<LeaseValue>(e.value);
        } catch {
          cur = undefined;
        }
      }
      if (cur && cur.node !== node && cur.expiresAt + skew >= now) {
        retryAt = Math.min(retryAt, cur.expiresAt + skew + 1);
        return false;
      }
      try {
        const expiresAt = now + ttl;
        const rev = e ? await kv.update(key, value(expiresAt), e.revision) : await kv.create(key, value(expiresAt));
        hold(symbol, rev, expiresAt);
      } catch (err) {
        if (isConflict(err)) return false;
        throw err;
      }
      o.logger?.info({ symbol }, `lease gained: ${symbol}`);
      await notify(gainedCbs, symbol);
      return true;
    });

  const release = (symbol: string, why: LostReason = 'released', retired = false) =>
    serial(async () => {
      const h = held.get(symbol);
      if (!h) return;
      await lapse(symbol, why);
      // A conflict here means someone already holds it; there is nothing left to give up.
      await kv.update(leaseKey(symbol), value(0, retired), h.revision).catch((err: unknown) => {
        if (!isConflict(err)) o.logger?.warn({ err, symbol }, 'lease release failed; it lapses at its expiry');
      });
    });

  const renew = () =>
    serial(async () => {
      await Promise.all(
        [...held].map(async ([symbol, h]) => {
          const expiresAt = clock.now() + ttl;
          try {
            const rev = await kv.update(leaseKey(symbol), value(expiresAt), h.revision);
            if (held.get(symbol) === h) hold(symbol, rev, expiresAt);
          } catch (err) {
            if (isConflict(err)) await lapse(symbol, 'conflict');
            // Anything else (timeout, disconnect) is not proof of loss: keep it until it expires locally.
            else o.logger?.warn({ err, symbol }, 'lease renewal failed; retrying until it expires');
          }
        }),
      );
    });

  const heartbeat = async () => void (await kv.put(leaseNodeKey(node), value(clock.now() + ttl)));
  /** Every value under `<prefix>.*` we can read (a value we did not write is skipped). */
  const scan = async (prefix: 'node' | 'lease') => {
    const out: Array<[string, LeaseValue]> = [];
    for (const e of await scanKv(o.bus, bucket, `${prefix}.*`)) {
      try {
        out.push([e.key.slice(prefix.length + 1), decode<LeaseValue>(e.value)]);
      } catch {
        // not ours; ignore
      }
    }
    return out;
  };
  const liveNodes = async () => {
    const now = clock.now();
    const live = (await scan('node')).map(([, v]) => v).filter((v) => v.expiresAt > now);
    // A pass right after a peer's heartbeat lapses picks up its symbols without waiting a tick.
    for (const v of live) if (v.node !== node) retryAt = Math.min(retryAt, v.expiresAt + 1);
    return live.map((v) => v.node).sort();
  };
  const claimed = async () => (await scan('lease')).filter(([, v]) => !v.retired).map(([s]) => s).sort();
  const claim = async (symbol: string, wantedSince: number) => {
    const key = leaseKey(symbol);
    const e = await kv.get(key);
    try {
      if (!e || e.operation !== 'PUT') await (e ? kv.update(key, value(0), e.revision) : kv.create(key, value(0)));
      else if (decode<LeaseValue>(e.value).retired && decode<LeaseValue>(e.value).ts < wantedSince) await kv.update(key, value(0), e.revision);
    } catch (err) {
      // Someone wrote it meanwhile: it is claimed either way.
      if (!isConflict(err)) throw err;
    }
  };
  const rebalance = async (universe: readonly string[]) => {
    const live = await liveNodes();
    if (!live.includes(node)) live.push(node);
    const plan = balance(universe, live);
    // Hand over first, so the new owner finds the lease released on its next pass.
    for (const symbol of [...held.keys()]) if (plan.get(symbol) !== node) await release(symbol, 'rebalanced');
    for (const [symbol, owner] of plan) if (owner === node && !held.has(symbol)) await acquire(symbol);
  };

  let running = false;
  let timer: TimerHandle | undefined;
  let current: Promise<void> = Promise.resolve();
  let universeFn: () => readonly string[] | Promise<readonly string[]> = () => [];
  let kicked = false;
  const tick = () => {
    clock.clearTimeout(timer);
    current = (async () => {
      retryAt = Infinity;
      try {
        await heartbeat();
        await renew();
        await rebalance(await universeFn());
      } catch (err) {
        o.logger?.warn({ err }, 'lease pass failed; retrying');
      }
      if (!running) return;
      // A lease of a dead node expiring before the next pass is taken right when it can be.
      const wait = Math.max(1, Math.min(every, retryAt - clock.now()));
      timer = clock.setTimeout(() => running && tick(), wait);
    })();
  };

  return {
    node,
    ttlMs: ttl,
    acquire,
    renew,
    release: (symbol) => release(symbol),
    retire: (symbol) => release(symbol, 'released', true),
    claimed,
    claim,
    takeRetryAt() {
      const r = retryAt;
      retryAt = Infinity;
      return r;
    },
    owned: () => {
      const now = clock.now();
      return [...held].filter(([, h]) => h.expiresAt - early > now).map(([s]) => s).sort();
    },
    onLost: (cb) => (lostCbs.add(cb), () => void lostCbs.delete(cb)),
    onGained: (cb) => (gainedCbs.add(cb), () => void gainedCbs.delete(cb)),
    heartbeat,
    liveNodes,
    rebalance,
    start(universe) {
      if (running) return;
      running = true;
      universeFn = universe;
      tick();
    },
    kick() {
      // A pass in flight finishes first; the kicked one follows at once (several kicks make one pass).
      if (!running || kicked) return;
      kicked = true;
      void current.then(() => {
        kicked = false;
        if (running) tick();
      });
    },
    async stop(opts = {}) {
      running = false;
      clock.clearTimeout(timer);
      await current;
      if (opts.release === false) return;
      for (const symbol of [...held.keys()]) await release(symbol);
      await kv.delete(leaseNodeKey(node)).catch(() => undefined);
    },
  };
}
