import { describe, expect, it } from 'vitest';
import { subjects, type NodeStatusRecord, type SupervisionEvent } from '../../protocols/index.js';
import { recordingSink } from '../alerts/index.js';
import { encode } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { until } from '../testing/wait.js';
import { OpsConfigSchema } from './config.js';
import { buildAlertSinks } from './sinks.js';
import { startNodeOps } from './node-ops.js';

const tree = (status: NodeStatusRecord['status']): NodeStatusRecord => ({ path: 'root', id: 'root', kind: 'supervisor', status, restarts: 0, updatedAt: Date.now() });
const ev = (type: SupervisionEvent['type'], path: string, node: string): SupervisionEvent => ({ type, path, id: 'x', kind: 'worker', ts: Date.now(), restarts: 1, node });

describe('startNodeOps (real nats-server)', () => {
  it('serves probes from the tree, counts this node’s supervision events and alerts on escalation', async () => {
    await using env = await natsEnv();
    const sink = recordingSink();
    let status: NodeStatusRecord['status'] = 'running';
    const ops = await startNodeOps({
      bus: env.bus,
      node: 'n1',
      ops: OpsConfigSchema.parse({ http: { port: 0 } }),
      tree: () => tree(status),
      provisioned: () => true,
      sinks: [sink],
    });
    try {
      const url = ops.http!.url;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      for (const e of [ev('restarted', 'root.a', 'n1'), ev('restarted', 'root.a', 'n2'), ev('escalated', 'root', 'n1')]) {
        await env.bus.js.publish(subjects.supervision(e.path, e.type), encode(e));
      }
      await until(() => sink.sent.length === 1, 'escalation alert');
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toContain('qt_actor_restarts_total{path="root.a",kind="worker",node="n1"} 1');
      expect(text).toContain('qt_actor_escalations_total{path="root",kind="worker",node="n1"} 1');
      expect(text).toContain('qt_alerts_total{rule="escalated",severity="critical",outcome="sent",node="n1"} 1');
      expect(text).toContain('qt_nats_connected{node="n1"} 1');
      expect(text).toContain('qt_supervision_node_status{path="root",kind="supervisor",status="running",node="n1"} 1');
      status = 'escalated';
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { reasons: string[] }).reasons[0]).toContain('root (supervisor, permanent) is escalated');
    } finally {
      await ops.stop();
    }
  });
});

describe('ops config', () => {
  it('has working defaults and refuses a configured sink without its secret', () => {
    const cfg = OpsConfigSchema.parse({});
    expect(cfg.http).toEqual({ enabled: true, port: 9464, host: '127.0.0.1' });
    expect(cfg.alerts.drawdownThresholds).toEqual([0.05, 0.1, 0.2]);
    expect(buildAlertSinks(cfg.alerts, {})).toEqual([]);
    const tg = OpsConfigSchema.parse({ alerts: { telegram: { chatId: '-100' } } });
    expect(() => buildAlertSinks(tg.alerts, {})).toThrow(/TELEGRAM_BOT_TOKEN/);
    expect(buildAlertSinks(tg.alerts, { telegramToken: 'x:y' }).map((s) => s.name)).toEqual(['telegram']);
    expect(() => OpsConfigSchema.parse({ http: { prot: 1 } })).toThrow();
  });
});
