import { enqueueActions, setup } from 'xstate';
import { OUTPUT_EVENT, subjects, type OutputEvent, type Regime, type RegimeUpdate } from '../../../protocols/index.js';
import { DEFAULT_REGIME_PARAMS, emptySymbolState, marketRegime, stepSymbol, type CrossSectionItem, type RegimeFeatures, type RegimeParams, type SymbolRegimeState } from './classify.js';

/** The market-wide pseudo symbol of `qt.signal.MARKET.regime`. */
export const MARKET = 'MARKET';

export interface RegimeInput extends Partial<RegimeParams> {
  /** Republish an unchanged label after this many ms of feature time. @default 900000 */
  refreshMs?: number;
  /** A symbol silent this long (feature time) leaves the market cross-section. @default 600000 */
  staleMs?: number;
}

/** A features message of a symbol actor, reduced to what the classifier reads (see the def's parse). */
export interface FeaturesEvent {
  type: 'features';
  venue: string;
  symbol: string;
  ts: number;
  ready: boolean;
  /** Null when the message is not ready (warm-up). */
  features: RegimeFeatures | null;
  at: number;
}

interface Published {
  label: Regime;
  ts: number;
}

export interface RegimeContext {
  params: RegimeParams;
  refreshMs: number;
  staleMs: number;
  symbols: Record<string, SymbolRegimeState & { lastTs: number; published: Published | null }>;
  market: { label: Regime; trend: number; volatility: number; published: Published | null };
  /** Out-of-order or warm-up messages skipped. */
  ignored: number;
  updates: number;
}

type RegimeEvent = FeaturesEvent | { type: 'qt.fresh'; reason: string; at: number };

function update(symbol: string, ts: number, regime: Regime, volatility: number, trend: number): OutputEvent {
  const data: RegimeUpdate = { symbol, ts, regime, volatility: Math.max(0, volatility), trend: Number.isFinite(trend) ? trend : 0 };
  return { type: OUTPUT_EVENT, subject: subjects.regime(symbol), msgId: `regime:${symbol}:${ts}`, data };
}

// The cross-section is walked on every features message. The table is keyed by symbol and only
// grows, so past a dozen symbols V8 keeps it as a hash table and `for…in` collects and orders its
// keys each time; the key list is cached here instead, in insertion order (the order `for…in`
// gives), and rebuilt from the table itself when the table is new to this cache (a restore).
const tableKeys = new WeakMap<object, string[]>();
function keysOf(table: RegimeContext['symbols']): string[] {
  let keys = tableKeys.get(table);
  if (!keys) tableKeys.set(table, (keys = Object.keys(table)));
  return keys;
}
/** Reused by every message (synchronous use only): `marketRegime` only reads it. */
const liveScratch: CrossSectionItem[] = [];

const due = (p: Published | null, label: Regime, ts: number, refreshMs: number): boolean =>
  p === null || p.label !== label || ts - p.ts >= refreshMs;

/**
 * Regime brain: per symbol, trend_up / trend_down / range / volatile from the features the symbol
 * actors publish (trend in ATR units, volatility relative to the symbol's own baseline), with band
 * hysteresis plus `confirmBars` so one noisy bar cannot flip a label; and a MARKET regime from the
 * cross-section. Publishes only on a label change, plus a refresh every `refreshMs` of feature time,
 * with msgIds from the feature timestamp so a replay republishes nothing new.
 */
export const regimeMachine = setup({
  types: { context: {} as RegimeContext, events: {} as RegimeEvent, input: {} as RegimeInput, emitted: {} as OutputEvent },
  actions: {
    classify: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'features') return;
      const prev = context.symbols[event.symbol];
      if (!event.ready || !event.features || (prev && event.ts <= prev.lastTs)) {
        enqueue.assign({ ignored: context.ignored + 1 });
        return;
      }
      const next = stepSymbol(prev ?? emptySymbolState(), event.features, context.params);
      let published = prev?.published ?? null;
      if (next.label !== 'unknown' && due(published, next.label, event.ts, context.refreshMs)) {
        enqueue.emit(update(event.symbol, event.ts, next.label, next.atrNorm, next.trend));
        published = { label: next.label, ts: event.ts };
      }
      // The per-symbol table is owned by this actor alone and is plain data: updated in place, as
      // copying all symbols' entries for every features message dominated wide backtests.
      const symbols = context.symbols;
      if (!prev) keysOf(symbols).push(event.symbol);
      // A literal rather than `{ ...next, lastTs, published }`: same keys in the same order, one object.
      symbols[event.symbol] = {
        label: next.label, candidate: next.candidate, streak: next.streak, baseAtr: next.baseAtr, baseBb: next.baseBb, bars: next.bars,
        trend: next.trend, volRatio: next.volRatio, atrNorm: next.atrNorm, lastTs: event.ts, published,
      };
      const live = liveScratch;
      live.length = 0;
      const since = event.ts - context.staleMs;
      for (const k of keysOf(symbols)) {
        const s = symbols[k]!;
        if (s.lastTs >= since) live.push(s);
      }
      const m = marketRegime(context.market.label, live, context.params);
      live.length = 0;
      let mPublished = context.market.published;
      if (m.regime !== 'unknown' && due(mPublished, m.regime, event.ts, context.refreshMs)) {
        enqueue.emit(update(MARKET, event.ts, m.regime, m.volatility, m.trend));
        mPublished = { label: m.regime, ts: event.ts };
      }
      enqueue.assign({ symbols, market: { label: m.regime, trend: m.trend, volatility: m.volatility, published: mPublished }, updates: context.updates + 1 });
    }),
  },
}).createMachine({
  id: 'regime',
  context: ({ input }) => {
    const { refreshMs, staleMs, ...p } = input;
    const given = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
    return {
      params: { ...DEFAULT_REGIME_PARAMS, ...given },
      refreshMs: refreshMs ?? 900_000,
      staleMs: staleMs ?? 600_000,
      symbols: {},
      market: { label: 'unknown', trend: 0, volatility: 0, published: null },
      ignored: 0,
      updates: 0,
    };
  },
  on: { features: { actions: 'classify' } },
});
