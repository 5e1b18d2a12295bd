/** One reliability bin over the top-class confidence. */
export interface CalibrationBin {
  lo: number;
  hi: number;
  n: number;
  /** Mean predicted top-class probability in the bin (null when empty). */
  confidence: number | null;
  /** Share of rows whose top class was the label (null when empty). */
  accuracy: number | null;
}

/** Out-of-sample quality of a [SELL, HOLD, BUY] probability forecast. */
export interface Metrics {
  n: number;
  /** Argmax equals the 3-class label. */
  accuracy: number;
  /** Among BUY/SELL calls, share where the realised forward return had that sign (null: no calls). */
  directionalAccuracy: number | null;
  /** Share of rows with a BUY or SELL call. */
  coverage: number;
  /** Multi-class Brier: mean over rows of Σ_k (p_k − y_k)². 0 is perfect, 2 is worst. */
  brier: number;
  /** Mean −log p(label), probabilities clipped at 1e-7. */
  logLoss: number;
  /** Mean of side × forward return in bps (BUY +1, SELL −1, HOLD 0), before fees. */
  meanSignedReturnBps: number;
  /** Share of argmax predictions per class [SELL, HOLD, BUY]: a bias check. */
  predictedShare: [number, number, number];
  /** Expected calibration error over the bins. */
  ece: number;
  calibration: CalibrationBin[];
}

const EPS = 1e-7;

/** Argmax over one row of 3 probabilities; ties go to HOLD, then to the lower index. */
export function argmax3(p: ArrayLike<number>, o: number): 0 | 1 | 2 {
  const s = p[o] as number;
  const h = p[o + 1] as number;
  const b = p[o + 2] as number;
  if (h >= s && h >= b) return 1;
  return b > s ? 2 : 0;
}

/**
 * Metrics for probabilities `probs` (n × 3 row-major) against labels `y` and realised
 * forward log returns `fwd`. `bins` reliability bins over [1/3, 1].
 */
export function computeMetrics(probs: ArrayLike<number>, y: ArrayLike<number>, fwd: ArrayLike<number>, bins = 10): Metrics {
  const n = y.length;
  let correct = 0, calls = 0, dirHits = 0, brier = 0, ll = 0, signed = 0;
  const share: [number, number, number] = [0, 0, 0];
  const lo = 1 / 3;
  const acc = Array.from({ length: bins }, () => ({ n: 0, conf: 0, hit: 0 }));
  for (let i = 0; i < n; i++) {
    const o = i * 3;
    const label = y[i] as number;
    const pred = argmax3(probs, o);
    const r = fwd[i] as number;
    share[pred] += 1;
    if (pred === label) correct += 1;
    if (pred !== 1) {
      calls += 1;
      const side = pred === 2 ? 1 : -1;
      signed += side * r;
      if (side * r > 0) dirHits += 1;
    }
    for (let k = 0; k < 3; k++) {
      const p = probs[o + k] as number;
      brier += (p - (k === label ? 1 : 0)) ** 2;
    }
    ll -= Math.log(Math.min(1, Math.max(EPS, probs[o + label] as number)));
    const conf = probs[o + pred] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((conf - lo) / (1 - lo)) * bins)));
    const cell = acc[b]!;
    cell.n += 1;
    cell.conf += conf;
    if (pred === label) cell.hit += 1;
  }
  const d = Math.max(1, n);
  const calibration = acc.map((c, b) => ({
    lo: lo + ((1 - lo) * b) / bins, hi: lo + ((1 - lo) * (b + 1)) / bins, n: c.n,
    confidence: c.n ? c.conf / c.n : null, accuracy: c.n ? c.hit / c.n : null,
  }));
  const ece = acc.reduce((s, c) => s + (c.n ? (c.n / d) * Math.abs(c.conf / c.n - c.hit / c.n) : 0), 0);
  return {
    n, accuracy: correct / d, directionalAccuracy: calls ? dirHits / calls : null, coverage: calls / d,
    brier: brier / d, logLoss: ll / d, meanSignedReturnBps: (signed / d) * 1e4,
    predictedShare: [share[0] / d, share[1] / d, share[2] / d], ece, calibration,
  };
}

/** Scalar metrics averaged over folds (calibration is left to the pooled metrics). */
export type MeanMetrics = Omit<Metrics, 'calibration'>;

/** Equal-weight mean of the scalar metrics of several folds. */
export function meanMetrics(ms: readonly Metrics[]): MeanMetrics {
  const k = Math.max(1, ms.length);
  const avg = (f: (m: Metrics) => number): number => ms.reduce((s, m) => s + f(m), 0) / k;
  const dir = ms.filter((m) => m.directionalAccuracy !== null);
  return {
    n: ms.reduce((s, m) => s + m.n, 0),
    accuracy: avg((m) => m.accuracy),
    directionalAccuracy: dir.length ? dir.reduce((s, m) => s + (m.directionalAccuracy as number), 0) / dir.length : null,
    coverage: avg((m) => m.coverage),
    brier: avg((m) => m.brier),
    logLoss: avg((m) => m.logLoss),
    meanSignedReturnBps: avg((m) => m.meanSignedReturnBps),
    predictedShare: [avg((m) => m.predictedShare[0]), avg((m) => m.predictedShare[1]), avg((m) => m.predictedShare[2])],
    ece: avg((m) => m.ece),
  };
}
