// The Prometheus side of the deployment, run for real (Debian's prometheus package, which
// deploy/dev.sh installs for the tests): promtool validates the rules and replays the old
// system's failures through them (alerts.test.yml); then a real Prometheus scrapes a real
// `qt up` node with the shipped rules, and every Grafana panel query is evaluated against it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../runtime/nats/index.js';
import { runQt, startQtNode } from '../runtime/testing/cli.js';
import { natsEnv } from '../runtime/testing/nats-env.js';
import { until } from '../runtime/testing/wait.js';

const here = (p: string) => join(import.meta.dirname, p);

function promtool(...args: string[]) {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd: here('prometheus') });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

interface PromAnswer<T> { status: string; data: T; error?: string }

async function api<T>(base: string, path: string): Promise<PromAnswer<T>> {
  return (await (await fetch(`${base}${path}`)).json()) as PromAnswer<T>;
}

/** The shipped prometheus.yml with the scrape target and rule path of this test, nothing else changed. */
function testConfig(dir: string, nodePort: number): string {
  const conf = readFileSync(here('prometheus/prometheus.yml'), 'utf8')
    .replace(/scrape_interval: 15s/, 'scrape_interval: 1s')
    .replace(/evaluation_interval: 15s/, 'evaluation_interval: 1s')
    .replace('/etc/prometheus/alerts.yml', here('prometheus/alerts.yml'))
    .replace("'node:9464'", `'127.0.0.1:${nodePort}'`);
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, conf);
  return file;
}

describe('Prometheus rules (promtool)', () => {
  it('alerts.yml is valid and prometheus.yml loads it', () => {
    const rules = promtool('check', 'rules', 'alerts.yml');
    expect(rules.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(rules.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'qt-prom-'));
    const conf = promtool('check', 'config', testConfig(dir, 9464));
    expect(conf.out).toContain('SUCCESS');
    expect(conf.code).toBe(0);
  });

  it('the old failures fire their alerts: -36 % drawdown, unprotected position, fallback, crash loop, node down, halt', () => {
    const r = promtool('test', 'rules', 'alerts.test.yml');
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});

describe('Prometheus scraping a real node', () => {
  it('scrapes /metrics, evaluates every rule without error, answers every dashboard query, and feeds the series the rules watch (trading state, kill switch, breakers, inference, drift, bus)', async () => {
    await using env = await natsEnv();
    const dataDir = mkdtempSync(join(tmpdir(), 'qt-prom-node-'));
    const nodePort = await freePort();
    // At 10× a candle closes every 6 s, so the AI brain infers within the test.
    await using _node = startQtNode(['--nats', env.server.url, '--venue', 'sim', '--symbols', '3', '--speed', '10'], {
      QT_NODE__ID: 'prom', QT_NODE__DATA_DIR: dataDir, QT_OPS__HTTP__PORT: String(nodePort), QT_UNIVERSE__TOP_N: '3',
    });
    const promDir = mkdtempSync(join(tmpdir(), 'qt-prom-'));
    const promPort = await freePort();
    const base = `http://127.0.0.1:${promPort}`;
    const prom: ChildProcess = spawn('prometheus', [
      `--config.file=${testConfig(promDir, nodePort)}`, `--storage.tsdb.path=${join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ], { stdio: 'ignore' });
    try {
      await until(async () => {
        const t = await api<{ activeTargets: Array<{ labels: { job: string }; health: string }> }>(base, '/api/v1/targets').catch(() => undefined);
        return t?.data.activeTargets.some((x) => x.labels.job === 'quantum-trader' && x.health === 'up') ?? false;
      }, 'prometheus scraping the node', 60_000);

      // Rules are evaluated every second; a bad expression or a many-to-many match shows as health 'err'.
      type Groups = { groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }> }> };
      const rules = await until(async () => {
        const g = await api<Groups>(base, '/api/v1/rules');
        const all = g.data.groups.flatMap((x) => x.rules);
        return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? all : undefined;
      }, 'every rule evaluated once', 30_000);
      expect(rules.length).toBeGreaterThan(10);
      expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);

      const up = await api<{ result: Array<{ value: [number, string] }> }>(base, `/api/v1/query?query=${encodeURIComponent('up{job="quantum-trader"}')}`);
      expect(up.data.result[0]?.value[1]).toBe('1');
      // The node's own series arrive with its node label, which the dashboard's $node variable selects.
      const connected = await api<{ result: Array<{ metric: { node: string }; value: [number, string] }> }>(base, `/api/v1/query?query=${encodeURIComponent('qt_nats_connected')}`);
      expect(connected.data.result.map((r) => [r.metric.node, r.value[1]])).toEqual([['prom', '1']]);

      const dash = JSON.parse(readFileSync(here('grafana/dashboard.json'), 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
      const failures: string[] = [];
      for (const p of dash.panels) {
        for (const t of p.targets ?? []) {
          const expr = t.expr.replaceAll('$node', '.+');
          const r = await api<unknown>(base, `/api/v1/query?query=${encodeURIComponent(expr)}`).catch((e: Error) => ({ status: 'error', error: e.message, data: null }));
          if (r.status !== 'success') failures.push(`${p.title}: ${expr}: ${r.error}`);
        }
      }
      expect(failures).toEqual([]);

      // The series the alert rules watch must be fed by what the node does, not merely defined:
      // a halt or an open breaker that never reaches /metrics is a health check that lies.
      const scrape = async () => (await fetch(`http://127.0.0.1:${nodePort}/metrics`)).text();
      const count = (text: string, re: RegExp) => [...text.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
      const fed = await until(async () => {
        const t = await scrape();
        return count(t, /^qt_inference_latency_seconds_count\{[^}]*\} (\d+)/gm) > 0 && /^qt_drift_score\{/m.test(t) && count(t, /^qt_bus_messages_total\{direction="in"[^}]*\} (\d+)/gm) > 0 ? t : undefined;
      }, 'inference, drift and bus metrics after a candle close', 60_000);
      expect(fed).toMatch(/^qt_trading_state\{state="ACTIVE",node="prom"\} 1$/m);
      expect(fed).toMatch(/^qt_kill_switch\{node="prom"\} 0$/m);
      for (const name of ['order', 'account', 'market']) expect(fed).toMatch(new RegExp(`^qt_breaker_state\\{venue="sim",name="${name}",node="prom"\\} 0$`, 'm'));
      expect(count(fed, /^qt_bus_messages_total\{direction="out",stream="QT_SIGNALS"[^}]*\} (\d+)/gm)).toBeGreaterThan(0);
      // Each hosted kind on the path reports its batches and the delay it adds to its inputs.
      for (const kind of ['symbol', 'strategy', 'risk']) {
        expect(count(fed, new RegExp(`^qt_actor_batch_seconds_count\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)`, 'gm')), kind).toBeGreaterThan(0);
        expect(count(fed, new RegExp(`^qt_actor_input_delay_seconds_count\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)`, 'gm')), kind).toBeGreaterThan(0);
      }

      const on = await runQt(['kill-switch', 'on', '--reason', 'metrics test', '--nats', env.server.url]);
      expect(on.code, on.stderr).toBe(0);
      await until(async () => /^qt_kill_switch\{node="prom"\} 1$/m.test(await scrape()), 'qt_kill_switch 1 once the risk brain applied it', 20_000);
    } finally {
      prom.kill('SIGTERM');
      await new Promise((r) => prom.once('exit', r));
    }
  }, 120_000);
});
