import { describe, expect, it } from 'vitest';
import { harness } from './test-harness.js';
import { flush } from './testing.js';

describe('strategies', () => {
  it('starts children in order and reports started', async () => {
    const h = harness();
    const sup = h.make({ children: ['a', 'b', 'c'].map((id) => h.kids.spec(id)) });
    await sup.start();
    expect(h.kids.log).toEqual(['start:a', 'start:b', 'start:c']);
    expect(h.reporter.lines()).toEqual(['started root.a', 'started root.b', 'started root.c', 'started root']);
    expect(h.kids.get('b').ctx).toEqual({ path: 'root.b', attempt: 0, fresh: false });
  });

  it('one_for_one restarts only the crashed child, after its backoff', async () => {
    const h = harness();
    const sup = h.make({ strategy: 'one_for_one', children: ['a', 'b', 'c'].map((id) => h.kids.spec(id)) });
    await sup.start();
    h.kids.log.length = 0;
    h.reporter.clear();

    h.kids.get('b').crash('bad tick');
    await flush();
    expect(h.kids.log).toEqual(['crash:b']);
    expect(h.reporter.last('root.b')).toMatchObject({ status: 'backoff', backoffMs: 10, restarts: 1, lastError: 'bad tick' });

    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:b', 'start:b']);
    expect(h.reporter.events.map((e) => [e.type, e.path, e.reason, e.backoffMs])).toEqual([
      ['crashed', 'root.b', 'bad tick', undefined],
      ['restarted', 'root.b', 'b crashed', 10],
    ]);
    expect(h.reporter.records.filter((r) => r.path === 'root.b').map((r) => r.status)).toEqual([
      'crashed',
      'backoff',
      'starting',
      'running',
    ]);
    expect(h.kids.get('b').ctx).toEqual({ path: 'root.b', attempt: 1, fresh: false });
  });

  it('one_for_all stops the others in reverse order, then restarts all in start order', async () => {
    const h = harness();
    const sup = h.make({ strategy: 'one_for_all', children: ['a', 'b', 'c'].map((id) => h.kids.spec(id)) });
    await sup.start();
    h.kids.log.length = 0;
    h.reporter.clear();

    h.kids.get('b').crash();
    await flush();
    expect(h.kids.log).toEqual(['crash:b', 'stop:c', 'stop:a']);
    expect(sup.whichChildren().map((c) => c.status)).toEqual(['backoff', 'backoff', 'backoff']);

    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:b', 'stop:c', 'stop:a', 'start:a', 'start:b', 'start:c']);
    expect(h.reporter.lines()).toEqual([
      'crashed root.b',
      'stopped root.c',
      'stopped root.a',
      'restarted root.a',
      'restarted root.b',
      'restarted root.c',
    ]);
    expect(h.reporter.events[1]?.reason).toBe('b crashed');
    expect(sup.whichChildren().map((c) => c.restarts)).toEqual([1, 1, 1]);
  });

  it('rest_for_one restarts the crashed child and those started after it', async () => {
    const h = harness();
    const sup = h.make({ strategy: 'rest_for_one', children: ['a', 'b', 'c', 'd'].map((id) => h.kids.spec(id)) });
    await sup.start();
    h.kids.log.length = 0;

    h.kids.get('b').crash();
    await flush();
    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:b', 'stop:d', 'stop:c', 'start:b', 'start:c', 'start:d']);
    expect(sup.whichChildren().map((c) => [c.id, c.restarts])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 1],
      ['d', 1],
    ]);
  });

  it('rest_for_one: a crash of the last child touches nobody else', async () => {
    const h = harness();
    const sup = h.make({ strategy: 'rest_for_one', children: ['a', 'b'].map((id) => h.kids.spec(id)) });
    await sup.start();
    h.kids.log.length = 0;
    h.kids.get('b').crash();
    await flush();
    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:b', 'start:b']);
  });
});

describe('restart types', () => {
  it('permanent: restarted after a normal exit too', async () => {
    const h = harness();
    const sup = h.make({ children: [h.kids.spec('a', { restart: 'permanent' })] });
    await sup.start();
    h.reporter.clear();
    h.kids.get('a').finish();
    await flush();
    await h.advance(10);
    expect(h.reporter.events.map((e) => [e.type, e.reason])).toEqual([
      ['stopped', 'normal'],
      ['restarted', 'a exited'],
    ]);
    expect(h.kids.log).toEqual(['start:a', 'exit:a', 'start:a']);
  });

  it('transient: not restarted after a normal exit, restarted after a crash', async () => {
    const h = harness();
    const sup = h.make({ children: [h.kids.spec('t', { restart: 'transient' }), h.kids.spec('u', { restart: 'transient' })] });
    await sup.start();
    h.kids.get('t').finish();
    h.kids.get('u').crash();
    await flush();
    await h.advance(1000);
    expect(h.kids.log).toEqual(['start:t', 'start:u', 'exit:t', 'crash:u', 'start:u']);
    expect(sup.find('root.t')?.status).toBe('stopped');
    expect(sup.find('root.u')?.status).toBe('running');
    expect(h.reporter.removedPaths).toEqual([]);
  });

  it('temporary: never restarted, removed from the tree', async () => {
    const h = harness();
    const sup = h.make({ children: [h.kids.spec('x', { restart: 'temporary' }), h.kids.spec('y', { restart: 'temporary' })] });
    await sup.start();
    h.kids.get('x').crash();
    h.kids.get('y').finish();
    await flush();
    await h.advance(1000);
    expect(h.kids.log).toEqual(['start:x', 'start:y', 'crash:x', 'exit:y']);
    expect(h.reporter.removedPaths).toEqual(['root.x', 'root.y']);
    expect(sup.whichChildren()).toEqual([]);
    expect(sup.find('root.x')).toBeUndefined();
  });

  it('one_for_all: temporary siblings are stopped and dropped, transient ones restarted', async () => {
    const h = harness();
    const sup = h.make({
      strategy: 'one_for_all',
      children: [h.kids.spec('a'), h.kids.spec('tmp', { restart: 'temporary' }), h.kids.spec('tr', { restart: 'transient' })],
    });
    await sup.start();
    h.kids.log.length = 0;
    h.kids.get('a').crash();
    await flush();
    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:a', 'stop:tr', 'stop:tmp', 'start:a', 'start:tr']);
    expect(h.reporter.removedPaths).toEqual(['root.tmp']);
  });

  it('one_for_all: a transient child that finished normally is not brought back by a sibling crash', async () => {
    const h = harness();
    const sup = h.make({ strategy: 'one_for_all', children: [h.kids.spec('a'), h.kids.spec('job', { restart: 'transient' })] });
    await sup.start();
    h.kids.get('job').finish();
    await flush();
    h.kids.get('a').crash();
    await flush();
    await h.advance(10);
    expect(h.kids.log).toEqual(['start:a', 'start:job', 'exit:job', 'crash:a', 'start:a']);
  });
});

describe('failed starts', () => {
  it('count as crashes and are retried after backoff with a growing attempt', async () => {
    const h = harness();
    const sup = h.make({ children: [h.kids.spec('a', { failStart: (ctx) => ctx.attempt < 2 }), h.kids.spec('b')] });
    await sup.start();
    // The failing child does not hold up its siblings.
    expect(h.kids.log).toEqual(['fail:a', 'start:b']);
    await h.advance(10);
    await h.advance(20);
    expect(h.kids.log).toEqual(['fail:a', 'start:b', 'fail:a', 'start:a']);
    expect(h.reporter.lines('crashed', 'restarted', 'started')).toEqual([
      'crashed root.a',
      'started root.b',
      'started root',
      'crashed root.a',
      'restarted root.a',
    ]);
    expect(h.kids.contexts('a').map((c) => c.attempt)).toEqual([0, 1, 2]);
    expect(h.reporter.events[0]?.reason).toBe('a failed to start');
  });

  it('one_for_all: a failed start in the initial start holds the later children until the group restart', async () => {
    const h = harness();
    const sup = h.make({
      strategy: 'one_for_all',
      children: [h.kids.spec('a'), h.kids.spec('b', { failStart: (ctx) => ctx.attempt === 0 }), h.kids.spec('c')],
    });
    await sup.start();
    expect(h.kids.log).toEqual(['start:a', 'fail:b', 'stop:a']);
    await h.advance(10);
    expect(h.kids.log).toEqual(['start:a', 'fail:b', 'stop:a', 'start:a', 'start:b', 'start:c']);
  });

  it('one_for_all: a failed start during the group restart re-plans the whole group', async () => {
    const h = harness();
    const sup = h.make({
      strategy: 'one_for_all',
      children: [h.kids.spec('a'), h.kids.spec('b', { failStart: (ctx) => ctx.attempt === 1 }), h.kids.spec('c')],
    });
    await sup.start();
    h.kids.log.length = 0;
    h.kids.get('c').crash();
    await flush();
    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:c', 'stop:b', 'stop:a', 'start:a', 'fail:b', 'stop:a']);
    // b's own streak: its first restart failed, so the next delay is b's first (10 ms).
    await h.advance(10);
    expect(h.kids.log.slice(6)).toEqual(['start:a', 'start:b', 'start:c']);
    expect(sup.whichChildren().every((c) => c.status === 'running')).toBe(true);
  });
});
