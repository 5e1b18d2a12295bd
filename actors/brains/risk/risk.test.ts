import { describe, expect, it } from 'vitest';
import {
  clientOrderId, DLQ_REASON_HEADER, STREAMS, subjects,
  type Intent, type JournalEntry, type PositionUpdate, type RiskVerdict, type SubmitCommand,
} from '../../../protocols/index.js';
import { createSimulatedClock } from '../../../runtime/clock/index.js';
import { encode } from '../../../runtime/codec.js';
import { riskDef } from '../../../runtime/cli/defs-risk.js';
import type { HostedActor } from '../../../runtime/host/index.js';
import { hostKit } from '../../../runtime/testing/host-env.js';
import { natsEnv, type NatsEnv } from '../../../runtime/testing/nats-env.js';
import { readStream, until } from '../../../runtime/testing/wait.js';
import { testIntent, testPosition } from './testing.js';

const T0 = Date.UTC(2024, 2, 6, 12);

/** Publishes and waits until the actor applied it: inputs on different subjects have no order between them. */
function driver(env: NatsEnv, a: () => HostedActor) {
  let sent = 0;
  const settle = () => until(() => (a().info().processed as number) >= sent, `${sent} inputs applied`);
  return {
    async intent(i: Intent | Record<string, unknown>, subject = subjects.intent(String(i.symbol))) {
      await env.bus.js.publish(subject, encode(i));
      sent++;
      await settle();
    },
    async position(u: PositionUpdate, wait = true) {
      await env.bus.js.publish(subjects.position(u.symbol, u.state), encode(u));
      sent++;
      if (wait) await settle();
    },
    async control(c: Record<string, unknown>) {
      await env.bus.js.publish(subjects.actorInput('risk', 'main'), encode(c));
      sent++;
      await settle();
    },
    settle,
    reset: () => (sent = 0),
  };
}
const journal = async (env: NatsEnv, kind: string) => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal(kind))).map((m) => m.data);
const verdicts = async (env: NatsEnv) => (await journal(env, 'risk')).map((e) => e.data.verdict as RiskVerdict);
const submits = (env: NatsEnv, sym: string) => readStream<SubmitCommand>(env.bus, STREAMS.orders, subjects.order(sym, 'submit'));
const codes = (v: RiskVerdict) => v.reasons.map((r) => r.code);

describe('risk brain (hosted)', () => {
  it('approves into exactly one MARKET submit with the deterministic client order id, even when the intent comes twice', async () => {
    await using env = await natsEnv({ risk: { equitySource: 'config', initialEquity: 10_000 } });
    const kit = await hostKit(env, { clock: createSimulatedClock(T0) });
    let a = await kit.start('main', riskDef(env.cfg));
    const d = driver(env, () => a);
    const intent = testIntent('BTCUSDT', T0);
    await d.intent(intent);
    await d.intent(intent);
    // A restart restores the decided intents: a third copy is still a duplicate.
    await a.stop();
    a = await kit.start('main', riskDef(env.cfg));
    d.reset();
    await d.intent(intent);
    const subs = await submits(env, 'BTCUSDT');
    const coid = clientOrderId(intent.intentId, 'entry');
    expect(subs).toHaveLength(1);
    expect(subs[0]!.headers['Nats-Msg-Id']).toBe(coid);
    expect(subs[0]!.data).toMatchObject({ type: 'submit', clientOrderId: coid, intentId: intent.intentId, leg: 'entry', orderType: 'MARKET', side: 'BUY', qty: 1.5, reduceOnly: false, attribution: 'fallback:momentum' });
    const vs = await verdicts(env);
    expect(vs.map((v) => v.decision)).toEqual(['approve', 'deny', 'deny']);
    expect(vs[0]).toMatchObject({ clientOrderId: coid, qty: 1.5, mode: 'NORMAL', tradingState: 'ACTIVE', attribution: 'fallback:momentum' });
    expect(codes(vs[1]!)).toEqual(['DUPLICATE_INTENT', 'ALREADY_IN_POSITION']);
    expect(codes(vs[2]!)).toContain('DUPLICATE_INTENT');
    await a.stop();
  });

  it('daily loss moves ACTIVE → REDUCING → HALTED; exits still go through while REDUCING', async () => {
    await using env = await natsEnv({ risk: { equitySource: 'config', initialEquity: 10_000 } });
    const kit = await hostKit(env, { clock: createSimulatedClock(T0) });
    const a = await kit.start('main', riskDef(env.cfg));
    const d = driver(env, () => a);
    await d.position(testPosition('BTCUSDT', T0, { unprotectedSince: null }));
    await d.position(testPosition('SOLUSDT', T0, { state: 'closed', side: null, qty: 0, realizedPnl: -410 }));
    await d.intent(testIntent('ETHUSDT', T0));
    await d.intent(testIntent('BTCUSDT', T0, { kind: 'exit', side: 'SELL', intentId: 'BTCUSDT:exit:1' }));
    await d.position(testPosition('ADAUSDT', T0, { state: 'closed', side: null, qty: 0, realizedPnl: -100 }));
    await d.intent(testIntent('XRPUSDT', T0));
    const vs = await verdicts(env);
    expect(vs.map((v) => [v.decision, v.tradingState])).toEqual([['deny', 'REDUCING'], ['approve', 'REDUCING'], ['deny', 'HALTED']]);
    expect(codes(vs[0]!)).toEqual(['TRADING_REDUCING']);
    expect(codes(vs[2]!)).toEqual(['TRADING_HALTED', 'MAX_DAILY_LOSS']);
    const exit = await submits(env, 'BTCUSDT');
    expect(exit.map((m) => m.data)).toMatchObject([{ leg: 'exit', reduceOnly: true, side: 'SELL', qty: 1.5, clientOrderId: clientOrderId('BTCUSDT:exit:1', 'exit') }]);
    const pol = await journal(env, 'policy');
    expect(pol.map((p) => p.summary)).toEqual([
      expect.stringMatching(/^trading state ACTIVE → REDUCING: daily loss 4\.10%/),
      expect.stringMatching(/^trading state REDUCING → HALTED: daily loss 5\.10%/),
    ]);
    await a.stop();
  });

  it('DOMAIN.md: losing $150 momentum-fallback trades on 9,757 USDT reach REDUCING and HALTED long before −36%', async () => {
    await using env = await natsEnv({ risk: { equitySource: 'config', initialEquity: 9_757 } });
    const kit = await hostKit(env, { clock: createSimulatedClock(T0) });
    const a = await kit.start('main', riskDef(env.cfg));
    const d = driver(env, () => a);
    // 14 open × $150 ≈ 21% exposure: within limits, a 15th entry is approved.
    const syms = Array.from({ length: 20 }, (_, i) => `COIN${i}USDT`);
    for (const s of syms.slice(0, 14)) await d.position(testPosition(s, T0), false);
    await d.settle();
    await d.intent(testIntent(syms[14]!, T0));
    for (const s of syms.slice(0, 14)) await d.position(testPosition(s, T0, { state: 'closed', side: null, qty: 0 }), false);
    // Each trade: $150 at 3x, stopped out at −2% ($3) plus 0.04% taker fees both ways.
    for (let i = 0; i < 300; i++) {
      const s = syms[i % 20]!;
      await d.position(testPosition(s, T0 + i, { state: 'closed', side: null, qty: 0, realizedPnl: -3, fees: 0.12, intentId: `${s}:${i}:BUY` }), false);
    }
    await d.settle();
    await d.intent(testIntent(syms[15]!, T0));
    const vs = await verdicts(env);
    expect(vs[0]!.decision).toBe('approve');
    expect(vs[1]).toMatchObject({ decision: 'deny', tradingState: 'HALTED' });
    const changes = (await journal(env, 'policy')).filter((p) => p.data.from);
    expect(changes.map((p) => p.data.to)).toEqual(['REDUCING', 'HALTED']);
    const [reducing, halted] = changes.map((p) => p.data.dailyLossPct as number) as [number, number];
    expect(reducing).toBeGreaterThanOrEqual(0.04);
    expect(reducing).toBeLessThan(0.0405);
    expect(halted).toBeGreaterThanOrEqual(0.05);
    expect(halted).toBeLessThan(0.0505);
    // 5% of 9,757 at $3.12 a trade: HALTED after ~157 trades, not 8,945; −36% is 7× further.
    expect(halted * 7).toBeLessThan(0.36);
    expect(changes[1]!.data.equity as number).toBeGreaterThan(9_757 * 0.949);
    await a.stop();
  });

  it('by default (equitySource venue) denies entries EQUITY_UNKNOWN until the venue\'s equity arrives on its control input; a restart keeps it', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env, { clock: createSimulatedClock(T0) });
    let a = await kit.start('main', riskDef(env.cfg));
    const d = driver(env, () => a);
    await d.intent(testIntent('BTCUSDT', T0));
    await d.control({ type: 'equity', equity: 2_500, ts: T0 });
    await d.intent(testIntent('ETHUSDT', T0));
    await a.stop();
    a = await kit.start('main', riskDef(env.cfg));
    d.reset();
    await d.intent(testIntent('SOLUSDT', T0));
    const vs = await verdicts(env);
    expect(vs.map((v) => [v.symbol, v.decision])).toEqual([['BTCUSDT', 'deny'], ['ETHUSDT', 'approve'], ['SOLUSDT', 'approve']]);
    expect(codes(vs[0]!)).toEqual(['EQUITY_UNKNOWN']);
    expect(vs[0]!.reasons[0]!.detail).toMatch(/assuming 10000\.00 USDT from config/);
    expect(a.info()).toMatchObject({ equity: 2_500, equitySource: 'venue' });
    await a.stop();
  });

  it('dead-letters bad intents and inputs with reasons and keeps deciding', async () => {
    await using env = await natsEnv({ risk: { equitySource: 'config' } });
    const kit = await hostKit(env, { clock: createSimulatedClock(T0) });
    const a = await kit.start('main', riskDef(env.cfg));
    const d = driver(env, () => a);
    const good = testIntent('BTCUSDT', T0);
    const { price: _p, ...noPrice } = good;
    await d.intent(noPrice);
    await d.intent({ ...good, qty: Number.NaN });
    await d.intent({ ...good, symbol: 'ETHUSDT' }, subjects.intent('BTCUSDT'));
    await d.intent({ ...good, qty: 50_000, notional: 5_000_000 });
    await d.intent({ ...good, notional: 9_999 });
    await d.intent({ ...good, leverage: 500 });
    await d.position({ ...testPosition('BTCUSDT', T0), realizedPnl: Number.POSITIVE_INFINITY });
    await d.control({ type: 'policy', killSwitch: 'yes' });
    await d.intent(good);
    const dlq = await readStream(env.bus, STREAMS.dlq, subjects.dlq('risk.main'), { decode: false });
    const reasons = dlq.map((m) => m.headers[DLQ_REASON_HEADER]);
    expect(reasons).toEqual([
      expect.stringMatching(/invalid intent: price/),
      expect.stringMatching(/invalid intent: qty/),
      expect.stringMatching(/intent for ETHUSDT on BTCUSDT's subject/),
      expect.stringMatching(/absurd size: notional 5000000/),
      expect.stringMatching(/notional 9999 ≠ price × qty/),
      expect.stringMatching(/invalid intent: leverage/),
      expect.stringMatching(/invalid position update: realizedPnl/),
      expect.stringMatching(/invalid control input: killSwitch/),
    ]);
    expect(a.actor.getSnapshot().status).toBe('active');
    const vs = await verdicts(env);
    expect(vs).toMatchObject([{ decision: 'approve', intentId: good.intentId }]);
    await a.stop();
  });
});
