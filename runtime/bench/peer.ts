/**
 * Issue #7: replay throughput of our full pipeline (ONNX ensemble, 50 symbols, `runBacktest`)
 * beside the TypeScript peer backtest-kit on the same candles, in the same run.
 *
 * backtest-kit@19.5.0 cannot be installed from the registry this project builds from: its
 * dependencies are missing there (see PEER_BLOCKER). The section still measures our side, and
 * tries to load the peer, so that the comparison runs as soon as the package can be installed.
 */
import { backtest50 } from './extra.js';

const PEER = 'backtest-kit';
const PEER_VERSION = '19.5.0';

/** Why the peer is not in package.json (checked with `npm view` on 2026-11-21). */
export const PEER_BLOCKER =
  'backtest-kit@19.5.0 (the only version the registry holds) depends on di-kit ^1.1.1, di-scoped ^1.0.21, di-singleton ^1.0.5, ' +
  'functools-kit ^5.0.0 and get-moment-stamp ^3.0.0; the registry has di-kit ≤ 1.0.18, di-scoped ≤ 1.0.20, functools-kit ≤ 1.0.95, ' +
  'get-moment-stamp 1.1.1 and no di-singleton at all, so `npm install` fails with ETARGET (and its peer typescript ^5 conflicts with our typescript 6, ERESOLVE). ' +
  'Its bundle imports ToolRegistry, LimitedMap, singlerun… from functools-kit 5, so an older functools-kit cannot stand in.';

async function loadPeer(): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    // A variable specifier: the package is optional and absent from package.json.
    const name: string = PEER;
    await import(name);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: `${(e as Error).message.split('\n')[0]}. ${PEER_BLOCKER}` };
  }
}

export async function benchPeer(candles: number): Promise<Record<string, unknown>> {
  const bt = await backtest50(candles);
  const peer = await loadPeer();
  const ours = bt.candlesPerSecond;
  return {
    candles: `synthetic generator, seed 3, 50 symbols × ${candles} 1m candles`,
    ours_candle_events: bt.candleEvents, ours_seconds: Math.round(bt.wallSeconds * 100) / 100, ours_candle_events_per_s: ours,
    ours_pipeline: 'symbol → ONNX ensemble (batched) → regime/strategy → risk → orders → positions → in-process engine',
    peer: `${PEER}@${PEER_VERSION}`,
    peer_candle_events_per_s: peer.ok ? 'loaded but no adapter run: see runtime/bench/peer.ts' : 'not run',
    ...(peer.ok ? {} : { peer_error: peer.error }),
    ratio: 'n/a (peer not run)',
    goal: `≥ 100k/s (${ours >= 100_000 ? 'met' : 'not met'}) and ≥ 5× the peer (not measurable)`,
  };
}
