import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUCKETS, STREAMS, subjects, type NodeStatusRecord, type Universe } from '../../protocols/index.js';
import { decode } from '../codec.js';
import { LEADER, type LeaseValue } from '../lease/index.js';
import { freePort, type Bus } from '../nats/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { QT_BIN, startQtNode, type NodeProcess } from '../testing/cli.js';
import { readStream, until } from '../testing/wait.js';

const TTL = 3_000;
const RENEW = 1_000;
const SKEW = 300;
const SPEED = 30;
const SYMBOLS = 6;

const nodesOf = (t: NodeStatusRecord | undefined): NodeStatusRecord[] => (!t ? [] : [t, ...(t.children ?? []).flatMap(nodesOf)]);

async function tree(bus: Bus, node: string): Promise<NodeStatusRecord[] | undefined> {
  try {
    const r = await bus.nc.request(subjects.control('supervisor', 'status', node), '', { timeout: 1_000 });
    return nodesOf((JSON.parse(r.string()) as { tree?: NodeStatusRecord }).tree);
  } catch {
    return undefined;
  }
}

/** Symbols whose three actors (symbol, orders, position) all run on that node. */
const hosted = (t: NodeStatusRecord[] | undefined): string[] => {
  const running = new Set((t ?? []).filter((n) => n.status === 'running').map((n) => n.path));
  return [...running].filter((p) => p.startsWith('root.symbols.symbol-')).map((p) => p.slice('root.symbols.symbol-'.length))
    .filter((s) => running.has(`root.orders.orders-${s}`) && running.has(`root.positions.position-${s}`)).sort();
};
const leads = (t: NodeStatusRecord[] | undefined) => t?.find((n) => n.path === 'root.cluster')?.info?.leader === true;

/** One simulator process for both nodes (each `qt up` would otherwise run its own venue). */
async function startSim(natsUrl: string, port: number): Promise<AsyncDisposable & { url: string }> {
  const proc = spawn(process.execPath, [QT_BIN, 'sim', '--port', String(port), '--symbols', String(SYMBOLS), '--seed', '5', '--speed', String(SPEED), '--nats', natsUrl], { stdio: 'ignore' });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  await until(() => fetch(`${url}/fapi/v1/ping`).then((r) => r.ok, () => false), 'qt sim answering', 30_000).catch(async (e: unknown) => (await stop(), Promise.reject(e)));
  return { url, [Symbol.asyncDispose]: stop };
}

interface LeaseEvent extends LeaseValue {
  key: string;
  at: number;
}

describe('two qt up nodes on one NATS share the symbols through leases', () => {
  it('each symbol has exactly one owner; kill -9 moves the dead node\'s symbols (and the singletons) to the survivor within the TTL; a clean stop hands over at once; never doubly owned', async () => {
    await using env = await natsEnv();
    await using sim = await startSim(env.server.url, await freePort());
    const dataDir = mkdtempSync(join(tmpdir(), 'qt-cluster-'));
    const nodeEnv = (id: string) => ({
      QT_NODE__ID: id, QT_NODE__DATA_DIR: join(dataDir, id), QT_LOG__LEVEL: 'warn', QT_SIM__URL: sim.url,
      QT_CLUSTER__LEASES__ENABLED: 'true', QT_CLUSTER__LEASES__TTL_MS: String(TTL), QT_CLUSTER__LEASES__RENEW_MS: String(RENEW), QT_CLUSTER__LEASES__SKEW_MS: String(SKEW),
    });
    const up = (id: string) => startQtNode(['--nats', env.server.url, '--venue', 'sim', '--symbols', String(SYMBOLS), '--speed', String(SPEED)], nodeEnv(id));

    // Every write to the lease bucket, from before the first node starts to the end of the test.
    const events: LeaseEvent[] = [];
    const violations: string[] = [];
    const latest = new Map<string, LeaseValue>();
    const kv = await env.bus.kvm.open(BUCKETS.leases);
    const watch = await kv.watch({ key: 'lease.>' });
    void (async () => {
      for await (const e of watch) {
        if (e.operation !== 'PUT') continue;
        const v = decode<LeaseValue>(e.value);
        const prev = latest.get(e.key);
        // A lease may change hands only once the previous holder's lease has ended (released = 0).
        if (prev && prev.node !== v.node && v.ts <= prev.expiresAt) violations.push(`${e.key}: ${v.node} took it at ${v.ts} while ${prev.node} held it until ${prev.expiresAt}`);
        latest.set(e.key, v);
        events.push({ ...v, key: e.key, at: Date.now() });
      }
    })();
    // Every actor-state write of a symbol's actors must come from the node holding its lease then:
    // the actors, not only the leases, never have two owners.
    const writes: Array<{ key: string; node: string; at: number; candles?: number | undefined }> = [];
    const actorWrites = await (await env.bus.kvm.open(BUCKETS.actors)).watch({ key: '>' });
    void (async () => {
      for await (const e of actorWrites) {
        if (e.operation !== 'PUT' || !/^(symbol|orders|position)\.[^.]+$/.test(e.key)) continue;
        const { node, snapshot } = decode<{ node?: string; snapshot?: { context?: { candles?: number } } }>(e.value);
        const sym = e.key.split('.')[1]!;
        writes.push({ key: e.key, node: node ?? '', at: Date.now(), candles: snapshot?.context?.candles });
        const lease = events.filter((l) => l.key === `lease.${sym}`).at(-1);
        if (!lease || lease.node !== node || lease.expiresAt === 0) violations.push(`${e.key} written by ${node} while the lease was ${lease ? `${lease.node}'s${lease.expiresAt === 0 ? ' (released)' : ''}` : 'not taken'}`);
      }
    })();
    // Feature messages, by symbol: proof that a symbol's actor is processing candles.
    const features: Array<{ symbol: string; at: number }> = [];
    const fsub = env.bus.nc.subscribe(subjects.featuresAll, { callback: (_e, m) => void features.push({ symbol: m.subject.split('.')[3]!, at: Date.now() }) });

    const nodes: Record<string, NodeProcess> = {};
    const t0 = Date.now();
    const step = (what: string) => process.stdout.write(`[${Date.now() - t0} ms] ${what}\n`);
    try {
      nodes['node-a'] = up('node-a');
      nodes['node-b'] = up('node-b');
      const universe = await until(async () => {
        const m = await readStream<Universe>(env.bus, STREAMS.market, subjects.universe('sim'));
        return m.at(-1)?.data.symbols.length === SYMBOLS ? [...m.at(-1)!.data.symbols].sort() : undefined;
      }, 'the universe', 60_000);
      const split = async () => {
        const [a, b] = [await tree(env.bus, 'node-a'), await tree(env.bus, 'node-b')];
        const ha = hosted(a);
        const hb = hosted(b);
        return ha.length > 0 && hb.length > 0 && ha.length + hb.length === SYMBOLS && [...ha, ...hb].sort().join() === universe.join() && leads(a) !== leads(b) ? { a, b, ha, hb } : undefined;
      };
      // 1. Every universe symbol is hosted by exactly one node, and exactly one node leads.
      const s = await until(split, 'both nodes hosting a share of the universe', 60_000);
      step(`split: node-a ${s.ha.join()} / node-b ${s.hb.join()}`);
      for (const sym of universe) expect(latest.get(`lease.${sym}`)?.node).toBe(s.ha.includes(sym) ? 'node-a' : 'node-b');
      const [victim, survivor] = leads(s.a) ? ['node-a', 'node-b'] : ['node-b', 'node-a'];
      const moving = victim === 'node-a' ? s.ha : s.hb;
      // The leader runs the singletons; the other node's stand by.
      const risk = (t: NodeStatusRecord[] | undefined) => t?.find((n) => n.path === 'root.brains.risk')?.info;
      expect(risk(victim === 'node-a' ? s.a : s.b)?.standby).toBeUndefined();
      expect(risk(victim === 'node-a' ? s.b : s.a)?.standby).toBe(true);

      // 2. kill -9 the leader: no release, no goodbye.
      const killedAt = Date.now();
      nodes[victim]!.proc.kill('SIGKILL');
      await nodes[victim]!.exited;
      const taken = await until(() => {
        const t = moving.map((sym) => events.find((e) => e.key === `lease.${sym}` && e.node === survivor && e.at > killedAt)?.at);
        return t.every((x) => x !== undefined) ? Math.max(...(t as number[])) - killedAt : undefined;
      }, 'the dead node\'s leases on the survivor', TTL + 10_000);
      const running = await until(async () => {
        const t = await tree(env.bus, survivor);
        return hosted(t).join() === universe.join() && leads(t) && risk(t)?.standby === undefined ? Date.now() - killedAt : undefined;
      }, 'the survivor hosting every symbol and leading', TTL + 15_000);
      // 3. The survivor processes the symbols it took over: their actors publish features again.
      const processing = await until(() => {
        const t = moving.map((sym) => features.find((f) => f.symbol === sym && f.at > killedAt + taken)?.at);
        return t.every((x) => x !== undefined) ? Math.max(...(t as number[])) - killedAt : undefined;
      }, 'features of every taken-over symbol from the survivor', 30_000);
      // ...and persist their state from the survivor (each kind of actor of each moved symbol).
      for (const sym of moving) for (const kind of ['symbol', 'orders', 'position']) {
        expect(writes.some((w) => w.key === `${kind}.${sym}` && w.node === victim && w.at < killedAt), `${kind}.${sym} written by ${victim} before`).toBe(true);
      }
      await until(() => moving.every((sym) => writes.some((w) => w.key === `symbol.${sym}` && w.node === survivor && w.at > killedAt)), 'the survivor persisting the moved symbol actors', 10_000);
      for (const sym of moving) {
        // The survivor's actor carries on from the dead node's state: its candle count goes on from there.
        const before = writes.filter((w) => w.key === `symbol.${sym}` && w.node === victim).at(-1)!.candles!;
        const after = writes.find((w) => w.key === `symbol.${sym}` && w.node === survivor && w.at > killedAt)!.candles!;
        expect(after, `${sym}: candles seen by the survivor's actor vs the dead node's`).toBeGreaterThan(before);
      }
      process.stdout.write(`kill -9 ${victim}: ${moving.length} symbols' leases on ${survivor} after ${taken} ms, actors running after ${running} ms, features after ${processing} ms (TTL ${TTL}, renew ${RENEW}, skew ${SKEW})\n`);
      expect(taken).toBeLessThanOrEqual(TTL + SKEW + RENEW);

      // 4. A clean stop releases: the restarted node gets its share back, then takes everything
      // from the survivor's release without waiting for a TTL.
      nodes[victim] = up(victim);
      await until(split, 'a balanced split again after the restart', 60_000);
      step('split again after the restart');
      nodes[survivor]!.proc.kill('SIGTERM');
      expect(await nodes[survivor]!.exited).toBe(0);
      step(`${survivor} stopped`);
      const released = events.filter((e) => e.node === survivor && e.expiresAt === 0 && e.key !== `lease.${LEADER}`);
      expect(released.length).toBeGreaterThan(0);
      const stoppedAt = Math.max(...released.map((e) => e.at));
      const handover = await until(() => {
        const t = released.map((r) => events.find((e) => e.key === r.key && e.node === victim && e.at >= r.at)?.at);
        return t.every((x) => x !== undefined) ? Math.max(...(t as number[])) - stoppedAt : undefined;
      }, 'the released leases taken by the other node', TTL);
      await until(async () => hosted(await tree(env.bus, victim)).join() === universe.join(), 'the remaining node hosting every symbol', 15_000);
      process.stdout.write(`clean stop of ${survivor}: its leases taken ${handover} ms after the release\n`);
      expect(handover).toBeLessThan(TTL);

      // Throughout: no lease changed hands before its holder's lease ended, and no actor state was
      // written by a node that did not hold the symbol's lease at that moment.
      expect(violations).toEqual([]);
    } catch (e) {
      for (const [id, n] of Object.entries(nodes)) process.stdout.write(`--- ${id} ---\n${n.logs().split('\n').slice(-40).join('\n')}\n`);
      throw e;
    } finally {
      step('cleanup');
      fsub.unsubscribe();
      watch.stop();
      actorWrites.stop();
      for (const n of Object.values(nodes)) await n[Symbol.asyncDispose]();
    }
  }, 150_000);
});
