import { describe, expect, it } from 'vitest';
import { EscalationError } from './errors.js';
import { supervisorChild } from './supervisor.js';
import { harness } from './test-harness.js';
import { flush } from './testing.js';

describe('intensity', () => {
  it('more than `intensity` restarts within `period` stops the rest in reverse order, escalates and crashes', async () => {
    const h = harness();
    const sup = h.make({ intensity: 2, period: 1000, children: ['a', 'b', 'c', 'd'].map((id) => h.kids.spec(id)) });
    await sup.start();
    let settled = false;
    void sup.exited.then(() => (settled = true));
    h.kids.log.length = 0;
    h.reporter.clear();

    h.kids.get('b').crash();
    await flush();
    await h.advance(10);
    h.kids.get('b').crash();
    await flush();
    await h.advance(20);
    expect(settled).toBe(false);
    h.kids.get('b').crash();
    await flush();

    expect(h.kids.log).toEqual(['crash:b', 'start:b', 'crash:b', 'start:b', 'crash:b', 'stop:d', 'stop:c', 'stop:a']);
    expect(h.reporter.lines()).toEqual([
      'crashed root.b',
      'restarted root.b',
      'crashed root.b',
      'restarted root.b',
      'crashed root.b',
      'stopped root.d',
      'stopped root.c',
      'stopped root.a',
      'escalated root',
    ]);
    const exit = await sup.exited;
    expect(exit.kind).toBe('crash');
    const error = (exit as { error: Error }).error;
    expect(error).toBeInstanceOf(EscalationError);
    expect(error.message).toContain('b boom');
    expect(h.reporter.last('root')).toMatchObject({ status: 'escalated', lastError: error.message });
    expect(sup.tree().children?.map((c) => c.status)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
  });

  it('restarts older than `period` do not count', async () => {
    const h = harness();
    const sup = h.make({ intensity: 1, period: 1000, backoff: { min: 10, resetAfter: 1_000_000 }, children: [h.kids.spec('a')] });
    await sup.start();
    for (let i = 0; i < 5; i++) {
      h.kids.get('a').crash();
      await flush();
      await h.advance(1000);
    }
    expect(h.reporter.lines('escalated')).toEqual([]);
    expect(sup.find('root.a')).toMatchObject({ status: 'running', restarts: 5 });
    // Two within the window is one too many (the streak's delay is 320 ms by now).
    h.kids.get('a').crash();
    await flush();
    await h.advance(400);
    h.kids.get('a').crash();
    await flush();
    expect(h.reporter.lines('escalated')).toEqual(['escalated root']);
  });

  it('intensity 0 escalates on the first crash', async () => {
    const h = harness();
    const sup = h.make({ intensity: 0, children: [h.kids.spec('a'), h.kids.spec('b')] });
    await sup.start();
    h.kids.get('b').crash();
    await flush();
    expect(h.kids.log).toEqual(['start:a', 'start:b', 'crash:b', 'stop:a']);
    expect((await sup.exited).kind).toBe('crash');
  });
});

describe('nesting', () => {
  const nestedTree = (h: ReturnType<typeof harness>, rootIntensity = 5) =>
    h.make({
      intensity: rootIntensity,
      strategy: 'one_for_one',
      children: [
        h.kids.spec('a'),
        supervisorChild(
          { id: 'market', strategy: 'one_for_one', intensity: 1, period: 1000, backoff: { min: 10, jitter: 0 }, children: [h.kids.spec('x'), h.kids.spec('y')] },
          h.deps,
        ),
        h.kids.spec('b'),
      ],
    });

  it('starts depth-first in order, with nested paths', async () => {
    const h = harness();
    const sup = nestedTree(h);
    await sup.start();
    expect(h.kids.log).toEqual(['start:a', 'start:x', 'start:y', 'start:b']);
    expect(h.reporter.lines('started')).toEqual(['started root.a', 'started root.market.x', 'started root.market.y', 'started root.market', 'started root.b', 'started root']);
    expect(h.kids.get('x').ctx.path).toBe('root.market.x');
  });

  it('a nested supervisor that escalates is a crashed child of its parent, which restarts it', async () => {
    const h = harness();
    const sup = nestedTree(h);
    await sup.start();
    h.kids.log.length = 0;
    h.reporter.clear();

    h.kids.get('x').crash();
    await flush();
    await h.advance(10);
    h.kids.get('x').crash();
    await flush();

    expect(h.reporter.lines()).toEqual([
      'crashed root.market.x',
      'restarted root.market.x',
      'crashed root.market.x',
      'stopped root.market.y',
      'escalated root.market',
      'crashed root.market',
    ]);
    const crashed = h.reporter.events.at(-1)!;
    expect(crashed.reason).toMatch(/^root\.market escalated/);
    expect(sup.find('root.market')).toMatchObject({ status: 'backoff', backoffMs: 10, restarts: 1, kind: 'supervisor', strategy: 'one_for_one' });

    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:x', 'start:x', 'crash:x', 'stop:y', 'start:x', 'start:y']);
    expect(h.reporter.lines().slice(6)).toEqual(['started root.market.x', 'started root.market.y', 'restarted root.market']);
    // The new incarnation has a fresh intensity budget and knows its attempt.
    expect(h.kids.get('x').ctx).toEqual({ path: 'root.market.x', attempt: 0, fresh: false });
    expect(h.reporter.events.find((e) => e.type === 'escalated')?.restarts).toBe(0);
    expect(sup.find('root.market')?.children?.map((c) => c.status)).toEqual(['running', 'running']);
    expect(h.kids.log).not.toContain('stop:a');
  });

  it('escalation cascades to the root, which stops everything in reverse order and exits with a crash', async () => {
    const h = harness();
    const sup = nestedTree(h, 0);
    await sup.start();
    h.kids.log.length = 0;
    h.reporter.clear();

    h.kids.get('x').crash();
    await flush();
    await h.advance(10);
    h.kids.get('x').crash();
    await flush();

    expect(h.kids.log).toEqual(['crash:x', 'start:x', 'crash:x', 'stop:y', 'stop:b', 'stop:a']);
    expect(h.reporter.lines('escalated', 'crashed')).toEqual([
      'crashed root.market.x',
      'crashed root.market.x',
      'escalated root.market',
      'crashed root.market',
      'escalated root',
    ]);
    const exit = await sup.exited;
    expect(exit).toMatchObject({ kind: 'crash' });
    expect((exit as { error: Error }).error).toBeInstanceOf(EscalationError);
  });

  it('one_for_all parent restarts its worker siblings when a nested supervisor dies', async () => {
    const h = harness();
    const sup = h.make({
      strategy: 'one_for_all',
      children: [h.kids.spec('a'), supervisorChild({ id: 'sub', strategy: 'one_for_one', intensity: 0, children: [h.kids.spec('x')] }, h.deps)],
    });
    await sup.start();
    h.kids.log.length = 0;
    h.kids.get('x').crash();
    await flush();
    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:x', 'stop:a', 'start:a', 'start:x']);
  });
});
