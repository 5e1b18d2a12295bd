import { OUTPUT_EVENT, subjects, type OutputEvent, type Timers } from '../../protocols/index.js';
import { alertEntry, modelEntry, round4 } from './journal.js';

export interface ClmInput {
  /** ms between scheduled retrains; 0 = no schedule. */
  everyMs: number;
  /** Retrain after this many new closed candles (all symbols); 0 = off. */
  afterCandles: number;
  family: string;
  /** How long a trained challenger runs in shadow before the decision. */
  shadowMs: number;
  /** Paired realised outcomes (champion and shadow on the same rows) needed to promote. */
  minOutcomes: number;
  /** The challenger must beat the champion by these (out of sample AND in shadow). */
  margin: { logLoss: number; brier: number };
  /** Live degradation that rolls the champion back: Brier worse than its manifest by `brierMargin`. */
  rollback: { minOutcomes: number; brierMargin: number };
  /** A training run that has not answered by then is given up. */
  trainTimeoutMs: number;
}

type Loss = { logLoss: number; brier: number };

export type ClmEvent =
  | { type: 'qt.timer'; name: string; dueAt: number; at: number }
  | { type: 'qt.fresh'; reason?: string; at: number }
  | { type: 'candles'; n: number; at: number }
  | { type: 'retrain'; reason: string; at: number }
  | { type: 'champion'; ids: string[]; brier: number; logLoss: number; at: number }
  | { type: 'trained'; req: number; id: string; family: string; oos: Loss & { n: number }; champion: (Loss & { n: number; source: string }) | null; at: number }
  | { type: 'train-failed'; req: number; error: string; at: number }
  | { type: 'outcomes'; n: number; champion: Loss; shadow?: { id: string; n: number; champion: Loss; shadow: Loss }; at: number };

export interface ClmContext {
  o: ClmInput;
  phase: 'idle' | 'training' | 'shadow';
  timers: Timers;
  candles: number;
  req: number;
  champion: { ids: string[]; brier: number; logLoss: number } | null;
  shadow: { id: string; since: number; oos: Record<string, unknown>; n: number; champ: Loss; cand: Loss } | null;
  /** Champion's realised losses since it became champion (sums), for rollback. */
  live: { n: number; brier: number; logLoss: number };
  promotions: number;
  rejections: number;
  rollbacks: number;
  /**
   * The champion (ids joined) a rollback was already asked for. One request per champion: when
   * there is nothing to roll back to, asking again on every window only floods the journal and
   * the alert sinks; the runner reports the failure once and the model supervisor keeps the
   * degradation visible (risk mode SAFE).
   */
  rollbackAsked?: string | null;
}

export function initialClmContext(o: ClmInput): ClmContext {
  return { o, phase: 'idle', timers: { init: 0 }, candles: 0, req: 0, champion: null, shadow: null, live: { n: 0, brier: 0, logLoss: 0 }, promotions: 0, rejections: 0, rollbacks: 0, rollbackAsked: null };
}

/** A command for the CLM runner (runtime/ai/clm-runner.ts) on `qt.in.clm-runner.main`. */
export type RunnerCommand =
  | { op: 'train'; req: number; family: string; reason: string }
  | { op: 'shadow' | 'promote' | 'reject'; id: string; evidence: Record<string, unknown> }
  | { op: 'rollback'; reason: string; evidence: Record<string, unknown> };

const cmd = (c: RunnerCommand, msgId: string): OutputEvent => ({ type: OUTPUT_EVENT, subject: subjects.actorInput('clm-runner', 'main'), data: c, msgId });
const mean = (l: Loss, n: number): Loss => ({ logLoss: round4(l.logLoss / Math.max(1, n)), brier: round4(l.brier / Math.max(1, n)) });
const add = (a: Loss, b: Loss): Loss => ({ logLoss: a.logLoss + b.logLoss, brier: a.brier + b.brier });

/**
 * Continuous learning, pure. Retrains on a schedule and/or after N closed candles (the runner
 * trains off the event loop); a new model must beat the champion by the margins out of sample
 * to enter SHADOW, and again on the same realised outcomes in shadow to be promoted. A worse
 * challenger is rejected with its numbers. A champion whose live Brier degrades past its
 * manifest by the margin is rolled back. Every decision is a journal `model` entry.
 */
export function clmStep(ctx: ClmContext, ev: ClmEvent): { ctx: ClmContext; outputs: OutputEvent[] } {
  const c: ClmContext = { ...ctx, timers: { ...ctx.timers } };
  const out: OutputEvent[] = [];
  const at = ev.at;
  const o = c.o;
  const train = (reason: string) => {
    if (c.phase !== 'idle') return;
    c.req += 1;
    c.phase = 'training';
    c.candles = 0;
    c.timers['train-timeout'] = at + o.trainTimeoutMs;
    out.push(cmd({ op: 'train', req: c.req, family: o.family, reason }, `clm:train:${c.req}`));
    out.push(modelEntry(at, `CLM: retraining ${o.family} (${reason})`, { req: c.req, family: o.family, reason }));
  };
  switch (ev.type) {
    case 'qt.timer':
      delete c.timers[ev.name];
      if (ev.name === 'init' || ev.name === 'retrain') {
        if (o.everyMs > 0) c.timers.retrain = at + o.everyMs;
        if (ev.name === 'retrain') train(`schedule every ${Math.round(o.everyMs / 60_000)} min`);
      } else if (ev.name === 'train-timeout' && c.phase === 'training') {
        c.phase = 'idle';
        out.push(modelEntry(at, `CLM: training request ${c.req} timed out after ${o.trainTimeoutMs} ms`, { req: c.req }));
      } else if (ev.name === 'shadow-end' && c.phase === 'shadow' && c.shadow) decideShadow(c, at, out);
      break;
    case 'candles':
      c.candles += ev.n;
      if (o.afterCandles > 0 && c.candles >= o.afterCandles) train(`${c.candles} new closed candles ≥ ${o.afterCandles}`);
      break;
    case 'retrain':
      train(ev.reason);
      break;
    case 'champion':
      if (c.champion?.ids.join(',') !== ev.ids.join(',')) {
        c.live = { n: 0, brier: 0, logLoss: 0 };
        c.rollbackAsked = null;
      }
      c.champion = { ids: ev.ids, brier: ev.brier, logLoss: ev.logLoss };
      break;
    case 'train-failed':
      if (ev.req !== c.req || c.phase !== 'training') break;
      c.phase = 'idle';
      delete c.timers['train-timeout'];
      out.push(modelEntry(at, `CLM: training failed: ${ev.error}`, { req: ev.req, error: ev.error }));
      out.push(alertEntry(at, 'warning', 'model:clm-train', `CLM training failed: ${ev.error}`, { req: ev.req }));
      break;
    case 'trained': {
      if (ev.req !== c.req || c.phase !== 'training') break;
      delete c.timers['train-timeout'];
      const ref = ev.champion;
      const evidence = { stage: 'out-of-sample', challenger: { id: ev.id, ...ev.oos }, champion: ref, margin: o.margin };
      const beats = ref !== null && ev.oos.logLoss <= ref.logLoss - o.margin.logLoss && ev.oos.brier <= ref.brier - o.margin.brier;
      if (!beats) {
        c.phase = 'idle';
        c.rejections += 1;
        out.push(cmd({ op: 'reject', id: ev.id, evidence }, `clm:reject:${ev.id}`));
        out.push(modelEntry(at, ref ? `CLM: ${ev.id} rejected out of sample: log-loss ${round4(ev.oos.logLoss)} / Brier ${round4(ev.oos.brier)} vs champion ${round4(ref.logLoss)} / ${round4(ref.brier)} (needs −${o.margin.logLoss} / −${o.margin.brier})` : `CLM: ${ev.id} rejected: no champion numbers to compare with`, evidence));
        break;
      }
      c.phase = 'shadow';
      c.shadow = { id: ev.id, since: at, oos: evidence, n: 0, champ: { logLoss: 0, brier: 0 }, cand: { logLoss: 0, brier: 0 } };
      c.timers['shadow-end'] = at + o.shadowMs;
      out.push(cmd({ op: 'shadow', id: ev.id, evidence }, `clm:shadow:${ev.id}`));
      out.push(modelEntry(at, `CLM: ${ev.id} beats the champion out of sample (log-loss ${round4(ev.oos.logLoss)} vs ${round4(ref.logLoss)}); shadow for ${Math.round(o.shadowMs / 60_000)} min`, evidence));
      break;
    }
    case 'outcomes': {
      c.live = { n: c.live.n + ev.n, ...add(c.live, ev.champion) };
      const s = ev.shadow;
      if (s && c.shadow && s.id === c.shadow.id) c.shadow = { ...c.shadow, n: c.shadow.n + s.n, champ: add(c.shadow.champ, s.champion), cand: add(c.shadow.cand, s.shadow) };
      const ch = c.champion;
      if (ch && c.live.n >= o.rollback.minOutcomes && c.rollbackAsked !== ch.ids.join(',')) {
        const live = mean(c.live, c.live.n);
        if (live.brier > ch.brier + o.rollback.brierMargin) {
          const evidence = { champion: ch.ids, liveBrier: live.brier, liveLogLoss: live.logLoss, manifestBrier: ch.brier, margin: o.rollback.brierMargin, outcomes: c.live.n };
          c.rollbacks += 1;
          c.live = { n: 0, brier: 0, logLoss: 0 };
          c.rollbackAsked = ch.ids.join(',');
          const reason = `live Brier ${live.brier} > manifest ${round4(ch.brier)} + ${o.rollback.brierMargin} over ${evidence.outcomes} outcomes`;
          out.push(cmd({ op: 'rollback', reason, evidence }, `clm:rollback:${c.rollbacks}`));
          // The alert comes from the runner once the pointer really moved (or could not move).
          out.push(modelEntry(at, `CLM: asking to roll back champion ${ch.ids.join('+')}: ${reason}`, evidence));
        }
      }
      break;
    }
    case 'qt.fresh':
      out.push(modelEntry(at, 'CLM started fresh (snapshot dropped)', { fresh: ev.reason ?? null }));
      c.timers.init = at;
      break;
  }
  return { ctx: c, outputs: out };
}

function decideShadow(c: ClmContext, at: number, out: OutputEvent[]): void {
  const s = c.shadow!;
  const o = c.o;
  const champ = mean(s.champ, s.n);
  const cand = mean(s.cand, s.n);
  const evidence = { stage: 'shadow', challenger: { id: s.id, ...cand }, champion: { ids: c.champion?.ids ?? [], ...champ }, outcomes: s.n, since: s.since, margin: o.margin, outOfSample: s.oos };
  const enough = s.n >= o.minOutcomes;
  const beats = enough && cand.logLoss <= champ.logLoss - o.margin.logLoss && cand.brier <= champ.brier - o.margin.brier;
  c.phase = 'idle';
  c.shadow = null;
  if (beats) {
    c.promotions += 1;
    out.push(cmd({ op: 'promote', id: s.id, evidence }, `clm:promote:${s.id}`));
    out.push(modelEntry(at, `CLM: promoting ${s.id}: shadow log-loss ${cand.logLoss} / Brier ${cand.brier} vs champion ${champ.logLoss} / ${champ.brier} on ${s.n} paired outcomes`, evidence));
    return;
  }
  c.rejections += 1;
  const why = enough ? `did not beat the champion by the margin (log-loss ${cand.logLoss} vs ${champ.logLoss}, Brier ${cand.brier} vs ${champ.brier})` : `only ${s.n} paired outcomes < ${o.minOutcomes}`;
  out.push(cmd({ op: 'reject', id: s.id, evidence }, `clm:reject:${s.id}`));
  out.push(modelEntry(at, `CLM: ${s.id} not promoted after shadow: ${why}`, evidence));
}
