import type { Logger } from 'pino';
import { z } from 'zod';
import {
  createCore, ENSEMBLE, fallbackSignal, lossOf, modelSignal, observe, pairedLosses, setModels, trackShadow, validProbs, weights, type CoreState,
} from '../../actors/brains/ai/index.js';
import { clmMachine, countBins, decayCounts, modelSupervisorMachine, psiAll, type ClmInput, type SupervisorInput } from '../../actors/learning/index.js';
import { STREAMS, subjects, type Interval } from '../../protocols/index.js';
import { hostedChild, supervisorChild, type ChildSpec, type SupervisorDeps } from '../../supervisors/index.js';
import { candlesFromFiles, candlesFromMarket, seedRegistry, startAiBrain, startAiService, startClmRunner, type AiBrain, type AiLogic, type AiMetrics } from '../ai/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { BadInputError } from '../errors.js';
import type { ActorDefinition } from '../host/index.js';
import type { Bus } from '../nats/index.js';
import type { NodeHostDeps } from './node.js';

/** The AI brain's decision logic: actors/brains/ai plus the drift math of actors/learning. */
export const aiLogic: AiLogic<CoreState> = {
  createCore, setModels, weights, observe, modelSignal, trackShadow, fallbackSignal, pairedLosses, lossOf, validProbs, countBins, decayCounts, psiAll, ENSEMBLE,
};

/** One model supervisor and one CLM per deployment: `model-supervisor.main`, `clm.main`. */
export const AI_ID = 'main';

const num = z.number().finite();
const loss = z.strictObject({ logLoss: num, brier: num });
const refSchema = z.strictObject({ names: z.array(z.string()), edges: z.array(z.array(num)), freqs: z.array(z.array(num)), rows: num }).nullable();
const action = z.enum(['trade', 'reduce-only', 'halt']);

const SupervisorInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('reference'), ids: z.array(z.string()).min(1), brier: num, logLoss: num, ref: refSchema }),
  z.strictObject({ type: z.literal('observe'), ts: num, sides: z.string().regex(/^[SHB]*$/), rows: num.nonnegative(), bins: z.array(z.array(num.nonnegative())).nullable(), latencyMs: num.nonnegative(), calls: num.nonnegative(), errors: num.nonnegative() }),
  z.strictObject({ type: z.literal('outcomes'), ts: num, n: num.nonnegative(), brier: num.nonnegative(), logLoss: num.nonnegative() }),
  z.strictObject({ type: z.literal('fallback'), ts: num, active: z.boolean(), policy: action, reason: z.string() }),
]);

const ClmInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('candles'), n: num.nonnegative() }),
  z.strictObject({ type: z.literal('retrain'), reason: z.string().default('operator request') }),
  z.strictObject({ type: z.literal('champion'), ids: z.array(z.string()).min(1), brier: num, logLoss: num }),
  z.strictObject({ type: z.literal('trained'), req: num, id: z.string(), family: z.string(), oos: loss.extend({ n: num }), champion: loss.extend({ n: num, source: z.string() }).nullable() }),
  z.strictObject({ type: z.literal('train-failed'), req: num, error: z.string() }),
  z.strictObject({ type: z.literal('outcomes'), n: num.nonnegative(), champion: loss, shadow: z.strictObject({ id: z.string(), n: num.nonnegative(), champion: loss, shadow: loss }).optional() }),
]);

function parseWith(schema: z.ZodType<{ type: string }>, what: string) {
  return (payload: unknown) => {
    const r = schema.safeParse(payload);
    if (!r.success) throw new BadInputError(`malformed ${what} input: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    return r.data;
  };
}

/** The model supervisor (hosted): inputs on `qt.in.model-supervisor.main`, fed by the AI brain. */
export function modelSupervisorDef(cfg: Config): ActorDefinition {
  const s = cfg.ai.supervisor;
  const input: SupervisorInput = { ...s, onErrors: 'warn', onLatency: 'warn' };
  return {
    kind: 'model-supervisor',
    machine: modelSupervisorMachine,
    version: 1,
    input: { stream: STREAMS.inputs, subject: (id) => subjects.actorInput('model-supervisor', id) },
    parse: parseWith(SupervisorInputSchema, 'model supervisor'),
    initialInput: () => input,
    configFields: ['o'],
  };
}

/** CLM machine input from config. */
export function clmInput(cfg: Config): ClmInput {
  const c = cfg.ai.clm;
  return {
    everyMs: c.everyHours * 3_600_000, afterCandles: c.afterCandles, family: c.family, shadowMs: c.shadowHours * 3_600_000, minOutcomes: c.minOutcomes,
    margin: { logLoss: c.marginLogLoss, brier: c.marginBrier }, rollback: { minOutcomes: c.rollbackMinOutcomes, brierMargin: c.rollbackBrierMargin }, trainTimeoutMs: c.trainTimeoutMs,
  };
}

/** Continuous learning (hosted): inputs on `qt.in.clm.main` from the brain, the runner and operators. */
export function clmDef(cfg: Config): ActorDefinition {
  return {
    kind: 'clm',
    machine: clmMachine,
    version: 1,
    input: { stream: STREAMS.inputs, subject: (id) => subjects.actorInput('clm', id) },
    parse: parseWith(ClmInputSchema, 'CLM'),
    initialInput: () => clmInput(cfg),
    configFields: ['o'],
  };
}

/** Handles the node needs after the AI subtree is built (the service reads the live brain). */
export interface AiLinks {
  brain?: AiBrain;
}

/** What the AI subtree needs from the node. */
export interface AiChildrenOptions {
  cfg: Config;
  bus: Bus;
  logger: Logger;
  /** Live clock: batch deadlines and reload retries are about real time. */
  clock: Clock;
  host: NodeHostDeps;
  node: string;
  links?: AiLinks;
  /** Called once per batch with PSI per feature, latency, fallback and weights. */
  metrics?: (m: AiMetrics) => void;
}

/**
 * The AI children, in start order: model supervisor and CLM (hosted machines), the AI brain
 * worker (seeds the registry first when `ai.seed`), the CLM runner, and the `qt-ai` service.
 */
export function aiChildSpecs(o: AiChildrenOptions): ChildSpec[] {
  const { cfg, bus, logger } = o;
  const links = o.links ?? {};
  const venue = cfg.venue.kind === 'sim' ? 'sim' : 'binance';
  const interval = cfg.market.intervals[0]! as Interval;
  const children: ChildSpec[] = [
    hostedChild(modelSupervisorDef(cfg), AI_ID, o.host, { childId: 'model-supervisor' }),
    hostedChild(clmDef(cfg), AI_ID, o.host, { childId: 'clm' }),
    {
      id: 'brain',
      start: async () => {
        if (cfg.ai.seed) await seedRegistry(bus, { now: o.clock.now(), policy: cfg.ai.seedPolicy });
        const brain = await startAiBrain({ bus, clock: o.clock, logger, logic: aiLogic as AiLogic<unknown>, ai: cfg.ai, fallbackRule: cfg.signals.fallbackRule, staleAfterMs: cfg.signals.staleAfterMs, ...(o.metrics ? { metrics: o.metrics } : {}) });
        links.brain = brain;
        return brain;
      },
    },
    {
      id: 'clm-runner',
      start: () => startClmRunner({
        bus, clock: o.clock, logger, ai: cfg.ai,
        data: () => (cfg.ai.clm.data ? candlesFromFiles(cfg.ai.clm.data, cfg.ai.clm.maxCandles) : candlesFromMarket(bus, venue, interval, cfg.ai.clm.maxCandles)),
      }),
    },
    {
      id: 'service',
      start: async () => {
        const svc = await startAiService(bus, () => links.brain, o.node);
        let done!: () => void;
        const exited = new Promise<{ kind: 'shutdown' }>((r) => (done = () => r({ kind: 'shutdown' })));
        const stop = async () => {
          await svc.stop().catch(() => undefined);
          done();
        };
        return { exited, stop, kill: () => void stop() };
      },
    },
  ];
  return children;
}

/** The `ai` subtree (one_for_one) over `aiChildSpecs`. */
export function aiChildren(o: AiChildrenOptions & { supDeps: Omit<SupervisorDeps, 'path'> }): ChildSpec {
  const s = o.cfg.supervision;
  return supervisorChild({ id: 'ai', strategy: 'one_for_one', intensity: s.intensity, period: s.period, backoff: s.backoff, children: aiChildSpecs(o) }, o.supDeps);
}
