import { parseArgs } from 'node:util';
import { runDoctorChecks, renderDoctor, OpsConfigSchema } from '../ops/index.js';
import { clientConfig, DEFAULT_NATS_URL } from './connect.js';

/**
 * `qt doctor [--json] [--nats URL] [--config F] [--lag-warn N] [--timeout MS]`: checks NATS,
 * JetStream, the provisioned layout, consumer lag, the nodes on the system, the supervision tree, venue, models and trading. Exit 0 when nothing
 * failed, 1 otherwise; checks that cannot run yet say so and never count as a pass.
 */
export async function runDoctor(argv: string[], out: { write(s: string): unknown } = process.stdout): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      nats: { type: 'string' },
      config: { type: 'string' },
      'lag-warn': { type: 'string' },
      timeout: { type: 'string', default: '3000' },
    },
  });
  const cfg = clientConfig(values);
  const defaults = OpsConfigSchema.parse({}).doctor;
  const lagWarn = values['lag-warn'] !== undefined ? Number(values['lag-warn']) : defaults.lagWarn;
  const timeoutMs = Number(values.timeout);
  if (!(lagWarn > 0) || !(timeoutMs > 0)) throw new Error('--lag-warn and --timeout must be positive numbers');
  const report = await runDoctorChecks({
    cfg,
    connection: {
      url: cfg.nats.url ?? DEFAULT_NATS_URL,
      ...(cfg.nats.credsFile ? { credsFile: cfg.nats.credsFile } : {}),
      ...(cfg.nats.user ? { user: cfg.nats.user, pass: cfg.nats.pass } : {}),
    },
    lagWarn,
    ackPendingWarn: defaults.ackPendingWarn,
    timeoutMs,
  });
  out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderDoctor(report)}\n`);
  return report.ok ? 0 : 1;
}
