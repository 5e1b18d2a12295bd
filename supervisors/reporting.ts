import type { NodeStatusRecord, SupervisionEvent, SupervisionEventType } from '../protocols/index.js';
import type { Clock } from '../runtime/clock/index.js';
import type { SupervisionReporter } from './types.js';

/** @internal Optional event fields. */
export type EventExtra = Pick<SupervisionEvent, 'reason' | 'backoffMs' | 'fresh'>;
/** @internal The identity part of an event. */
export type EventNode = Pick<SupervisionEvent, 'path' | 'id' | 'kind' | 'restarts'>;

/**
 * @internal Wraps the reporter: stamps time and node, drops undefined fields (records go to JSON
 * and KV), and keeps a throwing reporter from breaking supervision.
 */
export class Reporting {
  constructor(
    private readonly reporter: SupervisionReporter,
    private readonly clock: Clock,
    private readonly node: string | undefined,
    private readonly onError: ((err: unknown) => void) | undefined,
  ) {}

  event(type: SupervisionEventType, n: EventNode, extra: EventExtra = {}): void {
    const e: SupervisionEvent = { type, path: n.path, id: n.id, kind: n.kind, ts: this.clock.now(), restarts: n.restarts };
    if (extra.reason !== undefined) e.reason = extra.reason;
    if (extra.backoffMs !== undefined) e.backoffMs = extra.backoffMs;
    if (extra.fresh !== undefined) e.fresh = extra.fresh;
    if (this.node !== undefined) e.node = this.node;
    this.guard(() => this.reporter.event(e));
  }

  status(record: NodeStatusRecord): void {
    this.guard(() => this.reporter.status(record));
  }

  removed(path: string): void {
    this.guard(() => this.reporter.removed?.(path));
  }

  private guard(report: () => void): void {
    try {
      report();
    } catch (err) {
      this.onError?.(err);
    }
  }
}
