import { describe, expect, it } from 'vitest';
import type { NodeStatusRecord } from '../../protocols/index.js';
import { healthFromTree } from './health.js';

const NOW = 1_000_000;
const node = (path: string, over: Partial<NodeStatusRecord> = {}): NodeStatusRecord => ({
  path,
  id: path.split('.').at(-1)!,
  kind: 'worker',
  status: 'running',
  restarts: 0,
  restart: 'permanent',
  updatedAt: NOW,
  ...over,
});
const tree = (...children: NodeStatusRecord[]): NodeStatusRecord => ({ ...node('root', { kind: 'supervisor', restart: undefined }), children });
const ok = { natsConnected: true, provisioned: true, now: NOW };

describe('healthFromTree', () => {
  it('is live and ready when every node runs and NATS is provisioned', () => {
    const h = healthFromTree(tree(node('root.a'), node('root.b', { restart: 'transient' })), ok);
    expect(h.live).toEqual({ ok: true, reasons: [] });
    expect(h.ready).toEqual({ ok: true, reasons: [] });
    expect(h.nodes).toMatchObject({ total: 3, running: 3 });
  });

  it('fails liveness without a tree, and when the root is not running', () => {
    expect(healthFromTree(undefined, ok).live).toEqual({ ok: false, reasons: ['supervision tree not started'] });
    const h = healthFromTree({ ...tree(), status: 'escalated', lastError: 'intensity exceeded' }, ok);
    expect(h.live.ok).toBe(false);
    expect(h.live.reasons[0]).toContain('root (supervisor, permanent) is escalated: intensity exceeded');
    expect(h.ready.ok).toBe(false);
  });

  it('fails liveness for a stopped or crashed permanent node, naming it', () => {
    const h = healthFromTree(tree(node('root.a', { status: 'stopped' }), node('root.b', { status: 'crashed', lastError: 'boom' })), ok);
    expect(h.live.reasons).toEqual(['root.a (worker, permanent) is stopped', 'root.b (worker, permanent) is crashed: boom']);
  });

  it('ignores stopped transient/temporary nodes and what is below them', () => {
    const sub = node('root.pool', { kind: 'supervisor', restart: 'temporary', status: 'stopped', children: [node('root.pool.x', { status: 'stopped' })] });
    const h = healthFromTree(tree(sub, node('root.t', { restart: 'transient', status: 'stopped' })), ok);
    expect(h.live.ok).toBe(true);
    expect(h.ready.ok).toBe(true);
  });

  it('descends into nested supervisors', () => {
    const h = healthFromTree(tree(node('root.brains', { kind: 'supervisor', children: [node('root.brains.risk', { status: 'stopped' })] })), ok);
    expect(h.live.reasons).toEqual(['root.brains.risk (worker, permanent) is stopped']);
  });

  it('gives a permanent node in backoff a grace period for liveness, but never for readiness', () => {
    const restarting = tree(node('root.a', { status: 'backoff', updatedAt: NOW - 1_000 }));
    const h = healthFromTree(restarting, ok);
    expect(h.live.ok).toBe(true);
    expect(h.ready).toEqual({ ok: false, reasons: ['root.a (worker, permanent) is backoff'] });
    const stuck = healthFromTree(tree(node('root.a', { status: 'backoff', updatedAt: NOW - 60_000 })), ok);
    expect(stuck.live.ok).toBe(false);
  });

  it('readiness fails on a transient node in backoff, NATS down or an unprovisioned layout', () => {
    const h = healthFromTree(tree(node('root.t', { restart: 'transient', status: 'backoff' })), { now: NOW, natsConnected: false, provisioned: false });
    expect(h.live.ok).toBe(true);
    expect(h.ready.reasons).toEqual(['root.t (worker, transient) is backoff', 'NATS not connected', 'JetStream layout not provisioned']);
  });

  it('readiness repeats liveness failures', () => {
    const h = healthFromTree(tree(node('root.a', { status: 'escalated' })), ok);
    expect(h.ready.reasons).toEqual(['not live: root.a (worker, permanent) is escalated']);
  });
});
