import { enqueueActions, setup } from 'xstate';
import {
  DLQ_REASON_HEADER, IntentSchema, OUTPUT_EVENT, subjects, SYMBOL_PATTERN,
  type Intent, type JournalEntry, type OutputEvent, type Regime, type RegimeUpdate, type Signal, type Timers,
} from '../../../protocols/index.js';
import { gate, type GateParams, type SkipReason } from './decide.js';
import { exitTemplate, sizeIntent, type SizingParams } from './sizing.js';

export interface StrategyParams extends SizingParams, GateParams {
  /** Equity until the first equity update. @default 10000 */
  equity: number;
  /** @default 3 */
  leverage: number;
  /** ms an intent counts as pending exposure unless a position picks it up. @default 300000 */
  pendingTtlMs: number;
}

export const DEFAULT_STRATEGY_PARAMS: StrategyParams = {
  minConfidence: 0.6, againstTrend: 'skip', equity: 10_000, riskPerTrade: 0.0025, stopPct: 0.02, stopAtr: 2, volatileStopAtr: 3,
  tpFractions: [0.3, 0.3, 0.4], trailActivatePct: 0.01,
  maxSymbolFraction: 0.1, maxTotalFraction: 1.5, minNotional: 5, leverage: 3, pendingTtlMs: 300_000,
};

export type StrategyInput = Partial<StrategyParams>;

/** A position actor's update, reduced to the exposure it represents. */
export interface PositionEvent {
  type: 'position';
  symbol: string;
  state: string;
  qty: number;
  price: number;
  intentId: string | null;
  ts: number;
  at: number;
}

export type StrategyEvent =
  | { type: 'signal'; signal: Signal; at: number }
  | { type: 'regime'; update: RegimeUpdate; at: number }
  | { type: 'equity'; equity: number; ts: number; at: number }
  | PositionEvent
  | { type: 'qt.timer'; name: string; dueAt: number; at: number }
  | { type: 'qt.fresh'; reason: string; at: number };

export interface StrategyContext {
  params: StrategyParams;
  equity: { value: number; ts: number; source: 'config' | 'update' };
  regimes: Record<string, { regime: Regime; ts: number }>;
  /** Newest signal ts per symbol: an older or equal one is a duplicate or a replay. */
  lastSignalTs: Record<string, number>;
  pending: Record<string, { symbol: string; notional: number; expiresAt: number }>;
  open: Record<string, number>;
  timers: Timers;
  stats: { signals: number; intents: number; skipped: Partial<Record<SkipReason, number>> };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** `{ ...data, ...extra }` for a fresh `data`, without building a third object. */
function withExtra(data: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  for (const k in extra) data[k] = extra[k];
  return data;
}

function journal(kind: 'signal' | 'intent', entry: Omit<JournalEntry, 'kind'>, msgId: string): OutputEvent {
  return { type: OUTPUT_EVENT, subject: subjects.journal(kind), msgId, data: { kind, ...entry } satisfies JournalEntry };
}

function exposure(ctx: StrategyContext, symbol: string): { symbol: number; total: number } {
  const pend = Object.values(ctx.pending);
  return {
    symbol: (ctx.open[symbol] ?? 0) + sum(pend.filter((p) => p.symbol === symbol).map((p) => p.notional)),
    total: sum(Object.values(ctx.open)) + sum(pend.map((p) => p.notional)),
  };
}

function nextExpiry(pending: StrategyContext['pending'], timers: Timers): Timers {
  const { pending: _drop, ...rest } = timers;
  const due = Object.values(pending).map((p) => p.expiresAt);
  return due.length ? { ...rest, pending: Math.min(...due) } : rest;
}

/**
 * Strategy brain: signals + regimes → intents on `qt.intent.<SYM>` (the only way to ask risk for a
 * trade). Every signal lands in `qt.journal.signal` with its decision, and every BUY/SELL decision
 * in `qt.journal.intent` (taken with its sizing, or skipped with the reason), carrying the
 * signal's attribution — the old system filtered signals silently; this one says why. Intent ids
 * are `<SYM>:<signal ts>:<side>` and double as msgIds, so a redelivered signal cannot make two.
 */
export const strategyMachine = setup({
  types: { context: {} as StrategyContext, events: {} as StrategyEvent, input: {} as StrategyInput, emitted: {} as OutputEvent },
  actions: {
    onSignal: enqueueActions(({ context: ctx, event, enqueue }) => {
      if (event.type !== 'signal') return;
      const s = event.signal;
      if (!SYMBOL_PATTERN.test(s.symbol)) {
        enqueue.emit({ type: OUTPUT_EVENT, subject: subjects.dlq('strategy.main'), data: s, headers: { [DLQ_REASON_HEADER]: `bad symbol ${JSON.stringify(s.symbol)}` } });
        return;
      }
      const base = { ts: s.ts, symbol: s.symbol, attribution: s.attribution };
      const sigData = { side: s.side, confidence: s.confidence, source: s.source, price: s.price, atr: s.atr ?? null, interval: s.interval, reason: s.reason ?? null, models: s.contributions.map((c) => `${c.model}@${c.version}`) };
      const stats = { ...ctx.stats, signals: ctx.stats.signals + 1, skipped: { ...ctx.stats.skipped } };
      const skip = (reason: SkipReason, detail: string, extra: Record<string, unknown>, dup = false) => {
        stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1;
        const id = `${s.symbol}:${s.ts}:${s.side}${dup ? ':dup' : ''}`;
        // Every signal the gate refuses passes here (most of them): the entries are written as
        // literals in the key order the spreads gave, as spreading two objects into a third cost
        // more than the rest of the decision.
        const data = {
          side: sigData.side, confidence: sigData.confidence, source: sigData.source, price: sigData.price, atr: sigData.atr,
          interval: sigData.interval, reason, models: sigData.models, decision: 'skipped', detail,
        };
        enqueue.emit(journal('signal', { ts: s.ts, symbol: s.symbol, attribution: s.attribution, summary: `${s.side} ${s.symbol} skipped: ${reason}`, data: withExtra(data, extra) }, `jrnl:signal:${id}`));
        if (s.side !== 'HOLD' && !dup) enqueue.emit(journal('intent', { ts: s.ts, symbol: s.symbol, attribution: s.attribution, summary: `no intent for ${s.side} ${s.symbol}: ${reason}`, data: withExtra({ decision: 'skipped', reason, detail, side: s.side, confidence: s.confidence }, extra) }, `jrnl:intent:${id}`));
        enqueue.assign({ stats });
      };
      const last = ctx.lastSignalTs[s.symbol];
      if (last !== undefined && s.ts <= last) return skip('DUPLICATE', `signal ts ${s.ts} ≤ last seen ${last}`, {}, true);
      // Owned by this actor alone: updated in place rather than copying every symbol's entry per signal.
      ctx.lastSignalTs[s.symbol] = s.ts;
      const g = gate(s, ctx.regimes[s.symbol]?.regime, ctx.regimes.MARKET?.regime, ctx.params);
      const reg = { regime: g.regime, regimeSource: g.regimeSource };
      if (!g.take) return skip(g.reason, g.detail, reg);
      const side = s.side as 'BUY' | 'SELL';
      const ex = exposure(ctx, s.symbol);
      const size = sizeIntent(ctx.params, { equity: ctx.equity.value, price: s.price, atr: s.atr, confidence: s.confidence, regime: g.regime, symbolExposure: ex.symbol, totalExposure: ex.total });
      const sizing = { equity: ctx.equity.value, equitySource: ctx.equity.source, stopDistance: size.stopDistance, rawNotional: size.rawNotional, symbolExposure: ex.symbol, totalExposure: ex.total };
      if (!size.ok) return skip(size.reason, size.detail, { ...reg, sizing });
      const intentId = `${s.symbol}:${s.ts}:${side}`;
      const candidate: Intent = {
        intentId, symbol: s.symbol, venue: s.venue, ts: s.ts, kind: 'entry', side, confidence: s.confidence, attribution: s.attribution,
        price: s.price, qty: size.qty, notional: size.notional, leverage: ctx.params.leverage, regime: g.regime,
        ...(s.atr !== undefined ? { atr: s.atr } : {}), exit: exitTemplate(g.regime, size.stopDistance, ctx.params),
      };
      const checked = IntentSchema.safeParse(candidate);
      if (!checked.success) return skip('INVALID_INTENT', checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), { ...reg, sizing });
      const intent = checked.data;
      const pending = { ...ctx.pending, [intentId]: { symbol: s.symbol, notional: intent.notional, expiresAt: event.at + ctx.params.pendingTtlMs } };
      stats.intents += 1;
      enqueue.assign({ pending, timers: nextExpiry(pending, ctx.timers), stats });
      enqueue.emit({ type: OUTPUT_EVENT, subject: subjects.intent(s.symbol), msgId: intentId, data: intent });
      enqueue.emit(journal('signal', { ...base, intentId, summary: `${side} ${s.symbol} taken → ${intentId}`, data: { ...sigData, decision: 'taken', ...reg } }, `jrnl:signal:${intentId}`));
      enqueue.emit(journal('intent', {
        ...base, intentId,
        summary: `${side} ${intent.qty} ${s.symbol} (≈${intent.notional} USDT, conf ${s.confidence.toFixed(2)}, ${g.regime}, capped: ${size.capped})`,
        data: { decision: 'taken', ...reg, side, confidence: s.confidence, qty: intent.qty, notional: intent.notional, leverage: intent.leverage, capped: size.capped, sizing, exit: intent.exit },
      }, `jrnl:intent:${intentId}`));
    }),
    onRegime: enqueueActions(({ context, event }) => {
      if (event.type !== 'regime') return;
      const u = event.update;
      const prev = context.regimes[u.symbol];
      if (prev && u.ts < prev.ts) return;
      context.regimes[u.symbol] = { regime: u.regime, ts: u.ts }; // owned: in place, like lastSignalTs
    }),
    onEquity: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'equity' || (context.equity.source === 'update' && event.ts < context.equity.ts)) return;
      enqueue.assign({ equity: { value: event.equity, ts: event.ts, source: 'update' } });
    }),
    onPosition: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'position') return;
      const open = { ...context.open };
      const live = event.qty > 0 && event.state !== 'flat' && event.state !== 'closed';
      if (live) open[event.symbol] = event.qty * event.price;
      else delete open[event.symbol];
      // Once a position carries the intent, its exposure is counted as open, not pending. Copied
      // only when that removes something: most position updates carry no pending intent, and a
      // table of intent ids is a hash table that is slow to copy.
      let pending = context.pending;
      if (event.intentId && Object.hasOwn(pending, event.intentId)) {
        pending = { ...pending };
        delete pending[event.intentId];
      }
      enqueue.assign({ open, pending, timers: nextExpiry(pending, context.timers) });
    }),
    onTimer: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'qt.timer' || event.name !== 'pending') return;
      const pending = Object.fromEntries(Object.entries(context.pending).filter(([, p]) => p.expiresAt > event.at));
      enqueue.assign({ pending, timers: nextExpiry(pending, context.timers) });
    }),
  },
}).createMachine({
  id: 'strategy',
  context: ({ input }) => {
    const params = { ...DEFAULT_STRATEGY_PARAMS, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
    return {
      params, equity: { value: params.equity, ts: 0, source: 'config' }, regimes: {}, lastSignalTs: {}, pending: {}, open: {}, timers: {},
      stats: { signals: 0, intents: 0, skipped: {} },
    };
  },
  on: {
    signal: { actions: 'onSignal' },
    regime: { actions: 'onRegime' },
    equity: { actions: 'onEquity' },
    position: { actions: 'onPosition' },
    'qt.timer': { actions: 'onTimer' },
  },
});
