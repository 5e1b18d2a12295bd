import { enqueueActions, setup } from 'xstate';
import {
  OUTPUT_EVENT, subjects,
  type JournalEntry, type OutputEvent, type PositionUpdate, type RiskMode, type SupervisionEvent, type Timers,
} from '../../../protocols/index.js';
import { applyEquity, applyPosition, createLedger, dailyLoss, dailyPnl, equityOf, rebase, roll, weeklyDrawdown, type Ledger } from '../risk/ledger.js';
import { decideMode, DEFAULT_CEO_THRESHOLDS, type CeoMetrics, type CeoThresholds } from './rules.js';

export interface CeoInput {
  /** Equity assumed until the first equity input. */
  equity: number;
  /** NORMAL-mode loss limits (fractions), to know how much of them is used. */
  maxDailyLossPct: number;
  maxWeeklyDrawdownPct: number;
  thresholds?: Partial<CeoThresholds>;
  /** @default 3600000 */
  escalationWindowMs?: number;
  /** Re-evaluation period, so calm periods and unprotected ages are noticed without new inputs. @default 60000 */
  tickMs?: number;
}

export interface CeoContext {
  mode: RiskMode;
  t: CeoThresholds;
  maxDailyLossPct: number;
  maxWeeklyDrawdownPct: number;
  windowMs: number;
  tickMs: number;
  ledger: Ledger;
  /** symbol → unprotectedSince (null = protected), open positions only. */
  positions: Record<string, number | null>;
  escalations: number[];
  model: string;
  calmSince: number | null;
  decisions: number;
  timers: Timers;
}

export type CeoEvent = (
  | { type: 'position'; update: PositionUpdate }
  | { type: 'equity'; equity: number }
  | { type: 'model-supervisor'; status: string; reason: string }
  | { type: 'reset'; scope: 'daily' | 'weekly' | 'halt' }
  | { type: 'supervision'; event: SupervisionEvent }
  | { type: 'qt.timer'; name: string; dueAt: number }
  | { type: 'qt.fresh'; reason?: string }
) & { at: number };

/** Metrics of the CEO's current view at `at`. */
export function ceoMetrics(c: CeoContext, at: number): CeoMetrics {
  const ages = Object.values(c.positions).filter((s): s is number => s !== null).map((s) => at - s);
  return {
    lossUse: Math.max(dailyLoss(c.ledger) / c.maxDailyLossPct, weeklyDrawdown(c.ledger) / c.maxWeeklyDrawdownPct),
    dailyPnlPct: dailyPnl(c.ledger),
    escalations: c.escalations.filter((ts) => at - ts <= c.windowMs).length,
    unprotected: ages.length,
    unprotectedMs: ages.length ? Math.max(...ages) : 0,
    model: c.model,
  };
}

/**
 * The CEO brain (`ceo.main`): picks the risk mode from drawdown (position updates and equity),
 * health (supervision escalations, unprotected positions) and the model supervisor, with
 * hysteresis (`decideMode`). A change goes to the risk brain as a `policy` control input with
 * `source: 'ceo'` — risk applies the stricter of the CEO's and the operator's mode — and to the
 * journal with its reasons. It reads `qt.in.risk.main` itself, so equity and model-supervisor
 * inputs are published once; its own policy inputs there are ignored.
 */
export const ceoMachine = setup({
  types: { context: {} as CeoContext, events: {} as CeoEvent, input: {} as CeoInput, emitted: {} as OutputEvent },
  actions: {
    step: enqueueActions(({ context, event, enqueue }) => {
      const at = event.at;
      let ledger = roll(context.ledger, at).ledger;
      let { positions, escalations, model, timers } = context;
      switch (event.type) {
        case 'position': {
          const u = event.update;
          ledger = applyPosition(ledger, u).ledger;
          positions = { ...positions };
          if ((u.state === 'open' || u.state === 'opening' || u.state === 'reducing') && u.qty > 0) positions[u.symbol] = u.unprotectedSince;
          else delete positions[u.symbol];
          break;
        }
        case 'equity':
          ledger = applyEquity(ledger, event.equity);
          break;
        case 'model-supervisor':
          model = event.status;
          break;
        case 'reset':
          ledger = rebase(ledger, event.scope);
          break;
        case 'supervision':
          if (event.event.type === 'escalated') escalations = [...escalations.filter((ts) => at - ts <= context.windowMs), at].slice(-100);
          break;
        case 'qt.timer':
          timers = { ...timers, tick: at + context.tickMs };
          break;
        case 'qt.fresh':
          break;
      }
      const next: CeoContext = { ...context, ledger, positions, escalations, model, timers };
      const m = ceoMetrics(next, at);
      const d = decideMode(context.mode, m, context.t, context.calmSince, at);
      next.calmSince = d.calmSince;
      if (d.mode !== context.mode) {
        next.mode = d.mode;
        next.decisions = context.decisions + 1;
        const reason = d.reasons.join('; ');
        enqueue.emit({ type: OUTPUT_EVENT, subject: subjects.actorInput('risk', 'main'), data: { type: 'policy', mode: d.mode, source: 'ceo', reason, ts: at } });
        const entry: JournalEntry = {
          kind: 'policy', ts: at, summary: `CEO risk mode ${context.mode} → ${d.mode}: ${reason}`,
          data: { from: context.mode, to: d.mode, reasons: d.reasons, metrics: m, equity: equityOf(ledger), source: 'ceo' },
        };
        enqueue.emit({ type: OUTPUT_EVENT, subject: subjects.journal('policy'), data: entry });
      }
      enqueue.assign(next);
    }),
  },
}).createMachine({
  id: 'ceo',
  context: ({ input }) => ({
    mode: 'NORMAL', t: { ...DEFAULT_CEO_THRESHOLDS, ...input.thresholds }, maxDailyLossPct: input.maxDailyLossPct, maxWeeklyDrawdownPct: input.maxWeeklyDrawdownPct,
    windowMs: input.escalationWindowMs ?? 3_600_000, tickMs: input.tickMs ?? 60_000, ledger: createLedger(input.equity, 0),
    positions: {}, escalations: [], model: 'ok', calmSince: null, decisions: 0, timers: { tick: 0 },
  }),
  on: {
    position: { actions: 'step' },
    equity: { actions: 'step' },
    'model-supervisor': { actions: 'step' },
    reset: { actions: 'step' },
    supervision: { actions: 'step' },
    'qt.timer': { actions: 'step' },
    'qt.fresh': { actions: 'step' },
  },
});
