import { describe, expect, it } from 'vitest';
import { BUCKETS, STREAMS, subjects, supervisorKey, type NodeStatusRecord, type SupervisionEvent } from '../protocols/index.js';
import { createLiveClock } from '../runtime/clock/index.js';
import { decode, encode } from '../runtime/codec.js';
import { natsEnv } from '../runtime/testing/nats-env.js';
import { counterDef, hostKit } from '../runtime/testing/host-env.js';
import { readStream, until } from '../runtime/testing/wait.js';
import { createNatsReporter, createSupervisor, hostedChild, startControlService, type Supervisor } from './index.js';

async function tree(env: { bus: { nc: { request: (s: string, d: string, o: { timeout: number }) => Promise<{ string(): string }> } } }) {
  const r = await env.bus.nc.request(subjects.control('supervisor', 'status'), '', { timeout: 3_000 });
  return (JSON.parse(r.string()) as { tree: NodeStatusRecord }).tree;
}
const find = (t: NodeStatusRecord, path: string): NodeStatusRecord | undefined =>
  t.path === path ? t : t.children?.map((c) => find(c, path)).find(Boolean);

describe('supervision over NATS', () => {
  it('a chaos kill through qt-supervisor restarts only that actor; QT_SUPERVISION, KV and status show it; siblings are untouched', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const reporter = await createNatsReporter({ bus: env.bus, node: 'n1' });
    const root: Supervisor = createSupervisor(
      {
        id: 'root',
        strategy: 'one_for_one',
        intensity: 5,
        period: 10_000,
        backoff: { min: 1, max: 10 },
        children: ['a', 'b', 'c'].map((id) => hostedChild(counterDef, id, kit.deps, { childId: id })),
      },
      { clock: createLiveClock(), reporter, node: 'n1' },
    );
    await root.start();
    const svc = await startControlService(env.bus, root, 'n1');
    for (const id of ['a', 'b', 'c']) await env.bus.js.publish(subjects.actorInput('counter', id), encode({ type: 'inc', by: 1 }));
    await until(() => root.whichChildren().every((c) => c.handle?.info?.().processed === 1), 'one input applied by each');
    const siblingRevs = await Promise.all(['a', 'c'].map(async (id) => (await kit.kv.get(`counter.${id}`))!.revision));

    const r = await env.bus.nc.request(subjects.control('supervisor', 'kill'), JSON.stringify({ target: 'b', reason: 'chaos test' }), { timeout: 3_000 });
    expect(JSON.parse(r.string())).toEqual({ ok: true, path: 'root.b' });

    await until(async () => find(await tree(env), 'root.b')?.restarts === 1 && find(await tree(env), 'root.b')?.status === 'running', 'b restarted');
    await reporter.flush();
    const events = await readStream<SupervisionEvent>(env.bus, STREAMS.supervision, subjects.supervisionAll);
    const after = events.map((e) => `${e.data.type} ${e.data.path}`).filter((l) => !l.startsWith('started'));
    expect(after).toEqual(['crashed root.b', 'restarted root.b']);
    expect(events.find((e) => e.data.type === 'crashed')!.data.reason).toBe('chaos test');
    expect(events.find((e) => e.subject === 'qt.sup.root.b.crashed')).toBeDefined();

    const t = await tree(env);
    expect(['root.a', 'root.c'].map((p) => find(t, p)?.restarts)).toEqual([0, 0]);
    // Cursors are stream sequences in QT_INPUTS: b's only input was seq 2.
    expect(find(t, 'root.b')?.info?.cursor).toBe(2);
    // Siblings' snapshots were not rewritten.
    expect(await Promise.all(['a', 'c'].map(async (id) => (await kit.kv.get(`counter.${id}`))!.revision))).toEqual(siblingRevs);
    // The restarted actor resumed from KV and keeps counting.
    await env.bus.js.publish(subjects.actorInput('counter', 'b'), encode({ type: 'inc', by: 1 }));
    await until(() => root.whichChildren().find((c) => c.id === 'b')?.handle?.info?.().cursor === 4, 'b applied seq 4');
    const b = root.whichChildren().find((c) => c.id === 'b')!.handle as unknown as { actor: { getSnapshot(): { context: { count: number } } } };
    expect(b.actor.getSnapshot().context.count).toBe(2);

    const kv = await env.bus.kvm.open(BUCKETS.supervisors);
    const rec = decode<NodeStatusRecord>((await kv.get('root.b'))!.value);
    expect(rec).toMatchObject({ path: 'root.b', status: 'running', restarts: 1, node: 'n1' });

    await root.stop();
    await svc.stop();
    await reporter.flush();
    const stopped = decode<NodeStatusRecord>((await kv.get('root'))!.value);
    expect(stopped.status).toBe('stopped');
  });

  it('restart and stop endpoints act on the named child and report bad targets', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const reporter = await createNatsReporter({ bus: env.bus, node: 'n1' });
    const root = createSupervisor(
      { id: 'root', strategy: 'one_for_one', children: ['a', 'b'].map((id) => hostedChild(counterDef, id, kit.deps, { childId: id })) },
      { clock: createLiveClock(), reporter, node: 'n1' },
    );
    await root.start();
    const svc = await startControlService(env.bus, root, 'n1');
    const req = async (op: string, body: unknown, node?: string) =>
      JSON.parse((await env.bus.nc.request(subjects.control('supervisor', op, node), JSON.stringify(body), { timeout: 3_000 })).string()) as { ok: boolean; error?: string; path?: string };
    expect(await req('restart', { target: 'root.a' })).toEqual({ ok: true, path: 'root.a' });
    expect(find(root.tree(), 'root.a')?.restarts).toBe(1);
    expect(await req('stop', { target: 'b' }, 'n1')).toEqual({ ok: true, path: 'root.b' });
    expect(find(root.tree(), 'root.b')?.status).toBe('stopped');
    expect(await req('kill', { target: 'nope' })).toMatchObject({ ok: false, error: "no actor or supervisor matches 'nope'" });
    expect(await req('kill', {})).toMatchObject({ ok: false, error: expect.stringMatching(/needs a 'target'/) });
    await root.stop();
    await svc.stop();
  });

  it('intensity overflow escalates to the root, published on QT_SUPERVISION', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const reporter = await createNatsReporter({ bus: env.bus, node: 'n1' });
    const root = createSupervisor(
      { id: 'root', strategy: 'one_for_one', intensity: 2, period: 60_000, backoff: { min: 1, max: 2 }, children: [hostedChild(counterDef, 'x', kit.deps, { childId: 'x' })] },
      { clock: createLiveClock(), reporter, node: 'n1' },
    );
    await root.start();
    for (let i = 0; i < 3; i++) {
      await until(() => root.find('root.x')?.status === 'running', 'x running');
      await root.kill('root.x', `crash ${i}`);
    }
    const exit = await root.exited;
    expect(exit.kind).toBe('crash');
    await reporter.flush();
    const events = await readStream<SupervisionEvent>(env.bus, STREAMS.supervision, subjects.supervisionAll);
    expect(events.filter((e) => e.data.type === 'escalated').map((e) => e.data.path)).toEqual(['root']);
    expect(events.filter((e) => e.data.type === 'crashed' && e.data.path === 'root.x')).toHaveLength(3);
  });

  const events = async (env: Awaited<ReturnType<typeof natsEnv>>) =>
    (await readStream<SupervisionEvent>(env.bus, STREAMS.supervision, subjects.supervisionAll)).map((e) => `${e.data.type} ${e.data.path}`);

  for (const [strategy, expectRestarted] of [
    ['one_for_all', ['root.a', 'root.b', 'root.c']],
    ['rest_for_one', ['root.b', 'root.c']],
  ] as const) {
    it(`${strategy}: a crash of b restarts ${expectRestarted.join(', ')} from KV, published on QT_SUPERVISION`, async () => {
      await using env = await natsEnv();
      const kit = await hostKit(env);
      const reporter = await createNatsReporter({ bus: env.bus, node: 'n1' });
      const root = createSupervisor(
        { id: 'root', strategy, intensity: 5, period: 60_000, backoff: { min: 1, max: 5 }, children: ['a', 'b', 'c'].map((id) => hostedChild(counterDef, id, kit.deps, { childId: id })) },
        { clock: createLiveClock(), reporter, node: 'n1' },
      );
      await root.start();
      for (const id of ['a', 'b', 'c']) await env.bus.js.publish(subjects.actorInput('counter', id), encode({ type: 'inc', by: 2 }));
      await until(() => root.whichChildren().every((c) => c.handle?.info?.().processed === 1), 'one input each');
      await root.kill('root.b', 'chaos');
      await until(() => root.whichChildren().every((c) => c.status === 'running' && c.handle?.info?.()), 'all running again');
      await reporter.flush();
      const ev = await events(env);
      const restarted = ev.filter((e) => e.startsWith('restarted')).map((e) => e.split(' ')[1]).sort();
      expect(restarted).toEqual([...expectRestarted].sort());
      expect(ev.filter((e) => e.startsWith('crashed'))).toEqual(['crashed root.b']);
      // Restarted actors resumed from KV: the count survived.
      for (const c of root.whichChildren()) {
        const h = c.handle as unknown as { actor: { getSnapshot(): { context: { count: number } } } };
        expect(h.actor.getSnapshot().context.count).toBe(2);
      }
      // Ordered shutdown: children in reverse start order, then the root.
      await root.stop();
      await reporter.flush();
      expect((await events(env)).filter((e) => e.startsWith('stopped')).slice(-4)).toEqual(['stopped root.c', 'stopped root.b', 'stopped root.a', 'stopped root']);
    });
  }

  it('restart types on hosted actors: transient ends normally for good, temporary is never restarted, permanent is', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const reporter = await createNatsReporter({ bus: env.bus, node: 'n1' });
    const root = createSupervisor(
      {
        id: 'root', strategy: 'one_for_one', intensity: 5, period: 60_000, backoff: { min: 1, max: 5 },
        children: [
          hostedChild(counterDef, 'p', kit.deps, { childId: 'p', restart: 'permanent' }),
          hostedChild(counterDef, 't', kit.deps, { childId: 't', restart: 'transient' }),
          hostedChild(counterDef, 'x', kit.deps, { childId: 'x', restart: 'temporary' }),
        ],
      },
      { clock: createLiveClock(), reporter, node: 'n1' },
    );
    await root.start();
    // transient: a normal exit (final state) is not restarted; temporary: a crash is not restarted.
    await env.bus.js.publish(subjects.actorInput('counter', 't'), encode({ type: 'finish' }));
    await root.kill('root.x', 'chaos');
    await root.kill('root.p', 'chaos');
    await until(() => root.find('root.p')?.restarts === 1 && root.find('root.p')?.status === 'running', 'p restarted');
    await until(() => root.find('root.t')?.status === 'stopped', 't stopped normally');
    await reporter.flush();
    const ev = await events(env);
    expect(ev.filter((e) => e.startsWith('restarted'))).toEqual(['restarted root.p']);
    expect(ev).toContain('crashed root.x');
    expect(root.find('root.x')).toBeUndefined();
    await root.stop();
  });

  it('a removed subtree takes its status keys with it and leaves the sibling\'s', async () => {
    await using env = await natsEnv();
    const reporter = await createNatsReporter({ bus: env.bus, node: 'n1' });
    const rec = (path: string): NodeStatusRecord => ({ path, id: path.split('.').pop()!, kind: 'worker', status: 'running', restarts: 0, updatedAt: Date.now() });
    for (const p of ['root', 'root.x', 'root.x.a', 'root.x.b', 'root.y']) reporter.status(rec(p));
    await reporter.flush();
    const kv = await env.bus.kvm.open(BUCKETS.supervisors);
    const keys = async () => {
      const out: string[] = [];
      for (const p of ['root', 'root.x', 'root.x.a', 'root.x.b', 'root.y']) if ((await kv.get(supervisorKey(p)))?.operation === 'PUT') out.push(p);
      return out;
    };
    expect(await keys()).toEqual(['root', 'root.x', 'root.x.a', 'root.x.b', 'root.y']);
    reporter.removed!('root.x');
    await reporter.flush();
    expect(await keys()).toEqual(['root', 'root.y']);
  });
});
