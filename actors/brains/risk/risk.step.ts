import {
  clientOrderId, OUTPUT_EVENT, subjects,
  type Intent, type JournalEntry, type OutputEvent, type PositionUpdate, type RiskMode, type RiskVerdict, type SubmitCommand, type TradingState,
} from '../../../protocols/index.js';
import type { RiskControl } from './events.js';
import { applyEquity, applyPosition, createLedger, dailyLoss, equityOf, rebase, roll, weeklyDrawdown, type Ledger } from './ledger.js';
import { evaluate, refill, type Exposure, type RiskLimits, type RiskView } from './limits.js';
import { lossLevel, modeLimits, stricterMode, tradingStateOf, type LossLevel } from './modes.js';

/** Machine input of the risk brain (built from config by `riskDef`). */
export interface RiskInput {
  /** NORMAL-mode limits; other modes derive from them. */
  limits: RiskLimits;
  /** Operator mode until KV `qt_policy` says otherwise. @default NORMAL */
  mode?: RiskMode;
  /** symbol → cluster name. */
  clusters?: Record<string, string>;
  /** Equity assumed until the first equity input. */
  equity: number;
  /** An approved entry counts as exposure this long unless a position update picks it up. @default 60000 */
  pendingTtlMs?: number;
}

export interface RiskContext {
  base: RiskLimits;
  clusters: Record<string, string>;
  pendingTtlMs: number;
  operatorMode: RiskMode;
  ceoMode: RiskMode | null;
  mode: RiskMode;
  killSwitch: { on: boolean; reason: string };
  reconciling: boolean;
  model: { status: string; reason: string };
  ledger: Ledger;
  positions: Record<string, Exposure>;
  /** Approved entries no position has picked up; `working` once the position reports its order at the venue. */
  pending: Record<string, { notional: number; at: number; intentId: string; working?: boolean }>;
  cooldowns: Record<string, number>;
  bucket: { tokens: number; at: number };
  seen: Record<string, number>;
  dailyLevel: LossLevel;
  weeklyLevel: LossLevel;
  tradingState: TradingState;
  stats: { approved: number; denied: number; reduced: number };
}

export type RiskEvent = ({ type: 'intent'; intent: Intent } | { type: 'position'; update: PositionUpdate } | RiskControl | { type: 'qt.fresh'; reason?: string }) & { at: number };

export function initialRiskContext(input: RiskInput): RiskContext {
  const mode = input.mode ?? 'NORMAL';
  return {
    base: input.limits, clusters: input.clusters ?? {}, pendingTtlMs: input.pendingTtlMs ?? 60_000,
    operatorMode: mode, ceoMode: null, mode,
    killSwitch: { on: false, reason: '' }, reconciling: false, model: { status: 'ok', reason: '' },
    // Day 0 / week 0: the first event rolls over and takes the equity as the day's baseline.
    ledger: createLedger(input.equity, 0),
    positions: {}, pending: {}, cooldowns: {}, bucket: { tokens: input.limits.orderBurst, at: 0 }, seen: {},
    dailyLevel: 0, weeklyLevel: 0, tradingState: 'ACTIVE', stats: { approved: 0, denied: 0, reduced: 0 },
  };
}

const pct = (n: number) => `${(n * 100).toFixed(2)}%`;
const out = (subject: string, data: unknown, msgId?: string): OutputEvent => ({ type: OUTPUT_EVENT, subject, data, ...(msgId ? { msgId } : {}) });

/** Current numbers for journal entries. */
function figures(c: RiskContext) {
  return { equity: equityOf(c.ledger), equitySource: c.ledger.source ?? 'config', dailyLossPct: dailyLoss(c.ledger), weeklyDrawdownPct: weeklyDrawdown(c.ledger), dayStartEquity: c.ledger.dayStart, weekPeakEquity: c.ledger.weekPeak };
}

function policyEntry(c: RiskContext, at: number, summary: string, data: Record<string, unknown>): OutputEvent {
  const e: JournalEntry = { kind: 'policy', ts: at, summary, data: { ...data, tradingState: c.tradingState, mode: c.mode, killSwitch: c.killSwitch.on, reconciling: c.reconciling, ...figures(c) } };
  return out(subjects.journal('policy'), e);
}

/**
 * One event in, the new context and the outputs. Pure: the machine wraps it, tests may call it.
 * Order: roll the day/week, apply the event, re-derive the trading state (latched: it only gets
 * worse until an operator reset or a rollover), and journal every change so nothing is silent.
 */
export function riskStep(prev: RiskContext, ev: RiskEvent): { ctx: RiskContext; outputs: OutputEvent[] } {
  const at = ev.at;
  const outputs: OutputEvent[] = [];
  let c: RiskContext = { ...prev };
  const rolled = roll(c.ledger, at);
  c.ledger = rolled.ledger;
  const rollNote: string[] = [];
  if (rolled.day && c.dailyLevel > 0) (c.dailyLevel = 0, rollNote.push('new UTC day'));
  if (rolled.week && c.weeklyLevel > 0) (c.weeklyLevel = 0, rollNote.push('new UTC week'));
  // An entry still working at the venue (a slow or ambiguous placement being resolved) keeps its
  // place past the TTL: dropping it would let a second entry on the symbol through.
  c.pending = Object.fromEntries(Object.entries(c.pending).filter(([, p]) => p.working || at - p.at <= c.pendingTtlMs));
  const limits = () => modeLimits(c.mode, c.base);

  switch (ev.type) {
    case 'intent':
      c = decide(c, ev.intent, at, limits(), outputs);
      break;
    case 'position': {
      const u = ev.update;
      const booked = applyPosition(c.ledger, u);
      c.ledger = booked.ledger;
      const positions = { ...c.positions };
      const pending = { ...c.pending };
      const live = u.state === 'open' || u.state === 'opening' || u.state === 'reducing';
      if (live && u.qty > 0 && u.side) {
        positions[u.symbol] = { side: u.side, qty: u.qty, notional: u.qty * (u.markPrice || u.avgEntry), unprotectedSince: u.unprotectedSince };
        delete pending[u.symbol];
      } else if (live && pending[u.symbol]?.intentId === u.intentId) {
        pending[u.symbol] = { ...pending[u.symbol]!, working: true };
      } else if (!live) {
        delete positions[u.symbol];
        // Flat again: whatever entry was working has ended (a flat update may not name it).
        const p = pending[u.symbol];
        if (p && (p.intentId === u.intentId || p.working)) delete pending[u.symbol];
      }
      c.positions = positions;
      c.pending = pending;
      if (u.state === 'closed' && booked.delta < 0) c.cooldowns = { ...c.cooldowns, [u.symbol]: at + limits().cooldownMs };
      break;
    }
    case 'equity': {
      const first = c.ledger.source !== 'venue';
      const assumed = equityOf(c.ledger);
      c.ledger = applyEquity(c.ledger, ev.equity);
      if (first) outputs.push(policyEntry(c, at, `account equity from the venue: ${ev.equity.toFixed(2)} USDT (was assuming ${assumed.toFixed(2)}); loss limits measure from it`, { equitySource: 'venue', assumedEquity: assumed }));
      break;
    }
    case 'model-supervisor':
      if (ev.status !== c.model.status) {
        c.model = { status: ev.status, reason: ev.reason };
        outputs.push(policyEntry(c, at, `model supervisor: ${ev.status}${ev.reason ? ` (${ev.reason})` : ''}`, { model: c.model }));
      }
      break;
    case 'policy':
      c = applyPolicy(c, ev, at, outputs);
      break;
    case 'reset':
      c.ledger = rebase(c.ledger, ev.scope);
      if (ev.scope !== 'weekly') c.dailyLevel = 0;
      if (ev.scope !== 'daily') c.weeklyLevel = 0;
      outputs.push(policyEntry(c, at, `operator reset (${ev.scope})${ev.by ? ` by ${ev.by}` : ''}: loss baseline moved to current equity`, { reset: ev.scope, by: ev.by ?? null, reason: ev.reason ?? null }));
      break;
    case 'qt.fresh':
      outputs.push(policyEntry(c, at, 'risk brain started fresh (snapshot dropped): positions and PnL rebuild from the next updates', { fresh: ev.reason ?? null }));
      break;
  }

  // Latch: the state follows losses down at once, and back up only through reset/rollover.
  const l = limits();
  const dl = lossLevel(dailyLoss(c.ledger), l.maxDailyLossPct, l.reduceAt);
  const wl = lossLevel(weeklyDrawdown(c.ledger), l.maxWeeklyDrawdownPct, l.reduceAt);
  c.dailyLevel = Math.max(c.dailyLevel, dl) as LossLevel;
  c.weeklyLevel = Math.max(c.weeklyLevel, wl) as LossLevel;
  // The kill switch is HALTED while it is on; off, the state is the losses' again.
  const state = c.killSwitch.on ? 'HALTED' : tradingStateOf(c.dailyLevel, c.weeklyLevel);
  if (state !== prev.tradingState) {
    const causes = [
      c.killSwitch.on ? `kill switch on${c.killSwitch.reason ? `: ${c.killSwitch.reason}` : ''}` : prev.killSwitch.on ? 'kill switch off' : '',
      c.dailyLevel > 0 ? `daily loss ${pct(dailyLoss(c.ledger))} vs limit ${pct(l.maxDailyLossPct)} (REDUCING at ${l.reduceAt * 100}%)` : '',
      c.weeklyLevel > 0 ? `weekly drawdown ${pct(weeklyDrawdown(c.ledger))} vs limit ${pct(l.maxWeeklyDrawdownPct)}` : '',
      ...rollNote, ev.type === 'reset' ? `operator reset ${ev.scope}` : '',
    ].filter(Boolean);
    c.tradingState = state;
    outputs.push(policyEntry(c, at, `trading state ${prev.tradingState} → ${state}: ${causes.join('; ') || 'limits clear'}`, { from: prev.tradingState, to: state, causes, dailyLevel: c.dailyLevel, weeklyLevel: c.weeklyLevel }));
  }
  return { ctx: c, outputs };
}

function applyPolicy(c: RiskContext, ev: Extract<RiskControl, { type: 'policy' }>, at: number, outputs: OutputEvent[]): RiskContext {
  const who = ev.source === 'ceo' ? 'CEO brain' : `operator${ev.by ? ` ${ev.by}` : ''}`;
  const why = ev.reason ? `: ${ev.reason}` : '';
  if (ev.killSwitch !== undefined && ev.killSwitch !== c.killSwitch.on) {
    c = { ...c, killSwitch: { on: ev.killSwitch, reason: ev.reason ?? '' } };
    outputs.push(policyEntry(c, at, `kill switch ${ev.killSwitch ? 'ON' : 'off'} by ${who}${why}`, { killSwitchBy: who }));
  }
  if (ev.reconciling !== undefined && ev.reconciling !== c.reconciling) {
    c = { ...c, reconciling: ev.reconciling };
    outputs.push(policyEntry(c, at, `reconciliation ${ev.reconciling ? 'started: new orders wait' : 'done'}${why}`, {}));
  }
  if (ev.mode !== undefined) {
    const next = ev.source === 'ceo' ? { ...c, ceoMode: ev.mode } : { ...c, operatorMode: ev.mode };
    next.mode = stricterMode(next.operatorMode, next.ceoMode);
    if (next.mode !== c.mode || next.operatorMode !== c.operatorMode || next.ceoMode !== c.ceoMode) {
      outputs.push(policyEntry(next, at, `risk mode ${c.mode} → ${next.mode} (${who} asked ${ev.mode}${why}; operator ${next.operatorMode}, CEO ${next.ceoMode ?? 'none'})`, { from: c.mode, to: next.mode, source: ev.source }));
    }
    c = next;
  }
  return c;
}

function decide(c: RiskContext, intent: Intent, at: number, limits: RiskLimits, outputs: OutputEvent[]): RiskContext {
  const view: RiskView = {
    at, equity: equityOf(c.ledger), equitySource: c.ledger.source ?? 'config', dailyLossPct: dailyLoss(c.ledger), weeklyDrawdownPct: weeklyDrawdown(c.ledger),
    tradingState: c.tradingState, mode: c.mode, killSwitch: c.killSwitch, reconciling: c.reconciling, model: c.model,
    positions: c.positions, pending: c.pending, cooldowns: c.cooldowns, bucket: c.bucket, seen: c.seen, clusters: c.clusters,
  };
  const ev = evaluate(intent, view, limits);
  const approved = ev.decision === 'approve';
  const leg = intent.kind === 'exit' ? 'exit' : 'entry';
  const coid = approved ? clientOrderId(intent.intentId, leg) : undefined;
  const verdict: RiskVerdict = {
    intentId: intent.intentId, symbol: intent.symbol, ts: at, decision: ev.decision, reasons: ev.reasons, mode: c.mode,
    tradingState: c.tradingState, attribution: intent.attribution, ...(approved ? { qty: ev.qty, clientOrderId: coid } : {}),
  };
  const codes = ev.reasons.map((x) => x.code).join(', ');
  const summary = approved
    ? `APPROVE ${intent.kind} ${intent.symbol} ${intent.side} ${ev.qty}${ev.reduced ? ` (reduced from ${intent.qty}: ${codes})` : ''}`
    : `DENY ${intent.kind} ${intent.symbol} ${intent.side} ${intent.qty}: ${codes}`;
  const entry: JournalEntry = {
    kind: 'risk', ts: at, symbol: intent.symbol, intentId: intent.intentId, attribution: intent.attribution, summary,
    ...(coid ? { clientOrderId: coid } : {}),
    data: { verdict, requested: { qty: intent.qty, notional: intent.notional, leverage: intent.leverage, confidence: intent.confidence }, reduced: ev.reduced, ...figures(c) },
  };
  outputs.push(out(subjects.journal('risk'), entry));
  const seen = Object.fromEntries(Object.entries(c.seen).filter(([, ts]) => at - ts <= limits.staleIntentMs + 60_000).slice(-5_000));
  if (seen[intent.intentId] === undefined) seen[intent.intentId] = intent.ts;
  const stats = { approved: c.stats.approved + (approved ? 1 : 0), denied: c.stats.denied + (approved ? 0 : 1), reduced: c.stats.reduced + (ev.reduced ? 1 : 0) };
  if (!approved || !coid) return { ...c, seen, stats };
  const cmd: SubmitCommand = {
    type: 'submit', clientOrderId: coid, intentId: intent.intentId, leg, symbol: intent.symbol, side: intent.side, orderType: 'MARKET',
    // The reference price bounds the order's notional downstream; the executor sends it only for LIMIT orders.
    qty: ev.qty, price: intent.price, reduceOnly: intent.kind === 'exit', attribution: intent.attribution, ts: at,
  };
  outputs.push(out(subjects.order(intent.symbol, 'submit'), cmd, coid));
  const b = refill(c.bucket, at, limits);
  const pending = intent.kind === 'entry' ? { ...c.pending, [intent.symbol]: { notional: ev.notional, at, intentId: intent.intentId } } : c.pending;
  return { ...c, seen, stats, pending, bucket: { tokens: b.tokens - 1, at: b.at } };
}
