import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects } from '../../protocols/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { ensureDurable } from './durable.js';

describe('ensureDurable', () => {
  it('creates once, then brings an existing durable to new limits without moving it; a start-time durable it cannot update is kept and said', async () => {
    await using env = await natsEnv();
    const lines: Array<{ msg: string; from?: Record<string, unknown>; to?: Record<string, unknown> }> = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const base = { durable_name: 'brain_t', filter_subject: subjects.featuresAll, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All };
    const info = async (name: string) => (await env.bus.jsm.consumers.info(STREAMS.signals, name)).config;

    expect(await ensureDurable(env.bus, STREAMS.signals, { ...base, max_ack_pending: 100, ack_wait: nanos(10_000) }, log)).toBe('created');
    expect(await ensureDurable(env.bus, STREAMS.signals, { ...base, max_ack_pending: 100, ack_wait: nanos(10_000) }, log)).toBe('unchanged');
    expect(await ensureDurable(env.bus, STREAMS.signals, { ...base, max_ack_pending: 500, ack_wait: nanos(60_000) }, log)).toBe('updated');
    expect(await info('brain_t')).toMatchObject({ max_ack_pending: 500, ack_wait: nanos(60_000), filter_subject: subjects.featuresAll });
    expect(lines.find((l) => l.msg === 'durable consumer limits updated')).toMatchObject({ from: { max_ack_pending: 100, ack_wait: nanos(10_000) }, to: { max_ack_pending: 500, ack_wait: nanos(60_000) } });

    const timed = { ...base, durable_name: 'exec_t', deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Date.now() - 60_000).toISOString() };
    expect(await ensureDurable(env.bus, STREAMS.signals, { ...timed, max_ack_pending: 100 }, log)).toBe('created');
    const outcome = await ensureDurable(env.bus, STREAMS.signals, { ...timed, max_ack_pending: 300 }, log);
    // nats-server 2.9 (Debian's) refuses the update; a newer server applies it. Either way the durable works and the outcome is true.
    expect(['kept', 'updated']).toContain(outcome);
    expect((await info('exec_t')).max_ack_pending).toBe(outcome === 'kept' ? 100 : 300);
    if (outcome === 'kept') expect(lines.some((l) => /cannot update a consumer made with a start time/.test(l.msg))).toBe(true);

    // A durable that filters something else is not silently repurposed: it is left alone and reported.
    expect(await ensureDurable(env.bus, STREAMS.signals, { ...base, filter_subject: subjects.signalAll, max_ack_pending: 500, ack_wait: nanos(60_000) }, log)).toBe('unchanged');
    expect((await info('brain_t')).filter_subject).toBe(subjects.featuresAll);
    expect(lines.some((l) => /filters another subject/.test(l.msg))).toBe(true);
  });
});
