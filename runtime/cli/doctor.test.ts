import { AckPolicy } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { createRecordingReporter, createTestChildren } from '../../supervisors/testing.js';
import { createSupervisor, startControlService, type ChildSpec } from '../../supervisors/index.js';
import { subjects } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import { createLiveClock } from '../clock/index.js';
import { connectBus, freePort, startLocalNats } from '../nats/index.js';
import type { DoctorReport } from '../ops/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { runDoctor } from './doctor.js';

async function doctor(url: string, ...flags: string[]): Promise<{ code: number; report: DoctorReport; text: string }> {
  let json = '';
  const code = await runDoctor(['--json', '--nats', url, '--timeout', '1000', ...flags], { write: (s: string) => (json += s) });
  let text = '';
  await runDoctor(['--nats', url, '--timeout', '1000', ...flags], { write: (s: string) => (text += s) });
  return { code, report: JSON.parse(json) as DoctorReport, text };
}
const status = (r: DoctorReport) => Object.fromEntries(r.checks.map((c) => [c.name, c.status]));

describe('qt doctor (real nats-server)', () => {
  it('fails when NATS is unreachable, and skips what it could not check', async () => {
    const { code, report, text } = await doctor(`nats://127.0.0.1:${await freePort()}`);
    expect(code).toBe(1);
    expect(status(report)).toMatchObject({ nats: 'fail', jetstream: 'skipped', supervision: 'skipped', venue: 'skipped', models: 'skipped' });
    expect(text).toMatch(/^FAIL {2}nats/m);
  });

  it('fails on an unprovisioned server: missing streams, buckets, no supervisor', async () => {
    await using srv = await startLocalNats();
    const { code, report } = await doctor(srv.url);
    expect(code).toBe(1);
    expect(status(report)).toMatchObject({ nats: 'pass', jetstream: 'pass', streams: 'fail', buckets: 'fail', 'consumer-lag': 'pass', supervision: 'fail' });
    expect(report.checks.find((c) => c.name === 'streams')!.detail).toContain('missing: QT_MARKET');
    expect(report.checks.find((c) => c.name === 'supervision')!.detail).toContain('no qt-supervisor answered');
  });

  it('passes on a provisioned layout with a running tree; no venue subtree and no champion are said plainly; a stopped permanent node fails', async () => {
    await using env = await natsEnv();
    const kids = createTestChildren();
    const root = createSupervisor(
      { id: 'root', strategy: 'one_for_one', intensity: 3, period: 10_000, backoff: { min: 1, max: 10 }, children: [kids.spec('a'), kids.spec('b')] },
      { clock: createLiveClock(), reporter: createRecordingReporter(), node: 'n1' },
    );
    await root.start();
    const svcBus = await connectBus({ url: env.server.url });
    const svc = await startControlService(svcBus, root, 'n1');
    // Supervision, venue and trading read one answer: each doctor run asks the node once (the helper runs it twice).
    let asked = 0;
    const spy = env.bus.nc.subscribe(subjects.control('supervisor', 'status'), { callback: () => void asked++ });
    try {
      const ok = await doctor(env.server.url);
      expect(ok.code).toBe(0);
      await env.bus.nc.flush();
      expect(asked).toBe(2);
      expect(status(ok.report)).toEqual({
        nats: 'pass', jetstream: 'pass', streams: 'pass', buckets: 'pass', 'consumer-lag': 'pass', supervision: 'pass',
        nodes: 'unavailable', venue: 'unavailable', 'clock-skew': 'unavailable', models: 'warn', trading: 'unavailable',
      });
      expect(ok.report.checks.find((c) => c.name === 'supervision')!.detail).toBe('3/3 nodes running');
      expect(ok.report.checks.find((c) => c.name === 'venue')!.detail).toBe('this node runs no venue subtree');
      expect(ok.report.checks.find((c) => c.name === 'models')!.detail).toMatch(/no champion: signals come from the labelled fallback rule/);
      expect(ok.report.checks.find((c) => c.name === 'trading')!.detail).toBe("no running risk brain in the answering node's tree; 0 open position(s)");
      expect(ok.text).toContain('OK: 6 passed, 1 warnings, 0 failed, 0 skipped, 4 not available yet');

      // A lagging consumer is a warning, not a failure.
      await env.bus.jsm.consumers.add('QT_SIGNALS', { durable_name: 'slow', ack_policy: AckPolicy.Explicit });
      for (let i = 0; i < 3; i++) await env.bus.js.publish('qt.signal.BTCUSDT', new Uint8Array([0x90]));
      const lag = await doctor(env.server.url, '--lag-warn', '2');
      expect(lag.code).toBe(0);
      expect(lag.report.checks.find((c) => c.name === 'consumer-lag')).toMatchObject({ status: 'warn', detail: expect.stringContaining('QT_SIGNALS/slow pending=3') });

      await root.stopChild('root.b');
      const bad = await doctor(env.server.url);
      expect(bad.code).toBe(1);
      expect(bad.report.checks.find((c) => c.name === 'supervision')).toMatchObject({ status: 'fail', detail: expect.stringContaining('root.b (worker, permanent) is stopped') });
    } finally {
      spy.unsubscribe();
      await svc.stop();
      await root.stop();
      await svcBus.close();
    }
  });

  it('trading: the risk brain\'s own state passes or warns; an open position without a confirmed stop for over 5 s fails the run', async () => {
    await using env = await natsEnv();
    let info: Record<string, unknown> = { tradingState: 'ACTIVE', riskMode: 'NORMAL', killSwitch: false, reconciling: false };
    const risk: ChildSpec = {
      id: 'risk',
      start: async () => ({ exited: new Promise<never>(() => undefined), stop: async () => undefined, kill: () => undefined, info: () => info }),
    };
    const root = createSupervisor(
      { id: 'root', strategy: 'one_for_one', intensity: 3, period: 10_000, backoff: { min: 1, max: 10 }, children: [risk] },
      { clock: createLiveClock(), reporter: createRecordingReporter(), node: 'n1' },
    );
    await root.start();
    const svcBus = await connectBus({ url: env.server.url });
    const svc = await startControlService(svcBus, root, 'n1');
    const trading = async () => {
      const d = await doctor(env.server.url);
      return { code: d.code, ...d.report.checks.find((c) => c.name === 'trading')! };
    };
    const position = (unprotectedSince: number | null) => env.bus.js.publish(subjects.position('BTCUSDT', 'open'), encode({
      symbol: 'BTCUSDT', state: 'open', side: 'LONG', qty: 0.01, avgEntry: 60_000, markPrice: 60_100, realizedPnl: 0, unrealizedPnl: 1, fees: 0, funding: 0,
      stop: unprotectedSince === null ? { clientOrderId: 'sl', price: 58_800, confirmed: true, sinceTs: 1 } : null,
      unprotectedSince, attribution: 'm', intentId: null, openedAt: 1, ts: Date.now(),
    }), { headers: msgHeaders() });
    try {
      expect(await trading()).toMatchObject({ code: 0, status: 'pass', detail: 'ACTIVE, risk mode NORMAL, kill switch off; 0 open position(s)' });
      // A node still waiting for the account's equity denies every entry: a warning that says so.
      info = { ...info, equity: 10_000, equitySource: 'config', equityWaiting: true };
      expect(await trading()).toMatchObject({ code: 0, status: 'warn', detail: expect.stringMatching(/no account equity from the venue yet: entries denied \(EQUITY_UNKNOWN\)/) });
      info = { ...info, equity: 2_500.5, equitySource: 'venue', equityWaiting: false };
      expect(await trading()).toMatchObject({ code: 0, status: 'pass', detail: 'ACTIVE, risk mode NORMAL, kill switch off; equity 2500.50 USDT (venue); 0 open position(s)' });
      info = { ...info, killSwitch: true, tradingState: 'HALTED' };
      await position(null);
      expect(await trading()).toMatchObject({ code: 0, status: 'warn', detail: expect.stringMatching(/^HALTED, risk mode NORMAL, kill switch ON; equity 2500\.50 USDT \(venue\); 1 open position/) });
      // The same position, now without a stop for 12 s: the run fails, whatever risk says.
      await position(Date.now() - 12_000);
      const naked = await trading();
      expect(naked).toMatchObject({ code: 1, status: 'fail' });
      expect(naked.detail).toMatch(/^1 open position\(s\) without a confirmed venue-side stop for over 5 s: BTCUSDT LONG 0\.01 \(1[2-9] s\)$/);
    } finally {
      await svc.stop();
      await root.stop();
      await svcBus.close();
    }
  });
});
