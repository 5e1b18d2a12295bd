import { ExitTemplateSchema, type ExitPlan } from '../../protocols/index.js';
import { buildExitPlan, guessRules, moveStop, roundTick } from '../brains/exit/index.js';
import { PROTECT_MS, TERMINAL, type PositionContext, type StopLeg, type TpLeg } from './context.js';
import { alert, cancel, journal, nextId, submit, type Outs } from './outputs.js';

const DEFAULT_TEMPLATE = ExitTemplateSchema.parse({});
const TP_LEGS = ['tp1', 'tp2', 'tp3'] as const;

/**
 * The exit plan for the position as it stands. The intent's template with its ATR first; if the
 * exit brain refuses that (a bad ATR, a level ≤ 0), the same template on percentages, then the
 * DOMAIN.md defaults. Every refusal is an alert: a fallback is never silent.
 */
function planFor(c: PositionContext, at: number, outs: Outs): ExitPlan | null {
  if (!c.rules) {
    c.rules = guessRules(c.avgEntry, c.qty);
    c.rulesGuessed = true;
    alert(outs, c, at, `no trading rules for ${c.symbol}: exit plan rounded to a grid guessed from prices until they arrive`, { guessed: c.rules });
  }
  const mine = c.intents.find((i) => i.intentId === c.intentId);
  const tries = [
    ...(mine ? [{ template: mine.template, atr: mine.atr, source: 'intent' as const }] : []),
    ...(mine?.atr !== undefined ? [{ template: mine.template, atr: undefined, source: 'intent' as const }] : []),
    { template: DEFAULT_TEMPLATE, atr: undefined, source: 'default' as const },
  ];
  const refusals: string[] = [];
  for (const t of tries) {
    const r = buildExitPlan({ symbol: c.symbol, side: c.side!, entry: c.avgEntry, qty: c.qty, template: t.template, rules: c.rules, ...(t.atr !== undefined ? { atr: t.atr } : {}) });
    if (!r.ok) {
      refusals.push(r.reason);
      continue;
    }
    if (refusals.length) alert(outs, c, at, `exit plan fell back (${t.source}${t.atr === undefined && mine?.atr !== undefined ? ', no ATR' : ''}): ${refusals.join('; ')}`, { refusals });
    c.planSource = t.source;
    return r.plan;
  }
  alert(outs, c, at, `UNPROTECTED: no valid exit plan for ${c.side} ${c.qty} @ ${c.avgEntry}: ${refusals.join('; ')}`, { refusals });
  return null;
}

const tighter = (c: PositionContext, a: number, b: number) => (c.side === 'LONG' ? a > b : a < b);
const safeVsMark = (c: PositionContext, p: number) => !c.mark || (c.side === 'LONG' ? p < c.mark : p > c.mark);

/**
 * (Re)builds the plan and brings the venue legs in line: the stop first (kept where it is if it is
 * already tighter, never loosened), then the TP ladder (cancel + re-place with the next ids).
 */
export function protect(c: PositionContext, at: number, outs: Outs): void {
  const plan = planFor(c, at, outs);
  if (!plan) return;
  let price = plan.stop;
  let kind: StopLeg['kind'] = 'plan';
  // Keep a tighter working stop, unless it is off this plan's grid (rules guessed before the real ones).
  const onGrid = (p: number) => roundTick(p, plan.tickSize, c.side === 'LONG' ? 'down' : 'up') === p;
  if (c.stop && tighter(c, c.stop.price, price) && safeVsMark(c, c.stop.price) && onGrid(c.stop.price)) {
    price = c.stop.price;
    kind = c.stop.kind;
  }
  c.plan = { ...plan, stop: price };
  if (!c.stop || c.stop.price !== price || c.stop.qty !== plan.qty || TERMINAL.includes(c.stop.status)) placeStop(c, at, outs, price, plan.qty, kind);
  // Once a target has filled, the remaining legs stand as placed: re-laddering them would re-open targets already taken.
  if (c.exits.some((e) => e.reason.startsWith('tp'))) return;
  const want = plan.takeProfits.map((t, i) => ({ leg: TP_LEGS[i]!, price: t.price, qty: t.qty }));
  const keep = c.tps.filter((t) => !TERMINAL.includes(t.status) && want.some((w) => w.leg === t.leg && w.price === t.price && w.qty === t.qty));
  for (const t of c.tps) if (!keep.includes(t) && !TERMINAL.includes(t.status)) cancel(outs, c, at, t.id, 'exit plan resized');
  c.tps = want.map((w): TpLeg => {
    const have = keep.find((k) => k.leg === w.leg);
    if (have) return have;
    const { id } = nextId(c, w.leg);
    submit(outs, c, at, { id, leg: w.leg, orderType: 'TAKE_PROFIT_MARKET', qty: w.qty, stopPrice: w.price });
    return { leg: w.leg, id, price: w.price, qty: w.qty, status: 'sent' };
  });
}

/**
 * Places a new stop (next id). Make before break: a confirmed stop keeps working until the new one
 * is confirmed, then it is canceled; an unconfirmed one is canceled at once.
 */
export function placeStop(c: PositionContext, at: number, outs: Outs, price: number, qty: number, kind: StopLeg['kind']): void {
  if (c.stop && !TERMINAL.includes(c.stop.status)) {
    if (c.stop.confirmed) {
      if (c.prevStop) cancel(outs, c, at, c.prevStop.id, 'superseded stop');
      c.prevStop = c.stop;
    } else {
      cancel(outs, c, at, c.stop.id, 'stop replaced before confirmation');
    }
  }
  const { id, n } = nextId(c, 'sl');
  c.stop = { id, n, price, qty, kind, status: 'sent', confirmed: false, sinceTs: null };
  if (c.plan) c.plan = { ...c.plan, stop: price };
  submit(outs, c, at, { id, leg: 'sl', orderType: 'STOP_MARKET', qty, stopPrice: price });
  if (!c.prevStop) markUnprotected(c, at);
}

export function markUnprotected(c: PositionContext, at: number): void {
  c.unprotectedSince ??= at;
  c.timers = { ...c.timers, protect: c.timers.protect ?? at + PROTECT_MS };
}

/** The current stop is working on the venue: protected; retire the one it replaced. */
export function confirmStop(c: PositionContext, at: number, outs: Outs): void {
  if (!c.stop || c.stop.confirmed) return;
  c.stop.confirmed = true;
  c.stop.sinceTs = at;
  c.unprotectedSince = null;
  c.protectAttempts = 0;
  const { protect: _p, ...rest } = c.timers;
  c.timers = rest;
  if (c.prevStop) {
    cancel(outs, c, at, c.prevStop.id, 'replaced by a confirmed stop');
    c.prevStop = null;
  }
}

/**
 * Where the stop should be now: the tightest of breakeven (after TP1, entry ± round-trip fees,
 * rounded to the side that covers them) and the trailing level, if it tightens the current stop
 * and stays on the safe side of the mark. Trailing moves by at least a quarter of the callback,
 * so a stop is not re-placed on every mark tick.
 */
export function desiredStop(c: PositionContext): { price: number; kind: StopLeg['kind'] } | null {
  if (!c.plan || !c.stop || !c.side || !c.mark) return null;
  const long = c.side === 'LONG';
  const dir = long ? 1 : -1;
  const tick = c.plan.tickSize;
  const cands: Array<{ price: number; kind: StopLeg['kind'] }> = [];
  if (c.tp1Done && c.plan.breakevenAfterTp1) {
    const feeUnit = c.entryQty > 0 ? c.entryFees / c.entryQty : 0;
    cands.push({ price: roundTick(c.avgEntry + dir * 2 * feeUnit, tick, long ? 'up' : 'down'), kind: 'breakeven' });
  }
  if (c.trail.active) {
    const t = roundTick(c.trail.best * (1 - dir * c.plan.trailing.callbackPct), tick, long ? 'down' : 'up');
    if (Math.abs(t - c.stop.price) >= Math.max(tick, c.avgEntry * c.plan.trailing.callbackPct * 0.25)) cands.push({ price: t, kind: 'trail' });
  }
  let best: { price: number; kind: StopLeg['kind'] } | null = null;
  for (const k of cands) {
    if (k.price === c.refusedMove) continue;
    const r = moveStop({ ...c.plan, stop: best?.price ?? c.stop.price }, k.price, c.side, tick, c.mark);
    if (r.ok) best = { price: r.plan.stop, kind: k.kind };
  }
  return best;
}

/** Market reduce-only exit of the whole position; the stop stays until the position is flat. */
export function flatten(c: PositionContext, at: number, outs: Outs, reason: string): void {
  if (c.flatten || !c.qty) return;
  for (const t of c.tps) if (!TERMINAL.includes(t.status)) cancel(outs, c, at, t.id, `flatten: ${reason}`);
  const { id } = nextId(c, 'flatten');
  submit(outs, c, at, { id, leg: 'flatten', orderType: 'MARKET', qty: c.qty });
  c.flatten = { id, reason };
  c.phase = 'reducing';
  journal(outs, c, at, { kind: 'position', clientOrderId: id, summary: `flatten ${c.side} ${c.qty} ${c.symbol}: ${reason}`, data: { reason, qty: c.qty } });
}

/** Cancels every leg still working (the position is flat, or is being replaced). */
export function cancelAll(c: PositionContext, at: number, outs: Outs, reason: string): void {
  if (c.stop && !TERMINAL.includes(c.stop.status)) cancel(outs, c, at, c.stop.id, reason);
  if (c.prevStop) cancel(outs, c, at, c.prevStop.id, reason);
  for (const t of c.tps) if (!TERMINAL.includes(t.status)) cancel(outs, c, at, t.id, reason);
  c.prevStop = null;
}

/**
 * After a partial exit that was not a take-profit (a strategy exit, a partial stop, a size the
 * venue says is gone), the plan's legs shrank furthest first; the venue's take-profits follow, so
 * a nearer target does not close the whole remainder early. A shrunk leg is re-placed at its price
 * with the smaller size; a leg the plan dropped is canceled.
 */
export function resizeTps(c: PositionContext, at: number, outs: Outs): void {
  if (!c.plan) return;
  const plan = c.plan;
  c.tps = c.tps.flatMap((t): TpLeg[] => {
    if (TERMINAL.includes(t.status)) return [t];
    const qty = plan.takeProfits.find((p) => p.price === t.price)?.qty ?? 0;
    if (qty >= t.qty) return [t];
    cancel(outs, c, at, t.id, `partial exit: ${t.leg} ${t.qty} → ${qty}`);
    if (qty <= 0) return [];
    const { id } = nextId(c, t.leg);
    submit(outs, c, at, { id, leg: t.leg, orderType: 'TAKE_PROFIT_MARKET', qty, stopPrice: t.price });
    return [{ leg: t.leg, id, price: t.price, qty, status: 'sent' }];
  });
}
