import { ExitTemplateSchema, type ExitPlan, type ExitTemplate } from '../../../protocols/index.js';
import { fromUnits, positive, roundTick, stepsDown, stepsExact, unitsDown, unitsUp } from './grid.js';

/** The symbol's trading filters the plan is rounded to. */
export interface PlanRules {
  tickSize: number;
  stepSize: number;
  minQty: number;
  minNotional: number;
}

export interface BuildExitPlanArgs {
  symbol: string;
  side: 'LONG' | 'SHORT';
  entry: number;
  qty: number;
  /** Needed only when the template uses `stopAtr` / `atr` levels. */
  atr?: number;
  template: ExitTemplate;
  rules: PlanRules;
}

export type PlanResult = { ok: true; plan: ExitPlan } | { ok: false; reason: string };

const refuse = (reason: string): PlanResult => ({ ok: false, reason });

/** Most TP legs a plan can carry: the client order id legs are tp1..tp3. */
export const MAX_TP_LEGS = 3;

/**
 * Builds a validated exit plan, or refuses with a reason. Nothing it returns can carry a
 * non-positive, non-finite or wrong-side level: every level is rounded on the tick grid away from
 * the entry (a long stop down, long TPs up; the opposite for a short) and the finished plan is
 * checked again by `checkPlan`. This is the answer to the old "-4006 Stop price less than zero":
 * such a stop is refused here, before any order exists.
 */
export function buildExitPlan(a: BuildExitPlanArgs): PlanResult {
  const { side, entry, qty, rules } = a;
  if (side !== 'LONG' && side !== 'SHORT') return refuse(`side must be LONG or SHORT, got ${String(side)}`);
  if (!positive(entry)) return refuse(`entry price ${entry} is not a positive finite number`);
  if (!positive(qty)) return refuse(`position qty ${qty} is not a positive finite number`);
  if (!rules || !positive(rules.tickSize) || !positive(rules.stepSize)) return refuse(`tickSize/stepSize must be positive (got ${rules?.tickSize}/${rules?.stepSize})`);
  if (!(rules.minQty >= 0) || !(rules.minNotional >= 0)) return refuse(`minQty/minNotional must be ≥ 0 (got ${rules.minQty}/${rules.minNotional})`);
  const parsed = ExitTemplateSchema.safeParse(a.template);
  if (!parsed.success) return refuse(`invalid exit template: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const t = parsed.data;
  const usesAtr = t.stopAtr !== undefined || t.takeProfits.some((tp) => tp.atr !== undefined);
  if (a.atr !== undefined && usesAtr && !positive(a.atr)) return refuse(`ATR ${a.atr} is not a positive finite number; no level is computed from it`);
  const atr = positive(a.atr) ? a.atr : undefined;
  const dir = side === 'LONG' ? 1 : -1;
  const tick = rules.tickSize;
  // Away from the entry: a long's stop rounds down and its targets up; a short's the reverse.
  const stopDir = side === 'LONG' ? 'down' : 'up';
  const tpDir = side === 'LONG' ? 'up' : 'down';

  const stopDist = t.stopAtr !== undefined && atr !== undefined ? t.stopAtr * atr : t.stopPct * entry;
  const stop = awayFrom(entry, roundTick(entry - dir * stopDist, tick, stopDir), dir === 1 ? -1 : 1, tick);
  if (!positive(stop)) return refuse(`stop ${stop} would be ≤ 0 (entry ${entry}, distance ${stopDist}): refused, the venue would answer -4006`);

  if (t.takeProfits.length > MAX_TP_LEGS) return refuse(`${t.takeProfits.length} take-profit levels; at most ${MAX_TP_LEGS} (legs tp1..tp3)`);
  const levels: Array<{ price: number; fraction: number }> = [];
  for (const [i, tp] of t.takeProfits.entries()) {
    let dist: number;
    if (tp.atr !== undefined && atr !== undefined) dist = tp.atr * atr;
    else if (tp.pct !== undefined) dist = tp.pct * entry;
    else return refuse(`tp${i + 1} needs an ATR (none known) or a pct`);
    const price = awayFrom(entry, roundTick(entry + dir * dist, tick, tpDir), dir, tick);
    if (!positive(price)) return refuse(`tp${i + 1} price ${price} would be ≤ 0 (entry ${entry}, distance ${dist})`);
    levels.push({ price, fraction: tp.fraction });
  }
  // Nearest target first: that is the order the market reaches them, and the order legs merge in.
  levels.sort((x, y) => dir * (x.price - y.price));

  const total = stepsExact(qty, rules.stepSize);
  if (total === null || total === 0) return refuse(`position qty ${qty} is not on the step grid ${rules.stepSize}`);
  const legs = splitLegs(total, levels, rules);
  const activate = awayFrom(entry, roundTick(entry * (1 + dir * t.trailing.activatePct), tick, tpDir), dir, tick);
  const plan: ExitPlan = {
    symbol: a.symbol, side, entry, qty: fromUnits(total, rules.stepSize), stop,
    takeProfits: legs.map((l) => ({ price: l.price, qty: fromUnits(l.units, rules.stepSize), fraction: l.units / total })),
    trailing: { activatePrice: activate, callbackPct: t.trailing.callbackPct },
    breakevenAfterTp1: t.breakevenAfterTp1, tickSize: tick, stepSize: rules.stepSize,
  };
  const bad = checkPlan(plan);
  return bad ? refuse(bad) : { ok: true, plan };
}

/**
 * A level that rounding left on (or past) the entry is pushed one tick further out: a distance
 * smaller than a tick still yields a level strictly on its side (`side` +1 above, -1 below).
 */
function awayFrom(entry: number, level: number, side: 1 | -1, tick: number): number {
  if (side * (level - entry) > 0) return level;
  return fromUnits(side > 0 ? unitsDown(entry, tick) + 1 : unitsUp(entry, tick) - 1, tick);
}

/**
 * Splits `total` steps over the levels: each leg rounded down to step, the remainder in the last,
 * and a leg below minQty/minNotional merged into the next (the last into the one before). A
 * position too small for even one leg gets no TP legs; its stop still covers all of it.
 */
function splitLegs(total: number, levels: Array<{ price: number; fraction: number }>, rules: PlanRules): Array<{ price: number; units: number }> {
  let left = total;
  const legs = levels.map((l, i) => {
    const units = i === levels.length - 1 ? left : Math.min(left, stepsDown(total * l.fraction, 1));
    left -= units;
    return { price: l.price, units };
  });
  const small = (l: { price: number; units: number }) => {
    const q = fromUnits(l.units, rules.stepSize);
    return l.units === 0 || q < rules.minQty || q * l.price < rules.minNotional;
  };
  for (let i = 0; i < legs.length - 1; i++) {
    if (small(legs[i]!)) {
      legs[i + 1]!.units += legs[i]!.units;
      legs[i]!.units = 0;
    }
  }
  const kept = legs.filter((l) => l.units > 0);
  while (kept.length > 1 && small(kept[kept.length - 1]!)) kept[kept.length - 2]!.units += kept.pop()!.units;
  return kept.length === 1 && small(kept[0]!) ? [] : kept;
}

/**
 * Re-checks every invariant of a plan; returns what is wrong, or null. `movedStop` allows a stop
 * past the entry (breakeven, trailing), whose side is then checked against the mark instead.
 */
export function checkPlan(p: ExitPlan, opts: { movedStop?: boolean } = {}): string | null {
  if (!positive(p.entry)) return `entry ${p.entry} not positive`;
  if (!positive(p.qty)) return `qty ${p.qty} not positive`;
  if (!positive(p.stop)) return `stop ${p.stop} not positive`;
  const long = p.side === 'LONG';
  if (!opts.movedStop && (long ? !(p.stop < p.entry) : !(p.stop > p.entry))) return `stop ${p.stop} on the wrong side of entry ${p.entry} for a ${p.side}`;
  const steps = stepsExact(p.qty, p.stepSize);
  let sum = 0;
  for (const [i, tp] of p.takeProfits.entries()) {
    if (!positive(tp.price) || !positive(tp.qty)) return `tp${i + 1} price ${tp.price} / qty ${tp.qty} not positive`;
    if (long ? !(tp.price > p.entry) : !(tp.price < p.entry)) return `tp${i + 1} ${tp.price} on the wrong side of entry ${p.entry} for a ${p.side}`;
    const u = stepsExact(tp.qty, p.stepSize);
    if (u === null) return `tp${i + 1} qty ${tp.qty} not on step ${p.stepSize}`;
    sum += u;
  }
  if (p.takeProfits.length && sum !== steps) return `TP legs sum to ${fromUnits(sum, p.stepSize)}, position is ${p.qty}`;
  if (!positive(p.trailing.activatePrice) || (long ? p.trailing.activatePrice <= p.entry : p.trailing.activatePrice >= p.entry)) return `trailing activation ${p.trailing.activatePrice} on the wrong side`;
  return null;
}
