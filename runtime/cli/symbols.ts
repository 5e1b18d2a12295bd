import type { HostedActor } from '../host/index.js';
import type { Config } from '../config/index.js';
import type { UniverseTargets } from '../market/index.js';
import { hostedChild } from '../../supervisors/index.js';
import { symbolDef } from './defs.js';
import { ordersDef } from './defs-orders.js';
import { positionDef } from './defs-position.js';
import type { NodeHostDeps } from './node.js';
import type { VenueLinks } from './venue.js';

/** The three actors every traded symbol gets: market features, its orders, its position. */
const POOLS = [
  { pool: 'symbols', prefix: 'symbol-' },
  { pool: 'orders', prefix: 'orders-' },
  { pool: 'positions', prefix: 'position-' },
] as const;

/**
 * What the universe watcher does to the pools. A symbol leaving the universe keeps its actors
 * while its position actor holds a position (drain), and loses them once it is flat.
 */
export function symbolTargets(o: { cfg: Config; venue: string; links: VenueLinks; host: NodeHostDeps }): UniverseTargets {
  const { cfg, venue, links } = o;
  // Venue round trips take wall time whatever the market's speed: the window after which a
  // NOT_FOUND proves an order absent is scaled into market time. The executor refuses place
  // commands older than 4 s wall, so a place can never reach the venue after its order was
  // declared dead (5 s wall) — at any speed. (Status queries stay on market time: at high speed
  // they settle in-flight orders sooner, which the 5 s stop rule needs.)
  const order = { processingWindowMs: 5_000 * (o.host.clock.speed ?? 1) };
  const defs = {
    symbols: symbolDef({ venue, interval: cfg.market.intervals[0]!, signalSource: cfg.signals.source, fallbackRule: cfg.signals.fallbackRule, staleSignalMs: cfg.signals.staleAfterMs }),
    orders: ordersDef({ venue, maxNotional: cfg.risk.maxIntentNotional, order }),
    positions: positionDef({ venue, rules: (sym) => links.rules.get(sym) }),
  };
  const has = (pool: string, id: string) => links.pool?.(pool)?.whichChildren().some((c) => c.id === id) ?? false;
  return {
    async startSymbol(sym) {
      // Execution first, so a position's protective orders always have an orders actor to go to.
      for (const p of [POOLS[1], POOLS[2], POOLS[0]]) {
        const sup = links.pool?.(p.pool);
        if (!sup || has(p.pool, `${p.prefix}${sym}`)) continue;
        await sup.startChild(hostedChild(defs[p.pool], sym, o.host, { childId: `${p.prefix}${sym}` }));
      }
    },
    async stopSymbol(sym) {
      for (const p of POOLS) if (has(p.pool, `${p.prefix}${sym}`)) await links.pool?.(p.pool)?.terminateChild(`${p.prefix}${sym}`);
    },
    async hasOpenPosition(sym) {
      const h = links.pool?.('positions')?.whichChildren().find((c) => c.id === `position-${sym}`)?.handle as HostedActor | undefined;
      const ctx = h?.actor.getSnapshot().context as { qty?: number } | undefined;
      return (ctx?.qty ?? 0) > 0;
    },
    setMarketSymbols: async (syms) => links.market?.setUniverse(syms),
  };
}
