import { describe, expect, it } from 'vitest';
import { buildReference } from '../../runtime/ai/reference.js';
import { binOf, countBins } from './drift.js';
import { clmStep, initialClmContext, type ClmContext, type ClmEvent, type ClmInput } from './clm.step.js';
import { initialSupervisorContext, supervisorStep, type SupervisorContext, type SupervisorEvent } from './supervisor.step.js';

type Out = { subject: string; data: unknown };
function drive<C, E>(step: (c: C, e: E) => { ctx: C; outputs: unknown[] }, c: C, events: E[]): { ctx: C; out: Out[] } {
  const out: Out[] = [];
  for (const e of events) {
    const r = step(c, e);
    c = r.ctx;
    out.push(...(r.outputs as Out[]));
  }
  return { ctx: c, out };
}
const journal = (out: Out[], subject: string) => out.filter((o) => o.subject === subject).map((o) => o.data as { summary: string; data: Record<string, unknown> });

describe('model supervisor', () => {
  it('bias: > 70% one side over 200 signals → reduce-only to risk, journal and alert with the numbers', () => {
    let c: SupervisorContext = initialSupervisorContext({ biasWindow: 200 });
    const obs = (sides: string, at: number): SupervisorEvent => ({ type: 'observe', ts: at, sides, rows: sides.length, bins: null, latencyMs: 2, calls: 2, errors: 0, at });
    const balanced = drive(supervisorStep, c, [obs('SHB'.repeat(40), 1), obs('SHB'.repeat(40), 2)]);
    expect(balanced.ctx.status).toBe('ok');
    const skewed = drive(supervisorStep, balanced.ctx, [obs('S'.repeat(100), 3), obs('S'.repeat(100), 4)]);
    c = skewed.ctx;
    expect(c.status).toBe('reduce-only');
    const risk = skewed.out.filter((o) => o.subject === 'qt.in.risk.main').map((o) => o.data as { status: string; reason: string });
    expect(risk.at(-1)).toMatchObject({ status: 'reduce-only' });
    expect(risk.at(-1)!.reason).toMatch(/bias: .*% SELL over the last 200 signals/);
    expect(journal(skewed.out, 'qt.journal.model').some((e) => e.summary.includes('bias detected') && Array.isArray(e.data['share']))).toBe(true);
    expect(journal(skewed.out, 'qt.journal.alert').length).toBeGreaterThan(0);
    // Back to balanced: the detector waits for the reading to stay good for clearAfterMs (10 min)…
    const back = drive(supervisorStep, c, [obs('SHB'.repeat(70), 5), obs('SHB'.repeat(70), 6)]);
    expect(back.ctx.status).toBe('reduce-only');
    expect(back.ctx.active.bias?.clearSince).toBe(5);
    expect(back.out.filter((o) => o.subject === 'qt.in.risk.main')).toEqual([]);
    // …a relapse inside the wait restarts it…
    const relapse = drive(supervisorStep, back.ctx, [obs('S'.repeat(200), 300_000)]);
    expect(relapse.ctx.active.bias?.clearSince).toBeUndefined();
    expect(relapse.ctx.active.bias?.since).toBe(c.active.bias!.since);
    const again = drive(supervisorStep, relapse.ctx, [obs('SHB'.repeat(70), 400_000), obs('SHB'.repeat(70), 999_999)]);
    expect(again.ctx.status).toBe('reduce-only');
    // …then clears, status ok again, said so.
    const cleared = drive(supervisorStep, again.ctx, [obs('SHB'.repeat(70), 1_000_000)]);
    expect(cleared.ctx.status).toBe('ok');
    expect(cleared.out.some((o) => o.subject === 'qt.in.risk.main' && (o.data as { status: string }).status === 'ok')).toBe(true);
    expect(journal(cleared.out, 'qt.journal.model').some((e) => e.summary.includes('bias cleared'))).toBe(true);
  });

  it('drift: PSI against the training reference fires on shifted features and names them', () => {
    const F = 13;
    const n = 2000;
    const train = new Float32Array(n * F);
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    for (let i = 0; i < n * F; i++) train[i] = rnd();
    const ref = buildReference(train, n);
    for (const x of [-1, -0.2, 0, 0.13, 0.5]) expect(binOf(ref.edges[0]!, x)).toBe(ref.edges[0]!.filter((e) => x > e).length);
    const rows = (shift: number) => Array.from({ length: 250 }, () => Array.from({ length: F }, (_, f) => rnd() + (f === 4 ? shift : 0)));
    const base = drive(supervisorStep, initialSupervisorContext({ psiMinRows: 500 }), [{ type: 'reference', ids: ['m'], brier: 0.66, logLoss: 1.09, ref, at: 0 }]);
    const same = drive(supervisorStep, base.ctx, [0, 1, 2].map((i) => ({ type: 'observe' as const, ts: i, sides: '', rows: 250, bins: countBins(ref, rows(0)), latencyMs: 1, calls: 1, errors: 0, at: i })));
    expect(same.ctx.active.drift).toBeUndefined();
    const shifted = drive(supervisorStep, same.ctx, [3, 4, 5, 6, 7, 8].map((i) => ({ type: 'observe' as const, ts: i, sides: '', rows: 250, bins: countBins(ref, rows(0.4)), latencyMs: 1, calls: 1, errors: 0, at: i })));
    expect(shifted.ctx.active.drift?.reason).toMatch(/rsi_14/);
    expect(shifted.ctx.status).toBe('degraded');
    expect(journal(shifted.out, 'qt.journal.model').some((e) => e.summary.includes('drift detected') && (e.data['psi'] as Record<string, number>)['rsi_14']! > 0.25)).toBe(true);
  });
});

describe('CLM', () => {
  const o: ClmInput = { everyMs: 3_600_000, afterCandles: 0, family: 'gbdt', shadowMs: 60_000, minOutcomes: 100, margin: { logLoss: 0.002, brier: 0.001 }, rollback: { minOutcomes: 200, brierMargin: 0.03 }, trainTimeoutMs: 600_000 };
  const cmds = (out: Out[]) => out.filter((x) => x.subject === 'qt.in.clm-runner.main').map((x) => x.data as { op: string; id?: string });
  const start = (): ClmContext => drive(clmStep, initialClmContext(o), [
    { type: 'qt.timer', name: 'init', dueAt: 0, at: 0 },
    { type: 'champion', ids: ['champ'], brier: 0.66, logLoss: 1.09, at: 1 },
  ] as ClmEvent[]).ctx;

  it('schedules retrains from a timer in context and asks the runner to train', () => {
    const c = start();
    expect(c.timers['retrain']).toBe(3_600_000);
    const r = drive(clmStep, c, [{ type: 'qt.timer', name: 'retrain', dueAt: 3_600_000, at: 3_600_000 }]);
    expect(cmds(r.out)).toEqual([expect.objectContaining({ op: 'train', family: 'gbdt' })]);
    expect(r.ctx.phase).toBe('training');
    expect(r.ctx.timers['retrain']).toBe(7_200_000);
  });

  it('a challenger worse than the champion out of sample is never promoted', () => {
    const c = drive(clmStep, start(), [{ type: 'retrain', reason: 'test', at: 2 }]).ctx;
    const r = drive(clmStep, c, [{ type: 'trained', req: c.req, id: 'worse', family: 'gbdt', oos: { logLoss: 1.2, brier: 0.7, n: 1000 }, champion: { logLoss: 1.09, brier: 0.66, n: 1000, source: 'same rows' }, at: 3 }]);
    expect(cmds(r.out)).toEqual([expect.objectContaining({ op: 'reject', id: 'worse' })]);
    expect(r.ctx.phase).toBe('idle');
    expect(journal(r.out, 'qt.journal.model')[0]!.summary).toMatch(/rejected out of sample/);
  });

  it('better out of sample but worse in shadow on the same outcomes: rejected; better in both: promoted with evidence', () => {
    const run = (shadowLoss: number) => {
      const c = drive(clmStep, start(), [{ type: 'retrain', reason: 'test', at: 2 }]).ctx;
      const shadow = drive(clmStep, c, [{ type: 'trained', req: c.req, id: 'cand', family: 'gbdt', oos: { logLoss: 1.08, brier: 0.65, n: 1000 }, champion: { logLoss: 1.09, brier: 0.66, n: 1000, source: 's' }, at: 3 }]);
      expect(cmds(shadow.out)).toEqual([expect.objectContaining({ op: 'shadow', id: 'cand' })]);
      const n = 150;
      const end = drive(clmStep, shadow.ctx, [
        { type: 'outcomes', n, champion: { logLoss: 1.09 * n, brier: 0.66 * n }, shadow: { id: 'cand', n, champion: { logLoss: 1.09 * n, brier: 0.66 * n }, shadow: { logLoss: shadowLoss * n, brier: (shadowLoss - 0.43) * n } }, at: 10 },
        { type: 'qt.timer', name: 'shadow-end', dueAt: 60_003, at: 60_003 },
      ]);
      return end;
    };
    const worse = run(1.12);
    expect(cmds(worse.out).map((x) => x.op)).toEqual(['reject']);
    expect(cmds(worse.out).some((x) => x.op === 'promote')).toBe(false);
    const better = run(1.07);
    expect(cmds(better.out)).toEqual([expect.objectContaining({ op: 'promote', id: 'cand' })]);
    expect((better.out.find((x) => x.subject === 'qt.in.clm-runner.main')!.data as { evidence: { outcomes: number } }).evidence.outcomes).toBe(150);
  });

  it('rolls the champion back when its live Brier degrades past the manifest by the margin, asking once per champion', () => {
    const bad = (at: number): ClmEvent => ({ type: 'outcomes', n: 250, champion: { logLoss: 1.2 * 250, brier: 0.72 * 250 }, at });
    const r = drive(clmStep, start(), [bad(5)]);
    expect(cmds(r.out)).toEqual([expect.objectContaining({ op: 'rollback' })]);
    // The alert is the runner's, once the pointer moved: the step only journals the request.
    expect(r.out.some((x) => x.subject === 'qt.journal.alert')).toBe(false);
    // Same champion, another bad window (the rollback failed: nothing earlier): no second request.
    const again = drive(clmStep, r.ctx, [bad(6), bad(7)]);
    expect(cmds(again.out)).toEqual([]);
    // A new champion is judged afresh.
    const next = drive(clmStep, again.ctx, [{ type: 'champion', ids: ['other'], brier: 0.6, logLoss: 1.0, at: 8 }, bad(9)]);
    expect(cmds(next.out)).toEqual([expect.objectContaining({ op: 'rollback' })]);
  });
});

describe('model supervisor, HOLD bias', () => {
  it('a HOLD-dominated stream is flagged but only warns (it opens nothing)', () => {
    const obs = (sides: string, at: number): SupervisorEvent => ({ type: 'observe', ts: at, sides, rows: sides.length, bins: null, latencyMs: 2, calls: 2, errors: 0, at });
    const r = drive(supervisorStep, initialSupervisorContext({ biasWindow: 200 }), [obs('H'.repeat(200), 1)]);
    expect(r.ctx.active.bias).toMatchObject({ action: 'warn' });
    expect(r.ctx.status).toBe('degraded');
  });
});
