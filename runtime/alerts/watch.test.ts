import { describe, expect, it } from 'vitest';
import { subjects, type SupervisionEvent } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { until } from '../testing/wait.js';
import { createAlertRouter } from './router.js';
import { recordingSink } from './sinks/recording.js';
import { watchSupervision } from './watch.js';

const ev = (type: SupervisionEvent['type'], path: string, ts: number, reason?: string): SupervisionEvent => ({ type, path, id: path.split('.').at(-1)!, kind: 'worker', ts, restarts: 1, node: 'n1', ...(reason ? { reason } : {}) });

describe('watchSupervision (real nats-server)', () => {
  it('raises escalation and crash-loop alerts from QT_SUPERVISION, skips garbage, and ignores history by default', async () => {
    await using env = await natsEnv();
    const publish = (e: SupervisionEvent) => env.bus.js.publish(subjects.supervision(e.path, e.type), encode(e), { headers: msgHeaders() });
    // History from before the watcher started must not page again.
    await publish(ev('escalated', 'root.old', 1));

    const sink = recordingSink();
    const router = createAlertRouter({ sinks: [sink] });
    const seen: string[] = [];
    const watch = await watchSupervision(env.bus, router, { crashLoop: { restarts: 3, windowMs: 10_000 }, onEvent: (e) => seen.push(`${e.type} ${e.path}`) });

    const t = Date.now();
    await env.bus.js.publish(subjects.supervision('root.junk', 'crashed'), new Uint8Array([0xc1]));
    await env.bus.js.publish(subjects.supervision('root.junk', 'crashed'), encode({ type: 'nope' }));
    for (let i = 0; i < 3; i++) {
      await publish(ev('crashed', 'root.brains.risk', t + i * 100, 'boom'));
      await publish(ev('restarted', 'root.brains.risk', t + i * 100 + 10, 'boom'));
    }
    await publish(ev('escalated', 'root.brains', t + 500, 'intensity exceeded'));
    await until(() => sink.sent.length >= 2, 'two alerts');
    expect(sink.keys()).toEqual(['crashloop:root.brains.risk', 'escalated:root.brains']);
    expect(sink.sent[1]).toMatchObject({ severity: 'critical', labels: { path: 'root.brains', node: 'n1' } });
    expect(seen).toHaveLength(7);
    expect(seen).not.toContain('escalated root.old');

    // Repeats of the same escalation within the window are de-duplicated by the router.
    await publish(ev('escalated', 'root.brains', t + 600, 'again'));
    await until(() => router.stats().suppressed === 1, 'suppressed repeat');
    await watch.stop();
    expect(sink.sent).toHaveLength(2);
  });

  it('with from: all it replays the stream', async () => {
    await using env = await natsEnv();
    await env.bus.js.publish(subjects.supervision('root', 'escalated'), encode(ev('escalated', 'root', Date.now())));
    const sink = recordingSink();
    const watch = await watchSupervision(env.bus, createAlertRouter({ sinks: [sink] }), { from: 'all' });
    await until(() => sink.sent.length === 1, 'replayed escalation');
    expect(sink.sent[0]!.title).toContain('root: the process exits');
    await watch.stop();
  });
});
