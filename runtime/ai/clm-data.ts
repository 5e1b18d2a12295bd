import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DeliverPolicy } from '@nats-io/jetstream';
import { STREAMS, subjects, type Candle, type Interval } from '../../protocols/index.js';
import { readKlineCsv } from '../../models/data/index.js';
import { buildDataset, computeMetrics } from '../../models/eval/index.js';
import type { Manifest } from '../../models/registry/index.js';
import { decode } from '../codec.js';
import type { Bus } from '../nats/index.js';
import { runModel, type LoadedModel } from './sessions.js';

/** Kline CSVs from a file or a directory (`<SYMBOL>-<interval>.csv`), last `max` candles each. */
export async function candlesFromFiles(path: string, max: number): Promise<Candle[][]> {
  const files = (await stat(path)).isDirectory() ? (await readdir(path)).filter((f) => f.endsWith('.csv')).sort().map((f) => join(path, f)) : [path];
  return Promise.all(files.map(async (f) => (await readKlineCsv(f)).slice(-max)));
}

/** The closed candles of one interval on QT_MARKET (24 h retention by default), per symbol, last `max` each. */
export async function candlesFromMarket(bus: Bus, venue: string, interval: Interval, max: number): Promise<Candle[][]> {
  const filter = `qt.md.${venue}.*.candle.${interval}`;
  subjects.market(venue, 'X', `candle.${interval}`); // validates the tokens
  const info = await bus.jsm.streams.info(STREAMS.market);
  if (info.state.messages === 0) return [];
  const c = await bus.js.consumers.get(STREAMS.market, { filter_subjects: filter, deliver_policy: DeliverPolicy.All });
  const pending = (await c.info()).num_pending;
  const by = new Map<string, Candle[]>();
  if (pending === 0) return [];
  let seen = 0;
  for await (const m of await c.fetch({ max_messages: pending, expires: 5_000 })) {
    seen++;
    try {
      const candle = decode<Candle>(m.data);
      const list = by.get(candle.symbol) ?? [];
      list.push(candle);
      by.set(candle.symbol, list);
    } catch {
      // a malformed candle was already dead-lettered by its symbol actor; training skips it
    }
    if (seen >= pending) break;
  }
  return [...by.values()].map((l) => l.sort((a, b) => a.openTime - b.openTime).slice(-max));
}

/**
 * The champion ensemble (equal weights) evaluated on exactly the rows of the challenger's last
 * walk-forward test fold, where the challenger's fold model was out of sample. The champion may
 * have trained on those rows, which can only flatter it: the comparison errs against promotion.
 */
export async function championOnLastFold(series: Candle[][], challenger: Manifest, champion: readonly LoadedModel[]): Promise<{ logLoss: number; brier: number; n: number; source: string } | null> {
  const fold = challenger.evaluation.folds[challenger.evaluation.folds.length - 1];
  if (!fold || champion.length === 0) return null;
  const ds = buildDataset(series, { horizon: challenger.label.horizon, deadZoneK: challenger.label.deadZoneK });
  const from = Date.parse(fold.testFrom);
  const to = Date.parse(fold.testTo);
  const idx: number[] = [];
  for (let i = 0; i < ds.n; i++) if (ds.time[i]! >= from && ds.time[i]! <= to) idx.push(i);
  if (idx.length === 0) return null;
  const n = idx.length;
  const probs = new Float64Array(n * 3);
  for (const m of champion) {
    const src = m.input === 'features' ? ds.X : ds.W;
    const rows = new Float32Array(n * m.width);
    idx.forEach((r, k) => rows.set(src.subarray(r * m.width, (r + 1) * m.width), k * m.width));
    const out = await runModel(m, rows, n);
    for (let k = 0; k < n * 3; k++) probs[k] = probs[k]! + out[k]! / champion.length;
  }
  const met = computeMetrics(probs, idx.map((i) => ds.y[i]!), idx.map((i) => ds.fwd[i]!));
  return { logLoss: met.logLoss, brier: met.brier, n, source: `champion ${champion.map((m) => m.id).join('+')} (equal weights) on the challenger's fold ${fold.fold} test rows ${fold.testFrom} → ${fold.testTo}` };
}

