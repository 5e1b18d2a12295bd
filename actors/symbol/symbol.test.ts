import { describe, expect, it } from 'vitest';
import { DLQ_REASON_HEADER, STREAMS, subjects, type Candle, type Signal } from '../../protocols/index.js';
import { FIXTURE_BTC_1M, readKlineCsv } from '../../models/data/index.js';
import { encode } from '../../runtime/codec.js';
import { symbolDef } from '../../runtime/cli/defs.js';
import { natsEnv } from '../../runtime/testing/nats-env.js';
import { hostKit } from '../../runtime/testing/host-env.js';
import { readStream, until } from '../../runtime/testing/wait.js';

async function candles(n: number, venue: string): Promise<Candle[]> {
  return (await readKlineCsv(FIXTURE_BTC_1M)).slice(0, n).map((c) => ({ ...c, venue }));
}

describe('symbol actor', () => {
  it('computes features per closed candle and, after warm-up, a labelled fallback signal for live closes only', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const def = symbolDef({ venue: 'sim', interval: '1m' });
    const a = await kit.start('BTCUSDT', def);
    // The fixture moved in time so that its last candle is the latest close: the rest is history
    // (as a warm-up at start is), which gets features but no signal (signals.staleAfterMs, 90 s).
    const raw = await candles(120, 'sim');
    const shift = Math.floor(Date.now() / 60_000) * 60_000 - 1 - raw.at(-1)!.closeTime;
    const cs = raw.map((c) => ({ ...c, openTime: c.openTime + shift, closeTime: c.closeTime + shift }));
    for (const c of cs) await env.bus.js.publish(subjects.market('sim', 'BTCUSDT', 'candle.1m'), encode(c));
    await until(() => a.info().processed === 120, '120 candles');
    const feats = await readStream<{ ready: boolean; features: number[]; ts: number }>(env.bus, STREAMS.signals, subjects.features('sim', 'BTCUSDT'));
    expect(feats).toHaveLength(120);
    expect(feats.findIndex((f) => f.data.ready)).toBeGreaterThan(30);
    expect(feats.at(-1)!.data.features.every(Number.isFinite)).toBe(true);
    const sigs = await readStream<Signal>(env.bus, STREAMS.signals, subjects.signal('BTCUSDT'));
    expect(feats.filter((f) => f.data.ready).length).toBe(60);
    // The last close (< 60 s old) has its signal; the one before it (60–120 s) may; older ones never.
    expect(sigs.length).toBeGreaterThanOrEqual(1);
    expect(sigs.length).toBeLessThanOrEqual(2);
    expect(sigs.every((x) => x.data.ts >= cs.at(-2)!.closeTime)).toBe(true);
    const s = sigs.at(-1)!.data;
    expect(s).toMatchObject({ source: 'fallback', attribution: 'fallback:momentum', symbol: 'BTCUSDT', ts: cs.at(-1)!.closeTime });
    expect(s.reason).toMatch(/no model ensemble/);
    expect(sigs.at(-1)!.headers['Nats-Msg-Id']).toBe(`sig:sim:BTCUSDT:1m:${cs.at(-1)!.closeTime}`);
    await a.stop();
  });

  it('a killed symbol actor resumes with features identical to an uninterrupted twin', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const cs = await candles(200, 'x');
    // Actor keys are `symbol.<SYM>`, so the twin runs under another symbol fed the same candles.
    const def = symbolDef({ venue: 'sim', interval: '1m' });
    let a = await kit.start('BTCUSDT', def);
    const twin = await kit.start('TWINUSDT', def);
    for (let i = 0; i < cs.length; i++) {
      await env.bus.js.publish(subjects.market('sim', 'BTCUSDT', 'candle.1m'), encode({ ...cs[i], venue: 'sim' }));
      await env.bus.js.publish(subjects.market('sim', 'TWINUSDT', 'candle.1m'), encode({ ...cs[i], venue: 'sim', symbol: 'TWINUSDT' }));
      if (i === 80 || i === 150) {
        await until(() => a.info().processed as number > 0, 'a processed');
        a.inject(new Error('chaos'));
        await a.exited;
        a = await kit.start('BTCUSDT', def);
      }
    }
    await until(() => twin.info().processed === 200, 'twin done');
    await until(async () => (await readStream(env.bus, STREAMS.signals, subjects.features('sim', 'BTCUSDT'))).length === 200, 'a done');
    const fa = await readStream<{ features: number[]; window: number[]; ts: number }>(env.bus, STREAMS.signals, subjects.features('sim', 'BTCUSDT'));
    const fb = await readStream<{ features: number[]; window: number[]; ts: number }>(env.bus, STREAMS.signals, subjects.features('sim', 'TWINUSDT'));
    expect(fa.map((f) => f.data.ts)).toEqual(fb.map((f) => f.data.ts));
    expect(fa.map((f) => f.data.features)).toEqual(fb.map((f) => f.data.features));
    expect(fa.map((f) => f.data.window)).toEqual(fb.map((f) => f.data.window));
    expect(a.actor.getSnapshot().context.candles).toBe(200);
    await a.stop();
    await twin.stop();
  });

  it('rejects NaN, high < low, negative volume, wrong symbol and out-of-order candles to QT_DLQ and lives', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('BTCUSDT', symbolDef({ venue: 'sim', interval: '1m' }));
    const [c0, c1, c2] = await candles(3, 'sim');
    const subj = subjects.market('sim', 'BTCUSDT', 'candle.1m');
    await env.bus.js.publish(subj, encode(c0));
    await env.bus.js.publish(subj, encode({ ...c1, close: Number.NaN }));
    await env.bus.js.publish(subj, encode({ ...c1, high: c1!.low - 1 }));
    await env.bus.js.publish(subj, encode({ ...c1, volume: -5 }));
    await env.bus.js.publish(subj, encode({ ...c1, symbol: 'ETHUSDT' }));
    await env.bus.js.publish(subj, encode(c1));
    await env.bus.js.publish(subj, encode(c0)); // replayed / out of order
    await env.bus.js.publish(subj, encode(c2));
    await until(() => a.info().processed === 8, 'all 8 seen');
    const dlq = [
      ...(await readStream(env.bus, STREAMS.dlq, subjects.dlq('symbol.BTCUSDT'), { decode: false })),
    ];
    const reasons = dlq.map((d) => d.headers[DLQ_REASON_HEADER]);
    expect(reasons).toHaveLength(5);
    expect(reasons[0]).toMatch(/close/);
    expect(reasons[1]).toMatch(/high .* < low/);
    expect(reasons[2]).toMatch(/volume/);
    expect(reasons[3]).toMatch(/ETHUSDT on BTCUSDT's subject/);
    expect(reasons[4]).toMatch(/out-of-order candle/);
    const ctx = a.actor.getSnapshot().context;
    expect(ctx.candles).toBe(3);
    expect(ctx.rejected).toBe(1);
    expect(a.actor.getSnapshot().status).toBe('active');
    await a.stop();
  });
});
