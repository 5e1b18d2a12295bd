import { AckPolicy } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects } from '../../protocols/index.js';
import { encode } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { collectConsumerLag } from './lag.js';
import { createMetrics } from './registry.js';

describe('collectConsumerLag (real nats-server)', () => {
  it('reads num_pending and num_ack_pending of every QT_* consumer into the gauges', async () => {
    await using env = await natsEnv();
    const { jsm, js } = env.bus;
    await jsm.consumers.add(STREAMS.signals, { durable_name: 'strategy', ack_policy: AckPolicy.Explicit, filter_subject: subjects.signalAll });
    await jsm.consumers.add(STREAMS.orders, { durable_name: 'exec', ack_policy: AckPolicy.Explicit, filter_subject: subjects.orderAll });
    // A KV bucket's consumers are not our backlog.
    await jsm.consumers.add('KV_qt_actors', { durable_name: 'kvwatch', ack_policy: AckPolicy.Explicit });
    for (let i = 0; i < 5; i++) await js.publish(subjects.signal('BTCUSDT'), encode({ i }));
    await js.publish(subjects.order('BTCUSDT', 'new'), encode({}));
    const c = await js.consumers.get(STREAMS.signals, 'strategy');
    const batch = await c.fetch({ max_messages: 2, expires: 1_000 });
    for await (const _m of batch) if (batch.getProcessed() >= 2) break;

    const metrics = createMetrics({ defaultMetrics: false });
    const report = await collectConsumerLag(jsm, metrics);
    expect(report.consumers).toEqual(
      expect.arrayContaining([
        { stream: 'QT_SIGNALS', consumer: 'strategy', pending: 3, ackPending: 2, redelivered: 0 },
        { stream: 'QT_ORDERS', consumer: 'exec', pending: 1, ackPending: 0, redelivered: 0 },
      ]),
    );
    expect(report.consumers.map((x) => x.stream).every((s) => s.startsWith('QT_'))).toBe(true);
    expect(report.streams.find((s) => s.stream === 'QT_SIGNALS')).toMatchObject({ messages: 5, consumers: 1 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('qt_consumer_pending_messages{stream="QT_SIGNALS",consumer="strategy"} 3');
    expect(text).toContain('qt_consumer_ack_pending_messages{stream="QT_SIGNALS",consumer="strategy"} 2');
    expect(text).toContain('qt_stream_messages{stream="QT_SIGNALS"} 5');

    await jsm.consumers.delete(STREAMS.orders, 'exec');
    await collectConsumerLag(jsm, metrics);
    expect(await metrics.registry.metrics()).not.toContain('consumer="exec"');
  });
});
