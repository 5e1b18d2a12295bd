import type { NodeStatusRecord, RestartType } from '../protocols/index.js';
import { InjectedCrash } from '../runtime/errors.js';
import { isSupervisor } from './api.js';
import type { ChildSummary, Supervisor, SupervisorDeps } from './api.js';
import { SupervisorCore } from './core.js';
import { SupervisorError } from './errors.js';
import { safeKill } from './lifecycle.js';
import { childStatus } from './records.js';
import type { ChildRecord } from './records.js';
import type { ChildSpec, SupervisorSpec } from './types.js';

type Located = 'self' | { rec: ChildRecord } | { nested: Supervisor };

/** The control API (`qt-supervisor` service, dynamic pools) on top of the supervision core. */
class SupervisorImpl extends SupervisorCore implements Supervisor {
  async startChild(spec: ChildSpec): Promise<NodeStatusRecord> {
    if (this.state !== 'idle' && !this.active()) throw new SupervisorError('not_active', `${this.path} is ${this.state}`);
    const rec = this.addRecord(spec);
    // Before start() the child just joins the list; start() picks it up in order.
    if (this.state !== 'idle') await rec.lane.run(() => this.startRec(rec));
    return childStatus(rec, this.clock.now(), this.deps.node, false);
  }

  async terminateChild(id: string): Promise<void> {
    const rec = this.children.get(id);
    if (!rec) throw new SupervisorError('not_found', `${this.path}.${id} not found`);
    await rec.lane.run(async () => {
      if (rec.removed) return;
      rec.wanted = false;
      await this.stopRec(rec, 'terminated');
      this.remove(rec);
    });
  }

  whichChildren(): ChildSummary[] {
    return [...this.children.values()].map((r) => ({
      id: r.id,
      path: r.path,
      kind: r.kind,
      restart: r.restart,
      status: r.status,
      restarts: r.restarts,
      ...(r.handle ? { handle: r.handle } : {}),
    }));
  }

  find(path: string): NodeStatusRecord | undefined {
    const t = this.locate(path);
    if (!t) return undefined;
    if (t === 'self') return this.tree();
    if ('nested' in t) return t.nested.find(path);
    return childStatus(t.rec, this.clock.now(), this.deps.node, true);
  }

  tree(): NodeStatusRecord {
    const now = this.clock.now();
    const children = [...this.children.values()].map((r) => childStatus(r, now, this.deps.node, true));
    return { ...this.selfRecord(), children };
  }

  async restartChild(path: string): Promise<void> {
    const t = this.target(path);
    if ('nested' in t) return t.nested.restartChild(path);
    const { rec } = t;
    await rec.lane.run(async () => {
      this.assertLive(rec);
      await this.stopRec(rec, 'manual restart');
      rec.wanted = true;
      rec.restarts++;
      // Straight to startRec: no backoff and no entry in the intensity log, it was asked for.
      await this.startRec(rec, { delay: 0, cause: 'manual' });
    });
  }

  async stopChild(path: string): Promise<void> {
    const t = this.target(path);
    if ('nested' in t) return t.nested.stopChild(path);
    const { rec } = t;
    await rec.lane.run(async () => {
      this.assertLive(rec);
      rec.wanted = false;
      await this.stopRec(rec, 'manual stop');
      if (rec.restart === 'temporary') this.remove(rec);
    });
  }

  protected async chaosKill(path: string, reason = 'chaos kill'): Promise<void> {
    const error = new InjectedCrash(reason);
    if (path === this.path) return this.inject(error);
    const t = this.target(path);
    if ('nested' in t) return t.nested.kill(path, reason);
    const { rec } = t;
    await rec.lane.run(async () => {
      this.assertLive(rec);
      const h = rec.handle;
      if (!h) throw new SupervisorError('not_running', `${rec.path} is ${rec.status}`);
      // Its exit comes back through `exited` like any crash of its own.
      if (h.inject) return h.inject(error);
      const ran = this.clock.now() - (rec.startedAt ?? this.clock.now());
      rec.handle = undefined;
      rec.gen++;
      safeKill(h);
      await this.handleCrash(rec, error, ran);
    });
  }

  private assertLive(rec: ChildRecord): void {
    if (!this.active()) throw new SupervisorError('not_active', `${this.path} is ${this.state}`);
    if (rec.removed) throw new SupervisorError('not_found', `${rec.path} was removed`);
  }

  /** A direct child, or the nested supervisor that owns a deeper path. */
  private target(path: string): { rec: ChildRecord } | { nested: Supervisor } {
    const t = this.locate(path);
    if (!t) throw new SupervisorError('not_found', `${path} not found under ${this.path}`);
    if (t === 'self') throw new SupervisorError('invalid', `${path} is this supervisor; control it through its parent`);
    return t;
  }

  private locate(path: string): Located | undefined {
    if (path === this.path) return 'self';
    if (!path.startsWith(`${this.path}.`)) return undefined;
    const rest = path.slice(this.path.length + 1);
    const dot = rest.indexOf('.');
    const rec = this.children.get(dot < 0 ? rest : rest.slice(0, dot));
    if (!rec) return undefined;
    if (dot < 0) return { rec };
    // Deeper paths exist only while the nested supervisor runs.
    return isSupervisor(rec.handle) ? { nested: rec.handle } : undefined;
  }
}

/**
 * Creates an OTP-style supervisor over `spec.children` (DESIGN.md section 2). Nothing runs until
 * `start()`. The result is also a `ChildHandle`, so supervisors nest (see {@link supervisorChild}).
 */
export function createSupervisor(spec: SupervisorSpec, deps: SupervisorDeps): Supervisor {
  return new SupervisorImpl(spec, deps);
}

/**
 * A child spec running a nested supervisor at `<parentPath>.<spec.id>` with the same clock and
 * reporter. `shutdown` defaults to Infinity, OTP's default for supervisors: the subtree finishes
 * its own ordered shutdown, whose per-child deadlines bound it anyway.
 */
export function supervisorChild(
  spec: SupervisorSpec,
  deps: Omit<SupervisorDeps, 'path' | 'attempt' | 'reportSelf'>,
  opts: { restart?: RestartType; shutdown?: number | 'brutal' } = {},
): ChildSpec {
  return {
    id: spec.id,
    type: 'supervisor',
    restart: opts.restart ?? 'permanent',
    shutdown: opts.shutdown ?? Number.POSITIVE_INFINITY,
    start: (ctx) => createSupervisor(spec, { ...deps, path: ctx.path, attempt: ctx.attempt }).start(),
  };
}
