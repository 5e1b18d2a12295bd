import { ceoMachine, type CeoInput } from '../../actors/brains/ceo/index.js';
import { equityOf as ledgerEquity, parseRiskInput, riskMachine, type RiskContext, type RiskInput, type RiskLimits } from '../../actors/brains/risk/index.js';
import { STREAMS, subjects, SupervisionEventSchema, type ParseOptions } from '../../protocols/index.js';
import type { Config } from '../config/index.js';
import { BadInputError } from '../errors.js';
import type { ActorDefinition } from '../host/index.js';

/** The one risk brain of a deployment: actor key `risk.main`; control inputs on `qt.in.risk.main`. */
export const RISK_ID = 'main';
/** The CEO brain: actor key `ceo.main`. */
export const CEO_ID = 'main';

/** NORMAL-mode limits from config (`risk` section). */
export function riskLimits(cfg: Config): RiskLimits {
  const r = cfg.risk;
  return {
    maxPositionNotional: r.maxPositionNotional, maxLeverage: r.maxLeverage, maxOpenPositions: r.maxOpenPositions, maxExposureX: r.maxExposureX,
    maxDailyLossPct: r.maxDailyLossPct, maxWeeklyDrawdownPct: r.maxWeeklyDrawdownPct, reduceAt: r.reduceAt, maxSymbolPct: r.maxSymbolPct,
    maxClusterPct: r.maxClusterPct, cooldownMs: r.cooldownMin * 60_000, maxOrdersPerSec: r.maxOrdersPerSec, orderBurst: r.orderBurst,
    unprotectedGraceMs: r.unprotectedGraceMs, staleIntentMs: r.staleIntentMs, minNotional: r.minNotional, exitsOnly: false,
    requireVenueEquity: r.equitySource === 'venue',
  };
}

const equityOf = (cfg: Config) => cfg.risk.initialEquity ?? cfg.sim.initialBalance;

/** symbol → cluster, from `risk.clusters` (cluster → symbols). */
function clusterMap(cfg: Config): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, syms] of Object.entries(cfg.risk.clusters)) for (const s of syms) out[s] = name;
  return out;
}

function parseOrDlq(cfg: Config) {
  return (payload: unknown, subject: string, o?: ParseOptions) => {
    const r = parseRiskInput(payload, subject, { maxIntentNotional: cfg.risk.maxIntentNotional, ...o });
    if (!r.ok) throw new BadInputError(r.reason);
    return r.event;
  };
}

/**
 * The risk brain: every intent (`qt.intent.>`), every position update (`qt.position.>`) and its
 * control inputs (`qt.in.risk.main`), each on its own consumer. Bad inputs go to QT_DLQ with the
 * reason; the actor lives.
 */
export function riskDef(cfg: Config): ActorDefinition {
  const input: RiskInput = { limits: riskLimits(cfg), mode: cfg.risk.mode, clusters: clusterMap(cfg), equity: equityOf(cfg), pendingTtlMs: cfg.risk.pendingTtlMs };
  return {
    kind: 'risk',
    machine: riskMachine,
    version: 1,
    input: { stream: STREAMS.intents, subject: () => subjects.intentAll },
    extraInputs: [
      { stream: STREAMS.positions, subject: () => subjects.positionAll },
      { stream: STREAMS.inputs, subject: (id) => subjects.actorInput('risk', id) },
    ],
    parse: parseOrDlq(cfg),
    initialInput: () => input,
    configFields: ['base', 'clusters', 'pendingTtlMs'],
    // The effective trading state and mode live only here: the console and the metrics read them from the tree.
    status: (c: RiskContext) => ({
      tradingState: c.tradingState, riskMode: c.mode, killSwitch: c.killSwitch.on, reconciling: c.reconciling,
      equity: Math.round(ledgerEquity(c.ledger) * 100) / 100, equitySource: c.ledger.source ?? 'config',
      equityWaiting: c.base.requireVenueEquity === true && c.ledger.source !== 'venue',
    }),
  };
}

/**
 * The CEO brain: reads the risk brain's control inputs (equity, model supervisor, resets — its
 * own and the operator's policy inputs there are ignored), position updates and supervision
 * events, and publishes its risk mode back to `qt.in.risk.main`.
 */
export function ceoDef(cfg: Config): ActorDefinition {
  const input: CeoInput = {
    equity: equityOf(cfg), maxDailyLossPct: cfg.risk.maxDailyLossPct, maxWeeklyDrawdownPct: cfg.risk.maxWeeklyDrawdownPct,
    thresholds: { allowAggressive: cfg.risk.ceo.allowAggressive, calmMs: cfg.risk.ceo.calmMin * 60_000, safeUnprotectedMs: cfg.risk.unprotectedGraceMs },
    escalationWindowMs: cfg.risk.ceo.escalationWindowMin * 60_000,
  };
  const parse = parseOrDlq(cfg);
  return {
    kind: 'ceo',
    machine: ceoMachine,
    version: 1,
    input: { stream: STREAMS.inputs, subject: () => subjects.actorInput('risk', RISK_ID) },
    extraInputs: [
      { stream: STREAMS.positions, subject: () => subjects.positionAll },
      { stream: STREAMS.supervision, subject: () => subjects.supervisionAll },
    ],
    parse(payload, subject, o) {
      if (!subject.startsWith('qt.sup.')) return parse(payload, subject, o);
      const r = SupervisionEventSchema.safeParse(payload);
      if (!r.success) throw new BadInputError(`invalid supervision event: ${r.error.issues.map((i) => i.message).join('; ')}`);
      return { type: 'supervision', event: r.data };
    },
    initialInput: () => input,
    configFields: ['t', 'maxDailyLossPct', 'maxWeeklyDrawdownPct', 'windowMs', 'tickMs'],
  };
}
