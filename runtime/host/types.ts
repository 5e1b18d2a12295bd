import type { AnyStateMachine, EventObject } from 'xstate';
import type { Logger } from 'pino';
import type { ParseOptions } from '../../protocols/index.js';
import type { Bus } from '../nats/index.js';
import type { Clock } from '../clock/index.js';

export interface ActorInput {
  stream: string;
  subject: (id: string) => string;
}

/** How a kind of actor is hosted. One definition serves every instance of the kind. */
export interface ActorDefinition {
  kind: string;
  machine: AnyStateMachine;
  /** Bump on incompatible machine changes: an older snapshot is dropped for a fresh start. */
  version: number;
  /** Input stream and filter subject; an actor without inputs only reacts to timers. */
  input?: ActorInput;
  /**
   * Further inputs, each its own durable consumer and cursor (NATS 2.9 allows one filter subject
   * per consumer). Inputs are each applied in order; there is no order across inputs.
   */
  extraInputs?: ActorInput[];
  /**
   * Validates a decoded payload and returns the machine event. Throw (ideally BadInputError) to
   * dead-letter it with that reason. A live host never passes `trusted`; the backtest bus does for
   * payloads its own in-process producers made. @default payload must be an object with a string `type`
   */
  parse?: (payload: unknown, subject: string, o?: ParseOptions) => EventObject;
  /** Machine input for a fresh start. */
  initialInput?: (id: string) => unknown;
  /**
   * Context keys that come from configuration. A restored snapshot would otherwise keep the
   * values of the config it was first started with (a tightened loss limit ignored after a
   * restart): on restore these keys are taken from a fresh context built with `initialInput`.
   */
  configFields?: readonly string[];
  /**
   * Live figures from the context for the supervision tree's `info` (status console, metrics):
   * what the actor itself holds, so a reader never trusts a copy that nobody keeps current.
   * Called on every tree read: cheap and read-only.
   */
  status?: (context: never) => Record<string, unknown>;
  /**
   * Inputs that emit nothing and leave the snapshot object as it was (no assign, no state change)
   * are acked without a store of their own: they are replayed from the stream after a restart,
   * where they emit nothing again. The next store (an input that emits, a timer, or the bound
   * below) records their cursor. For actors fed a steady tick that rarely matters (a flat
   * position's marks): it spares one KV write per tick. Only for machines whose silent inputs are
   * safe to apply twice from the stored state. @default false
   */
  lazySilentInputs?: boolean;
}

/** Hooks that let tests stop the host at the exact points the design's loop is about. */
export interface HostFaults {
  /** Called after the snapshot is stored and before outputs are published. */
  afterPersist?: (seq: number) => void;
  /** Called after outputs are published and before the inputs are acked. */
  afterPublish?: (seq: number) => void;
}

export interface HostDeps {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** This node's id, written into records. */
  node: string;
  host: { maxAckPending: number; poisonDeliveries: number; ackWaitSec: number; maxPayload: number };
  /** Dedup window of the output streams (ms), used to decide how to republish an old outbox. */
  duplicateWindowMs: number;
  /** Shared across restarts of one actor within the process: input seq → crash count. */
  crashes: Map<string, { at: string; count: number; error: string }>;
  faults?: HostFaults;
  /** The node's metrics of its hosted actors. */
  telemetry?: HostTelemetry;
}

/** What the host reports per batch; wall time, since it measures the node, not the market. */
export interface HostTelemetry {
  /** Inputs applied and outputs published, per stream. */
  io(direction: 'in' | 'out', stream: string, n: number): void;
  /** One batch of an actor kind: apply, store, publish and ack, in seconds. */
  batch(kind: string, seconds: number): void;
  /** One input, from its storing in JetStream to its batch being committed, in seconds. */
  inputDelay(kind: string, seconds: number): void;
}
