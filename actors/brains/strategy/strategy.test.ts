import { describe, expect, it } from 'vitest';
import { DLQ_REASON_HEADER, STREAMS, subjects, type Intent, type JournalEntry, type RegimeUpdate, type Signal } from '../../../protocols/index.js';
import { encode } from '../../../runtime/codec.js';
import { loadConfig } from '../../../runtime/config/index.js';
import { strategyDef } from '../../../runtime/cli/defs-strategy.js';
import { natsEnv } from '../../../runtime/testing/nats-env.js';
import { hostKit } from '../../../runtime/testing/host-env.js';
import { readStream, until } from '../../../runtime/testing/wait.js';
import type { StrategyContext } from './strategy.machine.js';

const T0 = 1_700_000_000_000;
const sig = (symbol: string, k: number, o: Partial<Signal> = {}): Signal => ({
  symbol, venue: 'sim', ts: T0 + k * 60_000, interval: '1m', side: 'BUY', confidence: 0.8, source: 'model',
  attribution: 'ensemble:champion', contributions: [{ model: 'xgb', family: 'gbdt', version: '1.2.0', probs: [0.1, 0.1, 0.8], weight: 1 }],
  price: 100, atr: 1, ...o,
});

describe('strategy actor', () => {
  it('turns signals + regimes into sized intents, journals every decision with its reason, dead-letters bad input', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    // Total cap 60% of equity, so the fourth intent is capped and the fifth skipped.
    const cfg = loadConfig({ env: {}, overrides: { strategy: { riskPerTrade: 0.005, maxSymbolFraction: 0.25, maxTotalFraction: 0.6 } } });
    const a = await kit.start('main', strategyDef(cfg));
    const pub = (subject: string, data: unknown) => env.bus.js.publish(subject, encode(data));
    const regime: RegimeUpdate = { symbol: 'ETHUSDT', ts: T0, regime: 'trend_down', volatility: 0.002, trend: -1.5 };
    await pub(subjects.regime('ETHUSDT'), regime);
    const btc = sig('BTCUSDT', 1);
    await pub(subjects.signal('BTCUSDT'), btc);
    await pub(subjects.signal('BTCUSDT'), btc); // published twice (no msgId): still one intent
    await pub(subjects.signal('SOLUSDT'), sig('SOLUSDT', 1, { confidence: 0.9, source: 'fallback', attribution: 'fallback:momentum', contributions: [], reason: 'no model' }));
    await pub(subjects.signal('XRPUSDT'), sig('XRPUSDT', 1, { side: 'SELL', atr: 2 }));
    await pub(subjects.signal('DOGEUSDT'), sig('DOGEUSDT', 1));
    await pub(subjects.signal('LINKUSDT'), sig('LINKUSDT', 1));
    await pub(subjects.signal('BTCUSDT'), sig('BTCUSDT', 2, { side: 'HOLD', confidence: 0.99 }));
    await pub(subjects.signal('ADAUSDT'), sig('ADAUSDT', 1, { confidence: 0.5 }));
    await pub(subjects.signal('ETHUSDT'), sig('ETHUSDT', 1, { confidence: 0.95 }));
    // Bad input: garbage, a missing field, a symbol on another symbol's subject.
    await env.bus.js.publish(subjects.signal('BTCUSDT'), new Uint8Array([0xc1, 0x00]));
    const { price: _p, ...noPrice } = sig('BTCUSDT', 3);
    await pub(subjects.signal('BTCUSDT'), noPrice);
    await pub(subjects.signal('BTCUSDT'), sig('ETHUSDT', 3));
    await until(() => a.info().processed === 13, 'first batch');

    // Equity update on the control input, then a signal sized from it.
    await pub(subjects.actorInput('strategy', 'main'), { type: 'equity', equity: 20_000, ts: T0 + 1 });
    await until(() => (a.actor.getSnapshot().context as StrategyContext).equity.source === 'update', 'equity applied');
    await pub(subjects.signal('AVAXUSDT'), sig('AVAXUSDT', 1));
    await until(() => a.info().processed === 15, 'second batch');

    const intents = (await readStream<Intent>(env.bus, STREAMS.intents, subjects.intentAll)).map((m) => ({ ...m.data, msgId: m.headers['Nats-Msg-Id'] }));
    const by = Object.fromEntries(intents.map((i) => [i.symbol, i]));
    expect(intents.map((i) => i.symbol)).toEqual(['BTCUSDT', 'SOLUSDT', 'XRPUSDT', 'DOGEUSDT', 'AVAXUSDT']);
    // Hand-computed: 10000 × 0.005 / (2 × atr / 100) × confidence.
    expect(by.BTCUSDT).toMatchObject({ intentId: `BTCUSDT:${T0 + 60_000}:BUY`, msgId: `BTCUSDT:${T0 + 60_000}:BUY`, side: 'BUY', qty: 20, notional: 2000, leverage: 3, attribution: 'ensemble:champion', kind: 'entry' });
    expect(by.SOLUSDT).toMatchObject({ notional: 2250, attribution: 'fallback:momentum', confidence: 0.9 }); // scales with confidence
    expect(by.XRPUSDT).toMatchObject({ side: 'SELL', notional: 1000 }); // ATR doubled → half the size
    expect(by.DOGEUSDT).toMatchObject({ notional: 750 }); // total cap 6000 − 5250 open+pending
    expect(by.AVAXUSDT).toMatchObject({ notional: 4000 }); // equity 20000; total room 12000 − 6000
    expect(by.BTCUSDT!.exit.stopPct).toBe(0.02);

    const sj = (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('signal'))).map((m) => m.data);
    const ij = (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('intent'))).map((m) => m.data);
    const reason = (sym: string, ts = T0 + 60_000) => sj.filter((e) => e.symbol === sym && e.ts === ts).map((e) => e.data.reason ?? e.data.decision);
    expect(reason('BTCUSDT')).toEqual(['taken', 'DUPLICATE']);
    expect(reason('BTCUSDT', T0 + 120_000)).toEqual(['HOLD']);
    expect(reason('ADAUSDT')).toEqual(['LOW_CONFIDENCE']);
    expect(reason('ETHUSDT')).toEqual(['AGAINST_REGIME']);
    expect(reason('LINKUSDT')).toEqual(['TOTAL_CAP']);
    expect(sj.find((e) => e.symbol === 'SOLUSDT')).toMatchObject({ attribution: 'fallback:momentum', data: { decision: 'taken', source: 'fallback' } });
    // Every BUY/SELL decision has an intent journal line: 5 taken + LOW_CONFIDENCE, AGAINST_REGIME, TOTAL_CAP.
    expect(ij.map((e) => `${e.symbol}:${String(e.data.decision)}`).sort()).toEqual([
      'ADAUSDT:skipped', 'AVAXUSDT:taken', 'BTCUSDT:taken', 'DOGEUSDT:taken', 'ETHUSDT:skipped', 'LINKUSDT:skipped', 'SOLUSDT:taken', 'XRPUSDT:taken',
    ]);
    expect(ij.find((e) => e.symbol === 'ETHUSDT')!.data).toMatchObject({ reason: 'AGAINST_REGIME', regime: 'trend_down', regimeSource: 'symbol' });
    expect(ij.find((e) => e.symbol === 'DOGEUSDT')!.data).toMatchObject({ capped: 'total' });

    // A position picking up an intent moves its exposure from pending to open (at the mark).
    const avaxId = `AVAXUSDT:${T0 + 60_000}:BUY`;
    await pub(subjects.position('AVAXUSDT', 'open'), { symbol: 'AVAXUSDT', state: 'open', side: 'LONG', qty: 40, avgEntry: 100, markPrice: 110, intentId: avaxId, ts: T0 + 2 });
    await until(() => a.info().processed === 16, 'position');
    const ctx = a.actor.getSnapshot().context as StrategyContext;
    expect(ctx.open).toEqual({ AVAXUSDT: 4400 });
    expect(ctx.pending[avaxId]).toBeUndefined();
    expect(Object.keys(ctx.pending)).toHaveLength(4);

    const dlq = await readStream(env.bus, STREAMS.dlq, subjects.dlq('strategy.main'), { decode: false });
    const reasons = dlq.map((d) => d.headers[DLQ_REASON_HEADER]);
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/undecodable/);
    expect(reasons[1]).toMatch(/malformed signal: price/);
    expect(reasons[2]).toMatch(/ETHUSDT on BTCUSDT's subject/);
    expect(a.actor.getSnapshot().status).toBe('active');
    await a.stop();
  });

  it('a restarted strategy does not issue a redelivered signal twice', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const def = strategyDef(loadConfig({ env: {} }));
    let a = await kit.start('main', def);
    await env.bus.js.publish(subjects.signal('BTCUSDT'), encode(sig('BTCUSDT', 1)));
    await until(() => a.info().processed === 1, 'first');
    a.inject(new Error('chaos'));
    await a.exited;
    a = await kit.start('main', def);
    // The same signal again, e.g. the AI brain republished it after the dedup window.
    await env.bus.js.publish(subjects.signal('BTCUSDT'), encode(sig('BTCUSDT', 1)));
    await until(() => a.info().processed === 1, 'second');
    expect(await readStream(env.bus, STREAMS.intents, subjects.intentAll)).toHaveLength(1);
    const sj = await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('signal'));
    expect(sj.map((m) => m.data.data.reason ?? m.data.data.decision)).toEqual(['taken', 'DUPLICATE']);
    await a.stop();
  });
});
