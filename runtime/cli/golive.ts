import { parseArgs } from 'node:util';
import { readSecret } from '../config/index.js';
import {
  binanceRestrictionsFetcher, checkApiKeyPermissions, checkGoLive, GoLiveConfigSchema, renderGoLive, type GoLiveGates,
} from '../golive/index.js';
import { clientBus, clientConfig } from './connect.js';

/** Env names of the Binance key pair (read with `readSecret`, so `_FILE` works). */
export const BINANCE_SECRET_ENV = { apiKey: 'BINANCE_API_KEY', apiSecret: 'BINANCE_API_SECRET' } as const;

const USAGE = `usage:
  qt golive check [--json] [--nats URL] [--config F] [--min-hours H] [--max-drawdown X] [--venue V]
  qt golive apikey [--json] [--base-url URL]     (key from ${BINANCE_SECRET_ENV.apiKey} / ${BINANCE_SECRET_ENV.apiSecret})
`;

/** Gates from config (`golive` section, once it is in the schema), then flags on top. */
function gatesFrom(values: { config?: string; nats?: string; 'min-hours'?: string; 'max-drawdown'?: string; venue?: string }): GoLiveGates {
  const cfg = clientConfig(values) as unknown as { golive?: GoLiveGates };
  const gates: GoLiveGates = { ...cfg.golive };
  const number = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${flag} must be a number, got '${v}'`);
    return n;
  };
  const minHours = number('min-hours', values['min-hours']);
  const maxDrawdown = number('max-drawdown', values['max-drawdown']);
  if (minHours !== undefined) gates.minHours = minHours;
  if (maxDrawdown !== undefined) gates.maxDrawdown = maxDrawdown;
  if (values.venue) gates.venue = values.venue;
  return GoLiveConfigSchema.parse(gates);
}

/**
 * `qt golive check`: judges the paper/shadow record in the streams against the go-live gates and
 * exits 1 when any fails (so scripts and the live start-up can gate on it). `qt golive apikey`
 * refuses a Binance key that allows withdrawals.
 */
export async function runGolive(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      nats: { type: 'string' },
      config: { type: 'string' },
      'min-hours': { type: 'string' },
      'max-drawdown': { type: 'string' },
      venue: { type: 'string' },
      'base-url': { type: 'string', default: 'https://api.binance.com' },
    },
  });
  const [op] = positionals;
  if (op === 'apikey') {
    const apiKey = readSecret(BINANCE_SECRET_ENV.apiKey);
    const apiSecret = readSecret(BINANCE_SECRET_ENV.apiSecret);
    if (!apiKey || !apiSecret) throw new Error(`${BINANCE_SECRET_ENV.apiKey} and ${BINANCE_SECRET_ENV.apiSecret} (or their _FILE) must be set`);
    try {
      const v = await checkApiKeyPermissions(binanceRestrictionsFetcher({ baseUrl: values['base-url'], apiKey, apiSecret }));
      process.stdout.write(values.json ? `${JSON.stringify({ ok: true, warnings: v.warnings })}\n` : `API key OK: withdrawals disabled${v.warnings.map((w) => `\nwarning: ${w}`).join('')}\n`);
      return 0;
    } catch (e) {
      process.stdout.write(values.json ? `${JSON.stringify({ ok: false, error: (e as Error).message })}\n` : `API key REFUSED: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (op !== 'check') {
    process.stderr.write(USAGE);
    return 2;
  }
  const gates = gatesFrom(values);
  const bus = await clientBus(values);
  try {
    const report = await checkGoLive({ bus, gates });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderGoLive(report)}\n`);
    return report.pass ? 0 : 1;
  } finally {
    await bus.close();
  }
}
