import { describe, expect, it } from 'vitest';
import type { JournalEntry, OutputEvent } from '../../../protocols/index.js';
import { applyPosition, createLedger, dailyLoss, DAY_MS, equityOf, weekOf } from './ledger.js';
import { initialRiskContext, riskStep, type RiskContext, type RiskEvent } from './risk.step.js';
import { TEST_LIMITS, testIntent, testPosition } from './testing.js';

const T0 = Date.UTC(2024, 2, 6, 12); // a Wednesday, noon UTC

function run(ctx: RiskContext, events: RiskEvent[]) {
  const outs: OutputEvent[] = [];
  for (const e of events) {
    const r = riskStep(ctx, e);
    ctx = r.ctx;
    outs.push(...r.outputs);
  }
  return { ctx, outs };
}
const closedLoss = (sym: string, at: number, loss: number): RiskEvent => ({ type: 'position', update: testPosition(sym, at, { state: 'closed', qty: 0, side: null, realizedPnl: -loss }), at });
const policies = (outs: OutputEvent[]) => outs.filter((o) => o.subject === 'qt.journal.policy').map((o) => (o.data as JournalEntry).summary);

describe('ledger', () => {
  it('books a position once, ignores repeats and flat updates, and counts fees and funding', () => {
    let l = createLedger(1_000, T0);
    const closed = testPosition('BTCUSDT', T0, { state: 'closed', realizedPnl: -10, fees: 1, funding: -0.5 });
    l = applyPosition(l, closed).ledger;
    expect(equityOf(l)).toBeCloseTo(988.5);
    l = applyPosition(l, closed).ledger;
    l = applyPosition(l, { ...closed, state: 'flat', realizedPnl: 0, fees: 0, funding: 0 }).ledger;
    expect(equityOf(l)).toBeCloseTo(988.5);
    l = applyPosition(l, testPosition('BTCUSDT', T0 + 1, { unrealizedPnl: -20 })).ledger;
    expect(dailyLoss(l)).toBeCloseTo(0.0315);
  });

  it('weeks start on Monday UTC', () => {
    expect(weekOf(Date.UTC(2024, 2, 10, 23))).toBe(weekOf(Date.UTC(2024, 2, 4, 0)));
    expect(weekOf(Date.UTC(2024, 2, 11, 0))).toBe(weekOf(Date.UTC(2024, 2, 4)) + 1);
  });
});

describe('risk step', () => {
  it('latches REDUCING/HALTED until the next UTC day or an operator reset, journaling every change', () => {
    let { ctx, outs } = run(initialRiskContext({ limits: TEST_LIMITS, equity: 10_000 }), [closedLoss('BTCUSDT', T0, 410)]);
    expect(ctx.tradingState).toBe('REDUCING');
    // A winning trade does not un-latch it.
    ({ ctx } = run(ctx, [{ type: 'position', update: testPosition('ETHUSDT', T0 + 1, { state: 'closed', realizedPnl: 300 }), at: T0 + 1 }]));
    expect(ctx.tradingState).toBe('REDUCING');
    ({ ctx, outs } = run(ctx, [closedLoss('SOLUSDT', T0 + 2, 400)]));
    expect(ctx.tradingState).toBe('HALTED');
    expect(policies(outs)[0]).toMatch(/REDUCING → HALTED: daily loss 5\.10%/);
    ({ ctx, outs } = run(ctx, [{ type: 'reset', scope: 'halt', by: 'ops', at: T0 + 3 }]));
    expect(ctx.tradingState).toBe('ACTIVE');
    expect(policies(outs).join('\n')).toMatch(/operator reset \(halt\) by ops/);
    ({ ctx } = run(ctx, [closedLoss('ADAUSDT', T0 + 4, 500)]));
    expect(ctx.tradingState).toBe('HALTED');
    ({ ctx, outs } = run(ctx, [{ type: 'equity', equity: ctx.ledger.wallet + ctx.ledger.realized, at: T0 + DAY_MS }]));
    expect(ctx.tradingState).toBe('ACTIVE');
    expect(policies(outs).join('\n')).toMatch(/HALTED → ACTIVE: new UTC day/);
  });

  it('starts a cooldown after a losing close and keeps the stricter of operator and CEO modes', () => {
    let { ctx } = run(initialRiskContext({ limits: TEST_LIMITS, equity: 10_000 }), [closedLoss('BTCUSDT', T0, 3)]);
    expect(ctx.cooldowns.BTCUSDT).toBe(T0 + 30 * 60_000);
    let outs: OutputEvent[];
    ({ ctx, outs } = run(ctx, [{ type: 'intent', intent: testIntent('BTCUSDT', T0 + 1_000), at: T0 + 1_000 }]));
    expect((outs[0]!.data as JournalEntry).summary).toMatch(/DENY .*COOLDOWN/);
    ({ ctx } = run(ctx, [
      { type: 'policy', source: 'operator', mode: 'AGGRESSIVE', at: T0 + 2_000 },
      { type: 'policy', source: 'ceo', mode: 'SAFE', at: T0 + 2_001 },
    ]));
    expect(ctx.mode).toBe('SAFE');
    ({ ctx } = run(ctx, [{ type: 'policy', source: 'ceo', mode: 'AGGRESSIVE', at: T0 + 2_002 }]));
    expect(ctx.mode).toBe('AGGRESSIVE');
  });

  it('denies entries EQUITY_UNKNOWN until the venue reports equity, and takes the first figure as the loss baseline', () => {
    const limits = { ...TEST_LIMITS, requireVenueEquity: true };
    const intent = (ts: number): RiskEvent => ({ type: 'intent', intent: testIntent('BTCUSDT', ts), at: ts });
    let { ctx, outs } = run(initialRiskContext({ limits, equity: 10_000 }), [intent(T0)]);
    const verdict = (o: OutputEvent[]) => (o.find((x) => x.subject === 'qt.journal.risk')!.data as JournalEntry).summary;
    expect(verdict(outs)).toMatch(/^DENY .*EQUITY_UNKNOWN/);
    // A 1,000 USDT account where 10,000 was assumed: a 90 % "loss" if measured from the assumption.
    ({ ctx, outs } = run(ctx, [{ type: 'equity', equity: 1_000, ts: T0 + 1, at: T0 + 1 }]));
    expect(ctx.tradingState).toBe('ACTIVE');
    expect(ctx.ledger).toMatchObject({ source: 'venue', dayStart: 1_000, weekPeak: 1_000 });
    expect(policies(outs).join('\n')).toMatch(/account equity from the venue: 1000\.00 USDT \(was assuming 10000\.00\)/);
    ({ ctx, outs } = run(ctx, [intent(T0 + 2)]));
    expect(verdict(outs)).toMatch(/^APPROVE entry BTCUSDT/);
    // Later figures are not baselines: a drop from 1,000 to 940 is a 6 % daily loss → HALTED.
    ({ ctx, outs } = run(ctx, [{ type: 'equity', equity: 940, ts: T0 + 3, at: T0 + 3 }]));
    expect(ctx.ledger.dayStart).toBe(1_000);
    expect(ctx.tradingState).toBe('HALTED');
    expect(policies(outs).join('\n')).not.toMatch(/account equity from the venue/);
  });

  it('with the configured equity trusted (requireVenueEquity off), entries need no venue figure', () => {
    const { outs } = run(initialRiskContext({ limits: TEST_LIMITS, equity: 10_000 }), [{ type: 'intent', intent: testIntent('BTCUSDT', T0), at: T0 }]);
    expect((outs.find((x) => x.subject === 'qt.journal.risk')!.data as JournalEntry).summary).toMatch(/^APPROVE/);
  });

  it('the kill switch sets HALTED while it is on; off, the state returns to what the losses say', () => {
    let { ctx, outs } = run(initialRiskContext({ limits: TEST_LIMITS, equity: 10_000 }), [{ type: 'policy', source: 'operator', killSwitch: true, reason: 'drill', at: T0 }]);
    expect(ctx.tradingState).toBe('HALTED');
    expect(policies(outs)).toEqual([expect.stringMatching(/^kill switch ON by operator: drill/), expect.stringMatching(/^trading state ACTIVE → HALTED: kill switch on: drill/)]);
    ({ ctx, outs } = run(ctx, [{ type: 'intent', intent: testIntent('BTCUSDT', T0 + 1), at: T0 + 1 }]));
    expect(((outs[0]!.data as JournalEntry).data.verdict as { reasons: Array<{ code: string }> }).reasons.map((r) => r.code)).toEqual(['KILL_SWITCH']);
    // A loss while halted: switching off leaves REDUCING, not ACTIVE.
    ({ ctx } = run(ctx, [closedLoss('SOLUSDT', T0 + 2, 410)]));
    expect(ctx.tradingState).toBe('HALTED');
    ({ ctx, outs } = run(ctx, [{ type: 'policy', source: 'operator', killSwitch: false, at: T0 + 3 }]));
    expect(ctx.tradingState).toBe('REDUCING');
    expect(policies(outs)[1]).toMatch(/^trading state HALTED → REDUCING: kill switch off; daily loss 4\.10%/);
  });

  it('an approved entry still working at the venue blocks a second entry on the symbol past the pending TTL, until it ends', () => {
    const verdict = (o: OutputEvent[]) => (o.find((x) => x.subject === 'qt.journal.risk')!.data as JournalEntry).summary;
    const first = testIntent('BTCUSDT', T0);
    let { ctx, outs } = run(initialRiskContext({ limits: TEST_LIMITS, equity: 10_000, pendingTtlMs: 60_000 }), [{ type: 'intent', intent: first, at: T0 }]);
    expect(verdict(outs)).toMatch(/^APPROVE/);
    // The position reports the entry working (opening, nothing filled), then the placement hangs.
    ({ ctx } = run(ctx, [{ type: 'position', update: testPosition('BTCUSDT', T0 + 1_000, { state: 'opening', qty: 0, side: null, intentId: first.intentId }), at: T0 + 1_000 }]));
    ({ outs } = run(ctx, [{ type: 'intent', intent: testIntent('BTCUSDT', T0 + 120_000), at: T0 + 120_000 }]));
    expect(verdict(outs)).toMatch(/^DENY .*ALREADY_IN_POSITION/);
    // The entry ended unfilled: the position is flat again (its update names no intent), the symbol is free.
    ({ ctx } = run(ctx, [{ type: 'position', update: testPosition('BTCUSDT', T0 + 121_000, { state: 'flat', qty: 0, side: null, intentId: null }), at: T0 + 121_000 }]));
    ({ outs } = run(ctx, [{ type: 'intent', intent: testIntent('BTCUSDT', T0 + 122_000), at: T0 + 122_000 }]));
    expect(verdict(outs)).toMatch(/^APPROVE/);
  });
});
