import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type JournalEntry, type RiskVerdict, type SupervisionEvent } from '../../../protocols/index.js';
import { createSimulatedClock } from '../../../runtime/clock/index.js';
import { encode } from '../../../runtime/codec.js';
import { ceoDef, riskDef } from '../../../runtime/cli/defs-risk.js';
import { hostKit } from '../../../runtime/testing/host-env.js';
import { natsEnv } from '../../../runtime/testing/nats-env.js';
import { readStream, until } from '../../../runtime/testing/wait.js';
import { testIntent, testPosition } from '../risk/testing.js';
import { decideMode, DEFAULT_CEO_THRESHOLDS as T, type CeoMetrics } from './rules.js';

const T0 = Date.UTC(2024, 2, 6, 12);
const calm: CeoMetrics = { lossUse: 0, dailyPnlPct: 0, escalations: 0, unprotected: 0, unprotectedMs: 0, model: 'ok' };

describe('CEO mode rules', () => {
  it('escalates at once on losses, escalations, unprotected positions or the model supervisor', () => {
    expect(decideMode('NORMAL', { ...calm, lossUse: 0.35 }, T, null, 0).mode).toBe('SAFE');
    expect(decideMode('NORMAL', { ...calm, lossUse: 0.65 }, T, null, 0).mode).toBe('CRITICAL');
    expect(decideMode('NORMAL', { ...calm, escalations: 3 }, T, null, 0).mode).toBe('CRITICAL');
    expect(decideMode('NORMAL', { ...calm, unprotected: 1, unprotectedMs: 6_000 }, T, null, 0).mode).toBe('SAFE');
    expect(decideMode('SAFE', { ...calm, model: 'halt' }, T, null, 0)).toMatchObject({ mode: 'CRITICAL', reasons: ['model supervisor halt'] });
  });

  it('steps down one level only after calm held for calmMs, below the hysteresis band', () => {
    // 0.28 is under SAFE's 0.3 but above 0.3 × 0.75: not calm enough to leave SAFE.
    expect(decideMode('SAFE', { ...calm, lossUse: 0.28 }, T, null, 0)).toMatchObject({ mode: 'SAFE', calmSince: null });
    let d = decideMode('CRITICAL', calm, T, null, 0);
    expect(d).toMatchObject({ mode: 'CRITICAL', calmSince: 0 });
    d = decideMode('CRITICAL', calm, T, d.calmSince, T.calmMs - 1);
    expect(d.mode).toBe('CRITICAL');
    d = decideMode('CRITICAL', calm, T, d.calmSince, T.calmMs);
    expect(d).toMatchObject({ mode: 'SAFE', calmSince: T.calmMs });
    expect(decideMode('NORMAL', { ...calm, dailyPnlPct: 0.05 }, T, 0, T.calmMs * 2).mode).toBe('NORMAL');
    expect(decideMode('NORMAL', { ...calm, dailyPnlPct: 0.05 }, { ...T, allowAggressive: true }, 0, T.calmMs).mode).toBe('AGGRESSIVE');
    expect(decideMode('AGGRESSIVE', calm, { ...T, allowAggressive: true }, null, 0).mode).toBe('NORMAL');
  });
});

describe('CEO brain (hosted with risk)', () => {
  it('drawdown and escalations move the risk mode SAFE → CRITICAL, journaled with reasons; risk then allows exits only', async () => {
    await using env = await natsEnv({ risk: { equitySource: 'config', initialEquity: 10_000 } });
    const kit = await hostKit(env, { clock: createSimulatedClock(T0) });
    const ceo = await kit.start('main', ceoDef(env.cfg));
    const risk = await kit.start('main', riskDef(env.cfg));
    const policy = async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('policy'))).map((m) => m.data);
    const loss = (sym: string, pnl: number) => env.bus.js.publish(subjects.position(sym, 'closed'), encode(testPosition(sym, T0, { state: 'closed', side: null, qty: 0, realizedPnl: pnl })));

    await loss('SOLUSDT', -160); // 1.6% of a 5% limit: 32% used
    await until(async () => (await policy()).some((p) => p.data.source === 'ceo' && p.data.to === 'SAFE'), 'CEO → SAFE');
    const esc: SupervisionEvent = { type: 'escalated', path: 'root.brains', id: 'brains', kind: 'supervisor', ts: T0, restarts: 6, reason: 'test' };
    for (let i = 0; i < 3; i++) await env.bus.js.publish(subjects.supervision('root.brains', 'escalated'), encode({ ...esc, restarts: 6 + i }));
    await until(async () => (await policy()).some((p) => p.data.source === 'ceo' && p.data.to === 'CRITICAL'), 'CEO → CRITICAL');
    const ceoEntries = (await policy()).filter((p) => p.data.source === 'ceo' && p.summary.startsWith('CEO'));
    expect(ceoEntries.map((p) => p.summary)).toEqual([
      expect.stringMatching(/^CEO risk mode NORMAL → SAFE: loss limits 32% used ≥ 30%/),
      expect.stringMatching(/^CEO risk mode SAFE → CRITICAL: 3 supervision escalations/),
    ]);
    await until(() => risk.actor.getSnapshot().context.mode === 'CRITICAL', 'risk in CRITICAL');
    await env.bus.js.publish(subjects.intent('BTCUSDT'), encode(testIntent('BTCUSDT', T0)));
    const verdicts = async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('risk'))).map((m) => m.data.data.verdict as RiskVerdict);
    await until(async () => (await verdicts()).length === 1, 'verdict');
    expect((await verdicts())[0]).toMatchObject({ decision: 'deny', mode: 'CRITICAL', reasons: [{ code: 'TRADING_REDUCING', detail: 'risk mode CRITICAL: exits only' }] });
    expect(ceo.actor.getSnapshot().status).toBe('active');
    await ceo.stop();
    await risk.stop();
  });
});
