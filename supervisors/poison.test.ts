import { describe, expect, it } from 'vitest';
import { harness } from './test-harness.js';
import { FencedError, RuntimeError } from '../runtime/errors.js';
import { flush } from './testing.js';

describe('poisoned snapshot', () => {
  it('after poisonThreshold quick crashes in a row the next start is fresh, once', async () => {
    const h = harness();
    const sup = h.make({ poisonThreshold: 2, poisonWindow: 1000, children: [h.kids.spec('p')] });
    await sup.start();
    h.kids.get('p').crash();
    await flush();
    await h.advance(10);
    h.kids.get('p').crash();
    await flush();
    await h.advance(20);
    expect(h.kids.contexts('p').map((c) => c.fresh)).toEqual([false, false, true]);
    expect(h.reporter.events.filter((e) => e.type === 'restarted').map((e) => e.fresh)).toEqual([false, true]);
    h.kids.get('p').crash();
    await flush();
    await h.advance(40);
    expect(h.kids.contexts('p').map((c) => c.fresh)).toEqual([false, false, true, false]);
  });

  it('a run past poisonWindow resets the count', async () => {
    const h = harness();
    const sup = h.make({ poisonThreshold: 2, poisonWindow: 1000, children: [h.kids.spec('p')] });
    await sup.start();
    h.kids.get('p').crash();
    await flush();
    await h.advance(10);
    await h.advance(1000); // healthy
    h.kids.get('p').crash();
    await flush();
    await h.advance(20);
    h.kids.get('p').crash();
    await flush();
    await h.advance(40);
    // The crash after the healthy run did not count: two more quick ones are needed.
    expect(h.kids.contexts('p').map((c) => c.fresh)).toEqual([false, false, false, false]);
    h.kids.get('p').crash();
    await flush();
    await h.advance(80);
    expect(h.kids.contexts('p').map((c) => c.fresh)).toEqual([false, false, false, false, true]);
  });

  it('failed starts count, and fresh sticks until a start succeeds', async () => {
    const h = harness();
    // Restoring the snapshot throws; only a fresh start works.
    const sup = h.make({ poisonThreshold: 3, children: [h.kids.spec('p', { failStart: (ctx) => !ctx.fresh })] });
    await sup.start();
    await h.advance(10);
    await h.advance(20);
    await h.advance(40);
    expect(h.kids.log).toEqual(['fail:p', 'fail:p', 'fail:p', 'start:p']);
    expect(h.kids.contexts('p').map((c) => c.fresh)).toEqual([false, false, false, true]);
    expect(sup.find('root.p')).toMatchObject({ status: 'running', restarts: 3 });
  });

  it('crashes from the surroundings (retryable, or thrown by the NATS client) never make a start fresh', async () => {
    const h = harness();
    const sup = h.make({ poisonThreshold: 2, poisonWindow: 1000, children: [h.kids.spec('p', { injectable: true })] });
    await sup.start();
    const timeout = new Error('timeout');
    timeout.name = 'TimeoutError';
    const crashes = [new RuntimeError('input consumer of p: consumer_deleted', { retryable: true }), new FencedError('p', 7), timeout];
    let t = 10;
    for (const error of crashes) {
      h.kids.get('p').inject!(error);
      await flush();
      await h.advance((t *= 2));
    }
    expect(h.kids.contexts('p').map((c) => c.fresh)).toEqual([false, false, false, false]);
    // A crash of its own still counts, and two in a row still make the next start fresh.
    for (let i = 0; i < 2; i++) {
      h.kids.get('p').crash();
      await flush();
      await h.advance((t *= 2));
    }
    expect(h.kids.contexts('p').map((c) => c.fresh)).toEqual([false, false, false, false, false, true]);
  });
});
