import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { BUCKETS, INTERVAL_MS, ModelFeaturesMessageSchema, SignalSchema, STREAMS, subjects, type Interval, type Signal } from '../../protocols/index.js';
import type { Clock, TimerHandle } from '../clock/index.js';
import { decode } from '../codec.js';
import type { Config } from '../config/index.js';
import { RuntimeError } from '../errors.js';
import { ensureDurable, type Bus } from '../nats/index.js';
import { createBatcher } from './batcher.js';
import type { ModelProblem } from './errors.js';
import { deadLetter, FEED_TARGETS, publish, publishSignals, rankSignals, type FeedTargets } from './feed.js';
import { inferBatch } from './infer.js';
import { reloadModels, type ModelSet } from './model-set.js';
import { journalAlert, journalModel } from './pointers.js';
import { memberInfo, releaseAll } from './sessions.js';
import type { AiLogic, FeaturesMessage, FeaturesRow, Probs } from './types.js';

/** Drift scores and inference numbers for the metrics layer, once per batch. */
export interface AiMetrics {
  /** The champion's member ids joined by '+' ('none' without one). */
  model: string;
  /** PSI per feature; empty when the champion has no reference distribution. */
  psi: Record<string, number>;
  latencyMs: number;
  /** Model sessions run in this batch (0: nothing was inferred, e.g. in fallback). */
  calls: number;
  rows: number;
  fallback: boolean;
  weights: Record<string, number>;
}

export interface AiBrainOptions {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Decision logic (actors/brains/ai + actors/learning drift), injected by runtime/cli. */
  logic: AiLogic<unknown>;
  ai: Config['ai'];
  fallbackRule: 'momentum' | 'rsi';
  /** A batch whose close is older than this gets no inference and no signals (`signals.staleAfterMs`). @default 90000 */
  staleAfterMs?: number;
  /** @default 'ai_brain' */
  consumer?: string;
  /** Where a NEW durable consumer starts; an existing one resumes. @default 'new' */
  deliver?: 'new' | 'all';
  targets?: FeedTargets;
  metrics?: (m: AiMetrics) => void;
}

type Exit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

/** What `qt-ai health` answers. */
export interface AiHealth {
  loaded: boolean;
  champion: string[];
  shadow: string[];
  fallback: { kind: ModelProblem; reason: string; policy: string; rule: string; since: number } | null;
  shadowProblems: string[];
  lastInferenceMs: number | null;
  lastBatch: { interval: string; ts: number; rows: number; at: number } | null;
  batches: number;
  signals: number;
  /** Batches (and their rows) whose close was older than `signals.staleAfterMs`: observed, not inferred. */
  staleBatches: number;
  staleRows: number;
  errors: number;
  lastError: string | null;
}

/** The AI brain worker: a supervised child (ChildHandle) with the service's views. */
export interface AiBrain {
  readonly exited: Promise<Exit>;
  stop(): Promise<void>;
  kill(): void;
  inject(error: Error): void;
  info(): Record<string, unknown>;
  health(): AiHealth;
  models(): Record<string, unknown>;
  /** One features message → the signal the brain would publish (nothing is published or learned). */
  predict(msg: unknown): Promise<Signal>;
  /** Re-reads the pointers and reloads changed models (also done on every pointer change). */
  reload(): Promise<void>;
  /** Resolves when every batch received so far has been processed. */
  idle(): Promise<void>;
}

interface Item {
  msg: FeaturesMessage;
  m: JsMsg;
}

const rowOf = (m: FeaturesMessage): FeaturesRow => ({ venue: m.venue, symbol: m.symbol, interval: m.interval, ts: m.ts, close: m.close, atr: m.atr, ready: m.ready, features: m.features });

/**
 * The AI brain: consumes `qt.features.>` on one durable consumer, batches by candle close across
 * the universe, runs each champion member and shadow model once per batch (onnxruntime, CPU),
 * publishes one signal per ready symbol — the calibrated ensemble (`source: 'model'`), or when
 * the champion is missing, corrupted, stale or failing, the labelled fallback rule under the
 * configured policy — and only then acks. Shadow predictions go to `qt.journal.model`; the model
 * supervisor and CLM machines are fed per batch. Models reload whenever a pointer changes.
 */
export async function startAiBrain(o: AiBrainOptions): Promise<AiBrain> {
  const { bus, clock, logic, ai } = o;
  const log = o.logger.child({ component: 'ai-brain' });
  const targets = o.targets ?? FEED_TARGETS;
  const policy = ai.fallbackPolicy;
  const rule = `fallback:${o.fallbackRule}`;
  let core = logic.createCore({ eta: ai.weightEta, halfLife: ai.scoreHalfLife, label: { horizon: 12, deadZoneK: 0.35, intervalMs: 60_000 }, fallbackRule: o.fallbackRule });
  let models: ModelSet | null = null;
  let fallback: (NonNullable<AiHealth['fallback']> & { origin: 'load' | 'batch' }) | null = null;
  let chain: Promise<void> = Promise.resolve();
  let ended = false;
  let retry: TimerHandle | undefined;
  let counts: number[][] | null = null;
  const staleAfterMs = o.staleAfterMs ?? 90_000;
  const stats = { batches: 0, signals: 0, errors: 0, staleBatches: 0, staleRows: 0, lastError: null as string | null, lastMs: null as number | null, lastBatch: null as AiHealth['lastBatch'] };
  let staleSince: number | null = null;
  let resolveExit!: (e: Exit) => void;
  const exited = new Promise<Exit>((r) => (resolveExit = r));
  // Serialises batches, reloads and predictions: a batch never runs on a released session.
  // A failing batch or reload crashes the worker (its supervisor restarts it); a failing
  // prediction request only answers its caller.
  const serial = <T>(fn: () => Promise<T>, critical = true): Promise<T> => {
    const p = chain.then(fn);
    chain = p.then(() => undefined, (e) => (critical ? fail(e) : undefined));
    return p;
  };

  const setFallback = async (why: { kind: ModelProblem; reason: string } | null, origin: 'load' | 'batch') => {
    const now = clock.now();
    if (why && (!fallback || fallback.kind !== why.kind)) {
      fallback = { ...why, policy, rule, since: now, origin };
      const summary = `${rule} running under policy ${policy}: champion ${why.kind} — ${why.reason}`;
      log.warn({ fallback }, summary);
      await journalModel(bus, now, summary, { action: 'fallback', kind: why.kind, reason: why.reason, policy, rule });
      await journalAlert(bus, now, policy === 'trade' ? 'warning' : 'critical', `model:fallback`, `AI brain on ${rule} (${policy}): ${why.reason}`, { kind: why.kind, policy });
      if (policy !== 'trade') await publish(bus, subjects.actorInput('risk', 'main'), { type: 'model-supervisor', status: policy, reason: `${rule}: ${why.reason}`, ts: now });
      await publish(bus, targets.supervisor, { type: 'fallback', ts: now, active: true, policy, reason: why.reason });
    } else if (!why && fallback) {
      const was = fallback;
      fallback = null;
      await journalModel(bus, now, `model ensemble back after ${was.kind} (${rule} stopped)`, { action: 'fallback-cleared', kind: was.kind, since: was.since });
      await journalAlert(bus, now, 'info', 'model:fallback', `AI brain back on the model ensemble (was ${was.kind})`, { resolved: true });
      await publish(bus, targets.supervisor, { type: 'fallback', ts: now, active: false, policy, reason: `champion ${models?.championIds.join('+')} running` });
    }
  };

  const reload = async () => {
    const prev = models;
    const next = await reloadModels(bus, prev, log);
    models = next;
    const now = clock.now();
    for (const p of next.shadowProblems) if (!prev?.shadowProblems.includes(p)) {
      await journalModel(bus, now, `shadow model unusable: ${p}`, { action: 'shadow-load-failed', reason: p });
      await journalAlert(bus, now, 'warning', 'model:shadow', `Shadow model unusable: ${p}`);
    }
    if (next.champion.length && next.champion !== prev?.champion) {
      const lab = next.champion[0]!.manifest.label;
      const intervalMs = INTERVAL_MS[lab.interval as Interval] ?? 60_000;
      core = logic.createCore({ eta: ai.weightEta, halfLife: ai.scoreHalfLife, label: { horizon: lab.horizon, deadZoneK: lab.deadZoneK, intervalMs }, fallbackRule: o.fallbackRule });
      counts = null;
    }
    logic.setModels(core, next.champion.map(memberInfo), next.shadow.map(memberInfo));
    if (next.champion.length && next.champion !== prev?.champion) {
      const w = logic.weights(core);
      const mix = (k: 'logLoss' | 'brier') => next.champion.reduce((a, m) => a + (w[m.id] ?? 0) * m.manifest.evaluation.pooled.model[k], 0);
      const ids = next.championIds;
      await publish(bus, targets.supervisor, { type: 'reference', ids, brier: mix('brier'), logLoss: mix('logLoss'), ref: next.champion[0]!.reference });
      await publish(bus, targets.clm, { type: 'champion', ids, brier: mix('brier'), logLoss: mix('logLoss') });
      await journalModel(bus, now, `AI brain running champion ${ids.join('+')}${next.shadow.length ? `, shadow ${next.shadow.map((m) => m.id).join('+')}` : ''}`, { action: 'loaded', champion: ids, shadow: next.shadow.map((m) => m.id), weights: w });
    }
    if (next.problem) await setFallback(next.problem, 'load');
    else if (fallback?.origin === 'load') await setFallback(null, 'load');
    clock.clearTimeout(retry);
    if ((next.problem || next.shadowProblems.length) && !ended) retry = clock.setTimeout(() => void serial(reload), ai.reloadEveryMs);
  };

  const processBatch = async (interval: string, ts: number, items: Map<string, Item[]>) => {
    const all = [...items.values()].flat();
    const rows = [...items.values()].map((list) => list[list.length - 1]!.msg);
    const resolved = rows.flatMap((r) => logic.observe(core, rowOf(r)));
    const stale = clock.now() - ts > staleAfterMs;
    const ready = stale ? [] : rows.filter((r) => r.ready && r.features.length > 0 && r.window.length > 0);
    if (stale) {
      stats.staleBatches += 1;
      stats.staleRows += rows.length;
      if (!staleSince) log.info({ interval, ts, rows: rows.length, ageMs: clock.now() - ts }, 'stale candle closes (warm-up or backlog): observed for labels, no inference and no signals');
      staleSince ??= ts;
    } else if (staleSince) {
      log.info({ skippedBatches: stats.staleBatches, from: staleSince, to: ts }, 'caught up with live candle closes');
      staleSince = null;
    }
    const set = models!;
    let why: { kind: ModelProblem; reason: string } | null = set.problem;
    const head = set.champion[0];
    if (!why && head && ready.length) {
      const off = ready.find((r) => r.spec !== head.spec);
      if (off) why = { kind: 'stale', reason: `features of ${off.symbol} use feature spec ${off.spec}, champion expects ${head.spec}` };
      else if (interval !== head.manifest.label.interval) why = { kind: 'stale', reason: `features are ${interval}, champion trained on ${head.manifest.label.interval}` };
    }
    const inf = await inferBatch(ready, set.champion, set.shadow, !why);
    if (inf.problem) why = inf.problem;
    stats.errors += inf.errors;
    if (inf.errors) stats.lastError = inf.problem?.reason ?? inf.shadowErrors[0] ?? null;
    const signals: Signal[] = ready.map((r, i) => {
      const row = rowOf(r);
      if (why) {
        logic.trackShadow(core, row, inf.probs[i]!);
        return logic.fallbackSignal(core, row, policy, why.reason);
      }
      const s = logic.modelSignal(core, row, inf.probs[i]!);
      const ok = SignalSchema.safeParse(s);
      return ok.success ? ok.data : logic.fallbackSignal(core, row, policy, `invalid model signal: ${ok.error.issues[0]?.message ?? '?'}`);
    });
    await publishSignals(bus, rankSignals(signals));
    if (!stale) await setFallback(why, 'batch');
    const now = clock.now();
    const key = `${interval}:${ts}:${rows[0]?.symbol ?? ''}`;
    for (const m of set.shadow) {
      const preds = ready.map((r, i) => ({ symbol: r.symbol, probs: inf.probs[i]![m.id] })).filter((p) => p.probs);
      if (preds.length) await journalModel(bus, ts, `shadow ${m.id}: ${preds.length} predictions for ${interval} close ${ts}`, { action: 'shadow-predictions', model: m.id, family: m.manifest.family, version: m.manifest.version, interval, ts, predictions: preds }, `ai:shadow:${m.id}:${key}`);
    }
    const sides = why ? '' : signals.map((s) => s.side[0]).join('');
    const ref = head?.reference ?? null;
    const bins = ref && ready.length ? logic.countBins(ref, ready.map((r) => r.features)) : null;
    if (!stale) await publish(bus, targets.supervisor, { type: 'observe', ts, sides, rows: ready.length, bins, latencyMs: inf.ms, calls: inf.calls, errors: inf.errors }, `ai:obs:${key}`);
    const ens = resolved.filter((r) => r.probs[logic.ENSEMBLE]);
    if (ens.length) {
      const sum = ens.reduce((a, r) => { const l = logic.lossOf(r.probs[logic.ENSEMBLE]!, r.label); return { logLoss: a.logLoss + l.logLoss, brier: a.brier + l.brier }; }, { logLoss: 0, brier: 0 });
      await publish(bus, targets.supervisor, { type: 'outcomes', ts, n: ens.length, ...sum }, `ai:out:${key}`);
      const shadowId = set.shadowIds[set.shadowIds.length - 1];
      const paired = shadowId ? logic.pairedLosses(resolved, shadowId) : null;
      await publish(bus, targets.clm, { type: 'outcomes', n: ens.length, champion: sum, ...(paired && paired.n ? { shadow: { id: shadowId, n: paired.n, champion: paired.a, shadow: paired.b } } : {}) }, `ai:clm-out:${key}`);
    }
    await publish(bus, targets.clm, { type: 'candles', n: rows.length }, `ai:candles:${key}`);
    stats.batches += 1;
    stats.signals += signals.length;
    stats.lastMs = inf.ms;
    stats.lastBatch = { interval, ts, rows: rows.length, at: now };
    if (o.metrics) {
      // Latency every batch; drift only against a champion that shipped a reference distribution.
      let psi: Record<string, number> = {};
      if (ref && bins) {
        counts = logic.decayCounts(counts, bins, ready.length, ai.supervisor.psiWindow);
        const scores = logic.psiAll(ref, counts);
        psi = Object.fromEntries(ref.names.map((n, i) => [n, scores[i] ?? 0]));
      }
      o.metrics({ model: models?.championIds.join('+') || 'none', psi, latencyMs: inf.ms, calls: inf.calls, rows: ready.length, fallback: why !== null, weights: logic.weights(core) });
    }
    for (const it of all) it.m.ack();
  };

  const fail = (e: unknown) => {
    if (ended) return;
    log.error({ err: e }, 'ai brain crashed');
    void end({ kind: 'crash', error: e instanceof Error ? e : new RuntimeError(String(e)) });
  };
  const batcher = createBatcher<Item>({ clock, deadlineMs: ai.batchDeadlineMs, onBatch: (iv, ts, items) => void serial(() => processBatch(iv, ts, items)) });

  await serial(reload);
  // A restarted brain starts with no fallback: tell the (persisted) supervisor, in case it still
  // holds the fallback of the previous run and keeps risk on reduce-only for nothing.
  if (!models!.problem) await publish(bus, targets.supervisor, { type: 'fallback', ts: clock.now(), active: false, policy, reason: `brain started with champion ${models!.championIds.join('+')}` });
  const kv = await bus.kvm.open(BUCKETS.policy);
  const watch = await kv.watch({ key: 'models.>' });
  void (async () => {
    for await (const _e of watch) void serial(reload);
  })().catch(fail);

  const name = o.consumer ?? 'ai_brain';
  await ensureDurable(bus, STREAMS.signals, {
    durable_name: name, filter_subject: subjects.featuresAll, ack_policy: AckPolicy.Explicit,
    deliver_policy: o.deliver === 'all' ? DeliverPolicy.All : DeliverPolicy.New, max_ack_pending: 20_000, ack_wait: nanos(60_000),
  }, log);
  const consumer = await bus.js.consumers.get(STREAMS.signals, name);
  const iter: ConsumerMessages = await consumer.consume({
    max_messages: 5_000,
    callback: (m) => {
      if (ended) return;
      let msg: FeaturesMessage;
      try {
        const r = ModelFeaturesMessageSchema.safeParse(decode(m.data));
        if (!r.success) throw new Error(`malformed features message: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        if (r.data.symbol !== m.subject.split('.')[3]) throw new Error(`features of ${r.data.symbol} on ${m.subject}`);
        msg = r.data;
      } catch (e) {
        void deadLetter(bus, m.data, m.subject, m.seq, (e as Error).message).then(() => m.term(), fail);
        return;
      }
      batcher.add(msg.interval, msg.ts, msg.symbol, { msg, m });
    },
  });

  async function end(e: Exit) {
    if (ended) return;
    ended = true;
    clock.clearTimeout(retry);
    batcher.stop();
    watch.stop();
    await iter.close().catch(() => undefined);
    await chain.catch(() => undefined);
    if (models) await releaseAll([...models.champion, ...models.shadow]);
    resolveExit(e);
  }

  return {
    exited,
    stop: () => end({ kind: 'shutdown' }),
    kill: () => void end({ kind: 'shutdown' }),
    inject: (error) => void end({ kind: 'crash', error }),
    info: () => ({ champion: models?.championIds ?? [], fallback: fallback?.kind ?? null, batches: stats.batches, signals: stats.signals }),
    health: () => ({
      loaded: !!models && models.champion.length > 0 && !models.problem, champion: models?.champion.map((m) => m.id) ?? [], shadow: models?.shadow.map((m) => m.id) ?? [],
      fallback: fallback ? { kind: fallback.kind, reason: fallback.reason, policy: fallback.policy, rule: fallback.rule, since: fallback.since } : null,
      shadowProblems: models?.shadowProblems ?? [], lastInferenceMs: stats.lastMs, lastBatch: stats.lastBatch, batches: stats.batches, signals: stats.signals, staleBatches: stats.staleBatches, staleRows: stats.staleRows, errors: stats.errors, lastError: stats.lastError,
    }),
    models: () => {
      const w = logic.weights(core);
      const view = (m: ModelSet['champion'][number]) => ({ id: m.id, family: m.manifest.family, version: m.manifest.version, input: m.input, pooled: { logLoss: m.manifest.evaluation.pooled.model.logLoss, brier: m.manifest.evaluation.pooled.model.brier }, beatsBaselines: m.manifest.evaluation.beatsBaselines });
      return {
        champion: (models?.champion ?? []).map((m) => ({ ...view(m), weight: w[m.id] ?? 0 })), shadow: (models?.shadow ?? []).map(view),
        pointers: { champion: models?.championIds ?? [], shadow: models?.shadowIds ?? [] }, problem: models?.problem ?? null, scores: (core as { scores?: unknown }).scores ?? null,
      };
    },
    predict: (raw) => serial(async () => {
      const r = ModelFeaturesMessageSchema.safeParse(raw);
      if (!r.success) throw new RuntimeError(`malformed features message: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const msg = r.data;
      if (!msg.ready) throw new RuntimeError(`features of ${msg.symbol} at ${msg.ts} are not ready (warm-up)`);
      const scratch = structuredClone(core);
      const set = models!;
      const head = set.champion[0];
      let why: { kind: ModelProblem; reason: string } | null = set.problem;
      if (!why && head && msg.spec !== head.spec) why = { kind: 'stale', reason: `feature spec ${msg.spec} ≠ champion's ${head.spec}` };
      const inf = await inferBatch([msg], set.champion, [], !why);
      why ??= inf.problem;
      logic.observe(scratch, rowOf(msg));
      return why ? logic.fallbackSignal(scratch, rowOf(msg), policy, why.reason) : logic.modelSignal(scratch, rowOf(msg), inf.probs[0] as Record<string, Probs>);
    }, false),
    reload: () => serial(reload),
    idle: async () => {
      batcher.flushAll();
      await chain;
    },
  };
}
