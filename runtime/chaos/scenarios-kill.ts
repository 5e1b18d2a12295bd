/**
 * Scenarios that kill things: single actors through qt-supervisor, the whole node with `kill -9`,
 * and crash loops that must escalate to a non-zero exit.
 */
import { subjects } from '../../protocols/index.js';
import { decode, encode, msgHeaders } from '../codec.js';
import { nodesOf } from './env.js';
import { bump, pick, sleep, type Scenario, type ScenarioCtx } from './scenario.js';

const BRAINS = ['root.brains.risk', 'root.brains.ceo', 'root.brains.regime', 'root.brains.strategy', 'root.brains.heartbeat'];

/** 1. Random symbol, position, orders and brain actors crashed repeatedly while trading. */
export const actorKills: Scenario = {
  name: 'actor-kills',
  env: 'inproc',
  description: 'kill random symbol, position, orders and brain actors repeatedly via the qt-supervisor kill endpoint',
  async run(c: ScenarioCtx) {
    const until = Date.now() + (c.long ? 180_000 : 15_000);
    // Stay under each supervisor's intensity (5 restarts in 10 s): crash loops are scenario 5's job.
    const recent = new Map<string, number[]>();
    while (Date.now() < until) {
      const kind = pick(['symbol', 'orders', 'position', 'brain'] as const, c.random);
      const sup = kind === 'brain' ? 'brains' : kind === 'symbol' ? 'symbols' : kind === 'orders' ? 'orders' : 'positions';
      const times = (recent.get(sup) ?? []).filter((t) => t > Date.now() - 12_000);
      recent.set(sup, times);
      if (times.length >= 3) {
        await sleep(100);
        continue;
      }
      const target = kind === 'brain' ? pick(BRAINS, c.random) : `root.${sup}.${kind}-${pick(c.symbols, c.random)}`;
      times.push(Date.now());
      const r = await c.env.killActor(target, `chaos: actor-kills ${kind}`);
      if (r.ok) bump(c.stats, `killed.${kind}`);
      else bump(c.stats, 'kill.refused');
      await sleep(250 + c.random() * 900);
    }
    // Every actor must come back on its own (no escalation to the root).
    await c.env.waitUp(30_000).catch((e: unknown) => c.failures.push(`tree not healthy after the kills: ${(e as Error).message}`));
    if (c.env.node?.proc.exitCode !== null) c.failures.push(`node process exited (${c.env.node?.proc.exitCode}) during actor kills`);
  },
};

/** Waits for the next entry the orders actors hand to the executor, or `ms`, whichever first. */
async function entryOr(c: ScenarioCtx, ms: number): Promise<'entry' | 'exit' | 'timer'> {
  const sub = c.env.bus.nc.subscribe(subjects.orderEach('exec'));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      (async () => {
        for await (const m of sub) {
          try {
            const x = decode<{ op?: string; command?: { leg?: string } }>(m.data);
            if (x.op === 'place' && x.command?.leg === 'entry') return 'entry' as const;
            if (x.op === 'place' && (x.command?.leg === 'exit' || x.command?.leg === 'flatten')) return 'exit' as const;
          } catch {
            // not ours to judge here
          }
        }
        return 'timer' as const;
      })(),
      new Promise<'timer'>((r) => (timer = setTimeout(() => r('timer'), ms))),
    ]);
  } finally {
    clearTimeout(timer);
    sub.unsubscribe();
  }
}

/**
 * 2. `kill -9` of the whole node at random moments — and right after an entry went to the
 * executor — then a restart with the same id and data dir against the external simulator.
 */
export const kill9: Scenario = {
  name: 'kill9',
  env: 'external',
  description: 'kill -9 the node at random moments (and right after an entry is submitted) and restart it; the venue keeps its state',
  async run(c: ScenarioCtx) {
    const kills = c.long ? 100 : 25;
    for (let i = 0; i < kills; i++) {
      // Until one kill has landed right after an entry, every window waits for one (bounded).
      // Order traffic to die in the middle of: flatten a symbol now and then (exit, cancels, re-entry).
      if (i % 6 === 2) {
        await c.env.bus.js.publish(subjects.actorInput('position', pick(c.symbols, c.random)), encode({ type: 'flatten', reason: 'chaos: kill9' }), { headers: msgHeaders() }).catch(() => undefined);
        bump(c.stats, 'flattened');
      }
      const wantEntry = !c.stats['kills.afterEntry'] && i >= kills - 2;
      const why = await entryOr(c, wantEntry ? 30_000 : 300 + c.random() * 2_500);
      const down = await c.env.kill9();
      bump(c.stats, why === 'entry' ? 'kills.afterEntry' : why === 'exit' ? 'kills.afterExit' : 'kills.random');
      await sleep(c.random() * 300);
      // Random kills may land anywhere in a start-up too: only wait for the tree to answer.
      await c.env.restartNode(down, undefined, { full: why !== 'timer' || i === kills - 1 });
      bump(c.stats, 'restarts');
      c.log(`kill -9 #${i + 1}/${kills} (${why === 'timer' ? 'random moment' : `right after an ${why} order went to the executor`}); back in ${Date.now() - down} ms`);
      // After an entry kill, leave the node up long enough to protect what it opened.
      if (why !== 'timer') await sleep(3_000);
    }
    if (!c.stats['kills.afterEntry']) c.notes.push('no entry was submitted while the node was up: no kill landed right after one');
  },
};

/**
 * 5. A crash loop beyond the supervision intensity: the node runs with intensity 2, a brain is
 * killed until the root escalates and `qt up` exits non-zero; the runner (as systemd would)
 * restarts it with the normal settings and it must come back clean.
 */
export const crashLoop: Scenario = {
  name: 'crash-loop',
  env: 'external',
  description: 'crash a brain past the supervision intensity (QT_SUPERVISION__INTENSITY=2) until the root escalates and exits non-zero; restart the process',
  async run(c: ScenarioCtx) {
    const rounds = c.long ? 3 : 1;
    for (let round = 0; round < rounds; round++) {
      const down0 = await c.env.kill9();
      await c.env.restartNode(down0, { QT_SUPERVISION__INTENSITY: '2' });
      const node = c.env.node!;
      const deadline = Date.now() + 45_000;
      while (node.proc.exitCode === null && Date.now() < deadline) {
        const r = await c.env.killActor('root.brains.risk', 'chaos: crash-loop');
        if (r.ok) bump(c.stats, 'kills');
        await sleep(60);
      }
      const code = await Promise.race([node.exited, sleep(15_000).then(() => 'timeout' as const)]);
      const down = Date.now();
      if (code === 'timeout') {
        c.failures.push('the node did not exit after its root escalated');
        await c.env.kill9();
      } else if (code === 0) c.failures.push('the node exited 0 after a crash loop (a process manager would not restart it)');
      else bump(c.stats, 'nonZeroExits');
      const tree = await c.env.tree();
      if (tree) c.failures.push('a node still answers status after the root escalated');
      // The runner is the process manager: restart with the normal settings.
      await c.env.restartNode(down, {});
      bump(c.stats, 'restarts');
      const t = await c.env.waitUp(30_000);
      const bad = nodesOf(t).filter((n) => n.status !== 'running');
      if (bad.length) c.failures.push(`after the restart: ${bad.map((n) => `${n.path}=${n.status}`).join(', ')}`);
    }
  },
};
