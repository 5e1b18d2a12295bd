import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import { createAlertRouter } from './router.js';
import { recordingSink } from './sinks/recording.js';
import type { Alert, AlertSink } from './types.js';

const alert = (key: string, over: Partial<Alert> = {}): Alert => ({ key, severity: 'warning', title: key, detail: 'd', ts: 0, labels: {}, ...over });

function setup(opts: { window?: number; maxPerMinute?: number; sinks?: AlertSink[] } = {}) {
  let t = 1_000_000;
  const sink = recordingSink();
  const counted: string[] = [];
  const router = createAlertRouter({
    sinks: opts.sinks ?? [sink],
    dedupWindowMs: opts.window ?? 60_000,
    maxPerMinute: opts.maxPerMinute ?? 100,
    now: () => t,
    count: (rule, sev, outcome) => counted.push(`${rule}/${sev}/${outcome}`),
  });
  return { router, sink, counted, advance: (ms: number) => (t += ms) };
}

describe('AlertRouter', () => {
  it('suppresses the same key within the window, counts it, and re-fires after the window with the count', async () => {
    const { router, sink, counted, advance } = setup();
    expect(await router.route(alert('drawdown:5'))).toBe('sent');
    advance(1_000);
    expect(await router.route(alert('drawdown:5'))).toBe('suppressed');
    expect(await router.route(alert('drawdown:5'))).toBe('suppressed');
    expect(await router.route(alert('breaker:sim:rest'))).toBe('sent');
    advance(60_000);
    expect(await router.route(alert('drawdown:5'))).toBe('sent');
    expect(sink.keys()).toEqual(['drawdown:5', 'breaker:sim:rest', 'drawdown:5']);
    expect(sink.sent[2]!.suppressed).toBe(2);
    expect(router.stats()).toMatchObject({ sent: 3, suppressed: 2 });
    expect(counted.filter((c) => c === 'drawdown/warning/suppressed')).toHaveLength(2);
  });

  it('sends a resolved notice only for a firing key, then the key can fire again at once', async () => {
    const { router, sink } = setup();
    expect(await router.resolve('fallback:BTCUSDT')).toBe('inactive');
    await router.route(alert('fallback:BTCUSDT'));
    expect(await router.route(alert('fallback:BTCUSDT', { resolved: true, detail: 'model back', ts: 5 }))).toBe('resolved');
    expect(sink.sent[1]).toMatchObject({ key: 'fallback:BTCUSDT', resolved: true, detail: 'model back', ts: 5 });
    expect(router.active()).toEqual([]);
    expect(await router.route(alert('fallback:BTCUSDT'))).toBe('sent');
  });

  it('lets a higher severity through the dedup window', async () => {
    const { router, sink } = setup();
    await router.route(alert('unprotected:ETHUSDT'));
    expect(await router.route(alert('unprotected:ETHUSDT', { severity: 'critical' }))).toBe('sent');
    expect(sink.sent.map((a) => a.severity)).toEqual(['warning', 'critical']);
  });

  it('rate-limits non-critical alerts across keys, never critical ones', async () => {
    const { router, sink, advance } = setup({ maxPerMinute: 2 });
    await router.route(alert('a:1'));
    await router.route(alert('a:2'));
    expect(await router.route(alert('a:3'))).toBe('suppressed');
    expect(await router.route(alert('escalated:root', { severity: 'critical' }))).toBe('sent');
    advance(60_000);
    expect(await router.route(alert('a:3'))).toBe('sent');
    expect(sink.keys()).toEqual(['a:1', 'a:2', 'escalated:root', 'a:3']);
  });

  it('reports a failure when every sink fails, succeeds if one does, and never logs a secret', async () => {
    const lines: string[] = [];
    const { logger } = createLogger({ destination: { write: (l) => void lines.push(l) } });
    const token = '123456:SECRET-bot-token-value';
    const leaky: AlertSink = { name: 'leaky', secrets: () => [token], send: async () => Promise.reject(new Error(`POST https://api.telegram.org/bot${token}/sendMessage failed`)) };
    const good = recordingSink();
    const router = createAlertRouter({ sinks: [leaky, good], logger });
    expect(await router.route(alert('clm:retrain'))).toBe('sent');
    good.failing = true;
    expect(await router.route(alert('clm:drift'))).toBe('failed');
    const log = lines.join('');
    expect(log).toContain('alert sink leaky failed');
    expect(log).toContain('[REDACTED]');
    expect(log).not.toContain('SECRET-bot-token');
    expect(router.stats()).toMatchObject({ sent: 1, failed: 1 });
  });
});
