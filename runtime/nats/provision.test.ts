import { describe, expect, it } from 'vitest';
import { BUCKETS, OBJECT_STORES, STREAMS, streamOf, subjects } from '../../protocols/index.js';
import { subjectMatches } from '../backtest/subject-match.js';
import { loadConfig } from '../config/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { provision, streamConfigs } from './provision.js';

describe('provisioning', () => {
  it('streamOf names the stream whose configured subjects capture each kind of subject', () => {
    const configs = streamConfigs(loadConfig({ env: {} }));
    const capturing = (subject: string) => configs.filter((c) => c.subjects.some((p) => subjectMatches(p, subject))).map((c) => c.name);
    const samples = [
      subjects.market('sim', 'BTCUSDT', 'candle.1m'), subjects.signal('BTCUSDT'), subjects.regime('MARKET'), subjects.features('sim', 'BTCUSDT'),
      subjects.intent('BTCUSDT'), subjects.order('BTCUSDT', 'exec'), subjects.position('BTCUSDT', 'open'), subjects.journal('policy'),
      subjects.supervision('root.brains', 'restarted'), subjects.dlq('risk.main'), subjects.actorInput('risk', 'main'),
    ];
    for (const s of samples) expect([s, streamOf(s)]).toEqual([s, capturing(s)[0]]);
    expect(new Set(samples.map(streamOf))).toEqual(new Set(Object.values(STREAMS)));
    expect(streamOf(subjects.control('supervisor', 'status'))).toBeUndefined();
    expect(capturing(subjects.control('supervisor', 'status'))).toEqual([]);
  });

  it('creates every stream, bucket and object store, and is idempotent', async () => {
    await using env = await natsEnv();
    const names: string[] = [];
    for await (const s of env.bus.jsm.streams.list()) names.push(s.config.name);
    for (const s of Object.values(STREAMS)) expect(names).toContain(s);
    for (const b of Object.values(BUCKETS)) expect(names).toContain(`KV_${b}`);
    expect(names).toContain(`OBJ_${OBJECT_STORES.models}`);

    const again = await provision(env.bus, env.cfg);
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.unchanged.length).toBe(Object.values(STREAMS).length + Object.values(BUCKETS).length + 1);
  });

  it('updates a changed retention in place and keeps the data', async () => {
    await using env = await natsEnv();
    await env.bus.js.publish('qt.journal.test', new Uint8Array([1]));
    const cfg = loadConfig({ env: {}, overrides: { nats: { url: env.server.url }, streams: { longMaxAgeDays: 30 } } });
    const r = await provision(env.bus, cfg);
    expect(r.updated.some((u) => u.startsWith(`${STREAMS.journal}(`))).toBe(true);
    expect(r.created).toEqual([]);
    const info = await env.bus.jsm.streams.info(STREAMS.journal);
    expect(info.config.max_age).toBe(30 * 24 * 3_600_000 * 1_000_000);
    expect(info.state.messages).toBe(1);
  });

  it('keeps KV history as the design card says', async () => {
    await using env = await natsEnv();
    const actors = await env.bus.jsm.streams.info(`KV_${BUCKETS.actors}`);
    const sup = await env.bus.jsm.streams.info(`KV_${BUCKETS.supervisors}`);
    const pol = await env.bus.jsm.streams.info(`KV_${BUCKETS.policy}`);
    expect([actors.config.max_msgs_per_subject, sup.config.max_msgs_per_subject, pol.config.max_msgs_per_subject]).toEqual([5, 1, 10]);
  });
});
