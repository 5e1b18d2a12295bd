import { describe, expect, it } from 'vitest';
import { DLQ_REASON_HEADER, STREAMS, subjects, type Candle, type Regime, type RegimeUpdate } from '../../../protocols/index.js';
import { FIXTURE_BTC_1M, readKlineCsv } from '../../../models/data/index.js';
import { computeFeatureMatrix, FEATURE_NAMES, FEATURE_SPEC } from '../../../models/features/index.js';
import { encode } from '../../../runtime/codec.js';
import { loadConfig } from '../../../runtime/config/index.js';
import { regimeDef } from '../../../runtime/cli/defs-strategy.js';
import { natsEnv } from '../../../runtime/testing/nats-env.js';
import { hostKit } from '../../../runtime/testing/host-env.js';
import { readStream, until } from '../../../runtime/testing/wait.js';
import { DEFAULT_REGIME_PARAMS, emptySymbolState, marketRegime, stepSymbol, type RegimeFeatures, type RegimeParams } from './classify.js';

interface FeatureMsg { venue: string; symbol: string; interval: string; ts: number; close: number; ready: boolean; names: string[]; features: number[]; window: number[]; atr: number | null }

/** The symbol actors' features messages for a candle series, computed with the one feature spec. */
function featureMsgs(cs: Candle[], symbol: string): FeatureMsg[] {
  const m = computeFeatureMatrix(cs);
  const F = FEATURE_SPEC.size;
  return cs.map((c, i) => ({
    venue: 'sim', symbol, interval: '1m', ts: c.closeTime, close: c.close, ready: m.ready[i] === 1, names: [...FEATURE_NAMES],
    features: Array.from(m.features.subarray(i * F, (i + 1) * F)), window: [], atr: Number.isNaN(m.atr[i]) ? null : m.atr[i]!,
  }));
}

const pick = (f: FeatureMsg): RegimeFeatures => {
  const g = (n: string) => f.features[f.names.indexOf(n)]!;
  return { emaRatio: g('ema_ratio'), ret60: g('ret_60'), atrNorm: g('atr_14_norm'), bbWidth: g('bb_width') };
};

function labels(msgs: FeatureMsg[], p: RegimeParams): Regime[] {
  let s = emptySymbolState();
  return msgs.filter((m) => m.ready).map((m) => (s = stepSymbol(s, pick(m), p)).label);
}

function runs(ls: Regime[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ls.length; i++) if (i === 0 || ls[i] !== ls[i - 1]) out.push(1); else out[out.length - 1]!++;
  return out;
}

/** Mirror image of a series: a rally becomes a sell-off with the same volatility. */
const invert = (c: Candle): Candle => ({ ...c, symbol: 'INVUSDT', open: 1e8 / c.open, close: 1e8 / c.close, high: 1e8 / c.low, low: 1e8 / c.high });

describe('regime classification on real candles', () => {
  it('labels BTCUSDT 1m with several regimes, and hysteresis keeps them stable', async () => {
    const msgs = featureMsgs(await readKlineCsv(FIXTURE_BTC_1M), 'BTCUSDT');
    const ls = labels(msgs, DEFAULT_REGIME_PARAMS);
    const distinct = new Set(ls);
    expect(distinct.size).toBeGreaterThanOrEqual(3);
    expect(distinct.has('range')).toBe(true);
    const rs = runs(ls);
    // Every label holds at least confirmBars bars, and runs are long on average.
    expect(Math.min(...rs.slice(0, -1))).toBeGreaterThanOrEqual(DEFAULT_REGIME_PARAMS.confirmBars);
    expect(ls.length / rs.length).toBeGreaterThan(20);
    const jumpy = runs(labels(msgs, { ...DEFAULT_REGIME_PARAMS, confirmBars: 1, trendExit: DEFAULT_REGIME_PARAMS.trendEnter, volExit: DEFAULT_REGIME_PARAMS.volEnter }));
    expect(rs.length).toBeLessThan(jumpy.length * 0.7);
  });

  it('the inverted series mirrors the trend labels', async () => {
    const cs = (await readKlineCsv(FIXTURE_BTC_1M)).slice(0, 2_000);
    const up = labels(featureMsgs(cs, 'BTCUSDT'), DEFAULT_REGIME_PARAMS);
    const down = labels(featureMsgs(cs.map(invert), 'INVUSDT'), DEFAULT_REGIME_PARAMS);
    const ups = up.map((l, i) => [l, down[i]] as const).filter(([l]) => l === 'trend_up');
    expect(ups.length).toBeGreaterThan(0);
    expect(ups.filter(([, d]) => d === 'trend_down').length / ups.length).toBeGreaterThan(0.8);
  });

  it('the market regime follows the cross-section', () => {
    const p = DEFAULT_REGIME_PARAMS;
    const item = (label: Regime, trend: number) => ({ label, trend, atrNorm: 0.001 });
    expect(marketRegime('unknown', [], p).regime).toBe('unknown');
    expect(marketRegime('range', [item('volatile', 0), item('volatile', 0), item('range', 0)], p).regime).toBe('volatile');
    expect(marketRegime('range', [item('trend_up', 2), item('trend_up', 1.5), item('range', 0)], p)).toMatchObject({ regime: 'trend_up', trend: 1.5 });
    // Hysteresis: an established market trend survives a median of 0.5 (> trendExit), a fresh one does not start.
    expect(marketRegime('trend_down', [item('range', -0.5)], p).regime).toBe('trend_down');
    expect(marketRegime('range', [item('range', -0.5)], p).regime).toBe('range');
  });
});

describe('regime actor', () => {
  it('publishes symbol and MARKET regimes only on change (plus refresh), dead-letters bad features and lives', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const cfg = loadConfig({ env: {}, overrides: { strategy: { regime: { refreshMs: 60 * 60_000 } } } });
    const a = await kit.start('main', regimeDef(cfg));
    const cs = (await readKlineCsv(FIXTURE_BTC_1M)).slice(0, 700);
    const btc = featureMsgs(cs, 'BTCUSDT');
    const inv = featureMsgs(cs.map(invert), 'INVUSDT');
    for (let i = 0; i < cs.length; i++) {
      await env.bus.js.publish(subjects.features('sim', 'BTCUSDT'), encode(btc[i]));
      await env.bus.js.publish(subjects.features('sim', 'INVUSDT'), encode(inv[i]));
    }
    await env.bus.js.publish(subjects.features('sim', 'BTCUSDT'), encode({ ...btc[600], names: ['x'] }));
    await env.bus.js.publish(subjects.features('sim', 'BTCUSDT'), encode({ ...btc[600], symbol: 'ETHUSDT' }));
    await env.bus.js.publish(subjects.features('sim', 'BTCUSDT'), encode(btc[650])); // replay: ignored
    const total = cs.length * 2 + 3;
    await until(() => a.info().processed === total, 'all features');

    const got = await readStream<RegimeUpdate>(env.bus, STREAMS.signals, subjects.regime('BTCUSDT'));
    const expected = labels(btc, DEFAULT_REGIME_PARAMS);
    const changes = expected.filter((l, i) => i === 0 || l !== expected[i - 1]);
    const refreshes = got.filter((g, i) => i > 0 && g.data.regime === got[i - 1]!.data.regime);
    expect(got.length - refreshes.length).toBe(changes.length);
    expect(got.map((g) => g.data.regime).filter((l, i, xs) => i === 0 || l !== xs[i - 1])).toEqual(changes);
    expect(new Set(got.map((g) => g.data.regime)).size).toBeGreaterThan(1);
    expect(got[0]!.headers['Nats-Msg-Id']).toBe(`regime:BTCUSDT:${got[0]!.data.ts}`);
    for (const r of refreshes) expect(r.data.ts - got[got.indexOf(r) - 1]!.data.ts).toBeGreaterThanOrEqual(60 * 60_000);

    const market = await readStream<RegimeUpdate>(env.bus, STREAMS.signals, subjects.regime('MARKET'));
    expect(market.length).toBeGreaterThan(0);
    expect(market.every((m) => m.data.symbol === 'MARKET')).toBe(true);

    const dlq = await readStream(env.bus, STREAMS.dlq, subjects.dlq('regime.main'), { decode: false });
    expect(dlq.map((d) => d.headers[DLQ_REASON_HEADER])).toEqual([expect.stringMatching(/features has 13 values for 1 names/), expect.stringMatching(/ETHUSDT on BTCUSDT's subject/)]);
    const ctx = a.actor.getSnapshot().context as { ignored: number };
    expect(ctx.ignored).toBeGreaterThan(1);
    expect(a.actor.getSnapshot().status).toBe('active');
    await a.stop();
  });
});
