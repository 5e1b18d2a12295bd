/**
 * Test helpers for supervision: a recording reporter, scriptable children and `flush()`.
 * Import from `supervisors/testing.js`; production code must not.
 */
import type { NodeStatusRecord, SupervisionEvent } from '../protocols/index.js';
import type { ChildHandle, ChildSpec, ExitReason, StartContext, SupervisionReporter } from './types.js';

/**
 * Lets every pending promise callback run. Child starts and exits are promise-based, so after
 * `clock.advance()` or `child.crash()` a test awaits this before asserting.
 */
export async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A {@link SupervisionReporter} keeping everything in memory. */
export interface RecordingReporter extends SupervisionReporter {
  events: SupervisionEvent[];
  records: NodeStatusRecord[];
  removedPaths: string[];
  /** `type path` strings, optionally only those of `types`. */
  lines(...types: SupervisionEvent['type'][]): string[];
  /** Last published record per path. */
  last(path: string): NodeStatusRecord | undefined;
  clear(): void;
}

/** Creates an empty {@link RecordingReporter}. */
export function createRecordingReporter(): RecordingReporter {
  const r: RecordingReporter = {
    events: [],
    records: [],
    removedPaths: [],
    event: (e) => void r.events.push(e),
    status: (rec) => void r.records.push(rec),
    removed: (p) => void r.removedPaths.push(p),
    lines: (...types) => r.events.filter((e) => types.length === 0 || types.includes(e.type)).map((e) => `${e.type} ${e.path}`),
    last: (p) => [...r.records].reverse().find((x) => x.path === p),
    clear() {
      r.events.length = 0;
      r.records.length = 0;
      r.removedPaths.length = 0;
    },
  };
  return r;
}

/** How a scripted child behaves. */
export interface TestChildOptions extends Partial<Pick<ChildSpec, 'restart' | 'shutdown' | 'type'>> {
  /** `stop()` never resolves, so the supervisor has to kill. */
  ignoreStop?: boolean;
  /** Throw from `start()` while this returns true. */
  failStart?: (ctx: StartContext) => boolean;
  /** Offer `inject()`; without it `kill(path)` falls back to kill + crash handling. */
  injectable?: boolean;
}

/** One running incarnation of a scripted child. */
export interface TestInstance extends ChildHandle {
  ctx: StartContext;
  crash(message?: string): void;
  /** Ends on its own: normal exit (the XState `done` case). */
  finish(): void;
  readonly ended: boolean;
}

/** Scripted children sharing one `log` (`start:a`, `stop:a`, `kill:a`, `crash:a`, `exit:a`). */
export interface TestChildren {
  log: string[];
  spec(id: string, opts?: TestChildOptions): ChildSpec;
  /** The latest incarnation of `id`. */
  get(id: string): TestInstance;
  /** Every start context `id` was given, oldest first. */
  contexts(id: string): StartContext[];
}

/** Creates a family of scripted children for supervision tests. */
export function createTestChildren(): TestChildren {
  const log: string[] = [];
  const latest = new Map<string, TestInstance>();
  const ctxs = new Map<string, StartContext[]>();

  const instance = (id: string, ctx: StartContext, opts: TestChildOptions): TestInstance => {
    let settle!: (r: ExitReason) => void;
    let ended = false;
    const exited = new Promise<ExitReason>((resolve) => (settle = resolve));
    const end = (entry: string, reason: ExitReason) => {
      if (ended) return;
      ended = true;
      log.push(`${entry}:${id}`);
      settle(reason);
    };
    const inst: TestInstance = {
      ctx,
      exited,
      get ended() {
        return ended;
      },
      stop() {
        if (opts.ignoreStop) {
          log.push(`ignore-stop:${id}`);
          return new Promise<void>(() => undefined);
        }
        end('stop', { kind: 'shutdown' });
        return Promise.resolve();
      },
      kill: () => end('kill', { kind: 'shutdown' }),
      crash: (message = `${id} boom`) => end('crash', { kind: 'crash', error: new Error(message) }),
      finish: () => end('exit', { kind: 'normal' }),
    };
    if (opts.injectable) inst.inject = (error) => end('inject', { kind: 'crash', error });
    return inst;
  };

  return {
    log,
    spec(id, opts = {}) {
      const spec: ChildSpec = {
        id,
        async start(ctx) {
          (ctxs.get(id) ?? ctxs.set(id, []).get(id)!).push(ctx);
          if (opts.failStart?.(ctx)) {
            log.push(`fail:${id}`);
            throw new Error(`${id} failed to start`);
          }
          log.push(`start:${id}`);
          const inst = instance(id, ctx, opts);
          latest.set(id, inst);
          return inst;
        },
      };
      if (opts.restart) spec.restart = opts.restart;
      if (opts.shutdown !== undefined) spec.shutdown = opts.shutdown;
      if (opts.type) spec.type = opts.type;
      return spec;
    },
    get(id) {
      const inst = latest.get(id);
      if (!inst) throw new Error(`test child ${id} never started`);
      return inst;
    },
    contexts: (id) => ctxs.get(id) ?? [],
  };
}
