import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './index.js';

function file(content: unknown): string {
  const p = join(mkdtempSync(join(tmpdir(), 'qt-cfg-')), 'qt.config.json');
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

describe('config', () => {
  it('fills defaults for an empty config', () => {
    const c = loadConfig({ env: {} });
    expect(c.supervision.intensity).toBe(5);
    expect(c.streams.duplicateWindowMin).toBe(10);
    expect(c.host.maxAckPending).toBe(512);
    expect(c.reconcile).toEqual({ everySec: 30, mismatchGraceMs: 5_000, promptMs: 250 });
    expect(c.risk.equitySource).toBe('venue');
    expect(c.strategy).toMatchObject({ stopPct: 0.02, tpFractions: [0.3, 0.3, 0.4], trailActivatePct: 0.01 });
    expect(loadConfig({ env: { QT_RECONCILE__MISMATCH_GRACE_MS: '8000' } }).reconcile.mismatchGraceMs).toBe(8_000);
  });

  it('rejects an unknown key in the file, naming it', () => {
    const f = file({ supervision: { intensty: 3 } });
    expect(() => loadConfig({ env: {}, file: f })).toThrow(/unknown config key 'supervision\.intensty'/);
  });

  it('rejects an unknown top-level key', () => {
    expect(() => loadConfig({ env: {}, file: file({ redis: {} }) })).toThrow(/unknown config key 'redis'/);
  });

  it('rejects a bad value, naming the key', () => {
    expect(() => loadConfig({ env: {}, file: file({ supervision: { intensity: -1 } }) })).toThrow(/config key 'supervision\.intensity'/);
    expect(() => loadConfig({ env: {}, file: file({ log: { level: 'loud' } }) })).toThrow(/config key 'log\.level'/);
    expect(() => loadConfig({ env: { QT_STREAMS__DUPLICATE_WINDOW_MIN: '2' } })).toThrow(/duplicateWindowMin: at least 10 minutes, or a retried order could be placed twice/);
    expect(() => loadConfig({ env: {}, overrides: { strategy: { tpFractions: [0.3, 0.3, 0.3] } } })).toThrow(/take-profit shares must add up to 1/);
  });

  it('cluster mode: leases from env; the renew interval must leave room in the TTL; nats.url may list every server', () => {
    const c = loadConfig({ env: { QT_CLUSTER__LEASES__ENABLED: 'true', QT_CLUSTER__LEASES__TTL_MS: '3000', QT_CLUSTER__LEASES__RENEW_MS: '1000' } });
    expect(c.cluster.leases).toMatchObject({ enabled: true, ttlMs: 3_000, renewMs: 1_000 });
    expect(() => loadConfig({ env: {}, file: file({ cluster: { leases: { ttlMs: 3_000, renewMs: 2_000 } } }) })).toThrow(/cluster\.leases\.renewMs/);
    expect(loadConfig({ env: { QT_NATS__URL: 'nats://a:4222,nats://b:4222' } }).nats.url).toBe('nats://a:4222,nats://b:4222');
    expect(() => loadConfig({ env: { QT_NATS__URL: 'nats://a:4222,not a url' } })).toThrow(/nats\.url/);
  });

  it('reports invalid JSON with the path', () => {
    const f = file('{ nope');
    expect(() => loadConfig({ env: {}, file: f })).toThrow(/not valid JSON/);
  });

  it('applies env overrides over the file, and CLI overrides over env', () => {
    const f = file({ supervision: { intensity: 3, period: 1000 } });
    const c = loadConfig({ env: { QT_SUPERVISION__INTENSITY: '7', QT_NATS__URL: 'nats://127.0.0.1:4333' }, file: f });
    expect(c.supervision.intensity).toBe(7);
    expect(c.supervision.period).toBe(1000);
    expect(c.nats.url).toBe('nats://127.0.0.1:4333');
    const o = loadConfig({ env: { QT_SUPERVISION__INTENSITY: '7' }, file: f, overrides: { supervision: { intensity: 9 } } });
    expect(o.supervision.intensity).toBe(9);
  });

  it('maps camelCase keys from env names', () => {
    const c = loadConfig({ env: { QT_HOST__MAX_ACK_PENDING: '64' } });
    expect(c.host.maxAckPending).toBe(64);
  });

  it('rejects an unknown or malformed QT_ env var, naming it', () => {
    expect(() => loadConfig({ env: { QT_NATS__URLL: 'x' } })).toThrow(/unknown config key 'nats\.urll'/);
    expect(() => loadConfig({ env: { QT_LOGLEVEL: 'debug' } })).toThrow(/QT_LOGLEVEL/);
    expect(() => loadConfig({ env: { QT_SUPERVISION__INTENSITY: 'many' } })).toThrow(/supervision\.intensity.*QT_SUPERVISION__INTENSITY/);
  });

  it('fails on a missing explicit config file', () => {
    expect(() => loadConfig({ env: {}, file: '/nonexistent/qt.json' })).toThrow(/config file not found/);
  });
});
