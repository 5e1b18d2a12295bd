import { describe, expect, it } from 'vitest';
import { subjects } from '../../protocols/index.js';
import { encode } from '../codec.js';
import { createMetrics } from '../metrics/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { until } from '../testing/wait.js';
import { watchTradingMetrics } from './trading-metrics.js';

describe('trading metrics', () => {
  it('counts signals by source, risk denials by reason, orders by state, fills, PnL and unprotected positions from the live subjects', async () => {
    await using env = await natsEnv();
    const metrics = createMetrics({ defaultMetrics: false });
    const w = watchTradingMetrics({ bus: env.bus, metrics });
    const pub = (s: string, d: unknown) => env.bus.nc.publish(s, encode(d));
    pub(subjects.signal('BTCUSDT'), { symbol: 'BTCUSDT', side: 'BUY', source: 'fallback' });
    pub(subjects.signal('ETHUSDT'), { symbol: 'ETHUSDT', side: 'HOLD', source: 'model' });
    pub(subjects.journal('risk'), { kind: 'risk', data: { verdict: { decision: 'deny', reasons: [{ code: 'MAX_DAILY_LOSS' }, { code: 'KILL_SWITCH' }] } } });
    pub(subjects.order('BTCUSDT', 'event'), { symbol: 'BTCUSDT', side: 'BUY', status: 'filled', fill: { price: 60_000, qty: 0.01 } });
    pub(subjects.position('BTCUSDT', 'open'), { symbol: 'BTCUSDT', qty: 0.01, markPrice: 60_100, avgEntry: 60_000, realizedPnl: -1.5, unrealizedPnl: 1, unprotectedSince: 1_000, ts: 6_000 });
    const text = await until(async () => {
      const t = await metrics.registry.metrics();
      return /unprotected/.test(t) && /KILL_SWITCH/.test(t) ? t : undefined;
    }, 'metrics recorded');
    expect(text).toMatch(/source="fallback".*\} 1/);
    expect(text).toMatch(/source="model".*\} 1/);
    expect(text).toMatch(/reason="MAX_DAILY_LOSS"\} 1/);
    expect(text).toMatch(/state="filled".*\} 1/);
    expect(text).toMatch(/qt_\w*unprotected\w* 1/);
    w.stop();
  });
});
