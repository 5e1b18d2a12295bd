import { z } from 'zod';
import { FEATURE_NAMES, FEATURE_SPEC } from '../../models/features/index.js';
import { regimeMachine, type FeaturesEvent } from '../../actors/brains/regime/index.js';
import { strategyMachine, type StrategyEvent } from '../../actors/brains/strategy/index.js';
import { checkSchema, FeaturesMessageSchema, RegimeUpdateSchema, SignalSchema, STREAMS, subjects, SYMBOL_PATTERN, type ParseOptions } from '../../protocols/index.js';
import type { Config } from '../config/index.js';
import { BadInputError } from '../errors.js';
import type { ActorDefinition } from '../host/index.js';


const EquitySchema = z.strictObject({ type: z.literal('equity'), equity: z.number().finite().positive(), ts: z.number().int().nonnegative() });

/** What the strategy reads of a PositionUpdate; extra fields pass, since the position side owns the shape. */
const PositionMsgSchema = z.object({
  symbol: z.string().regex(SYMBOL_PATTERN),
  state: z.string(),
  qty: z.number().finite().nonnegative(),
  avgEntry: z.number().finite().nonnegative(),
  markPrice: z.number().finite().nonnegative().default(0),
  intentId: z.string().nullable().optional(),
  ts: z.number().int(),
});

/** Distributes over a union, unlike Omit. */
type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

function check<T>(schema: z.ZodType<T>, payload: unknown, what: string, o?: ParseOptions): T {
  const r = checkSchema(schema, payload, o);
  if (!r.success) throw new BadInputError(`malformed ${what}: ${issues(r.error)}`);
  return r.data;
}

function sameSymbol(bodySymbol: string, subjectSymbol: string | undefined, what: string): void {
  if (bodySymbol !== subjectSymbol) throw new BadInputError(`${what} for ${bodySymbol} on ${subjectSymbol ?? '?'}'s subject`);
}

/** Picks the classifier's four features by name, so a reordered spec cannot feed it wrong columns. */
export function parseFeatures(payload: unknown, subject: string, o?: ParseOptions): Omit<FeaturesEvent, 'at'> {
  const m = check(FeaturesMessageSchema, payload, 'features message', o);
  sameSymbol(m.symbol, subject.split('.')[3], 'features');
  if (!m.ready) return { type: 'features', venue: m.venue, symbol: m.symbol, ts: m.ts, ready: false, features: null };
  if (!m.names && m.spec !== FEATURE_SPEC.hash.slice(0, m.spec?.length ?? 0)) throw new BadInputError(`features of another spec (${m.spec ?? 'none'}) than this node's ${FEATURE_SPEC.hash.slice(0, 16)}`);
  const names: readonly string[] = m.names ?? FEATURE_NAMES;
  if (names.length !== m.features.length) throw new BadInputError(`features has ${m.features.length} values for ${names.length} names`);
  const get = (n: string) => {
    const i = names.indexOf(n);
    if (i < 0) throw new BadInputError(`features message lacks ${n}`);
    return m.features[i]!;
  };
  const atrNorm = get('atr_14_norm');
  if (atrNorm < 0) throw new BadInputError(`atr_14_norm ${atrNorm} < 0`);
  return { type: 'features', venue: m.venue, symbol: m.symbol, ts: m.ts, ready: true, features: { emaRatio: get('ema_ratio'), ret60: get('ret_60'), atrNorm, bbWidth: get('bb_width') } };
}

/** The regime brain (one instance, id `main`) reads every symbol actor's features from QT_SIGNALS. */
export function regimeDef(cfg: Config): ActorDefinition {
  return {
    kind: 'regime',
    machine: regimeMachine,
    version: 1,
    input: { stream: STREAMS.signals, subject: () => subjects.featuresAll },
    initialInput: () => ({ ...cfg.strategy.regime }),
    configFields: ['params', 'refreshMs', 'staleMs'],
    parse: parseFeatures,
  };
}

/** Tells signals, regimes, equity updates and position updates apart by subject. */
export function parseStrategyInput(payload: unknown, subject: string, o?: ParseOptions): WithoutAt<StrategyEvent> {
  const t = subject.split('.');
  if (t[0] === 'qt' && t[1] === 'signal' && t.length === 4 && t[3] === 'regime') {
    const u = check(RegimeUpdateSchema, payload, 'regime update', o);
    sameSymbol(u.symbol, t[2], 'regime update');
    return { type: 'regime', update: u };
  }
  if (t[0] === 'qt' && t[1] === 'signal' && t.length === 3) {
    const s = check(SignalSchema, payload, 'signal', o);
    sameSymbol(s.symbol, t[2], 'signal');
    if (!SYMBOL_PATTERN.test(s.symbol)) throw new BadInputError(`signal symbol ${JSON.stringify(s.symbol)} is not a venue symbol`);
    return { type: 'signal', signal: s };
  }
  if (t[0] === 'qt' && t[1] === 'in') {
    const e = check(EquitySchema, payload, 'equity update', o);
    return { type: 'equity', equity: e.equity, ts: e.ts };
  }
  if (t[0] === 'qt' && t[1] === 'position') {
    const p = check(PositionMsgSchema, payload, 'position update', o);
    sameSymbol(p.symbol, t[2], 'position update');
    return { type: 'position', symbol: p.symbol, state: p.state, qty: p.qty, price: p.markPrice || p.avgEntry, intentId: p.intentId ?? null, ts: p.ts };
  }
  throw new BadInputError(`strategy has no input on ${subject}`);
}

/**
 * The strategy brain (one instance, id `main`): signals and regimes on one consumer
 * (`qt.signal.>`), equity updates on `qt.in.strategy.<id>`, position updates for the exposure caps.
 */
export function strategyDef(cfg: Config): ActorDefinition {
  const { regime: _regime, ...params } = cfg.strategy;
  return {
    kind: 'strategy',
    machine: strategyMachine,
    version: 1,
    input: { stream: STREAMS.signals, subject: () => subjects.signalAll },
    extraInputs: [
      { stream: STREAMS.inputs, subject: (id) => subjects.actorInput('strategy', id) },
      { stream: STREAMS.positions, subject: () => subjects.positionAll },
    ],
    initialInput: () => params,
    configFields: ['params'],
    parse: parseStrategyInput,
  };
}
