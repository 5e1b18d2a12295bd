import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { metaFromFileName } from '../../models/data/index.js';
import { FAMILIES, writeArtifact, type Family } from '../../models/registry/index.js';
import { trainInWorker, type FamilyParams, type TrainResult } from '../../models/trainers/index.js';

export const TRAIN_HELP = `qt train --data <file|dir> [--model gbdt|mlp|temporal|all] [--out DIR] [--json] [--seed S]
         [--interval 1m] [--symbols BTCUSDT,ETHUSDT] [--horizon H] [--dead-zone K] [--folds K]
         [--max-candles N] [--rounds N] [--epochs N] [--require-beat]

  Trains each model family in a worker thread on Binance kline CSVs (<SYMBOL>-<interval>.csv,
  header open_time_ms,open,high,low,close,volume), evaluates it with purged walk-forward folds
  against buy-and-hold, the momentum fallback, a seeded random signal and the class prior,
  exports ONNX (parity-checked in onnxruntime) and writes <out>/<id>.onnx + <id>.manifest.json.

  --data          a CSV file or a directory of them (repeatable); one interval per run
  --out           output directory (default var/models)
  --require-beat  exit 3 when a model does not beat every baseline out of sample
`;

class UsageError extends Error {}

async function resolveFiles(data: string[], interval?: string, symbols?: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const d of data) {
    const p = resolve(d);
    if ((await stat(p)).isDirectory()) files.push(...(await readdir(p)).filter((f) => f.endsWith('.csv') || f.endsWith('.qtc')).sort().map((f) => join(p, f)));
    else files.push(p);
  }
  const picked = files.filter((f) => {
    const m = metaFromFileName(f);
    return (!interval || m.interval === interval) && (!symbols || symbols.includes(m.symbol));
  });
  const intervals = new Set(picked.map((f) => metaFromFileName(f).interval));
  if (picked.length === 0) throw new UsageError('no CSV or .qtc files match --data/--interval/--symbols');
  if (intervals.size > 1) throw new UsageError(`files span intervals ${[...intervals].join(', ')}; pick one with --interval`);
  const syms = picked.map((f) => metaFromFileName(f).symbol);
  if (new Set(syms).size !== syms.length) throw new UsageError(`more than one file per symbol: ${syms.join(', ')}`);
  return picked;
}

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got ${v}`);
  return n;
};

function summary(r: TrainResult, paths: { onnx: string; manifest: string }): Record<string, unknown> {
  const m = r.manifest;
  return { id: m.id, family: m.family, files: paths, beatsBaselines: m.evaluation.beatsBaselines, verdict: m.evaluation.summary, warnings: m.evaluation.warnings, pooled: m.evaluation.pooled, mean: m.evaluation.mean, manifest: m };
}

/** `qt train`: returns the exit code (0 ok, 1 failure, 2 usage, 3 `--require-beat` not met). */
export async function runTrain(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string', multiple: true }, model: { type: 'string', default: 'all' }, out: { type: 'string', default: 'var/models' },
        json: { type: 'boolean' }, seed: { type: 'string' }, interval: { type: 'string' }, symbols: { type: 'string' },
        horizon: { type: 'string' }, 'dead-zone': { type: 'string' }, folds: { type: 'string' }, 'max-candles': { type: 'string' },
        rounds: { type: 'string' }, epochs: { type: 'string' }, 'require-beat': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`qt train: ${(e as Error).message}\n\n${TRAIN_HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(TRAIN_HELP);
    return 0;
  }
  try {
    if (!values.data?.length) throw new UsageError('--data is required');
    const families: Family[] = values.model === 'all' ? [...FAMILIES] : [values.model as Family];
    if (!families.every((f) => FAMILIES.includes(f))) throw new UsageError(`--model must be one of ${FAMILIES.join('|')}|all`);
    const files = await resolveFiles(values.data, values.interval, values.symbols?.split(','));
    const deadZoneK = values['dead-zone'] === undefined ? undefined : Number(values['dead-zone']);
    if (deadZoneK !== undefined && !(deadZoneK >= 0)) throw new UsageError('--dead-zone must be a number ≥ 0');
    const params: FamilyParams = {};
    if (values.rounds) params.rounds = int(values.rounds, 'rounds');
    if (values.epochs) params.epochs = int(values.epochs, 'epochs');
    const out = resolve(values.out);
    const results: Record<string, unknown>[] = [];
    let allBeat = true;
    for (const family of families) {
      const r = await trainInWorker({
        family, files, seed: int(values.seed, 'seed') ?? 1, folds: int(values.folds, 'folds'), maxCandles: int(values['max-candles'], 'max-candles'),
        label: { ...(values.horizon ? { horizon: int(values.horizon, 'horizon') } : {}), ...(deadZoneK !== undefined ? { deadZoneK } : {}) },
        params, createdAt: Date.now(), onProgress: (m) => process.stderr.write(`  ${m}\n`),
      });
      const paths = await writeArtifact(out, r.manifest, r.onnx);
      allBeat &&= r.manifest.evaluation.beatsBaselines;
      results.push(summary(r, paths));
      if (!values.json) process.stdout.write(`${r.report}\n  wrote ${paths.onnx}\n        ${paths.manifest}\n\n`);
    }
    if (values.json) process.stdout.write(`${JSON.stringify({ models: results }, null, 2)}\n`);
    return values['require-beat'] && !allBeat ? 3 : 0;
  } catch (e) {
    process.stderr.write(`qt train: ${(e as Error).message}\n${e instanceof UsageError ? `\n${TRAIN_HELP}` : ''}`);
    return e instanceof UsageError ? 2 : 1;
  }
}
