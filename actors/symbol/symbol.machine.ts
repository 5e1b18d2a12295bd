import { enqueueActions, setup } from 'xstate';
import {
  DLQ_REASON_HEADER, INTERVAL_MS, OUTPUT_EVENT, signalMsgId, subjects,
  type Candle, type Interval, type OutputEvent, type Signal,
} from '../../protocols/index.js';
import { createFeatureState, FEATURE_NAMES, FEATURE_SPEC, update, type FeatureState } from '../../models/features/index.js';
import { momentumRule, rsiRule, type FallbackRule } from './fallback.js';

export interface SymbolInput {
  venue: string;
  symbol: string;
  /** @default '1m' */
  interval?: Interval;
  /** 'fallback' publishes the labelled rule's signal itself; 'ai' leaves signals to the AI brain. @default 'fallback' */
  signalSource?: 'fallback' | 'ai';
  /** @default 'momentum' */
  fallbackRule?: FallbackRule;
  /** A close older than this (ms, by event time) gets features but no fallback signal (`signals.staleAfterMs`). @default 90000 */
  staleSignalMs?: number;
}

export interface SymbolContext {
  venue: string;
  symbol: string;
  interval: Interval;
  signalSource: 'fallback' | 'ai';
  fallbackRule: FallbackRule;
  /** Absent in snapshots stored before it existed: the default applies. */
  staleSignalMs?: number;
  lastOpenTime: number | null;
  candles: number;
  gaps: number;
  rejected: number;
  feat: FeatureState;
  /** Hourly closes (newest last, ≤ 25) for the 24 h momentum reference. */
  hourly: number[];
  lastClose: number | null;
  lastSignal: { ts: number; side: string; confidence: number; attribution: string } | null;
}

export type SymbolEvent =
  | { type: 'candle'; candle: Candle; at: number }
  | { type: 'qt.fresh'; reason: string; at: number };

const HOUR = 3_600_000;

/** Output buffers of the feature update, copied out by `plain` at once (synchronous use only). */
const scratch = { vector: new Float32Array(FEATURE_SPEC.size), window: new Float32Array(FEATURE_SPEC.windowSize) };
const SPEC = FEATURE_SPEC.hash.slice(0, 16);

/** A typed array as a plain array. `Array.from` walks the iterator, one result object per value, on every candle. */
function plain(xs: Float32Array): number[] {
  const out = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i]!;
  return out;
}

/**
 * One actor per symbol: a rolling feature state over closed candles (the one spec in
 * `models/features`, shared with training), a features message per candle for the AI brain, and
 * until that brain runs, the labelled fallback signal. Restored from KV it continues exactly where
 * it stopped: the feature state is plain data in the snapshot and `lastOpenTime` refuses replays.
 */
export const symbolMachine = setup({
  types: { context: {} as SymbolContext, events: {} as SymbolEvent, input: {} as SymbolInput, emitted: {} as OutputEvent },
  guards: {
    stale: ({ context, event }) => event.type === 'candle' && context.lastOpenTime !== null && event.candle.openTime <= context.lastOpenTime,
  },
  actions: {
    reject: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'candle') return;
      const reason = `out-of-order candle: openTime ${event.candle.openTime} ≤ last ${context.lastOpenTime}`;
      enqueue.assign({ rejected: context.rejected + 1 });
      enqueue.emit({ type: OUTPUT_EVENT, subject: subjects.dlq(`symbol.${context.symbol}`), data: event.candle, headers: { [DLQ_REASON_HEADER]: reason } });
    }),
    apply: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'candle') return;
      const c = event.candle;
      // The feature state is plain data owned by this actor alone; updating it in place keeps the
      // snapshot serialisable and avoids a copy per candle (the hot path of backtests).
      const feat = context.feat;
      const mark = c.markPrice !== undefined ? { markPrice: c.markPrice, fundingRate: c.fundingRate ?? 0 } : undefined;
      const out = update(feat, c, mark, scratch);
      const step = INTERVAL_MS[context.interval];
      const gap = context.lastOpenTime !== null && c.openTime > context.lastOpenTime + step ? 1 : 0;
      const closesHour = (c.closeTime + 1) % HOUR === 0 || step >= HOUR;
      const hourly = closesHour ? [...context.hourly, c.close].slice(-25) : context.hourly;
      enqueue.assign({ feat, lastOpenTime: c.openTime, candles: context.candles + 1, gaps: context.gaps + gap, hourly, lastClose: c.close });
      enqueue.emit({
        type: OUTPUT_EVENT,
        subject: subjects.features(context.venue, context.symbol),
        msgId: `feat:${context.venue}:${context.symbol}:${context.interval}:${c.openTime}`,
        data: {
          venue: context.venue, symbol: context.symbol, interval: context.interval, ts: c.closeTime, close: c.close,
          ready: out.ready, spec: SPEC, features: plain(out.vector), window: plain(out.window), atr: out.atr,
        },
      });
      // Warm-up history and backlogs: features (the AI brain observes them), but no signal to act on.
      if (!out.ready || context.signalSource !== 'fallback' || event.at - c.closeTime > (context.staleSignalMs ?? 90_000)) return;
      const ref = hourly.length ? hourly[0] : undefined;
      const decision = context.fallbackRule === 'rsi' ? rsiRule(out.vector[FEATURE_NAMES.indexOf('rsi_14')] ?? 0) : momentumRule(c.close, ref, Math.max(1, hourly.length - 1));
      const signal: Signal = {
        symbol: context.symbol, venue: context.venue, ts: c.closeTime, interval: context.interval,
        side: decision.side, confidence: decision.confidence, source: 'fallback', attribution: decision.attribution,
        contributions: [], reason: `no model ensemble in this node; ${decision.reason}`, price: c.close,
        ...(out.atr !== null ? { atr: out.atr } : {}),
      };
      enqueue.assign({ lastSignal: { ts: signal.ts, side: signal.side, confidence: signal.confidence, attribution: signal.attribution } });
      enqueue.emit({ type: OUTPUT_EVENT, subject: subjects.signal(context.symbol), msgId: signalMsgId(signal), data: signal });
    }),
  },
}).createMachine({
  id: 'symbol',
  context: ({ input }) => ({
    venue: input.venue, symbol: input.symbol, interval: input.interval ?? '1m',
    signalSource: input.signalSource ?? 'fallback', fallbackRule: input.fallbackRule ?? 'momentum',
    ...(input.staleSignalMs !== undefined ? { staleSignalMs: input.staleSignalMs } : {}),
    lastOpenTime: null, candles: 0, gaps: 0, rejected: 0, feat: createFeatureState(), hourly: [], lastClose: null, lastSignal: null,
  }),
  on: {
    candle: [{ guard: 'stale', actions: 'reject' }, { actions: 'apply' }],
  },
});
