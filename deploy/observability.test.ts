// The dashboard and the alert rules may only use metrics that runtime/metrics defines, and the
// dashboard must show every one of them: generic dashboards and unalerted drawdowns were the
// old system's failure.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
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
  type Service = { image?: string; build?: unknown; ports?: string[]; healthcheck?: { test: string[] }; restart?: string; env_file?: string[]; environment?: Record<string, string>; volumes?: string[]; depends_on?: unknown };
  const compose = parseYaml(read('compose.yaml')) as { services: Record<string, Service>; secrets: Record<string, { file: string }>; volumes: Record<string, unknown> };
  const svc = compose.services;

  it('runs nats, the node, prometheus and grafana, each with a healthcheck, a restart policy and loopback-only ports', () => {
    expect(Object.keys(svc).sort()).toEqual(['grafana', 'nats', 'node', 'prometheus']);
    for (const [name, s] of Object.entries(svc)) {
      expect(s.healthcheck?.test.length, name).toBeGreaterThan(0);
      expect(s.restart, name).toMatch(/^(unless-stopped|on-failure|always)$/);
      for (const p of s.ports ?? []) expect(p, `${name} port`).toMatch(/^127\.0\.0\.1:/);
    }
    expect(svc.node!.healthcheck!.test.join(' ')).toContain('9464/healthz');
    expect(svc.nats!.healthcheck!.test.join(' ')).toContain('/healthz?js-enabled-only=true');
    // A root supervisor's escalation exits non-zero: the node must be restarted on failure.
    expect(svc.node!.restart).toBe('on-failure');
  });

  it('mounts the files it names, and keeps secrets out of the file', () => {
    for (const [name, s] of Object.entries(svc)) {
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0]!;
        if (src.startsWith('.')) expect(existsSync(here(src)), `${name}: ${src}`).toBe(true);
        else expect(compose.volumes, `${name}: named volume ${src}`).toHaveProperty(src);
      }
      for (const [k, val] of Object.entries(s.environment ?? {})) expect(`${k}=${val}`, name).not.toMatch(/(PASSWORD|TOKEN|SECRET|API_KEY)=(?!.*_FILE)/);
    }
    expect(svc.prometheus!.volumes).toContain('./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');
    expect(compose.secrets.grafana_admin_password!.file).toBe('./grafana-admin-password.txt');
  });

  it('every YAML file of deploy/ parses', () => {
    for (const f of ['prometheus/prometheus.yml', 'prometheus/alerts.yml', 'prometheus/alerts.test.yml', 'grafana/provisioning/datasources/prometheus.yml', 'grafana/provisioning/dashboards/quantum-trader.yml']) {
      expect(() => parseYaml(read(f)), f).not.toThrow();
    }
  });
});
