import { BASELINES } from './baselines.js';
import type { Evaluation } from './evaluate.js';
import type { MeanMetrics } from './metrics.js';

const pct = (x: number | null): string => (x === null ? '   —  ' : `${(x * 100).toFixed(1).padStart(5)}%`);
const num = (x: number, d = 4): string => x.toFixed(d).padStart(8);
const iso = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

function line(name: string, m: MeanMetrics): string {
  const share = m.predictedShare.map((s) => (s * 100).toFixed(0).padStart(3)).join('/');
  return `  ${name.padEnd(10)} ${pct(m.accuracy)}  ${pct(m.directionalAccuracy)}  ${pct(m.coverage)} ${num(m.brier)} ${num(m.logLoss)} ${num(m.meanSignedReturnBps, 2)}  ${share}`;
}

/** Human-readable walk-forward report: pooled out-of-sample table, per-fold lines, calibration, verdict. */
export function formatReport(title: string, ev: Evaluation): string {
  const out: string[] = [];
  out.push(`${title}`);
  out.push(`  pooled out-of-sample over ${ev.folds.length} purged walk-forward folds (${ev.pooled.model.n} rows)`);
  out.push(`  ${''.padEnd(10)}    acc     dirAcc   cover    brier  logloss  sgnRet bps  S/H/B %`);
  out.push(line('model', ev.pooled.model));
  for (const b of BASELINES) out.push(line(b, ev.pooled.baselines[b]));
  out.push('  folds:');
  for (const f of ev.folds) {
    out.push(
      `    #${f.fold} train ${f.trainRows} (≤ ${iso(f.trainTo)}) test ${f.testRows} [${iso(f.testFrom)} → ${iso(f.testTo)}]` +
        `  logloss ${f.model.logLoss.toFixed(4)} (prior ${f.baselines.prior.logLoss.toFixed(4)})  dirAcc ${pct(f.model.directionalAccuracy).trim()}` +
        ` (momentum ${pct(f.baselines.momentum.directionalAccuracy).trim()})`,
    );
  }
  out.push('  calibration (top-class confidence → hit rate):');
  for (const b of ev.pooled.model.calibration.filter((c) => c.n > 0)) {
    out.push(`    [${b.lo.toFixed(2)}, ${b.hi.toFixed(2)})  n=${String(b.n).padStart(6)}  conf ${pct(b.confidence)}  hit ${pct(b.accuracy)}`);
  }
  out.push(`  ECE ${ev.pooled.model.ece.toFixed(4)}`);
  for (const w of ev.verdict.warnings) out.push(`  WARNING: ${w}`);
  out.push(`  VERDICT: ${ev.verdict.summary}`);
  return out.join('\n');
}
