import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { STREAMS, subjects, type Universe } from '../../protocols/index.js';
import { decode } from '../codec.js';
import { InjectedCrash, RuntimeError } from '../errors.js';
import type { Bus } from '../nats/index.js';
import type { Clock, TimerHandle } from '../clock/index.js';

/** What the watcher needs from the symbol pool and the market-data worker. */
export interface UniverseTargets {
  /** Starts the symbol's actor if it is not running. */
  startSymbol(symbol: string): Promise<void>;
  /** Stops and removes the symbol's actor. */
  stopSymbol(symbol: string): Promise<void>;
  /** Whether an open position still needs the symbol's actor (it then drains instead). */
  hasOpenPosition(symbol: string): Promise<boolean>;
  /** Streams market data for exactly these symbols. */
  setMarketSymbols(symbols: string[]): Promise<void>;
}

type Exit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

/**
 * Applies universe changes: entering symbols get an actor in the pool; leaving symbols are
 * drained — an open position keeps its symbol actor (and its market data) until it is closed.
 * On (re)start it replays the last universe message, so a restarted node converges at once.
 */
export async function startUniverseWatch(o: { bus: Bus; venue: string; targets: UniverseTargets; logger: Logger; clock?: Clock; resyncMs?: number }) {
  const log = o.logger.child({ component: 'universe-watch', venue: o.venue });
  let resolveExit!: (e: Exit) => void;
  const exited = new Promise<Exit>((r) => (resolveExit = r));
  let ended = false;
  let current: string[] = [];
  const draining = new Set<string>();
  let chain = Promise.resolve();
  let applied = 0;

  let resync: TimerHandle | undefined;
  const end = (e: Exit) => {
    if (ended) return;
    ended = true;
    o.clock?.clearTimeout(resync);
    void sub?.stop();
    resolveExit(e);
  };
  const fail = (e: unknown) => end({ kind: 'crash', error: e instanceof Error ? e : new RuntimeError(String(e)) });

  const apply = async (u: Universe) => {
    const want = new Set(u.symbols);
    for (const s of u.symbols) {
      draining.delete(s);
      await o.targets.startSymbol(s);
    }
    for (const s of [...current, ...draining]) {
      if (want.has(s)) continue;
      if (await o.targets.hasOpenPosition(s)) {
        draining.add(s);
      } else {
        draining.delete(s);
        await o.targets.stopSymbol(s);
      }
    }
    current = [...u.symbols];
    await o.targets.setMarketSymbols([...new Set([...current, ...draining])]);
    applied++;
    log.info({ symbols: current.length, added: u.added, removed: u.removed, draining: [...draining] }, 'universe applied');
  };

  const c = await o.bus.js.consumers.get(STREAMS.market, { filter_subjects: subjects.universe(o.venue), deliver_policy: DeliverPolicy.LastPerSubject });
  const sub: ConsumerMessages = await c.consume({
    callback: (m) => {
      let u: Universe;
      try {
        u = decode<Universe>(m.data);
      } catch (e) {
        log.warn({ err: e }, 'undecodable universe message ignored');
        return;
      }
      chain = chain.then(() => apply(u)).catch(fail);
    },
  });

  // Level-triggered: a pool that came back empty after an escalation is refilled within resyncMs,
  // instead of waiting for the next universe change (hours away) with positions left unmanaged.
  const tick = () => {
    if (ended || !o.clock) return;
    resync = o.clock.setTimeout(() => {
      if (current.length || draining.size) {
        chain = chain.then(async () => {
          for (const s of [...current, ...draining]) await o.targets.startSymbol(s);
        }).catch(fail);
      }
      tick();
    }, o.resyncMs ?? 10_000);
  };
  tick();

  return {
    exited,
    async stop() {
      end({ kind: 'shutdown' });
      await chain;
    },
    kill: () => end({ kind: 'shutdown' }),
    inject: (e: Error) => fail(e instanceof Error ? e : new InjectedCrash()),
    info: () => ({ symbols: current.length, draining: [...draining], applied }),
    /** Keeps a symbol outside the universe (e.g. an adopted orphan) until its position is flat. */
    pin: (symbol: string) => {
      chain = chain.then(async () => {
        if (!current.includes(symbol)) draining.add(symbol);
        await o.targets.setMarketSymbols([...new Set([...current, ...draining])]);
      }).catch(fail);
      return chain;
    },
    /** Re-checks drained symbols, e.g. after a position closed. */
    recheck: () => {
      chain = chain.then(async () => {
        for (const s of [...draining]) {
          if (!(await o.targets.hasOpenPosition(s))) {
            draining.delete(s);
            await o.targets.stopSymbol(s);
          }
        }
        await o.targets.setMarketSymbols([...new Set([...current, ...draining])]);
      }).catch(fail);
      return chain;
    },
  };
}
