/** Shared set-up of the supervision tests (not shipped API; see `testing.ts` for the reusable parts). */
import { createSimulatedClock } from '../runtime/clock/index.js';
import type { SimulatedClock } from '../runtime/clock/index.js';
import type { Supervisor } from './api.js';
import { createSupervisor } from './supervisor.js';
import { createRecordingReporter, createTestChildren, flush } from './testing.js';
import type { RecordingReporter, TestChildren } from './testing.js';
import type { ChildSpec, SupervisorSpec } from './types.js';

export interface Harness {
  clock: SimulatedClock;
  reporter: RecordingReporter;
  kids: TestChildren;
  deps: { clock: SimulatedClock; reporter: RecordingReporter; random: () => number };
  /** Builds a root supervisor; no jitter and min 10 ms backoff unless overridden. */
  make(spec: Partial<SupervisorSpec> & { children?: ChildSpec[] }): Supervisor;
  /** Advances the clock, then lets the resulting starts settle. */
  advance(ms: number): Promise<void>;
}

/** Creates a fresh harness; `random` pins jitter (0 = none). */
export function harness(random: () => number = () => 0): Harness {
  const clock = createSimulatedClock(0);
  const reporter = createRecordingReporter();
  const kids = createTestChildren();
  const deps = { clock, reporter, random };
  return {
    clock,
    reporter,
    kids,
    deps,
    make: (spec) =>
      createSupervisor({ id: 'root', strategy: 'one_for_one', ...spec, backoff: { min: 10, max: 1000, jitter: 0, ...spec.backoff } }, deps),
    async advance(ms) {
      clock.advance(ms);
      await flush();
    },
  };
}
