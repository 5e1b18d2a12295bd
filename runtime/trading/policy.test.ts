import { describe, expect, it } from 'vitest';
import { pack } from 'msgpackr';
import { POLICY_KEYS, STREAMS, subjects, type JournalEntry, type RiskVerdict } from '../../protocols/index.js';
import { testIntent, testPosition } from '../../actors/brains/risk/testing.js';
import { createSimulatedClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { riskDef } from '../cli/defs-risk.js';
import { runKillSwitch } from '../cli/killswitch.js';
import { hostKit } from '../testing/host-env.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { decodePolicyValue, getPolicy, policyInput, setPolicy, startPolicyWatcher } from './policy.js';

const T0 = Date.UTC(2024, 2, 6, 12);

describe('policy values', () => {
  it('reads msgpack and JSON, and fails safe on what it cannot read', () => {
    expect(decodePolicyValue(pack({ on: true }))).toEqual({ on: true });
    expect(decodePolicyValue(new TextEncoder().encode('{"on":false}'))).toEqual({ on: false });
    expect(policyInput(POLICY_KEYS.killSwitch, { on: true, reason: 'r', by: 'me' }, false)).toEqual({ type: 'policy', source: 'operator', killSwitch: true, reason: 'r', by: 'me' });
    expect(policyInput(POLICY_KEYS.killSwitch, 'maybe', false)).toMatchObject({ killSwitch: true, reason: expect.stringMatching(/failing safe/) });
    expect(policyInput(POLICY_KEYS.killSwitch, undefined, true)).toMatchObject({ killSwitch: false });
    expect(policyInput(POLICY_KEYS.riskMode, 'safe', false)).toMatchObject({ mode: 'SAFE' });
    expect(policyInput(POLICY_KEYS.riskMode, { mode: 'TURBO' }, false)).toMatchObject({ mode: 'SAFE', reason: expect.stringMatching(/failing safe/) });
    expect(policyInput(POLICY_KEYS.riskMode, undefined, true, 'AGGRESSIVE')).toMatchObject({ mode: 'AGGRESSIVE' });
    expect(policyInput(POLICY_KEYS.reconciling, { on: true }, false)).toMatchObject({ reconciling: true });
    expect(policyInput(POLICY_KEYS.champion, { v: 1 }, false)).toBeNull();
  });
});

describe('kill switch end to end', () => {
  it('qt kill-switch on → KV qt_policy → watcher → risk denies KILL_SWITCH; off → approves again; restarts do not duplicate', async () => {
    await using env = await natsEnv({ risk: { equitySource: 'config' } });
    const clock = createSimulatedClock(T0);
    const kit = await hostKit(env, { clock });
    const risk = await kit.start('main', riskDef(env.cfg));
    let watcher = await startPolicyWatcher({ bus: env.bus });
    const policyLog = async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('policy'))).map((m) => m.data.summary);
    const verdicts = async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('risk'))).map((m) => m.data.data.verdict as RiskVerdict);
    const intent = async (sym: string, n: number) => {
      await env.bus.js.publish(subjects.intent(sym), encode(testIntent(sym, clock.now())));
      await until(async () => (await verdicts()).length === n, `verdict ${n}`);
    };

    // An open position: `--flatten` asks its actor to close it.
    await env.bus.js.publish(subjects.position('SOLUSDT', 'open'), encode(testPosition('SOLUSDT', T0)));
    expect(await runKillSwitch(['on', '--nats', env.server.url, '--reason', 'drill', '--by', 'tester', '--flatten'])).toBe(0);
    expect((await getPolicy(env.bus, POLICY_KEYS.killSwitch))?.value).toMatchObject({ on: true, reason: 'drill', by: 'tester' });
    await until(async () => (await policyLog()).some((s) => /kill switch ON by operator tester: drill/.test(s)), 'kill switch journaled');
    const flat = await readStream<{ type: string; reason: string }>(env.bus, STREAMS.inputs, subjects.actorInput('position', 'SOLUSDT'));
    expect(flat.map((m) => m.data)).toEqual([{ type: 'flatten', reason: 'kill switch: drill (by tester)' }]);
    await until(() => risk.info().tradingState === 'HALTED', 'risk HALTED');
    expect(await policyLog()).toContainEqual(expect.stringMatching(/^trading state ACTIVE → HALTED: kill switch on: drill/));
    await intent('BTCUSDT', 1);
    expect((await verdicts())[0]).toMatchObject({ decision: 'deny', reasons: [{ code: 'KILL_SWITCH', detail: 'kill switch on: drill' }] });

    // A restarted watcher replays the latest values under the same msgIds: nothing new reaches risk.
    await watcher.stop();
    watcher = await startPolicyWatcher({ bus: env.bus });
    // The watcher forwards in KV order, so once this later change is in, any replay would be too.
    await setPolicy(env.bus, POLICY_KEYS.reconciling, { on: false, ts: T0 });
    const inputs = () => readStream<{ killSwitch?: boolean; reconciling?: boolean }>(env.bus, STREAMS.inputs, subjects.actorInput('risk', 'main'));
    await until(async () => (await inputs()).some((m) => m.data.reconciling === false), 'reconciling forwarded');
    expect((await inputs()).map((m) => m.headers['Nats-Msg-Id'])).toEqual([expect.stringMatching(/^policy:kill_switch:\d+$/), expect.stringMatching(/^policy:reconciling:\d+$/)]);

    clock.advance(1_000);
    expect(await runKillSwitch(['off', '--nats', env.server.url])).toBe(0);
    await until(async () => (await policyLog()).some((s) => /kill switch off/.test(s)), 'kill switch off journaled');
    expect(risk.info().tradingState).toBe('ACTIVE');
    await intent('ETHUSDT', 2);
    expect((await verdicts())[1]).toMatchObject({ decision: 'approve', symbol: 'ETHUSDT' });
    expect(await readStream(env.bus, STREAMS.orders, subjects.order('ETHUSDT', 'submit'))).toHaveLength(1);
    await watcher.stop();
    await risk.stop();
  });
});
