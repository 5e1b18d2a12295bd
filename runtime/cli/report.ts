import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildReport, readJournal, renderHtml, renderText } from '../report/index.js';
import { clientBus, clientConfig } from './connect.js';

const USAGE = 'usage: qt report [--json] [--html FILE] [--from ISO] [--to ISO] [--equity USDT] [--scan-all] [--nats URL] [--config F]';

function time(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`${flag}: not an ISO date/time: ${v}`);
  return t;
}

/**
 * `qt report`: trades from the journal in [--from, --to] with win rate, profit factor,
 * expectancy, Sharpe/Sortino, drawdown, exposure and fees (also per symbol, attribution and exit
 * reason). Prints a table, or JSON with `--json`; `--html FILE` writes a self-contained page.
 */
export async function runReport(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' }, html: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, equity: { type: 'string' },
        'scan-all': { type: 'boolean' }, nats: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let from: number | undefined;
  let to: number | undefined;
  let equity: number | undefined;
  let fallback: number;
  try {
    from = time(values.from, '--from');
    to = time(values.to, '--to');
    // Without --equity: the equity the risk brain journaled at the start of the range (the venue's
    // account figure on a live node), else the configured one.
    equity = values.equity !== undefined ? Number(values.equity) : undefined;
    if (equity !== undefined && !(equity > 0)) throw new Error(`--equity: must be a positive number, got ${values.equity}`);
    const cfg = clientConfig(values);
    fallback = cfg.risk.initialEquity ?? cfg.sim.initialBalance;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const bus = await clientBus(values);
  try {
    const read = await readJournal(bus, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(values['scan-all'] ? { slackMs: 'all' as const } : {}) });
    const report = buildReport(read.entries, { ...(equity !== undefined ? { initialEquity: equity } : {}), fallbackEquity: fallback, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
    if (values.html) writeFileSync(values.html, renderHtml(report));
    if (values.json) process.stdout.write(`${JSON.stringify({ ...report, skippedMessages: read.skipped }, null, 2)}\n`);
    else process.stdout.write(`${renderText(report)}\n${values.html ? `HTML report written to ${values.html}\n` : ''}`);
    return 0;
  } finally {
    await bus.close();
  }
}
