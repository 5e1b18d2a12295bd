import { describe, expect, it } from 'vitest';
import type { ChildHandle, ExitReason } from '../../supervisors/index.js';
import { createLiveClock } from '../clock/index.js';
import type { Cluster } from '../lease/index.js';
import { until } from '../testing/wait.js';
import { leaderOnly } from './cluster.js';

/** Leadership under the test's control; the lease side is covered on a real nats-server in runtime/lease. */
function leadership(leader: boolean) {
  const cbs = new Set<(l: boolean) => void | Promise<void>>();
  const c = {
    enabled: true, node: 'n', isLeader: () => leader, owns: () => true, owned: () => [], setWanted: () => undefined, retire: async () => undefined,
    onSymbol: () => () => undefined, info: () => ({}), start: async () => undefined, stop: async () => undefined,
    onLeader: (cb: (l: boolean) => void | Promise<void>) => (cbs.add(cb), () => void cbs.delete(cb)),
  } satisfies Cluster;
  return { cluster: c, set: async (l: boolean) => { leader = l; for (const cb of cbs) await cb(l); } };
}

function worker() {
  const log: string[] = [];
  let crash!: (e: Error) => void;
  const spec = {
    id: 'risk',
    start: async (): Promise<ChildHandle> => {
      log.push('start');
      let done!: (e: ExitReason) => void;
      const exited = new Promise<ExitReason>((r) => (done = r));
      crash = (error) => done({ kind: 'crash', error });
      return { exited, stop: async () => (log.push('stop'), done({ kind: 'shutdown' })), kill: () => void log.push('kill'), info: () => ({ cursor: 7 }) };
    },
  };
  return { spec, log, crash: (e: Error) => crash(e) };
}

describe('leaderOnly', () => {
  it('stands by until leadership comes, runs the child while leading, stops it when leadership goes', async () => {
    const l = leadership(false);
    const w = worker();
    const h = await leaderOnly(w.spec, l.cluster, createLiveClock()).start({ path: 'root.risk', attempt: 0, fresh: false });
    expect([w.log, h.info?.()]).toEqual([[], { standby: true }]);
    // A gain is not awaited by the lease (slow starts must not delay renewals); it starts soon after.
    await l.set(true);
    await until(() => w.log.includes('start'), 'the child started');
    expect(h.info?.()).toEqual({ cursor: 7, leader: true });
    await l.set(false);
    expect(w.log).toEqual(['start', 'stop']);
    await h.stop();
    expect(await h.exited).toEqual({ kind: 'shutdown' });
  });

  it('a crash of the child is the wrapper\'s crash, for its supervisor to restart', async () => {
    const l = leadership(true);
    const w = worker();
    const h = await leaderOnly(w.spec, l.cluster, createLiveClock()).start({ path: 'root.risk', attempt: 0, fresh: false });
    w.crash(new Error('boom'));
    expect(await h.exited).toMatchObject({ kind: 'crash', error: { message: 'boom' } });
  });

  it('without leases the spec is the child itself', () => {
    const w = worker();
    expect(leaderOnly(w.spec, { ...leadership(true).cluster, enabled: false }, createLiveClock())).toBe(w.spec);
  });
});
