import { token } from '../protocols/index.js';
import type { NodeStatus, NodeStatusRecord, Strategy, SupervisionEventType } from '../protocols/index.js';
import type { Clock } from '../runtime/clock/index.js';
import { isSupervisor } from './api.js';
import type { SupervisorDeps } from './api.js';
import { createBackoff } from './backoff.js';
import { EscalationError, isEnvironmental, SupervisorError, toError } from './errors.js';
import { Lane, safeKill, terminateHandle } from './lifecycle.js';
import { resolveLimits } from './limits.js';
import type { Limits } from './limits.js';
import { childStatus, createRecord } from './records.js';
import type { ChildRecord, PendingRestart } from './records.js';
import { Reporting } from './reporting.js';
import type { EventExtra, EventNode } from './reporting.js';
import type { ChildHandle, ChildSpec, ExitReason, SupervisorSpec } from './types.js';

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'escalated';

const STATE_STATUS: Record<State, NodeStatus> = {
  idle: 'stopped',
  starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  escalated: 'escalated',
};

/**
 * @internal Lifecycle, strategies, intensity, backoff and poison handling; the control API lives in
 * the subclass in `supervisor.ts`. Every state change of a child happens inside a {@link Lane}
 * operation, which gives the ordering guarantees of an OTP supervisor's mailbox.
 */
export abstract class SupervisorCore {
  readonly id: string;
  readonly path: string;
  readonly strategy: Strategy;
  readonly exited: Promise<ExitReason>;
  private settle!: (reason: ExitReason) => void;
  protected state: State = 'idle';
  protected readonly children = new Map<string, ChildRecord>();
  private readonly mainLane = new Lane();
  /** Timestamps of automatic restarts still inside `period`. */
  private readonly restartLog: number[] = [];
  /** Handles in a graceful stop, so a brutal `kill()` still reaches them. */
  private readonly inStop = new Set<ChildHandle>();
  private booting?: Promise<this>;
  private stopping?: Promise<void>;
  protected startedAt?: number;
  protected lastError?: string;
  protected readonly limits: Limits;
  protected readonly clock: Clock;
  protected readonly out: Reporting;
  private readonly reportSelf: boolean;

  constructor(
    spec: SupervisorSpec,
    protected readonly deps: SupervisorDeps,
  ) {
    this.id = token(spec.id);
    this.strategy = spec.strategy;
    this.limits = resolveLimits(spec);
    this.path = deps.path ?? spec.id;
    this.clock = deps.clock;
    this.out = new Reporting(deps.reporter, deps.clock, deps.node, deps.onError);
    this.reportSelf = deps.reportSelf ?? deps.path === undefined;
    this.exited = new Promise((resolve) => (this.settle = resolve));
    for (const child of spec.children ?? []) this.addRecord(child);
  }

  // ---- lifecycle of the supervisor itself ----

  start(): Promise<this> {
    return (this.booting ??= this.boot());
  }

  private async boot(): Promise<this> {
    if (this.state !== 'idle') return this;
    this.state = 'starting';
    this.startedAt = this.clock.now();
    this.selfStatus();
    for (const rec of [...this.children.values()]) {
      if (!this.active()) break;
      await rec.lane.run(() => this.startRec(rec));
    }
    if (this.state === 'starting') {
      this.state = 'running';
      this.selfEvent('started');
      this.selfStatus();
    }
    return this;
  }

  stop(): Promise<void> {
    return this.terminate({ kind: 'shutdown' }, 'shutdown');
  }

  kill(): void;
  kill(path: string, reason?: string): Promise<void>;
  kill(path?: string, reason?: string): void | Promise<void> {
    if (path === undefined) return this.killAll();
    return this.chaosKill(path, reason);
  }

  /** The chaos hook for a path below this supervisor (see `Supervisor.kill`). */
  protected abstract chaosKill(path: string, reason?: string): Promise<void>;

  inject(error: Error): void {
    if (!this.active() && this.state !== 'idle') return;
    this.lastError = error.message;
    this.selfEvent('crashed', { reason: error.message });
    void this.terminate({ kind: 'crash', error }, `${this.id} crashed`);
  }

  info(): Record<string, unknown> {
    return { strategy: this.strategy, state: this.state, children: this.children.size, recentRestarts: this.restartLog.length };
  }

  protected active(): boolean {
    return this.state === 'starting' || this.state === 'running';
  }

  /** Stops every child, then settles `exited`; later calls share the first termination. */
  private terminate(exit: ExitReason, why: string, escalation?: EscalationError): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === 'stopped' || this.state === 'escalated') return Promise.resolve();
    this.state = 'stopping';
    this.selfStatus();
    for (const rec of this.children.values()) this.cancelPending(rec);
    this.stopping = (async () => {
      await this.stopAll(why);
      if (this.state !== 'stopping') return; // a brutal kill() finished the job meanwhile
      this.state = escalation ? 'escalated' : 'stopped';
      if (escalation) this.emit('escalated', this.selfNode(), { reason: escalation.message });
      else if (exit.kind === 'shutdown') this.selfEvent('stopped', { reason: why });
      this.selfStatus();
      this.settle(exit);
    })();
    return this.stopping;
  }

  /** Reverse start order; a pool stops all at once, like OTP's simple_one_for_one. */
  private async stopAll(why: string): Promise<void> {
    const recs = [...this.children.values()].reverse();
    if (this.strategy === 'simple_one_for_one') {
      await Promise.all(recs.map((r) => r.lane.run(() => this.stopRec(r, why))));
    } else {
      for (const r of recs) await r.lane.run(() => this.stopRec(r, why));
    }
  }

  private killAll(): void {
    if (this.state === 'stopped' || this.state === 'escalated') return;
    this.state = 'stopped';
    for (const rec of [...this.children.values()].reverse()) {
      this.cancelPending(rec);
      const h = rec.handle;
      if (h) {
        rec.handle = undefined;
        rec.gen++;
        safeKill(h);
        rec.status = 'stopped';
        this.emit('stopped', rec, { reason: 'killed' });
        this.status(rec);
      } else if (rec.status !== 'stopped') {
        rec.status = 'stopped';
        this.status(rec);
      }
    }
    for (const h of this.inStop) safeKill(h);
    this.selfEvent('stopped', { reason: 'killed' });
    this.selfStatus();
    this.settle({ kind: 'shutdown' });
  }

  private escalate(error: Error): void {
    const err = new EscalationError(this.path, this.restartLog.length, this.limits.period, error);
    this.lastError = err.message;
    void this.terminate({ kind: 'crash', error: err }, 'escalation', err);
  }

  // ---- children ----

  protected addRecord(spec: ChildSpec): ChildRecord {
    if (this.children.has(spec.id)) throw new SupervisorError('already_present', `${this.path}.${spec.id} already exists`);
    // Group strategies share one lane: a crash there stops and restarts siblings together.
    const shared = this.strategy === 'one_for_all' || this.strategy === 'rest_for_one';
    const rec = createRecord(spec, this.path, shared ? this.mainLane : new Lane(), createBackoff(this.limits.backoff, this.deps.random));
    this.children.set(rec.id, rec);
    return rec;
  }

  /** Starts `rec` unless it is not wanted or already handled. False when the start failed. */
  protected async startRec(rec: ChildRecord, restart?: { delay: number; cause: string }): Promise<boolean> {
    if (!this.active() || rec.removed || !rec.wanted || rec.handle || rec.pending) return true;
    rec.status = 'starting';
    rec.backoffMs = undefined;
    this.status(rec);
    const fresh = rec.freshNext;
    let handle: ChildHandle;
    try {
      handle = await rec.spec.start({ path: rec.path, attempt: rec.restarts, fresh });
    } catch (err) {
      if (this.active()) {
        await this.handleCrash(rec, toError(err), undefined);
      } else {
        rec.status = 'stopped';
        this.status(rec);
      }
      return false;
    }
    if (this.state === 'stopped' || this.state === 'escalated' || rec.removed) {
      safeKill(handle); // killed while starting: nobody else will ever stop this handle
      return false;
    }
    rec.handle = handle;
    const gen = ++rec.gen;
    rec.startedAt = this.clock.now();
    rec.freshNext = false;
    rec.status = 'running';
    if (isSupervisor(handle)) rec.strategy = handle.strategy;
    this.emit(restart ? 'restarted' : 'started', rec, restart ? { backoffMs: restart.delay, reason: restart.cause, fresh } : fresh ? { fresh } : {});
    this.status(rec);
    handle.exited.then(
      (reason) => this.spawn(rec.lane, () => this.onExit(rec, gen, reason)),
      (err: unknown) => this.spawn(rec.lane, () => this.onExit(rec, gen, { kind: 'crash', error: toError(err) })),
    );
    return true;
  }

  private async onExit(rec: ChildRecord, gen: number, reason: ExitReason): Promise<void> {
    // A handle we replaced or are stopping ourselves; its end is accounted for elsewhere.
    if (rec.gen !== gen || !rec.handle || rec.removed || !this.active()) return;
    const ran = this.clock.now() - (rec.startedAt ?? this.clock.now());
    rec.handle = undefined;
    rec.gen++;
    if (reason.kind === 'crash') return this.handleCrash(rec, reason.error, ran);
    rec.status = 'stopped';
    this.emit('stopped', rec, { reason: reason.kind });
    rec.backoff.ran(ran);
    if (rec.restart === 'temporary') return this.remove(rec);
    if (rec.restart === 'transient') {
      rec.wanted = false;
      return this.status(rec);
    }
    this.status(rec);
    await this.restartAfterExit(rec, new Error(`${rec.id} exited (${reason.kind})`), `${rec.id} exited`);
  }

  /** `ran` is undefined when the start itself failed. */
  protected async handleCrash(rec: ChildRecord, error: Error, ran: number | undefined): Promise<void> {
    rec.lastError = error.message;
    rec.status = 'crashed';
    this.emit('crashed', rec, { reason: error.message });
    this.status(rec);
    if (isEnvironmental(error)) {
      // Not the restored state's fault: neither counted nor a reason to reset the count.
    } else if (ran === undefined || ran < this.limits.poisonWindow) {
      if (++rec.quickCrashes >= this.limits.poisonThreshold) {
        rec.freshNext = true;
        rec.quickCrashes = 0;
      }
    } else {
      rec.quickCrashes = 0;
    }
    if (ran !== undefined) rec.backoff.ran(ran);
    if (rec.restart === 'temporary') return this.remove(rec);
    await this.restartAfterExit(rec, error, `${rec.id} crashed`);
  }

  /** Counts the restart against intensity, applies the strategy, and schedules after backoff. */
  private async restartAfterExit(rec: ChildRecord, error: Error, cause: string): Promise<void> {
    const now = this.clock.now();
    this.restartLog.push(now);
    while (this.restartLog.length > 0 && this.restartLog[0]! <= now - this.limits.period) this.restartLog.shift();
    if (this.restartLog.length > this.limits.intensity) return this.escalate(error);
    const delay = rec.backoff.next();
    const group = this.restartGroup(rec);
    for (const sibling of group.filter((r) => r !== rec).reverse()) {
      await this.stopRec(sibling, cause);
      if (sibling.restart === 'temporary') this.remove(sibling);
    }
    if (!this.active()) return;
    const restarting = group.filter((r) => !r.removed);
    for (const r of restarting) r.restarts++;
    this.schedule(restarting, delay, cause);
  }

  /** The crashed child plus the siblings its strategy takes down with it, in start order. */
  private restartGroup(rec: ChildRecord): ChildRecord[] {
    if (this.strategy === 'one_for_one' || this.strategy === 'simple_one_for_one') return [rec];
    const wanted = [...this.children.values()].filter((r) => r === rec || (r.wanted && !r.removed));
    return this.strategy === 'one_for_all' ? wanted : wanted.slice(wanted.indexOf(rec));
  }

  private schedule(recs: ChildRecord[], delay: number, cause: string): void {
    const first = recs[0];
    if (!first) return;
    const pending: PendingRestart = { recs: new Set(recs), delay, cause };
    for (const r of recs) {
      r.pending = pending;
      r.status = 'backoff';
      r.backoffMs = delay;
      this.status(r);
    }
    pending.timer = this.clock.setTimeout(() => this.spawn(first.lane, () => this.runPending(pending)), delay);
  }

  private async runPending(pending: PendingRestart): Promise<void> {
    if (!this.active()) return;
    const recs = [...pending.recs].filter((r) => r.pending === pending);
    for (const r of recs) r.pending = undefined;
    for (const r of recs) {
      // A failed start already re-planned the rest of the group through handleCrash.
      if (!(await this.startRec(r, { delay: pending.delay, cause: pending.cause }))) break;
    }
  }

  private cancelPending(rec: ChildRecord): void {
    const p = rec.pending;
    if (!p) return;
    p.recs.delete(rec);
    if (p.recs.size === 0) this.clock.clearTimeout(p.timer);
    rec.pending = undefined;
  }

  protected async stopRec(rec: ChildRecord, why: string): Promise<void> {
    this.cancelPending(rec);
    const h = rec.handle;
    if (!h) {
      if (rec.status !== 'stopped') {
        rec.status = 'stopped';
        this.status(rec);
      }
      return;
    }
    rec.handle = undefined;
    rec.gen++;
    rec.status = 'stopping';
    this.status(rec);
    this.inStop.add(h);
    const outcome = await terminateHandle(h, rec.shutdown, this.clock);
    this.inStop.delete(h);
    rec.status = 'stopped';
    this.emit('stopped', rec, { reason: outcome === 'killed' ? `${why} (killed)` : why });
    this.status(rec);
  }

  protected remove(rec: ChildRecord): void {
    this.cancelPending(rec);
    rec.removed = true;
    this.children.delete(rec.id);
    this.out.removed(rec.path);
  }

  /** Runs a fire-and-forget lane op; a bug in it crashes this supervisor rather than vanishing. */
  private spawn(lane: Lane, op: () => Promise<void> | void): void {
    lane.run(op).catch((err: unknown) => {
      this.deps.onError?.(err);
      this.inject(toError(err));
    });
  }

  // ---- reporting ----

  protected selfNode(): { path: string; id: string; kind: 'supervisor'; restarts: number } {
    return { path: this.path, id: this.id, kind: 'supervisor', restarts: this.deps.attempt ?? 0 };
  }

  protected selfRecord(): NodeStatusRecord {
    const r: NodeStatusRecord = { ...this.selfNode(), status: STATE_STATUS[this.state], strategy: this.strategy, updatedAt: this.clock.now() };
    if (this.startedAt !== undefined) r.startedAt = this.startedAt;
    if (this.lastError !== undefined) r.lastError = this.lastError;
    if (this.deps.node !== undefined) r.node = this.deps.node;
    return r;
  }

  private selfEvent(type: SupervisionEventType, extra: EventExtra = {}): void {
    if (this.reportSelf) this.emit(type, this.selfNode(), extra);
  }

  private selfStatus(): void {
    if (this.reportSelf) this.out.status(this.selfRecord());
  }

  private emit(type: SupervisionEventType, node: EventNode, extra: EventExtra = {}): void {
    this.out.event(type, node, extra);
  }

  private status(rec: ChildRecord): void {
    this.out.status(childStatus(rec, this.clock.now(), this.deps.node, false));
  }
}
