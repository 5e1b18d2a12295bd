/** Errors of the runtime layer. `retryable` tells supervisors and callers whether a retry can help. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
  readonly retryable: boolean;
  constructor(message: string, opts: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: opts.cause });
    this.retryable = opts.retryable ?? false;
  }
}

/** Bad or unknown configuration: never retryable, always names the key. */
export class ConfigError extends RuntimeError {
  override name = 'ConfigError';
}

/** A KV revision conflict: another owner (or a newer copy) holds this actor's state. */
export class FencedError extends RuntimeError {
  override name = 'FencedError';
  constructor(readonly key: string, readonly expected: number, opts: { cause?: unknown } = {}) {
    super(`fenced: ${key} changed under us (expected revision ${expected}); stopping without writing`, { ...opts, retryable: true });
  }
}

/** An input that cannot be decoded or validated; it goes to QT_DLQ, the actor lives on. */
export class BadInputError extends RuntimeError {
  override name = 'BadInputError';
}

/** A crash injected on purpose through `qt chaos kill`. */
export class InjectedCrash extends RuntimeError {
  override name = 'InjectedCrash';
  constructor(reason = 'chaos kill') {
    super(reason, { retryable: true });
  }
}
