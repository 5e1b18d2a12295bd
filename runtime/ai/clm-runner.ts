import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { STREAMS, subjects, type Candle } from '../../protocols/index.js';
import { trainInWorker, type TrainInWorkerOptions, type TrainResult } from '../../models/trainers/index.js';
import type { Family } from '../../models/registry/index.js';
import type { Clock } from '../clock/index.js';
import { decode } from '../codec.js';
import type { Config } from '../config/index.js';
import { ensureDurable, type Bus } from '../nats/index.js';
import { championOnLastFold } from './clm-data.js';
import { FEED_TARGETS, publish } from './feed.js';
import { getPointer, journalAlert, journalModel, promoteModel, rollbackChampion, setShadow } from './pointers.js';
import { referenceFromCandles } from './reference.js';
import { putModel } from './registry.js';
import { loadModel, releaseAll, type LoadedModel } from './sessions.js';

/** A command of the CLM machine (actors/learning clm.step.ts `RunnerCommand`). */
type Command =
  | { op: 'train'; req: number; family: string; reason: string }
  | { op: 'shadow' | 'promote' | 'reject'; id: string; evidence: Record<string, unknown> }
  | { op: 'rollback'; reason: string; evidence: Record<string, unknown> };

export interface ClmRunnerOptions {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  ai: Config['ai'];
  /** Training candles, one series per symbol. */
  data: () => Promise<Candle[][]>;
  /** @default trainInWorker (off the event loop) */
  train?: (o: TrainInWorkerOptions) => Promise<TrainResult>;
  /** Family hyper-parameters (tests use small ones). */
  params?: TrainInWorkerOptions['params'];
  /** @default 'clm_runner' */
  consumer?: string;
  /** Reply subject of the CLM machine. @default qt.in.clm.main */
  clmInput?: string;
}

type Exit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

/** The CLM runner worker (a supervised ChildHandle). */
export interface ClmRunner {
  readonly exited: Promise<Exit>;
  stop(): Promise<void>;
  kill(): void;
  inject(error: Error): void;
  info(): Record<string, unknown>;
}

/**
 * Carries out the CLM machine's commands from `qt.in.clm-runner.main`: trains in a worker thread
 * (the node's event loop keeps ticking), registers the model with its drift reference, evaluates
 * the champion on the challenger's last out-of-sample fold and reports back to `qt.in.clm.main`;
 * moves the shadow/champion pointers (each journaled with its evidence); rolls back. A command is
 * acked only when done; a long training keeps its message alive with `working()`.
 */
export async function startClmRunner(o: ClmRunnerOptions): Promise<ClmRunner> {
  const { bus, clock } = o;
  const log = o.logger.child({ component: 'clm-runner' });
  const reply = o.clmInput ?? FEED_TARGETS.clm;
  const train = o.train ?? trainInWorker;
  let ended = false;
  let chain = Promise.resolve();
  const stats = { trained: 0, failed: 0, commands: 0, last: null as string | null };
  let resolveExit!: (e: Exit) => void;
  const exited = new Promise<Exit>((r) => (resolveExit = r));

  const doTrain = async (c: Extract<Command, { op: 'train' }>, m: JsMsg) => {
    const keepAlive = setInterval(() => m.working(), 20_000);
    let champion: LoadedModel[] = [];
    try {
      const series = (await o.data()).filter((s) => s.length > 0);
      if (series.length === 0) throw new Error('no candles to train on');
      const r = await train({ family: c.family as Family, series, folds: o.ai.clm.folds, maxCandles: o.ai.clm.maxCandles, createdAt: clock.now(), ...(o.params ? { params: o.params } : {}) });
      const reference = referenceFromCandles(series.map((s) => s.slice(-5_000)));
      await putModel(bus, r.manifest, r.onnx, reference);
      const p = r.manifest.evaluation.pooled.model;
      await journalModel(bus, clock.now(), `CLM trained ${r.manifest.id} (pooled log-loss ${p.logLoss.toFixed(4)}, Brier ${p.brier.toFixed(4)}, beats baselines: ${r.manifest.evaluation.beatsBaselines})`, { action: 'register', id: r.manifest.id, req: c.req, by: 'clm', summary: r.manifest.evaluation.summary });
      const cp = await getPointer(bus, 'champion');
      champion = await Promise.all((cp?.value.ids ?? []).map((id) => loadModel(bus, id)));
      const ref = await championOnLastFold(series, r.manifest, champion);
      const last = r.manifest.evaluation.folds[r.manifest.evaluation.folds.length - 1]!.model;
      await publish(bus, reply, { type: 'trained', req: c.req, id: r.manifest.id, family: r.manifest.family, oos: { logLoss: last.logLoss, brier: last.brier, n: last.n }, champion: ref }, `clm-runner:trained:${c.req}:${r.manifest.id}`);
      stats.trained++;
    } catch (e) {
      stats.failed++;
      log.warn({ err: e, req: c.req }, 'CLM training failed');
      await publish(bus, reply, { type: 'train-failed', req: c.req, error: (e as Error).message.slice(0, 500) }, `clm-runner:failed:${c.req}`);
    } finally {
      clearInterval(keepAlive);
      await releaseAll(champion);
    }
  };

  const run = async (c: Command, m: JsMsg) => {
    stats.commands++;
    stats.last = c.op;
    const now = clock.now();
    try {
      if (c.op === 'train') return await doTrain(c, m);
      if (c.op === 'shadow') await setShadow(bus, c.id, true, { by: 'clm', now, evidence: c.evidence });
      else if (c.op === 'promote') await promoteModel(bus, c.id, { by: 'clm', now, evidence: c.evidence });
      else if (c.op === 'reject') {
        const sp = await getPointer(bus, 'shadow');
        if (sp?.value.ids.includes(c.id)) await setShadow(bus, c.id, false, { by: 'clm', now, evidence: { rejected: true, ...c.evidence } });
      } else if (c.op === 'rollback') {
        const to = await rollbackChampion(bus, { by: 'clm', now, reason: c.reason, evidence: c.evidence });
        await journalAlert(bus, now, 'critical', 'model:rollback', `Champion rolled back to ${to.ids.join('+')}: ${c.reason}`, c.evidence);
      }
    } catch (e) {
      // A pointer operation that cannot be done (no earlier champion, model gone) is reported, not retried forever.
      const msg = `CLM ${c.op} failed: ${(e as Error).message}`;
      log.warn({ err: e, cmd: c }, msg);
      await journalModel(bus, now, msg, { action: `${c.op}-failed`, error: (e as Error).message });
      // A degraded champion that cannot be rolled back is as serious as the rollback itself.
      await journalAlert(bus, now, c.op === 'rollback' ? 'critical' : 'warning', `model:clm-${c.op}`, msg);
    }
  };

  const name = o.consumer ?? 'clm_runner';
  await ensureDurable(bus, STREAMS.inputs, {
    durable_name: name, filter_subject: subjects.actorInput('clm-runner', 'main'), ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All, max_ack_pending: 100, ack_wait: nanos(120_000),
  }, log);
  const consumer = await bus.js.consumers.get(STREAMS.inputs, name);
  const iter: ConsumerMessages = await consumer.consume({
    max_messages: 10,
    callback: (m) => {
      if (ended) return;
      chain = chain.then(async () => {
        let c: Command;
        try {
          c = decode<Command>(m.data);
          if (!c || typeof c !== 'object' || typeof c.op !== 'string') throw new Error('not a CLM command');
        } catch {
          m.term();
          return;
        }
        await run(c, m);
        m.ack();
      }).catch((e: unknown) => end({ kind: 'crash', error: e as Error }));
    },
  });

  async function end(e: Exit) {
    if (ended) return;
    ended = true;
    await iter.close().catch(() => undefined);
    resolveExit(e);
  }
  return {
    exited,
    stop: () => end({ kind: 'shutdown' }),
    kill: () => void end({ kind: 'shutdown' }),
    inject: (error) => void end({ kind: 'crash', error }),
    info: () => ({ ...stats }),
  };
}
