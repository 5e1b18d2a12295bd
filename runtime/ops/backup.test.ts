import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUCKETS, OBJECT_STORES, STREAMS, subjects } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import { connectBus, startLocalNats, type Bus } from '../nats/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream } from '../testing/wait.js';
import { backupAll, readManifest, restoreAll } from './backup.js';

async function counts(bus: Bus): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const si of bus.jsm.streams.list()) out[si.config.name] = si.state.messages;
  return out;
}

async function kvDump(bus: Bus, bucket: string): Promise<Record<string, unknown>> {
  const kv = await bus.kvm.open(bucket);
  const out: Record<string, unknown> = {};
  for await (const k of await kv.keys()) out[k] = (await kv.get(k))?.string();
  return out;
}

describe('backup and restore (real nats-servers)', () => {
  it('round-trips every QT_* stream, KV bucket and the model store into a fresh server', async () => {
    await using src = await natsEnv();
    const { js, kvm, objm } = src.bus;
    for (let i = 0; i < 50; i++) await js.publish(subjects.signal(i % 2 ? 'BTCUSDT' : 'ETHUSDT'), encode({ i }));
    // Actor cursors are input sequences: a restore must keep them, across expired heads and holes.
    for (let i = 0; i < 8; i++) await js.publish(subjects.actorInput('counter', 'a'), encode({ type: 'inc', i }));
    await src.bus.jsm.streams.purge(STREAMS.inputs, { seq: 4 });
    await src.bus.jsm.streams.deleteMessage(STREAMS.inputs, 6, false);
    await js.publish(subjects.order('BTCUSDT', 'new'), encode({ qty: 1 }), { msgID: 'cid-1', headers: msgHeaders({ 'Qt-Trace': 'abc' }) });
    await js.publish(subjects.order('BTCUSDT', 'filled'), encode({ qty: 1 }), { msgID: 'cid-1:fill' });
    await js.publish(subjects.dlq('counter.a'), encode({}), { headers: msgHeaders({ 'Qt-Dlq-Reason': 'undecodable' }) });
    const actors = await kvm.open(BUCKETS.actors);
    const rev = await actors.create('position.BTCUSDT', JSON.stringify({ v: 1 }));
    await actors.update('position.BTCUSDT', JSON.stringify({ v: 2 }), rev); // carries Nats-Expected-Last-Subject-Sequence
    await actors.put('position.ETHUSDT', JSON.stringify({ v: 1 }));
    await actors.delete('position.ETHUSDT');
    const policy = await kvm.open(BUCKETS.policy);
    await policy.put('killswitch', 'off');
    await policy.put('champion', 'ens-v7');
    const models = await objm.open(OBJECT_STORES.models);
    await models.putBlob({ name: 'ens-v7.onnx' }, new Uint8Array(300_000).map((_, i) => i % 251));

    const dir = mkdtempSync(join(tmpdir(), 'qt-backup-'));
    try {
      const manifest = await backupAll(src.bus, dir);
      expect(manifest.streams.map((s) => s.name)).toEqual(expect.arrayContaining([STREAMS.signals, STREAMS.orders, 'KV_qt_actors', 'KV_qt_supervisors', 'KV_qt_policy', 'OBJ_qt_models']));
      expect(manifest.streams.find((s) => s.name === STREAMS.signals)?.messages).toBe(50);
      expect(readManifest(dir).format).toBe(1);
      const firstLine = JSON.parse(readFileSync(join(dir, 'QT_ORDERS.jsonl'), 'utf8').split('\n')[0]!) as { hdrs: Record<string, string[]> };
      expect(firstLine.hdrs['Nats-Msg-Id']).toEqual(['cid-1']);

      await using dst = await startLocalNats();
      const bus = await connectBus({ url: dst.url });
      try {
        const report = await restoreAll(bus, dir);
        expect(report.streams.every((s) => s.created && s.duplicates === 0)).toBe(true);
        const [a, b] = [await counts(src.bus), await counts(bus)];
        for (const s of manifest.streams) expect(b[s.name], s.name).toBe(a[s.name]);
        expect(await kvDump(bus, BUCKETS.actors)).toEqual(await kvDump(src.bus, BUCKETS.actors));
        expect(await kvDump(bus, BUCKETS.actors)).toEqual({ 'position.BTCUSDT': JSON.stringify({ v: 2 }) });
        expect(await kvDump(bus, BUCKETS.policy)).toEqual({ killswitch: 'off', champion: 'ens-v7' });
        const blob = await (await bus.objm.open(OBJECT_STORES.models)).getBlob('ens-v7.onnx');
        expect(blob?.length).toBe(300_000);
        expect(blob?.[1000]).toBe(1000 % 251);
        const orders = await readStream(bus, STREAMS.orders, subjects.orderAll);
        expect(orders.map((o) => [o.subject, o.headers['Nats-Msg-Id'], o.headers['Qt-Trace']])).toEqual([
          ['qt.order.BTCUSDT.new', 'cid-1', 'abc'],
          ['qt.order.BTCUSDT.filled', 'cid-1:fill', undefined],
        ]);
        // Order within a stream is preserved.
        const sigs = await readStream<{ i: number }>(bus, STREAMS.signals, subjects.signalAll);
        expect(sigs.map((s) => s.data.i)).toEqual([...Array(50).keys()]);
        const inputs = await readStream<{ i: number }>(bus, STREAMS.inputs, subjects.actorInputAll);
        expect(inputs.map((m) => [m.seq, m.data.i])).toEqual([[4, 3], [5, 4], [7, 6], [8, 7]]);
        expect((await bus.jsm.streams.info(STREAMS.inputs)).state).toMatchObject({ first_seq: 4, last_seq: 8, messages: 4 });

        await expect(restoreAll(bus, dir)).rejects.toThrow(/already holds \d+ messages/);
      } finally {
        await bus.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
