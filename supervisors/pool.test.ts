import { describe, expect, it } from 'vitest';
import { SupervisorError } from './errors.js';
import { harness } from './test-harness.js';
import { flush } from './testing.js';

describe('simple_one_for_one pool', () => {
  const pool = (h: ReturnType<typeof harness>, intensity = 5) => h.make({ id: 'positions', strategy: 'simple_one_for_one', intensity, period: 1000 });

  it('startChild starts and reports dynamic children', async () => {
    const h = harness();
    const sup = await pool(h).start();
    const rec = await sup.startChild(h.kids.spec('BTCUSDT'));
    await sup.startChild(h.kids.spec('ETHUSDT', { restart: 'transient' }));
    expect(rec).toMatchObject({ path: 'positions.BTCUSDT', status: 'running', kind: 'worker', restart: 'permanent', restarts: 0 });
    expect(h.reporter.lines()).toEqual(['started positions', 'started positions.BTCUSDT', 'started positions.ETHUSDT']);
    expect(sup.whichChildren().map(({ id, status, restart }) => ({ id, status, restart }))).toEqual([
      { id: 'BTCUSDT', status: 'running', restart: 'permanent' },
      { id: 'ETHUSDT', status: 'running', restart: 'transient' },
    ]);
    expect(sup.whichChildren()[0]?.handle).toBe(h.kids.get('BTCUSDT'));
    await expect(sup.startChild(h.kids.spec('BTCUSDT'))).rejects.toMatchObject({ code: 'already_present' });
    await expect(sup.startChild(h.kids.spec('bad.id'))).rejects.toThrow(TypeError);
  });

  it('restarts each child independently', async () => {
    const h = harness();
    const sup = await pool(h).start();
    for (const s of ['A', 'B', 'C']) await sup.startChild(h.kids.spec(s));
    h.kids.log.length = 0;
    h.kids.get('B').crash();
    await flush();
    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:B', 'start:B']);
    expect(sup.whichChildren().map((c) => c.restarts)).toEqual([0, 1, 0]);
  });

  it('terminateChild stops and forgets a child; it is not restarted', async () => {
    const h = harness();
    const sup = await pool(h).start();
    await sup.startChild(h.kids.spec('A'));
    await sup.startChild(h.kids.spec('B'));
    h.reporter.clear();
    await sup.terminateChild('A');
    await h.advance(1000);
    expect(h.kids.log).toEqual(['start:A', 'start:B', 'stop:A']);
    expect(h.reporter.lines()).toEqual(['stopped positions.A']);
    expect(h.reporter.removedPaths).toEqual(['positions.A']);
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['B']);
    await expect(sup.terminateChild('A')).rejects.toBeInstanceOf(SupervisorError);
    // The id is free again.
    await sup.startChild(h.kids.spec('A'));
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['B', 'A']);
  });

  it('terminateChild of a child in backoff cancels its restart', async () => {
    const h = harness();
    const sup = await pool(h).start();
    await sup.startChild(h.kids.spec('A'));
    h.kids.get('A').crash();
    await flush();
    await sup.terminateChild('A');
    await h.advance(1000);
    expect(h.kids.log).toEqual(['start:A', 'crash:A']);
    expect(h.clock.pending()).toBe(0);
  });

  it('intensity applies to the pool as a whole', async () => {
    const h = harness();
    const sup = await pool(h, 2).start();
    for (const s of ['A', 'B', 'C', 'D']) await sup.startChild(h.kids.spec(s));
    h.kids.get('A').crash();
    h.kids.get('B').crash();
    await flush();
    expect(h.reporter.lines('escalated')).toEqual([]);
    h.kids.get('C').crash();
    await flush();
    expect(h.reporter.lines('escalated')).toEqual(['escalated positions']);
    expect(h.kids.log.slice(4, 7)).toEqual(['crash:A', 'crash:B', 'crash:C']);
    expect(h.kids.log.slice(7)).toEqual(['stop:D']);
    expect((await sup.exited).kind).toBe('crash');
    await expect(sup.startChild(h.kids.spec('E'))).rejects.toMatchObject({ code: 'not_active' });
  });

  it('a failed startChild counts as a crash and is retried', async () => {
    const h = harness();
    const sup = await pool(h).start();
    const rec = await sup.startChild(h.kids.spec('A', { failStart: (ctx) => ctx.attempt === 0 }));
    expect(rec).toMatchObject({ status: 'backoff', backoffMs: 10, restarts: 1 });
    await h.advance(10);
    expect(sup.find('positions.A')?.status).toBe('running');
  });

  it('children added before start() start with it', async () => {
    const h = harness();
    const sup = pool(h);
    await sup.startChild(h.kids.spec('A'));
    expect(h.kids.log).toEqual([]);
    await sup.start();
    expect(h.kids.log).toEqual(['start:A']);
  });

  it('handles hundreds of children: one crash restarts one, shutdown stops all at once', async () => {
    const h = harness();
    const sup = await pool(h, 1000).start();
    const ids = Array.from({ length: 500 }, (_, i) => `S${i}`);
    await Promise.all(ids.map((id) => sup.startChild(h.kids.spec(id, { ignoreStop: id === 'S3', shutdown: 100 }))));
    expect(sup.whichChildren()).toHaveLength(500);
    h.kids.log.length = 0;
    h.kids.get('S250').crash();
    await flush();
    await h.advance(10);
    expect(h.kids.log).toEqual(['crash:S250', 'start:S250']);
    expect(sup.tree().children).toHaveLength(500);

    h.kids.log.length = 0;
    const stopping = sup.stop();
    await flush();
    // Concurrent: every graceful stop is under way before the stuck one's deadline.
    expect(h.kids.log.filter((l) => l.startsWith('stop:'))).toHaveLength(499);
    await h.advance(100);
    await stopping;
    expect(h.kids.log.at(-1)).toBe('kill:S3');
  });
});
