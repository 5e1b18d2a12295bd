// `systemd-analyze verify` on the committed units (it checks directives and that ExecStart
// binaries exist), plus the hardening and restart policy the node depends on.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, 'systemd');
const UNITS = ['quantum-trader-nats.service', 'quantum-trader.service', 'quantum-trader-alert@.service'];
const dir = mkdtempSync(join(tmpdir(), 'qt-units-'));
for (const u of UNITS) copyFileSync(join(SRC, u), join(dir, u));
// A template is verified through an instance.
copyFileSync(join(SRC, 'quantum-trader-alert@.service'), join(dir, 'quantum-trader-alert@quantum-trader.service.service'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const verify = (...files: string[]) => spawnSync('systemd-analyze', ['verify', '--man=no', ...files], { encoding: 'utf8', cwd: dir, env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
const unit = (name: string) => readFileSync(join(SRC, name), 'utf8');

describe('systemd units', () => {
  it('pass systemd-analyze verify without a single warning', () => {
    const r = verify('quantum-trader-nats.service', 'quantum-trader.service', 'quantum-trader-alert@quantum-trader.service.service');
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('verify really checks: a broken copy fails', () => {
    const broken = unit('quantum-trader.service').replace('ExecStart=/usr/bin/node', 'ExecStart=/usr/bin/no-such-node').replace(/^Restart=on-failure$/m, 'Restart=sometimes');
    writeFileSync(join(dir, 'broken.service'), broken);
    const r = verify('quantum-trader-nats.service', 'broken.service');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no-such-node');
    expect(r.stderr).toContain('sometimes');
  });

  it.each(['quantum-trader.service', 'quantum-trader-nats.service'])('%s is hardened and restarts on failure', (name) => {
    const u = unit(name);
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=\n', 'Restart=on-failure', 'User=quantum']) expect(u, line).toContain(line);
    expect(u).toMatch(/^MemoryMax=\d+[MG]$/m);
    expect(u).toMatch(/^RestartSec=\d+s$/m);
    expect(u).toMatch(/^StartLimitIntervalSec=\d+$/m);
    expect(u).toMatch(/^StartLimitBurst=\d+$/m);
    expect(u).toMatch(/^EnvironmentFile=\/etc\/quantum-trader\/\w+\.env$/m);
    expect(u).toMatch(/^ReadWritePaths=\/var\/lib\/quantum-trader/m);
    expect(u).toMatch(/^OnFailure=quantum-trader-alert@%n\.service$/m);
  });

  it('the node requires and follows NATS', () => {
    const u = unit('quantum-trader.service');
    expect(u).toMatch(/^Requires=quantum-trader-nats\.service$/m);
    expect(u).toMatch(/^After=.*quantum-trader-nats\.service/m);
    expect(u).toContain('ExecStart=/usr/bin/node /opt/quantum-trader/runtime/cli/qt.mjs up');
  });
});
