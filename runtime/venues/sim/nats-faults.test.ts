import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalNats, type LocalNatsServer } from '../../nats/index.js';
import { serveSimFaults, SIM_FAULTS_SUBJECT } from './nats-faults.js';
import { openWs, startSim, type Sim } from './server/test-harness.js';

describe('sim faults over NATS (qt.ctl.sim.faults)', () => {
  let nats: LocalNatsServer;
  let nc: NatsConnection;
  let sim: Sim;
  let service: { stop(): void };
  const req = async (body: unknown): Promise<any> => {
    const m = await nc.request(SIM_FAULTS_SUBJECT, typeof body === 'string' ? body : JSON.stringify(body), { timeout: 2_000 });
    return m.json();
  };

  beforeAll(async () => {
    [nats, sim] = await Promise.all([startLocalNats(), startSim()]);
    nc = await connect({ servers: nats.url });
    service = serveSimFaults(nc, sim.server.faults);
  });
  afterAll(async () => {
    service.stop();
    await nc.close();
    await Promise.all([nats.stop(), sim.close()]);
  });

  it('listens on the control subject built from protocols/names', () => {
    expect(SIM_FAULTS_SUBJECT).toBe('qt.ctl.sim.faults');
  });

  it('adds, lists, removes and clears rules with the /sim/faults JSON', async () => {
    const rule = await req({ kind: 'http5xx', status: 502, count: 1, path: '/fapi/v1/ping' });
    expect(rule).toMatchObject({ id: expect.any(String), kind: 'http5xx', fired: 0 });
    expect((await sim.call('GET', '/fapi/v1/ping')).status).toBe(502);
    expect((await sim.call('GET', '/fapi/v1/ping')).status).toBe(200);

    const batch = await req({ faults: [{ kind: 'latency', latencyMs: 1 }, { kind: 'rateLimit', retryAfterSec: 3, path: '/fapi/v1/time' }] });
    expect(batch.faults).toHaveLength(2);
    expect((await req({ action: 'list' })).faults).toHaveLength(2);
    expect(await req('')).toEqual(await req({ action: 'list' }));
    expect(await req({ action: 'remove', id: batch.faults[0].id })).toEqual({ removed: true });
    expect((await sim.call('GET', '/fapi/v1/time')).status).toBe(429);
    expect(await req({ action: 'clear' })).toEqual({ faults: [] });
    expect(sim.server.faults.list()).toEqual([]);
  });

  it('runs the actions: drop sockets, expire listenKeys, reseed', async () => {
    const c = await openWs(`${sim.server.wsUrl}/ws/btcusdt@aggTrade`);
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    expect(await req({ action: 'dropWebSockets', path: '/ws' })).toEqual({ dropped: 1 });
    expect(await closed).toBe(1006);
    expect(await req({ action: 'expireListenKeys' })).toEqual({ expired: 0 });
    expect(await req({ action: 'reseed', seed: 7 })).toEqual({ seed: 7 });
  });

  it('answers bad requests with an error and keeps serving', async () => {
    expect((await req({ kind: 'meteor' })).error).toEqual(expect.any(String));
    expect((await req('{not json')).error).toEqual(expect.any(String));
    expect((await req({ kind: 'http5xx', status: 404 })).error).toMatch(/status/);
    expect(await req({ action: 'list' })).toEqual({ faults: [] });
  });
});
