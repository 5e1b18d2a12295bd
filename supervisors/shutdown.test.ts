import { describe, expect, it } from 'vitest';
import { createSupervisor, supervisorChild } from './supervisor.js';
import { harness } from './test-harness.js';
import { flush } from './testing.js';

describe('ordered shutdown', () => {
  it('stop() stops children in reverse start order and exits with shutdown', async () => {
    const h = harness();
    const sup = h.make({ children: ['a', 'b', 'c'].map((id) => h.kids.spec(id)) });
    await sup.start();
    h.reporter.clear();
    await sup.stop();
    expect(h.kids.log).toEqual(['start:a', 'start:b', 'start:c', 'stop:c', 'stop:b', 'stop:a']);
    expect(h.reporter.lines()).toEqual(['stopped root.c', 'stopped root.b', 'stopped root.a', 'stopped root']);
    expect(await sup.exited).toEqual({ kind: 'shutdown' });
    expect(h.reporter.last('root')?.status).toBe('stopped');
    // Idempotent.
    await sup.stop();
    expect(h.kids.log).toHaveLength(6);
  });

  it('kills a child that ignores stop once its shutdown ms pass on the clock', async () => {
    const h = harness();
    const sup = h.make({ children: [h.kids.spec('a'), h.kids.spec('stuck', { ignoreStop: true, shutdown: 500 }), h.kids.spec('c')] });
    await sup.start();
    let done = false;
    const stopping = sup.stop().then(() => (done = true));
    await flush();
    expect(h.kids.log.slice(3)).toEqual(['stop:c', 'ignore-stop:stuck']);
    expect(sup.find('root.stuck')?.status).toBe('stopping');
    await h.advance(499);
    expect(done).toBe(false);
    await h.advance(1);
    await stopping;
    expect(h.kids.log.slice(3)).toEqual(['stop:c', 'ignore-stop:stuck', 'kill:stuck', 'stop:a']);
    expect(h.reporter.events.find((e) => e.path === 'root.stuck' && e.type === 'stopped')?.reason).toBe('shutdown (killed)');
  });

  it("'brutal' kills at once without asking", async () => {
    const h = harness();
    const sup = h.make({ children: [h.kids.spec('a'), h.kids.spec('b', { shutdown: 'brutal' })] });
    await sup.start();
    await sup.stop();
    expect(h.kids.log).toEqual(['start:a', 'start:b', 'kill:b', 'stop:a']);
    expect(h.clock.pending()).toBe(0);
  });

  it('stops nested supervisors depth-first in reverse order', async () => {
    const h = harness();
    const sup = h.make({
      children: [h.kids.spec('a'), supervisorChild({ id: 'sub', strategy: 'one_for_one', children: [h.kids.spec('x'), h.kids.spec('y')] }, h.deps), h.kids.spec('b')],
    });
    await sup.start();
    h.reporter.clear();
    await sup.stop();
    expect(h.kids.log.slice(4)).toEqual(['stop:b', 'stop:y', 'stop:x', 'stop:a']);
    expect(h.reporter.lines()).toEqual(['stopped root.b', 'stopped root.sub.y', 'stopped root.sub.x', 'stopped root.sub', 'stopped root.a', 'stopped root']);
  });

  it('cancels pending restarts', async () => {
    const h = harness();
    const sup = h.make({ children: [h.kids.spec('a'), h.kids.spec('b')] });
    await sup.start();
    h.kids.get('b').crash();
    await flush();
    expect(h.clock.pending()).toBe(1);
    await sup.stop();
    expect(h.clock.pending()).toBe(0);
    await h.advance(1000);
    expect(h.kids.log).toEqual(['start:a', 'start:b', 'crash:b', 'stop:a']);
    expect(sup.find('root.b')?.status).toBe('stopped');
  });

  it('kill() kills every child at once, even one in a graceful stop', async () => {
    const h = harness();
    const sup = h.make({ children: [h.kids.spec('a'), h.kids.spec('b', { ignoreStop: true })] });
    await sup.start();
    void sup.stop();
    await flush();
    sup.kill();
    expect(h.kids.log).toEqual(['start:a', 'start:b', 'ignore-stop:b', 'kill:a', 'kill:b']);
    expect(await sup.exited).toEqual({ kind: 'shutdown' });
  });

  it('a child that crashes while the supervisor stops is not restarted', async () => {
    const h = harness();
    const sup = h.make({ children: [h.kids.spec('a'), h.kids.spec('b', { ignoreStop: true, shutdown: 100 })] });
    await sup.start();
    const stopping = sup.stop();
    await flush();
    h.kids.get('a').crash();
    await h.advance(100);
    await stopping;
    await h.advance(1000);
    expect(h.kids.log).toEqual(['start:a', 'start:b', 'ignore-stop:b', 'crash:a', 'kill:b']);
    expect(h.reporter.lines('crashed', 'restarted')).toEqual([]);
  });
});

describe('on the live clock', () => {
  it('restarts after a real backoff and stops a stuck child after a real deadline', async () => {
    const { createLiveClock } = await import('../runtime/clock/index.js');
    const h = harness();
    const sup = await createSupervisor(
      { id: 'live', strategy: 'one_for_one', backoff: { min: 5, jitter: 0 }, children: [h.kids.spec('a', { ignoreStop: true, shutdown: 20 })] },
      { clock: createLiveClock(), reporter: h.reporter },
    ).start();
    h.kids.get('a').crash();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(h.kids.log).toEqual(['start:a', 'crash:a', 'start:a']);
    await sup.stop();
    expect(h.kids.log.slice(3)).toEqual(['ignore-stop:a', 'kill:a']);
  });
});
