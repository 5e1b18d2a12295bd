/**
 * Errors of the supervision layer. `retryable` follows the runtime convention: whether trying the
 * same call again later can help.
 */
export type SupervisorErrorCode = 'not_found' | 'already_present' | 'not_running' | 'not_active' | 'invalid';

/** A control call (`startChild`, `restartChild`, `kill`...) that cannot be honoured. */
export class SupervisorError extends Error {
  override name = 'SupervisorError';
  readonly retryable: boolean;
  constructor(
    readonly code: SupervisorErrorCode,
    message: string,
    opts: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, { cause: opts.cause });
    // A child that is not running yet (backoff) may be running a moment later.
    this.retryable = opts.retryable ?? code === 'not_running';
  }
}

/**
 * The crash reason of a supervisor that exceeded its restart intensity. Its parent sees it as the
 * child's `lastError`; at the root it is what the CLI prints before exiting non-zero.
 */
export class EscalationError extends Error {
  override name = 'EscalationError';
  /** The parent restarting this supervisor may well succeed (fresh children, fresh budget). */
  readonly retryable = true;
  constructor(
    readonly path: string,
    readonly restarts: number,
    readonly period: number,
    cause: Error,
  ) {
    super(`${path} escalated: more than ${restarts - 1} restarts in ${period}ms (last: ${cause.message})`, { cause });
  }
}

/** Coerces anything thrown into an Error, so reasons are always printable. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value));
}

/** Errors of the NATS client: the bus failed, not the child's state. */
const BUS_ERRORS = new Set([
  'TimeoutError', 'NoRespondersError', 'ConnectionError', 'ClosedConnectionError', 'DrainingConnectionError', 'RequestError',
  'PermissionViolationError', 'JetStreamApiError', 'JetStreamStatusError', 'JetStreamNotEnabled', 'ConsumerNotFoundError', 'StreamNotFoundError',
]);

/**
 * Whether a crash came from the child's surroundings — marked retryable (a fenced write, a deleted
 * input consumer, a venue breaker, an injected chaos crash) or thrown by the NATS client — rather
 * than from what it restored. Such crashes never make the next start fresh: a fresh start cannot
 * help with them, and it drops the state. Seen: a second node with the same id deleted a running
 * node's consumers, and the crash-loop guard threw away a good snapshot.
 */
export function isEnvironmental(error: Error): boolean {
  return (error as { retryable?: unknown }).retryable === true || BUS_ERRORS.has(error.name) || BUS_ERRORS.has(error.constructor?.name ?? '');
}
