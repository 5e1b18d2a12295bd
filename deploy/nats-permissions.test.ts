// Proves the per-role permissions of deploy/nats-server.conf against a real nats-server: the
// config under test is the committed file, with only the port and store dir substituted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKETS, STREAMS, subjects } from '../protocols/index.js';
import { encode } from '../runtime/codec.js';
import { loadConfig } from '../runtime/config/index.js';
import { connectBus, freePort, provision, type Bus } from '../runtime/nats/index.js';
import { readStream, until } from '../runtime/testing/wait.js';

const CONF = join(import.meta.dirname, 'nats-server.conf');
const PASSWORDS = { QT_NATS_NODE_PASSWORD: 'node-test-pw', QT_NATS_CONSOLE_PASSWORD: 'console-test-pw', QT_NATS_OPERATOR_PASSWORD: 'operator-test-pw', QT_NATS_SYS_PASSWORD: 'sys-test-pw' };
const env = { ...process.env, ...PASSWORDS };

/** The committed config with a free port, a temp store and no monitoring port. */
function tempConfig(dir: string, port: number): string {
  const text = readFileSync(CONF, 'utf8')
    .replace(/^listen: .*$/m, `listen: 127.0.0.1:${port}`)
    .replace(/^http: .*$/m, '')
    .replace(/store_dir: ".*"/, `store_dir: "${join(dir, 'js')}"`);
  const path = join(dir, 'nats-server.conf');
  writeFileSync(path, text);
  return path;
}

interface Client {
  bus: Bus;
  errors: string[];
}

async function client(url: string, user: string, pass: string): Promise<Client> {
  const bus = await connectBus({ url, user, pass, name: `perm-${user}` });
  const errors: string[] = [];
  void (async () => {
    for await (const s of bus.nc.status()) if (s.type === 'error') errors.push(s.error.message);
  })();
  return { bus, errors };
}

describe('nats-server.conf', () => {
  it('passes `nats-server -c deploy/nats-server.conf -t` with the secrets in the environment, and fails without them', () => {
    const ok = spawnSync('nats-server', ['-c', CONF, '-t'], { env, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr + ok.stdout).toContain('is valid');
    const noSecrets = spawnSync('nats-server', ['-c', CONF, '-t'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(noSecrets.status).not.toBe(0);
    expect(noSecrets.stderr).toContain("variable reference for 'QT_NATS_NODE_PASSWORD'");
  });
});

describe('per-role permissions (real nats-server with the committed config)', () => {
  let dir: string;
  let proc: ChildProcess;
  let url: string;
  let node: Client;
  let consoleUser: Client;
  let operator: Client;
  const killCalls: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qt-perm-'));
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    proc = spawn('nats-server', ['-c', tempConfig(dir, port)], { env, stdio: 'ignore' });
    node = await until(() => client(url, 'node', PASSWORDS.QT_NATS_NODE_PASSWORD).catch(() => undefined), 'nats-server with the deploy config');
    await provision(node.bus, loadConfig({ env: {} }));
    // The node answers status and kill like the qt-supervisor service does.
    node.bus.nc.subscribe(subjects.control('supervisor', 'status'), { callback: (_e, m) => void m.respond(JSON.stringify({ ok: true, tree: { path: 'root' } })) });
    node.bus.nc.subscribe(subjects.control('supervisor', 'kill'), {
      callback: (_e, m) => {
        killCalls.push(m.string());
        m.respond(JSON.stringify({ ok: true }));
      },
    });
    await (await node.bus.kvm.open(BUCKETS.supervisors)).put('root', JSON.stringify({ status: 'running' }));
    await node.bus.nc.flush();
    consoleUser = await client(url, 'console', PASSWORDS.QT_NATS_CONSOLE_PASSWORD);
    operator = await client(url, 'operator', PASSWORDS.QT_NATS_OPERATOR_PASSWORD);
  });

  afterAll(async () => {
    for (const c of [consoleUser, operator, node]) await c?.bus.close().catch(() => undefined);
    proc?.kill('SIGTERM');
    await new Promise((r) => (proc?.exitCode !== null ? r(undefined) : proc.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a wrong password', async () => {
    await expect(connectBus({ url, user: 'console', pass: 'nope' })).rejects.toThrow(/Authorization/i);
  });

  it('the node publishes orders into QT_ORDERS', async () => {
    const ack = await node.bus.js.publish(subjects.order('BTCUSDT', 'new'), encode({ qty: 1 }), { msgID: 'perm-1' });
    expect(ack.stream).toBe(STREAMS.orders);
  });

  it('the console cannot publish an order: permission violation, nothing stored', async () => {
    const before = (await node.bus.jsm.streams.info(STREAMS.orders)).state.messages;
    consoleUser.bus.nc.publish(subjects.order('BTCUSDT', 'new'), encode({ qty: 1000 }));
    await consoleUser.bus.nc.flush();
    await until(() => consoleUser.errors.some((e) => /Permissions Violation for Publish to "qt\.order\.BTCUSDT\.new"/.test(e)), 'publish violation');
    const js = jetstream(consoleUser.bus.nc, { timeout: 700 });
    await expect(js.publish(subjects.intent('BTCUSDT'), encode({}))).rejects.toThrow();
    expect((await node.bus.jsm.streams.info(STREAMS.orders)).state.messages).toBe(before);
  });

  it('the console cannot call the kill endpoint, but can request status', async () => {
    await expect(consoleUser.bus.nc.request(subjects.control('supervisor', 'kill'), JSON.stringify({ target: 'root.a' }), { timeout: 700 })).rejects.toThrow();
    await until(() => consoleUser.errors.some((e) => e.includes('qt.ctl.supervisor.kill')), 'kill violation');
    expect(killCalls).toEqual([]);
    const r = await consoleUser.bus.nc.request(subjects.control('supervisor', 'status'), '', { timeout: 2_000 });
    expect(JSON.parse(r.string())).toMatchObject({ ok: true, tree: { path: 'root' } });
  });

  it('the console reads KV and streams, and cannot write KV or delete streams', async () => {
    const kvm = new Kvm(jetstream(consoleUser.bus.nc, { timeout: 1_000 }));
    const kv = await kvm.open(BUCKETS.supervisors);
    expect((await kv.get('root'))?.string()).toBe(JSON.stringify({ status: 'running' }));
    await expect(kv.put('root', 'hacked')).rejects.toThrow();
    await until(() => consoleUser.errors.some((e) => e.includes('"$KV.qt_supervisors.root"')), 'KV write violation');
    const orders = await readStream(consoleUser.bus, STREAMS.orders, subjects.orderAll);
    expect(orders.map((o) => o.headers['Nats-Msg-Id'])).toContain('perm-1');
    expect((await consoleUser.bus.jsm.streams.info(STREAMS.orders)).config.name).toBe(STREAMS.orders);
    await expect(Promise.race([consoleUser.bus.jsm.streams.delete(STREAMS.orders), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 1_000))])).rejects.toThrow();
    await until(() => consoleUser.errors.some((e) => e.includes('$JS.API.STREAM.DELETE.QT_ORDERS')), 'stream delete violation');
    expect((await node.bus.jsm.streams.info(STREAMS.orders)).state.messages).toBeGreaterThan(0);
  });

  it('the operator can kill and set the kill switch in qt_policy, but cannot place orders', async () => {
    const r = await operator.bus.nc.request(subjects.control('supervisor', 'kill'), JSON.stringify({ target: 'root.a' }), { timeout: 2_000 });
    expect(JSON.parse(r.string())).toEqual({ ok: true });
    expect(killCalls).toHaveLength(1);
    const kv = await new Kvm(jetstream(operator.bus.nc, { timeout: 2_000 })).open(BUCKETS.policy);
    await kv.put('killswitch', 'on');
    expect((await (await node.bus.kvm.open(BUCKETS.policy)).get('killswitch'))?.string()).toBe('on');
    operator.bus.nc.publish(subjects.order('BTCUSDT', 'new'), encode({}));
    await until(() => operator.errors.some((e) => e.includes('qt.order.BTCUSDT.new')), 'operator order violation');
  });
});
