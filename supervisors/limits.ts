import { STRATEGIES } from '../protocols/index.js';
import { resolveBackoffOptions } from './backoff.js';
import type { BackoffOptions, SupervisorSpec } from './types.js';

/** @internal A supervisor spec's numeric settings with defaults applied, validated once. */
export interface Limits {
  intensity: number;
  period: number;
  poisonThreshold: number;
  poisonWindow: number;
  backoff: BackoffOptions;
}

/** Applies the `@default`s of {@link SupervisorSpec} and rejects impossible values early. */
export function resolveLimits(spec: SupervisorSpec): Limits {
  const l: Limits = {
    intensity: spec.intensity ?? 5,
    period: spec.period ?? 10_000,
    poisonThreshold: spec.poisonThreshold ?? 2,
    poisonWindow: spec.poisonWindow ?? 5000,
    backoff: resolveBackoffOptions(spec.backoff),
  };
  const bad = (what: string) => new RangeError(`supervisor ${spec.id}: ${what}`);
  if (!Number.isInteger(l.intensity) || l.intensity < 0) throw bad('intensity must be an integer >= 0');
  if (!(l.period > 0)) throw bad('period must be > 0');
  if (!Number.isInteger(l.poisonThreshold) || l.poisonThreshold < 1) throw bad('poisonThreshold must be an integer >= 1');
  if (!(l.poisonWindow >= 0)) throw bad('poisonWindow must be >= 0');
  if (!STRATEGIES.includes(spec.strategy)) throw bad(`unknown strategy ${String(spec.strategy)}`);
  return l;
}
