import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const here = (p: string) => join(import.meta.dirname, p);

describe('deploy scripts', () => {
  it.each(['setup-debian.sh', 'backup.sh', 'alert-unit-failure.sh'])('%s is valid bash', (f) => {
    const r = spawnSync('bash', ['-n', here(f)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('setup-debian.sh --dry-run lists the steps without touching the machine', () => {
    const r = spawnSync('bash', [here('setup-debian.sh'), '--dry-run', '--no-start'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('+ install -d -m 0750 -o quantum -g quantum /var/lib/quantum-trader');
    expect(r.stdout).toMatch(/\+ install -m 0644 \S+\/deploy\/systemd\/quantum-trader\.service \/etc\/systemd\/system\/quantum-trader\.service/);
    expect(r.stdout).toContain('+ systemctl enable quantum-trader-nats.service quantum-trader.service');
    expect(r.stdout).not.toContain('systemctl restart');
  });

  it('setup-debian.sh rejects unknown options', () => {
    const r = spawnSync('bash', [here('setup-debian.sh'), '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});
