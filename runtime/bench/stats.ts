/** Percentile of a sample (nearest-rank). */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function summary(xs: number[]): { n: number; p50: number; p99: number; max: number; mean: number } {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { n: xs.length, p50: r(percentile(xs, 50)), p99: r(percentile(xs, 99)), max: r(Math.max(...xs)), mean: r(xs.reduce((a, b) => a + b, 0) / xs.length) };
}
