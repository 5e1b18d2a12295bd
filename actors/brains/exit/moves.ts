import type { ExitPlan } from '../../../protocols/index.js';
import { fromUnits, positive, roundTick, stepsExact } from './grid.js';
import { checkPlan, type PlanResult } from './plan.js';

/**
 * Moves the stop of a plan, only ever tighter (a long's stop up, a short's down) and only to a
 * level still on the safe side of the mark (a long's below it, a short's above), so the venue
 * never gets a stop that loosens protection or would trigger at once (-2021). Rounded on the
 * tick grid away from the mark.
 */
export function moveStop(plan: ExitPlan, newStop: number, side: 'LONG' | 'SHORT', tick: number, mark?: number): PlanResult {
  if (side !== plan.side) return { ok: false, reason: `side ${side} does not match the plan's ${plan.side}` };
  if (!positive(newStop)) return { ok: false, reason: `new stop ${newStop} is not a positive finite number` };
  if (!positive(tick)) return { ok: false, reason: `tick ${tick} is not positive` };
  const long = side === 'LONG';
  const stop = roundTick(newStop, tick, long ? 'down' : 'up');
  if (!positive(stop)) return { ok: false, reason: `new stop rounds to ${stop}` };
  if (long ? stop <= plan.stop : stop >= plan.stop) return { ok: false, reason: `stop ${stop} would not tighten ${plan.stop} for a ${side}` };
  if (mark !== undefined) {
    if (!positive(mark)) return { ok: false, reason: `mark ${mark} is not a positive finite number` };
    if (long ? stop >= mark : stop <= mark) return { ok: false, reason: `stop ${stop} is past the mark ${mark}: it would trigger at once` };
  }
  const next = { ...plan, stop };
  const bad = checkPlan(next, { movedStop: true });
  return bad ? { ok: false, reason: bad } : { ok: true, plan: next };
}

/** What left the position: a whole TP leg, part of one, or an exit from elsewhere. */
export type Shrink = { tp: number; qty?: number } | { qty: number };

/**
 * The plan after part of the position left: a filled TP leg is dropped (a partly filled one
 * shrinks), and any other exit takes its size from the farthest TP first, so the nearest target
 * stays whole. Legs keep summing to the remaining qty. Returns null when nothing is left.
 */
export function shrinkLegs(plan: ExitPlan, by: Shrink): ExitPlan | null {
  const step = plan.stepSize;
  const total = stepsExact(plan.qty, step) ?? Math.round(plan.qty / step);
  const legs = plan.takeProfits.map((l) => ({ price: l.price, units: stepsExact(l.qty, step) ?? Math.round(l.qty / step) }));
  let out: number;
  if ('tp' in by) {
    const leg = legs[by.tp];
    if (!leg) return { ...plan };
    out = Math.min(leg.units, by.qty === undefined ? leg.units : Math.round(by.qty / step));
    leg.units -= out;
  } else {
    out = Math.min(total, Math.round(by.qty / step));
    let left = out;
    for (let i = legs.length - 1; i >= 0 && left > 0; i--) {
      const take = Math.min(left, legs[i]!.units);
      legs[i]!.units -= take;
      left -= take;
    }
  }
  const rest = total - out;
  if (rest <= 0) return null;
  const kept = legs.filter((l) => l.units > 0);
  return {
    ...plan,
    qty: fromUnits(rest, step),
    takeProfits: kept.map((l) => ({ price: l.price, qty: fromUnits(l.units, step), fraction: l.units / rest })),
  };
}
