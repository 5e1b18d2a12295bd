import { describe, expect, it } from 'vitest';
import { InjectedCrash } from '../runtime/errors.js';
import { createSupervisor, supervisorChild } from './supervisor.js';
import { harness } from './test-harness.js';
import { flush } from './testing.js';

const build = (h: ReturnType<typeof harness>, intensity = 5) =>
  h.make({
    intensity,
    children: [
      h.kids.spec('a', { injectable: true }),
      supervisorChild({ id: 'sub', strategy: 'one_for_all', intensity: 3, children: [h.kids.spec('x'), h.kids.spec('y')] }, h.deps),
      h.kids.spec('b', { restart: 'transient' }),
    ],
  });

describe('control API', () => {
  it('restartChild restarts at once, without backoff and outside the intensity budget', async () => {
    const h = harness();
    const sup = await build(h, 0).start();
    h.reporter.clear();
    for (let i = 0; i < 3; i++) await sup.restartChild('root.a');
    expect(h.kids.log.slice(4)).toEqual(['stop:a', 'start:a', 'stop:a', 'start:a', 'stop:a', 'start:a']);
    expect(h.reporter.events.slice(0, 2).map((e) => [e.type, e.path, e.reason, e.backoffMs])).toEqual([
      ['stopped', 'root.a', 'manual restart', undefined],
      ['restarted', 'root.a', 'manual', 0],
    ]);
    expect(h.reporter.lines('escalated')).toEqual([]);
    expect(sup.find('root.a')).toMatchObject({ status: 'running', restarts: 3 });
    expect(h.kids.get('a').ctx.attempt).toBe(3);
  });

  it('restartChild of a child in backoff starts it now and cancels the pending restart', async () => {
    const h = harness();
    const sup = await build(h).start();
    h.kids.get('b').crash();
    await flush();
    expect(h.clock.pending()).toBe(1);
    await sup.restartChild('root.b');
    expect(h.clock.pending()).toBe(0);
    await h.advance(1000);
    expect(h.kids.log.slice(4)).toEqual(['crash:b', 'start:b']);
    expect(sup.find('root.b')).toMatchObject({ status: 'running', restarts: 2 });
  });

  it('restartChild of a nested path is delegated, and only that child restarts', async () => {
    const h = harness();
    const sup = await build(h).start();
    await sup.restartChild('root.sub.y');
    expect(h.kids.log.slice(4)).toEqual(['stop:y', 'start:y']);
  });

  it('stopChild keeps even a permanent child stopped until restartChild', async () => {
    const h = harness();
    const sup = await build(h).start();
    await sup.stopChild('root.sub.x');
    expect(sup.find('root.sub.x')?.status).toBe('stopped');
    // A sibling crash under one_for_all does not bring it back.
    h.kids.get('y').crash();
    await flush();
    await h.advance(1000);
    expect(h.kids.log.slice(4)).toEqual(['stop:x', 'crash:y', 'start:y']);
    expect(sup.find('root.sub.x')?.status).toBe('stopped');
    await sup.restartChild('root.sub.x');
    expect(sup.find('root.sub.x')?.status).toBe('running');
  });

  it('kill(path) injects into a child that supports it; the crash is handled as usual', async () => {
    const h = harness();
    const sup = await build(h).start();
    h.reporter.clear();
    await sup.kill('root.a', 'chaos test');
    await flush();
    expect(h.kids.log.slice(4)).toEqual(['inject:a']);
    expect(h.reporter.events[0]).toMatchObject({ type: 'crashed', path: 'root.a', reason: 'chaos test' });
    await h.advance(10);
    expect(h.kids.log.slice(4)).toEqual(['inject:a', 'start:a']);
  });

  it('kill(path) on a child without inject kills it and treats that as a crash', async () => {
    const h = harness();
    const sup = await build(h).start();
    h.reporter.clear();
    await sup.kill('root.b');
    expect(h.kids.log.slice(4)).toEqual(['kill:b']);
    expect(h.reporter.events[0]).toMatchObject({ type: 'crashed', path: 'root.b', reason: 'chaos kill' });
    // b is transient: a crash is restarted.
    await h.advance(10);
    expect(h.kids.log.slice(4)).toEqual(['kill:b', 'start:b']);
  });

  it('kill(path) of a nested worker applies the nested strategy', async () => {
    const h = harness();
    const sup = await build(h).start();
    await sup.kill('root.sub.x', 'x chaos');
    await flush();
    await h.advance(10);
    expect(h.kids.log.slice(4)).toEqual(['kill:x', 'stop:y', 'start:x', 'start:y']);
  });

  it('kill(path) of a nested supervisor crashes it and its parent restarts it', async () => {
    const h = harness();
    const sup = await build(h).start();
    h.reporter.clear();
    await sup.kill('root.sub', 'sub chaos');
    await flush();
    expect(h.reporter.lines()).toEqual(['stopped root.sub.y', 'stopped root.sub.x', 'crashed root.sub']);
    await h.advance(10);
    expect(h.kids.log.slice(4)).toEqual(['stop:y', 'stop:x', 'start:x', 'start:y']);
  });

  it('kill of the root path crashes the root', async () => {
    const h = harness();
    const sup = await build(h).start();
    await sup.kill('root', 'root chaos');
    const exit = await sup.exited;
    expect(exit.kind).toBe('crash');
    expect((exit as { error: Error }).error).toBeInstanceOf(InjectedCrash);
    expect(h.kids.log.slice(4)).toEqual(['stop:b', 'stop:y', 'stop:x', 'stop:a']);
  });

  it('rejects unknown paths and children that are not running', async () => {
    const h = harness();
    const sup = await build(h).start();
    await expect(sup.restartChild('root.nope')).rejects.toMatchObject({ code: 'not_found' });
    await expect(sup.stopChild('other.a')).rejects.toMatchObject({ code: 'not_found' });
    await expect(sup.restartChild('root')).rejects.toMatchObject({ code: 'invalid' });
    await sup.stopChild('root.a');
    await expect(sup.kill('root.a')).rejects.toMatchObject({ code: 'not_running', retryable: true });
    expect(sup.find('root.sub.nope')).toBeUndefined();
  });
});

describe('tree and find', () => {
  it('tree() shows the live tree with strategies, restart types, counts and backoff', async () => {
    const h = harness();
    h.clock.set(1_000);
    const sup = await build(h).start();
    h.kids.get('b').crash('disk full');
    await flush();
    const t = sup.tree();
    expect(t).toEqual({
      path: 'root',
      id: 'root',
      kind: 'supervisor',
      status: 'running',
      restarts: 0,
      strategy: 'one_for_one',
      startedAt: 1000,
      updatedAt: 1000,
      children: [
        { path: 'root.a', id: 'a', kind: 'worker', status: 'running', restarts: 0, restart: 'permanent', startedAt: 1000, updatedAt: 1000 },
        {
          path: 'root.sub',
          id: 'sub',
          kind: 'supervisor',
          status: 'running',
          restarts: 0,
          restart: 'permanent',
          strategy: 'one_for_all',
          startedAt: 1000,
          updatedAt: 1000,
          children: [
            { path: 'root.sub.x', id: 'x', kind: 'worker', status: 'running', restarts: 0, restart: 'permanent', startedAt: 1000, updatedAt: 1000 },
            { path: 'root.sub.y', id: 'y', kind: 'worker', status: 'running', restarts: 0, restart: 'permanent', startedAt: 1000, updatedAt: 1000 },
          ],
        },
        {
          path: 'root.b',
          id: 'b',
          kind: 'worker',
          status: 'backoff',
          restarts: 1,
          restart: 'transient',
          backoffMs: 10,
          lastError: 'disk full',
          startedAt: 1000,
          updatedAt: 1000,
        },
      ],
    });
    expect(sup.find('root.sub')).toEqual(t.children?.[1]);
    expect(sup.find('root.sub.y')).toEqual(t.children?.[1]?.children?.[1]);
    expect(sup.find('root')).toEqual(t);
  });

  it('stamps node on events and records when given', async () => {
    const h = harness();
    const sup = await createSupervisor({ id: 'root', strategy: 'one_for_one', children: [h.kids.spec('a')] }, { ...h.deps, node: 'vps-1' }).start();
    expect(h.reporter.events.every((e) => e.node === 'vps-1')).toBe(true);
    expect(h.reporter.records.every((r) => r.node === 'vps-1')).toBe(true);
    expect(sup.tree().children?.[0]?.node).toBe('vps-1');
  });

  it('a throwing reporter does not break supervision', async () => {
    const h = harness();
    const errors: unknown[] = [];
    const reporter = {
      event: () => {
        throw new Error('nats down');
      },
      status: () => undefined,
    };
    const sup = await createSupervisor(
      { id: 'root', strategy: 'one_for_one', backoff: { jitter: 0 }, children: [h.kids.spec('a')] },
      { clock: h.clock, reporter, onError: (e) => errors.push(e) },
    ).start();
    h.kids.get('a').crash();
    await flush();
    await h.advance(10);
    expect(h.kids.log).toEqual(['start:a', 'crash:a', 'start:a']);
    expect(errors.length).toBe(4);
    expect(sup.find('root.a')?.status).toBe('running');
  });
});
