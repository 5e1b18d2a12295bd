import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { INTERVAL_MS, INTERVALS, type Interval } from '../../protocols/index.js';
import { loadConfig } from '../config/index.js';
import { downloadKlines, klineFiles, openCandleStore, readKlineFile } from '../data/index.js';

function when(s: string | undefined, name: string): number {
  if (!s) throw new Error(`--${name} is required (ISO date or ms)`);
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(t)) throw new Error(`--${name}: cannot read '${s}' as a date`);
  return t;
}

/**
 * `qt data import <file|dir>` · `qt data download --symbols A,B --interval 1m --from … --to …`
 * · `qt data ls`: historical candles in the local `.qtc` store that backtests and training read.
 */
export async function runData(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' },
      symbols: { type: 'string' }, interval: { type: 'string', default: '1m' }, from: { type: 'string' }, to: { type: 'string' },
      'base-url': { type: 'string' }, venue: { type: 'string', default: 'binance' },
    },
  });
  const cfg = loadConfig(values.config ? { file: values.config } : {});
  const store = openCandleStore(values.dir ?? join(cfg.node.dataDir, 'candles'), (i) => INTERVAL_MS[i]);
  const [op, target] = positionals;
  const print = (x: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(x)}\n` : `${text}\n`);
  if (op === 'import') {
    if (!target) throw new Error('usage: qt data import <file|dir>');
    const results = [];
    for (const f of klineFiles(target)) {
      const r = readKlineFile(f, values.venue);
      const total = store.write(r.symbol, r.interval, values.venue, r.candles);
      results.push({ file: f, symbol: r.symbol, interval: r.interval, imported: r.candles.length, rejected: r.rejected.length, firstRejects: r.rejected.slice(0, 3), total });
    }
    print({ dir: store.dir, files: results }, results.map((r) => `${r.symbol} ${r.interval}: ${r.imported} imported, ${r.rejected} rejected, ${r.total} in store`).join('\n'));
    return results.some((r) => r.rejected > 0) ? 3 : 0;
  }
  if (op === 'download') {
    const interval = values.interval as Interval;
    if (!(INTERVALS as readonly string[]).includes(interval)) throw new Error(`--interval must be one of ${INTERVALS.join(', ')}`);
    const symbols = (values.symbols ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    if (!symbols.length) throw new Error('--symbols is required, e.g. --symbols BTCUSDT,ETHUSDT');
    const from = when(values.from, 'from');
    const to = values.to ? when(values.to, 'to') : Date.now();
    const results = [];
    for (const symbol of symbols) {
      const candles = await downloadKlines({ symbol, interval, from, to, ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}) });
      results.push({ symbol, interval, downloaded: candles.length, total: store.write(symbol, interval, values.venue, candles) });
    }
    print({ dir: store.dir, results }, results.map((r) => `${r.symbol} ${r.interval}: ${r.downloaded} downloaded, ${r.total} in store`).join('\n'));
    return 0;
  }
  if (op === 'ls') {
    const rows = store.list().map((f) => {
      const c = store.read(f.symbol, f.interval)!;
      return { symbol: f.symbol, interval: f.interval, count: c.count, from: c.count ? new Date(c.openTime[0]!).toISOString() : null, to: c.count ? new Date(c.openTime[c.count - 1]!).toISOString() : null };
    });
    print({ dir: store.dir, files: rows }, rows.map((r) => `${r.symbol} ${r.interval} ${r.count} candles ${r.from} → ${r.to}`).join('\n') || `(empty: ${store.dir})`);
    return 0;
  }
  process.stderr.write('usage: qt data import <file|dir> | download --symbols A,B --interval 1m --from ISO [--to ISO] | ls  [--dir D] [--json]\n');
  return 2;
}
