import type { ChaosEnv } from './env.js';

/** What a scenario gets: the live environment, its size, and places to record what it did. */
export interface ScenarioCtx {
  env: ChaosEnv;
  long: boolean;
  /** Seeded random in [0, 1). */
  random: () => number;
  log: (line: string) => void;
  stats: Record<string, number>;
  failures: string[];
  notes: string[];
  /** Traded symbols (from the node's pools). */
  symbols: string[];
  /** Pause between fuzz messages (0 = one burst, which batches several bad inputs into one actor step). */
  paceMs: number;
  /** Fuzz probes (by label) left out of this run. */
  fuzzSkip?: RegExp;
}

/** One chaos scenario. It breaks things while trading runs; the runner checks the invariants after it. */
export interface Scenario {
  name: string;
  /** Which environment it needs: kill -9 and crash loops need the venue outside the node. */
  env: 'inproc' | 'external';
  description: string;
  run(ctx: ScenarioCtx): Promise<void>;
}

/** Crash reasons scenarios inject; crashes with these reasons are not held against the runtime. */
export const INJECTED = /^chaos:/;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mulberry32: reproducible scenarios from `--seed`. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(xs: readonly T[], random: () => number): T => xs[Math.floor(random() * xs.length)]!;

export const bump = (stats: Record<string, number>, k: string, n = 1) => {
  stats[k] = (stats[k] ?? 0) + n;
};
