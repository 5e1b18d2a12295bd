// The dashboard and the alert rules may only use metrics that runtime/metrics defines, and the
// dashboard must show every one of them: generic dashboards and unalerted drawdowns were the
// old system's failure.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS, createMetrics } from '../runtime/metrics/index.js';

const here = (p: string) => join(import.meta.dirname, p);
const read = (p: string) => readFileSync(here(p), 'utf8');

async function definedNames(): Promise<Set<string>> {
  const { registry } = createMetrics();
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  return names;
}
const qtNames = (expr: string) => [...expr.matchAll(/\b(qt_[a-z0-9_]+)/g)].map((m) => m[1]!);

interface Rule { alert: string; expr: string; severity?: string; summary?: string }

/** Reads the Prometheus rules file line by line (single-line exprs are a convention of this file). */
function parseRules(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const line of text.split('\n')) {
    const alert = /^\s*- alert:\s*(\S+)/.exec(line);
    if (alert) rules.push({ alert: alert[1]!, expr: '' });
    const cur = rules.at(-1);
    if (!cur) continue;
    const expr = /^\s+expr:\s*(.+)$/.exec(line);
    if (expr) cur.expr = expr[1]!.trim();
    const sev = /severity:\s*(\w+)/.exec(line);
    if (sev) cur.severity = sev[1];
    const sum = /^\s+summary:\s*(.+)$/.exec(line);
    if (sum) cur.summary = sum[1];
  }
  return rules;
}

describe('Grafana dashboard', () => {
  const dash = JSON.parse(read('grafana/dashboard.json')) as { uid: string; panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }> };
  const exprs = dash.panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []);

  it('references only defined metrics', async () => {
    const defined = await definedNames();
    const unknown = exprs.flatMap(qtNames).filter((n) => !defined.has(n));
    expect(unknown).toEqual([]);
  });

  it('has a panel for every metric of runtime/metrics', () => {
    const used = new Set(exprs.flatMap(qtNames).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    const missing = Object.values(METRICS).map((m) => m.name).filter((n) => !used.has(n));
    expect(missing).toEqual([]);
    expect(dash.panels.filter((p) => p.type !== 'row').every((p) => p.title && p.targets?.length)).toBe(true);
  });
});

describe('Prometheus', () => {
  const rules = parseRules(read('prometheus/alerts.yml'));

  it('alert rules reference only defined metrics and each has an expr, a severity and a summary', async () => {
    const defined = await definedNames();
    expect(rules.length).toBeGreaterThan(10);
    for (const r of rules) {
      expect(r.expr, r.alert).not.toBe('');
      expect(['warning', 'critical', 'info'], r.alert).toContain(r.severity);
      expect(r.summary, r.alert).toBeTruthy();
      expect(qtNames(r.expr).filter((n) => !defined.has(n)), r.alert).toEqual([]);
    }
  });

  it('covers drawdown, escalations, crash loops, breakers, unprotected positions, fallback, lag, rollback and node down', () => {
    const byMetric = (m: string) => rules.filter((r) => r.expr.includes(m)).map((r) => r.alert);
    expect(byMetric('qt_drawdown_ratio')).toEqual(['QtDrawdown5', 'QtDrawdown10', 'QtDrawdown20']);
    for (const m of ['qt_actor_escalations_total', 'qt_actor_restarts_total', 'qt_breaker_state', 'qt_unprotected_position_max_age_seconds', 'source="fallback"', 'qt_consumer_pending_messages', 'qt_model_rollbacks_total', 'up{job="quantum-trader"}']) {
      expect(byMetric(m), m).not.toEqual([]);
    }
    expect(rules.find((r) => r.alert === 'QtDrawdown20')?.severity).toBe('critical');
  });

  it('prometheus.yml loads the rules and scrapes the node', () => {
    const conf = read('prometheus/prometheus.yml');
    expect(conf).toContain('/etc/prometheus/alerts.yml');
    expect(conf).toMatch(/job_name: quantum-trader[\s\S]*targets: \['node:9464'\]/);
  });
});

describe('compose.yaml', () => {
  const compose = read('compose.yaml');
  it('runs nats, the node, prometheus and grafana, with the node healthcheck on /healthz', () => {
    for (const s of ['nats', 'node', 'prometheus', 'grafana']) expect(compose).toMatch(new RegExp(`^  ${s}:`, 'm'));
    expect(compose).toMatch(/node:[\s\S]*healthcheck:[\s\S]*9464\/healthz/);
    expect(compose).toContain('/healthz?js-enabled-only=true');
    expect(compose).not.toMatch(/PASSWORD=\S|TOKEN=\S/);
  });

  const py = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
  it.skipIf(py.status !== 0)('every YAML file parses (PyYAML, when installed)', () => {
    const files = ['compose.yaml', 'prometheus/prometheus.yml', 'prometheus/alerts.yml', 'grafana/provisioning/datasources/prometheus.yml', 'grafana/provisioning/dashboards/quantum-trader.yml'].map(here);
    const r = spawnSync('python3', ['-c', 'import sys, yaml\nfor f in sys.argv[1:]: yaml.safe_load(open(f))', ...files], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
