import { performance } from 'node:perf_hooks';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { pino } from 'pino';
import { assign, emit, setup } from 'xstate';
import { BUCKETS, OUTPUT_EVENT, STREAMS, subjects } from '../../protocols/index.js';
import { createNatsReporter, createSupervisor, hostedChild } from '../../supervisors/index.js';
import { createLiveClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { createHostDeps, startHostedActor, type ActorDefinition, type StoredHostDeps } from '../host/index.js';
import type { NatsEnv } from '../testing/nats-env.js';
import { until } from '../testing/wait.js';
import { summary } from './stats.js';

const benchMachine = setup({
  types: { context: {} as { id: string; n: number }, events: {} as { type: 'add' } | { type: 'echo' }, input: {} as { id: string } },
}).createMachine({
  context: ({ input }) => ({ id: input.id, n: 0 }),
  on: {
    add: { actions: assign({ n: ({ context }) => context.n + 1 }) },
    echo: {
      actions: [
        assign({ n: ({ context }) => context.n + 1 }),
        emit(({ context }) => ({ type: OUTPUT_EVENT, subject: subjects.journal(`bench.${context.id}`), data: { n: context.n } })),
      ],
    },
  },
});

const def: ActorDefinition = { kind: 'bench', machine: benchMachine, version: 1, input: { stream: STREAMS.inputs, subject: (id) => subjects.actorInput('bench', id) } };

const deps = (env: NatsEnv): Promise<StoredHostDeps> => createHostDeps({ bus: env.bus, cfg: env.cfg, clock: createLiveClock(), logger: pino({ level: 'silent' }), node: 'bench' });

async function publishBacklog(env: NatsEnv, subject: string, n: number, type: string) {
  const payload = encode({ type });
  for (let i = 0; i < n; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, n - i) }, () => env.bus.js.publish(subject, payload)));
  }
}

/** Raw baseline: a durable pull consumer that acks (and optionally republishes) each message. */
async function rawConsume(env: NatsEnv, subject: string, n: number, republish: boolean): Promise<number> {
  const name = `raw_${Math.random().toString(36).slice(2, 8)}`;
  await env.bus.jsm.consumers.add(STREAMS.inputs, { durable_name: name, filter_subject: subject, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: env.cfg.host.maxAckPending });
  const c = await env.bus.js.consumers.get(STREAMS.inputs, name);
  const t0 = performance.now();
  let got = 0;
  const pending: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    void c.consume({
      max_messages: env.cfg.host.maxAckPending,
      callback: (m) => {
        if (republish) pending.push(env.bus.js.publish(subjects.journal('rawbench'), m.data, { msgID: `raw:${m.seq}` }));
        m.ack();
        if (++got === n) resolve();
      },
    });
  });
  await Promise.all(pending);
  return n / ((performance.now() - t0) / 1000);
}

async function hostConsume(env: NatsEnv, id: string, n: number): Promise<number> {
  const d = await deps(env);
  const t0 = performance.now();
  const a = await startHostedActor(def, id, d);
  await until(() => a.info().processed === n, `bench actor ${id} processed ${n}`, 120_000);
  const rate = n / ((performance.now() - t0) / 1000);
  await a.stop();
  return rate;
}

/** Throughput through the actor host vs raw @nats-io consume, on the same backlog, in one run. */
export async function benchThroughput(env: NatsEnv, n = 20_000) {
  await publishBacklog(env, subjects.actorInput('bench', 'plain'), n, 'add');
  await publishBacklog(env, subjects.actorInput('bench', 'echo'), n, 'echo');
  const raw = await rawConsume(env, subjects.actorInput('bench', 'plain'), n, false);
  const host = await hostConsume(env, 'plain', n);
  const rawEcho = await rawConsume(env, subjects.actorInput('bench', 'echo'), n, true);
  const hostEcho = await hostConsume(env, 'echo', n);
  const r = (x: number) => Math.round(x);
  return {
    messages: n,
    raw_consume_ack_per_s: r(raw),
    host_per_s: r(host),
    host_vs_raw: Math.round((host / raw) * 100) / 100,
    raw_consume_republish_ack_per_s: r(rawEcho),
    host_with_output_per_s: r(hostEcho),
    host_with_output_vs_raw: Math.round((hostEcho / rawEcho) * 100) / 100,
    goal: 'host ≥ 50% of raw',
  };
}

/**
 * Restart latency: crash → restarted actor resumed from KV and running, measured by the
 * supervisor's own events. Each of `n` pooled actors is killed once (so backoff is the first step).
 */
export async function benchRestart(env: NatsEnv, n = 200) {
  const reporter = await createNatsReporter({ bus: env.bus, node: 'bench' });
  const clock = createLiveClock();
  const root = createSupervisor(
    { id: 'root', strategy: 'simple_one_for_one', intensity: n * 2, period: 60_000, backoff: { min: 10, max: 1000, jitter: 0.2 } },
    { clock, reporter, node: 'bench' },
  );
  await root.start();
  const d = await deps(env);
  for (let i = 0; i < n; i++) await root.startChild(hostedChild(def, `r${i}`, d, { childId: `r${i}` }));
  for (let i = 0; i < n; i++) await env.bus.js.publish(subjects.actorInput('bench', `r${i}`), encode({ type: 'add' }));
  await until(() => root.whichChildren().every((c) => c.handle?.info?.().processed === 1), 'pool warmed');
  const total: number[] = [];
  const restore: number[] = [];
  for (let i = 0; i < n; i++) {
    const path = `root.r${i}`;
    const t0 = performance.now();
    await root.kill(path, 'bench');
    await until(() => root.find(path)?.status === 'running' && root.find(path)?.restarts === 1, 'restart', 10_000);
    total.push(performance.now() - t0);
  }
  for (let i = 0; i < Math.min(n, 200); i++) {
    const t0 = performance.now();
    const a = await startHostedActor(def, `r${i}`, { ...d, node: 'bench-b' });
    restore.push(performance.now() - t0);
    await a.stop();
  }
  await root.stop();
  await reporter.flush();
  return {
    actors: n,
    crash_to_resumed_ms: summary(total),
    restore_from_kv_ms: summary(restore),
    backoff_first_step_ms: '10 ±20% (default config)',
    goal: 'p99 ≤ 50 ms',
  };
}

/**
 * The floor under the live latency: one input at a time through one hosted actor that stores its
 * snapshot and publishes one output, measured from the input's publish to the output's arrival,
 * on an otherwise idle node. The NATS operations a hop is made of are timed alongside in the same
 * run, so the figures compare on noisy cores. Candle close → order accepted crosses six such hops.
 */
export async function benchHop(env: NatsEnv, n = 500) {
  const d = await deps(env);
  const a = await startHostedActor(def, 'hop', d);
  const sub = env.bus.nc.subscribe(subjects.journal('bench.hop'));
  const outputs = sub[Symbol.asyncIterator]();
  const kv = await env.bus.kvm.open(BUCKETS.actors);
  const payload = encode({ type: 'echo' });
  const probe = encode({ pad: 'x'.repeat(200) });
  const t = { rtt: [] as number[], kv: [] as number[], publish: [] as number[], hop: [] as number[] };
  const time = async (into: number[], fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    into.push(performance.now() - t0);
  };
  try {
    for (let i = 0; i < n; i++) {
      await time(t.rtt, () => env.bus.nc.flush());
      await time(t.kv, () => kv.put('bench.probe', probe));
      await time(t.publish, () => env.bus.js.publish(subjects.actorInput('bench', 'probe'), payload));
      await time(t.hop, async () => {
        await env.bus.js.publish(subjects.actorInput('bench', 'hop'), payload);
        await outputs.next();
      });
    }
  } finally {
    sub.unsubscribe();
    await a.stop();
  }
  const hop = summary(t.hop);
  return {
    inputs: n,
    hop_ms: hop,
    nats_round_trip_ms: summary(t.rtt),
    kv_put_ms: summary(t.kv),
    jetstream_publish_ms: summary(t.publish),
    hop_vs_jetstream_publish_p50: Math.round((hop.p50 / summary(t.publish).p50) * 100) / 100,
    six_hops_floor_p50_ms: Math.round(hop.p50 * 6 * 10) / 10,
    note: 'idle, sequential; a candle close at 50 symbols sends 50 inputs through each hop at once, so the live figure is bound by CPU, not by this floor',
  };
}
