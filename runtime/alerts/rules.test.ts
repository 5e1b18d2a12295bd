import { describe, expect, it } from 'vitest';
import type { SupervisionEvent } from '../../protocols/index.js';
import { evaluateCrashLoop, evaluateSupervision, initialSupervisionState } from './rules-supervision.js';
import { breakerAlert, clmFailureAlert, evaluateDrawdown, evaluateUnprotected, fallbackAlert, modelRollbackAlert, type DrawdownState } from './rules-trading.js';

const ev = (type: SupervisionEvent['type'], path: string, ts: number, over: Partial<SupervisionEvent> = {}): SupervisionEvent => ({ type, path, id: path.split('.').at(-1)!, kind: 'worker', ts, restarts: 0, ...over });

describe('drawdown rule', () => {
  it('pages at each of 5/10/20 % on the way down to the old −36 %, once each, and resolves on recovery', () => {
    let state: DrawdownState = { breached: [] };
    const fired: string[] = [];
    for (const dd of [0.01, 0.049, 0.05, 0.07, 0.12, 0.11, 0.25, 0.36, 0.3]) {
      const r = evaluateDrawdown(state, { drawdown: dd, equityUsd: 9757 * (1 - dd), ts: 0 });
      state = r.state;
      fired.push(...r.alerts.map((a) => `${a.resolved ? '-' : '+'}${a.key}/${a.severity}`));
    }
    expect(fired).toEqual(['+drawdown:5/warning', '+drawdown:10/critical', '+drawdown:20/critical']);
    // Hysteresis: 0.19 is not below 20 % × 0.9, 0.17 is.
    expect(evaluateDrawdown(state, { drawdown: 0.19, equityUsd: 1, ts: 0 }).alerts).toEqual([]);
    const rec = evaluateDrawdown(state, { drawdown: 0.04, equityUsd: 1, ts: 0 });
    expect(rec.alerts.map((a) => `${a.resolved ? '-' : '+'}${a.key}`)).toEqual(['-drawdown:5', '-drawdown:10', '-drawdown:20']);
    expect(rec.state.breached).toEqual([]);
  });
});

describe('supervision rules', () => {
  it('an escalation is a critical alert naming the path and reason', () => {
    const { alerts } = evaluateSupervision(initialSupervisionState(), ev('escalated', 'root.brains', 1, { reason: 'intensity 5/10s exceeded', node: 'n1' }));
    expect(alerts).toEqual([expect.objectContaining({ key: 'escalated:root.brains', severity: 'critical', labels: { path: 'root.brains', kind: 'worker', node: 'n1' } })]);
    expect(alerts[0]!.detail).toContain('intensity 5/10s exceeded');
  });

  it('N restarts of one path within the window is a crash loop, once; a quiet window resolves it', () => {
    let s = initialSupervisionState();
    const out: string[] = [];
    const feed = (e: SupervisionEvent) => {
      const r = evaluateCrashLoop(s, e, { restarts: 3, windowMs: 60_000 });
      s = r.state;
      out.push(...r.alerts.map((a) => `${a.resolved ? '-' : '+'}${a.key}`));
    };
    // The old bridge: a restart every 55 s never trips a 60 s window of 3…
    for (let i = 0; i < 4; i++) feed(ev('restarted', 'root.bridge', i * 55_000));
    expect(out).toEqual([]);
    // …but 3 within a minute does, and only once.
    for (const t of [300_000, 310_000, 320_000, 330_000]) feed(ev('restarted', 'root.x', t, { reason: 'boom' }));
    feed(ev('restarted', 'root.y', 331_000));
    expect(out).toEqual(['+crashloop:root.x']);
    feed(ev('started', 'root.x', 400_000));
    expect(out).toEqual(['+crashloop:root.x', '-crashloop:root.x']);
    expect(s.looping).toEqual([]);
  });
});

describe('trading rules', () => {
  it('an unprotected position alerts after 5 s and resolves when its stop is confirmed or it closes', () => {
    const open = [{ symbol: 'BTCUSDT', openedAt: 0, hasStop: false }, { symbol: 'ETHUSDT', openedAt: 0, hasStop: true }];
    let r = evaluateUnprotected({ alerted: [] }, open, 5_000);
    expect(r.alerts).toEqual([]);
    r = evaluateUnprotected(r.state, open, 5_001);
    expect(r.alerts.map((a) => [a.key, a.severity])).toEqual([['unprotected:BTCUSDT', 'critical']]);
    expect(evaluateUnprotected(r.state, open, 9_000).alerts).toEqual([]);
    const fixed = evaluateUnprotected(r.state, [{ symbol: 'BTCUSDT', openedAt: 0, hasStop: true }], 10_000);
    expect(fixed.alerts.map((a) => [a.key, a.resolved])).toEqual([['unprotected:BTCUSDT', true]]);
  });

  it('breaker open fires, closed resolves, half-open is quiet', () => {
    expect(breakerAlert({ venue: 'binance', name: 'rest', state: 'open', ts: 1, reason: '5xx x5' })).toMatchObject({ key: 'breaker:binance:rest', severity: 'warning', detail: '5xx x5' });
    expect(breakerAlert({ venue: 'binance', name: 'rest', state: 'half_open', ts: 2 })).toBeUndefined();
    expect(breakerAlert({ venue: 'binance', name: 'rest', state: 'closed', ts: 3 })).toMatchObject({ resolved: true });
  });

  it('fallback signals alert per symbol with the rule named; a model signal resolves', () => {
    const a = fallbackAlert({ symbol: 'SOLUSDT', source: 'fallback', attribution: 'fallback:momentum', reason: 'model stale', ts: 1 });
    expect(a).toMatchObject({ key: 'fallback:SOLUSDT', severity: 'warning', detail: 'model stale' });
    expect(a.title).toContain('fallback:momentum');
    expect(fallbackAlert({ symbol: 'SOLUSDT', source: 'model', attribution: 'ensemble:champion', ts: 2 }).resolved).toBe(true);
  });

  it('model rollback and CLM failure', () => {
    expect(modelRollbackAlert({ model: 'ens', from: 'v7', to: 'v6', reason: 'live accuracy 0.41', ts: 1 })).toMatchObject({ key: 'rollback:ens', severity: 'critical' });
    expect(clmFailureAlert({ job: 'retrain', error: 'corrupted lightgbm file', ts: 1 })).toMatchObject({ key: 'clm:retrain', severity: 'warning', detail: 'corrupted lightgbm file' });
  });
});
