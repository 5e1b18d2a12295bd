import { assign, enqueueActions, setup } from 'xstate';
import { OUTPUT_EVENT, subjects, type OutputEvent, type Universe } from '../../protocols/index.js';

export interface UniverseInput {
  venue: string;
  /** @default 20 */
  topN?: number;
  /** Always in, whatever their volume. */
  include?: string[];
  /** Never in. */
  exclude?: string[];
  /** Minimum 24h quote volume (USDT). @default 0 */
  minQuoteVolume?: number;
  /** Only symbols quoted in this asset. @default 'USDT' */
  quote?: string;
}

interface Ctx {
  venue: string;
  topN: number;
  include: string[];
  exclude: string[];
  minQuoteVolume: number;
  quote: string;
  symbols: string[];
  refreshes: number;
  lastTs: number | null;
}

export interface TickersEvent {
  type: 'tickers';
  ts: number;
  tickers: Array<{ symbol: string; quoteVolume: number }>;
  at: number;
}

type Ev = TickersEvent | { type: 'qt.fresh'; at: number };

/** Top N by 24h quote volume, with include/exclude lists and a volume floor. Pure and deterministic. */
export function selectUniverse(c: Pick<Ctx, 'topN' | 'include' | 'exclude' | 'minQuoteVolume' | 'quote'>, tickers: TickersEvent['tickers']): string[] {
  const excluded = new Set(c.exclude);
  const ranked = tickers
    .filter((t) => t.symbol.endsWith(c.quote) && !excluded.has(t.symbol) && Number.isFinite(t.quoteVolume) && t.quoteVolume >= c.minQuoteVolume)
    .sort((a, b) => b.quoteVolume - a.quoteVolume || a.symbol.localeCompare(b.symbol))
    .map((t) => t.symbol);
  const chosen = new Set(c.include.filter((s) => !excluded.has(s)));
  for (const s of ranked) {
    if (chosen.size >= Math.max(c.topN, c.include.length)) break;
    chosen.add(s);
  }
  return [...chosen].sort();
}

/**
 * The universe actor: on each 24h-ticker snapshot it selects the symbols to trade and publishes a
 * change (added/removed) when the selection moved. Replaces the old static list typed into Redis.
 */
export const universeMachine = setup({
  types: { context: {} as Ctx, events: {} as Ev, input: {} as UniverseInput, emitted: {} as OutputEvent },
}).createMachine({
  id: 'universe',
  context: ({ input }) => ({
    venue: input.venue, topN: input.topN ?? 20, include: input.include ?? [], exclude: input.exclude ?? [],
    minQuoteVolume: input.minQuoteVolume ?? 0, quote: input.quote ?? 'USDT', symbols: [], refreshes: 0, lastTs: null,
  }),
  on: {
    tickers: {
      actions: enqueueActions(({ context, event, enqueue }) => {
        if (context.lastTs !== null && event.ts <= context.lastTs) return;
        const next = selectUniverse(context, event.tickers);
        const prev = new Set(context.symbols);
        const added = next.filter((s) => !prev.has(s));
        const removed = context.symbols.filter((s) => !next.includes(s));
        enqueue.assign({ symbols: next, refreshes: context.refreshes + 1, lastTs: event.ts });
        if (added.length === 0 && removed.length === 0 && context.refreshes > 0) return;
        const u: Universe = { venue: context.venue, ts: event.ts, symbols: next, added, removed };
        enqueue.emit({ type: OUTPUT_EVENT, subject: subjects.universe(context.venue), msgId: `universe:${context.venue}:${event.ts}`, data: u });
      }),
    },
    'qt.fresh': { actions: assign({ lastTs: null }) },
  },
});
