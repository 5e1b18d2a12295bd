import { describe, expect, it } from 'vitest';
import type { NodeStatusRecord } from '../../protocols/index.js';
import { healthFromTree, type HealthReport } from './health.js';
import { startOpsHttp } from './http.js';
import { createMetrics } from './registry.js';
import { METRICS } from './definitions.js';

const rec = (status: NodeStatusRecord['status']): NodeStatusRecord => ({
  path: 'root',
  id: 'root',
  kind: 'supervisor',
  status,
  restarts: 0,
  updatedAt: Date.now(),
  children: [{ path: 'root.a', id: 'a', kind: 'worker', status, restart: 'permanent', restarts: 2, updatedAt: Date.now() }],
});

describe('ops HTTP', () => {
  it('serves every metric definition on /metrics, refreshed by onScrape', async () => {
    const metrics = createMetrics();
    let scrapes = 0;
    await using http = await startOpsHttp({
      port: 0,
      registry: metrics.registry,
      health: () => healthFromTree(rec('running'), { natsConnected: true, provisioned: true }),
      onScrape: () => {
        scrapes++;
        metrics.supervisionTree(rec('running'));
      },
    });
    metrics.signal('fallback', 'BTCUSDT', 'BUY');
    metrics.inferenceLatency('ens', 0.004);
    metrics.tradingState('REDUCING', false);
    const res = await fetch(`${http.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(scrapes).toBe(1);
    for (const m of Object.values(METRICS)) expect(text).toContain(`# TYPE ${m.name} ${m.type}`);
    expect(text).toContain('qt_signals_total{source="fallback",symbol="BTCUSDT",side="BUY"} 1');
    expect(text).toContain('qt_supervision_node_status{path="root.a",kind="worker",status="running"} 1');
    expect(text).toContain('qt_supervision_node_restarts{path="root.a",kind="worker"} 2');
    expect(text).toContain('qt_trading_state{state="REDUCING"} 1');
    expect(text).toContain('qt_inference_latency_seconds_bucket{le="0.005",model="ens"} 1');
    expect(text).toContain('qt_process_cpu_seconds_total');
  });

  it('takes breakers and the risk brain\'s trading state from the tree info; a breaker no longer reported goes, a risk brain that is down is not read', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const node = (path: string, status: NodeStatusRecord['status'], info: Record<string, unknown>): NodeStatusRecord => ({ path, id: path.split('.').pop()!, kind: 'worker', status, restarts: 0, updatedAt: 1, info });
    const tree = (...children: NodeStatusRecord[]): NodeStatusRecord => ({ ...rec('running'), children });
    const md = node('root.venue.market-data', 'running', { venue: 'binance', health: { order: { state: 'halfOpen', since: 1 }, account: { state: 'open', since: 2 }, market: { state: 'closed', since: 0 } } });
    const risk = (status: NodeStatusRecord['status'], tradingState: string, killSwitch: boolean) => node('root.brains.risk', status, { tradingState, riskMode: 'SAFE', killSwitch, reconciling: false });
    const text = async () => metrics.registry.metrics();

    metrics.treeInfo(tree(md, risk('running', 'HALTED', true)));
    let t = await text();
    expect(t).toContain('qt_breaker_state{venue="binance",name="order"} 1');
    expect(t).toContain('qt_breaker_state{venue="binance",name="account"} 2');
    expect(t).toContain('qt_breaker_state{venue="binance",name="market"} 0');
    expect(t).toContain('qt_trading_state{state="HALTED"} 1');
    expect(t).toContain('qt_trading_state{state="ACTIVE"} 0');
    expect(t).toContain('qt_kill_switch 1');

    // Venue worker gone, risk brain restarting with stale info: no breaker series, last known state kept.
    metrics.treeInfo(tree(risk('backoff', 'ACTIVE', false)));
    t = await text();
    expect(t).not.toContain('qt_breaker_state{');
    expect(t).toContain('qt_trading_state{state="HALTED"} 1');
    expect(t).toContain('qt_kill_switch 1');
  });

  it('answers /healthz and /readyz with the verdict and reasons, 503 when broken or when health throws', async () => {
    let health: () => HealthReport = () => healthFromTree(rec('running'), { natsConnected: true, provisioned: false });
    await using http = await startOpsHttp({ port: 0, registry: createMetrics({ defaultMetrics: false }).registry, health: () => health() });
    const get = async (p: string) => {
      const r = await fetch(`${http.url}${p}`);
      return { status: r.status, body: (await r.json()) as { ok: boolean; reasons: string[] } };
    };
    expect(await get('/healthz')).toMatchObject({ status: 200, body: { ok: true, check: 'live', reasons: [] } });
    expect(await get('/readyz')).toMatchObject({ status: 503, body: { ok: false, reasons: ['JetStream layout not provisioned'] } });
    health = () => healthFromTree(rec('crashed'), { natsConnected: true, provisioned: true });
    const down = await get('/healthz');
    expect(down.status).toBe(503);
    expect(down.body.reasons).toContain('root (supervisor, permanent) is crashed');
    health = () => {
      throw new Error('tree unavailable');
    };
    expect(await get('/healthz')).toMatchObject({ status: 503, body: { ok: false, reasons: ['health check failed: tree unavailable'] } });
    expect((await get('/nope')).status).toBe(404);
  });

  it('binds to loopback by default', async () => {
    await using http = await startOpsHttp({ port: 0, registry: createMetrics({ defaultMetrics: false }).registry, health: () => healthFromTree(undefined, { natsConnected: true, provisioned: true }) });
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
