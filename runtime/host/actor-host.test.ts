import { describe, expect, it } from 'vitest';
import { BUCKETS, DLQ_REASON_HEADER, STREAMS, subjects, type ActorRecord } from '../../protocols/index.js';
import { decode, encode } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { counterDef, hostKit } from '../testing/host-env.js';
import { readStream, until } from '../testing/wait.js';
import { createSimulatedClock } from '../clock/index.js';

const input = (id: string) => subjects.actorInput('counter', id);
const out = (id: string) => subjects.journal(`counter.${id}`);

async function record(kv: Awaited<ReturnType<typeof hostKit>>['kv'], key: string): Promise<ActorRecord> {
  const e = await kv.get(key);
  return decode<ActorRecord>(e!.value);
}

describe('actor host', () => {
  it('applies inputs, stores snapshot + cursor, publishes outputs with deterministic msgIDs', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('a');
    for (let i = 0; i < 5; i++) await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    await until(() => (a.info().cursor as number) >= 5, 'cursor 5');
    const rec = await record(kit.kv, 'counter.a');
    expect(rec.cursor).toBe(5);
    expect(rec.v).toBe(1);
    expect((rec.snapshot as { context: { count: number } }).context.count).toBe(5);
    const outs = await readStream<{ count: number }>(env.bus, STREAMS.journal, out('a'));
    expect(outs.map((o) => o.data.count)).toEqual([1, 2, 3, 4, 5]);
    expect(outs.map((o) => o.headers['Nats-Msg-Id'])).toEqual([1, 2, 3, 4, 5].map((s) => `counter.a:${s}:0`));
    expect(outs[0]!.headers['Content-Type']).toBe('application/msgpack');
    await a.stop();
    expect(await a.exited).toEqual({ kind: 'shutdown' });
  });

  it('resumes from KV after a restart and only applies new inputs', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('a');
    for (let i = 0; i < 3; i++) await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 2 }));
    await until(() => (a.info().cursor as number) >= 3, 'cursor 3');
    a.inject(new Error('chaos'));
    expect((await a.exited).kind).toBe('crash');
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 10 }));
    const b = await kit.start('a');
    await until(() => (b.info().cursor as number) >= 4, 'cursor 4');
    expect(b.actor.getSnapshot().context.count).toBe(16);
    const outs = await readStream<{ count: number }>(env.bus, STREAMS.journal, out('a'));
    expect(outs.map((o) => o.data.count)).toEqual([2, 4, 6, 16]);
    await b.stop();
  });

  it('crash after store, before publish: the outbox is republished once and the input is not applied twice', async () => {
    await using env = await natsEnv();
    let armed = true;
    const kit = await hostKit(env, {
      faults: {
        afterPersist: (seq) => {
          if (armed && seq === 2) {
            armed = false;
            throw new Error('crash between store and publish');
          }
        },
      },
    });
    const a = await kit.start('a');
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    await until(() => (a.info().cursor as number) >= 1, 'cursor 1');
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    const exit = await a.exited;
    expect(exit.kind).toBe('crash');
    expect((await readStream(env.bus, STREAMS.journal, out('a'))).length).toBe(1);
    const b = await kit.start('a');
    await until(async () => (await readStream(env.bus, STREAMS.journal, out('a'))).length >= 2, 'republished outbox');
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    await until(() => (b.info().cursor as number) >= 3, 'cursor 3');
    const outs = await readStream<{ count: number }>(env.bus, STREAMS.journal, out('a'));
    expect(outs.map((o) => o.data.count)).toEqual([1, 2, 3]);
    expect(b.actor.getSnapshot().context.count).toBe(3);
    await b.stop();
  });

  it('crash after publish, before ack: the redelivered input is skipped by cursor and no output is duplicated', async () => {
    await using env = await natsEnv();
    let armed = true;
    const kit = await hostKit(env, {
      faults: {
        afterPublish: (seq) => {
          if (armed && seq === 1) {
            armed = false;
            throw new Error('crash between publish and ack');
          }
        },
      },
    });
    const a = await kit.start('a');
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 5 }));
    expect((await a.exited).kind).toBe('crash');
    const b = await kit.start('a');
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    await until(() => (b.info().cursor as number) >= 2, 'cursor 2');
    // b saw seq 1 again (recreated from the ack floor) and seq 2, but applied only seq 2.
    await until(() => (b.info().processed as number) >= 2, 'both inputs seen (one skipped)');
    expect(b.actor.getSnapshot().context.count).toBe(6);
    const outs = await readStream<{ count: number }>(env.bus, STREAMS.journal, out('a'));
    expect(outs.map((o) => o.data.count)).toEqual([5, 6]);
    await b.stop();
  });

  it('a revision conflict fences the stale owner: it stops without writing or publishing', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('a');
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    await until(() => (a.info().cursor as number) >= 1, 'cursor 1');
    // Another owner writes the key behind our back.
    const theirs = { ...(await record(kit.kv, 'counter.a')), node: 'other-node', ts: 42 };
    await kit.kv.put('counter.a', encode(theirs));
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    const exit = await a.exited;
    expect(exit.kind).toBe('crash');
    expect(exit.kind === 'crash' && exit.error.name).toBe('FencedError');
    expect((await record(kit.kv, 'counter.a')).node).toBe('other-node');
    expect((await readStream(env.bus, STREAMS.journal, out('a'))).length).toBe(1);
    // Restarting reloads the other owner's record and applies the pending input on top of it.
    const b = await kit.start('a');
    await until(() => (b.info().cursor as number) >= 2, 'cursor 2');
    expect((await record(kit.kv, 'counter.a')).node).toBe('test');
    await b.stop();
  });

  it('dead-letters malformed, typeless, reserved and oversized inputs with a reason and keeps running', async () => {
    await using env = await natsEnv({ host: { maxPayload: 1024 } });
    const kit = await hostKit(env);
    const a = await kit.start('a');
    await env.bus.js.publish(input('a'), new Uint8Array([0xc1, 0xff, 0x00]));
    await env.bus.js.publish(input('a'), encode({ by: 1 }));
    await env.bus.js.publish(input('a'), encode({ type: 'qt.timer', name: 'x' }));
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1, pad: 'x'.repeat(2048) }));
    await env.bus.js.publish(input('a'), new Uint8Array(0));
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 7 }));
    await until(() => (a.info().cursor as number) >= 6, 'cursor 6');
    const dlq = await readStream(env.bus, STREAMS.dlq, subjects.dlq('counter.a'), { decode: false });
    expect(dlq).toHaveLength(5);
    const reasons = dlq.map((d) => d.headers[DLQ_REASON_HEADER]);
    expect(reasons[0]).toMatch(/undecodable msgpack/);
    expect(reasons[1]).toMatch(/no string 'type'/);
    expect(reasons[2]).toMatch(/reserved/);
    expect(reasons[3]).toMatch(/oversized/);
    expect(reasons[4]).toMatch(/empty payload/);
    expect(Array.from(dlq[0]!.raw)).toEqual([0xc1, 0xff, 0x00]);
    expect(dlq[0]!.headers['Qt-Dlq-Source']).toBe(input('a'));
    expect(a.actor.getSnapshot().status).toBe('active');
    expect(a.actor.getSnapshot().context.count).toBe(7);
    await a.stop();
  });

  it('an input that keeps crashing the actor is dead-lettered after poisonDeliveries, then the actor goes on', async () => {
    await using env = await natsEnv({ host: { poisonDeliveries: 3 } });
    const kit = await hostKit(env);
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    await env.bus.js.publish(input('a'), encode({ type: 'boom' }));
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    const crashes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const a = await kit.start('a');
      const exit = await a.exited;
      crashes.push(exit.kind === 'crash' ? exit.error.message : exit.kind);
    }
    expect(crashes).toEqual(['boom: poisoned input', 'boom: poisoned input']);
    const c = await kit.start('a');
    await until(() => (c.info().cursor as number) >= 3, 'cursor 3');
    expect(c.actor.getSnapshot().context.count).toBe(2);
    const dlq = await readStream(env.bus, STREAMS.dlq, subjects.dlq('counter.a'), { decode: false });
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.headers[DLQ_REASON_HEADER]).toMatch(/crashed counter\.a 2 times: boom/);
    await c.stop();
  });

  it('keeps timers in context and re-arms them after a restore', async () => {
    await using env = await natsEnv();
    const clock = createSimulatedClock(1_000_000);
    const kit = await hostKit(env, { clock });
    const a = await kit.start('a');
    await env.bus.js.publish(input('a'), encode({ type: 'arm', ms: 5_000 }));
    await until(() => (a.info().timers as number) === 1, 'timer armed');
    await a.stop();
    expect(clock.pending()).toBe(0);
    const b = await kit.start('a');
    expect(b.info().timers).toBe(1);
    clock.advance(4_999);
    expect(b.actor.getSnapshot().context.fired).toBe(0);
    clock.advance(1);
    await until(() => b.actor.getSnapshot().context.fired === 1, 'timer fired');
    await b.idle();
    const outs = await until(async () => {
      const o = await readStream<{ timer: string; dueAt: number }>(env.bus, STREAMS.journal, out('a'));
      return o.length ? o : undefined;
    }, 'timer output');
    expect(outs![0]!.data).toMatchObject({ timer: 'tick', dueAt: 1_005_000 });
    expect(outs![0]!.headers['Nats-Msg-Id']).toBe('counter.a:t1005000.tick:0');
    expect(b.info().timers).toBe(0);
    await b.stop();
  });

  it('round-trips a snapshot with spawned children', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('a');
    await env.bus.js.publish(input('a'), encode({ type: 'spawn' }));
    await env.bus.js.publish(input('a'), encode({ type: 'child.add', by: 4 }));
    await env.bus.js.publish(input('a'), encode({ type: 'child.add', by: 3 }));
    await until(() => (a.info().cursor as number) >= 3, 'cursor 3');
    await a.stop();
    const b = await kit.start('a');
    const child = b.actor.getSnapshot().context.child;
    expect(child.getSnapshot().context.value).toBe(7);
    await env.bus.js.publish(input('a'), encode({ type: 'child.add', by: 1 }));
    await until(() => (b.info().cursor as number) >= 4, 'cursor 4');
    expect(b.actor.getSnapshot().context.child.getSnapshot().context.value).toBe(8);
    await b.stop();
  });

  it('a fresh start quarantines the poisoned snapshot, resets state, keeps the cursor and tells the machine', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('a');
    for (let i = 0; i < 3; i++) await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    await until(() => (a.info().cursor as number) >= 3, 'cursor 3');
    await a.stop();
    const b = await kit.start('a', counterDef, { fresh: true });
    const ctx = b.actor.getSnapshot().context;
    expect(ctx.count).toBe(0);
    expect(ctx.fresh).toBe(1);
    expect(b.info().cursor).toBe(3);
    const q = await record(kit.kv, 'counter.a.poisoned');
    expect((q.snapshot as { context: { count: number } }).context.count).toBe(3);
    await b.stop();
  });

  it('drops a snapshot written by another machine version', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('a');
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 9 }));
    await until(() => (a.info().cursor as number) >= 1, 'cursor 1');
    await a.stop();
    const b = await kit.start('a', { ...counterDef, version: 2 });
    expect(b.actor.getSnapshot().context.count).toBe(0);
    expect((await record(kit.kv, 'counter.a')).v).toBe(2);
    await b.stop();
  });

  it('reaching a final state is a normal exit', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('a');
    await env.bus.js.publish(input('a'), encode({ type: 'finish' }));
    expect(await a.exited).toEqual({ kind: 'normal' });
  });

  it('keeps siblings independent: one crash does not touch another actor', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('a');
    const b = await kit.start('b');
    await env.bus.js.publish(input('b'), encode({ type: 'inc', by: 3 }));
    await until(() => (b.info().cursor as number) >= 1, 'b cursor');
    await env.bus.js.publish(input('a'), encode({ type: 'boom' }));
    expect((await a.exited).kind).toBe('crash');
    await env.bus.js.publish(input('b'), encode({ type: 'inc', by: 3 }));
    await until(() => (b.info().cursor as number) >= 2, 'b cursor 2');
    expect(b.actor.getSnapshot().context.count).toBe(6);
    await b.stop();
    void BUCKETS;
  });

  it('hosts several inputs, each with its own consumer and cursor, resuming all of them after a crash', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const def = { ...counterDef, extraInputs: [{ stream: STREAMS.intents, subject: (id: string) => subjects.intent(id.toUpperCase()) }] };
    const a = await kit.start('a', def);
    await env.bus.js.publish(input('a'), encode({ type: 'inc', by: 1 }));
    await env.bus.js.publish(subjects.intent('A'), encode({ type: 'inc', by: 10 }));
    await env.bus.js.publish(subjects.intent('A'), encode({ type: 'inc', by: 10 }));
    await until(() => (a.info().processed as number) === 3, 'three inputs');
    expect(a.info().cursors).toEqual([1, 2]);
    a.inject(new Error('chaos'));
    await a.exited;
    await env.bus.js.publish(subjects.intent('A'), encode({ type: 'inc', by: 100 }));
    const b = await kit.start('a', def);
    await until(() => (b.info().cursors as number[])[1] === 3, 'second cursor 3');
    expect(b.actor.getSnapshot().context.count).toBe(121);
    const outs = await readStream<{ count: number }>(env.bus, STREAMS.journal, out('a'));
    // Outputs of the second input carry its index in the msgID, so sequences of two streams never collide.
    expect(outs.map((o) => o.headers['Nats-Msg-Id']).sort()).toEqual(['counter.a:1.1:0', 'counter.a:1.2:0', 'counter.a:1.3:0', 'counter.a:1:0']);
    expect((await record(kit.kv, 'counter.a')).cursors).toEqual([1, 3]);
    await b.stop();
  });
});
