/**
 * Live latency, candle close → entry order accepted by the simulator, through a real node
 * (`qt up --venue sim` process) on a real nats-server: market data → symbol actor → signal →
 * strategy → intent → risk → orders actor → executor → venue.
 *
 * The end points come from the simulator's own clock: the candle closes at its close time and the
 * order is accepted at the order's `time` in `/sim/history`, both in the node's market time, so
 * latency in wall ms is their difference divided by the speed. The hops in between come from the
 * JetStream timestamps of the messages along the path (the server's receive time, wall clock).
 */
import { clientOrderId, STREAMS, subjects, type Candle, type Intent, type Signal } from '../../protocols/index.js';
import { simHistory } from '../chaos/records.js';
import type { SimOrder } from '../chaos/types.js';
import { decode } from '../codec.js';
import type { Bus } from '../nats/index.js';
import { readTimed, riskVerdicts, startLiveEnv, TIGHT_STOPS, type TimedMsg } from './live-env.js';
import { summary } from './stats.js';

const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (x: number) => Math.round(x * 10) / 10;

/** One entry order's path, wall ms; absent where a message was not found. */
interface Path {
  total: number;
  md?: number;
  signal?: number;
  intent?: number;
  submit?: number;
  exec?: number;
  report?: number;
  /** Market ms of the close and of the venue's acceptance. */
  closeM: number;
  acceptM: number;
}

/** Everything stored along the path, indexed by Nats-Msg-Id. */
async function pathMessages(bus: Bus): Promise<Map<string, TimedMsg>> {
  const all = await Promise.all([
    readTimed(bus, STREAMS.market, subjects.marketEach('sim', 'candle.1m')),
    readTimed(bus, STREAMS.signals, subjects.signalAll),
    readTimed(bus, STREAMS.intents, subjects.intentAll),
    readTimed(bus, STREAMS.orders, subjects.orderEach('submit')),
    readTimed(bus, STREAMS.orders, subjects.orderEach('exec')),
    readTimed(bus, STREAMS.orders, subjects.orderEach('report')),
  ]);
  const byId = new Map<string, TimedMsg>();
  for (const list of all) for (const m of list) if (m.msgId && !byId.has(m.msgId)) byId.set(m.msgId, m);
  return byId;
}

/** Joins every accepted entry order with its candle, signal, intent, submit, exec and report. */
function paths(orders: SimOrder[], byId: Map<string, TimedMsg>, speed: number): Path[] {
  const intents = new Map<string, Intent>();
  for (const m of byId.values()) {
    if (!m.subject.startsWith('qt.intent.')) continue;
    const it = decode<Intent>(m.data);
    if (it.kind === 'entry') intents.set(clientOrderId(it.intentId, 'entry'), it);
  }
  const out: Path[] = [];
  for (const o of orders) {
    const it = intents.get(o.clientOrderId);
    if (!it) continue;
    const closeM = Math.ceil(it.ts / MINUTE) * MINUTE;
    const at = (id: string) => byId.get(id)?.at;
    const md = at(`sim:${it.symbol}:1m:${closeM - MINUTE}`);
    const p: Path = { total: (o.time - closeM) / speed, closeM, acceptM: o.time };
    const hops = { md, signal: at(`sig:sim:${it.symbol}:1m:${it.ts}`), intent: at(it.intentId), submit: at(o.clientOrderId), exec: at(`exec:${o.clientOrderId}:place:0`) ?? at(`exec:${o.clientOrderId}:place:1`), report: at(`rep:${o.clientOrderId}:NEW:0`) };
    for (const [k, v] of Object.entries(hops)) if (v !== undefined) p[k as 'md'] = v;
    out.push(p);
  }
  return out;
}

/**
 * Wall time of market time 0 on the node's scaled clock (wall = w0 + market / speed), bounded by
 * every order: the venue accepted it after the exec command was stored and before its REST
 * answer was. The interval's middle is used; its width is the uncertainty of the first hop.
 */
function anchor(ps: Path[], speed: number): { w0: number; width: number } | undefined {
  let lo = -Infinity;
  let hi = Infinity;
  for (const p of ps) {
    if (p.exec === undefined || p.report === undefined) continue;
    lo = Math.max(lo, p.exec - p.acceptM / speed);
    hi = Math.min(hi, p.report - p.acceptM / speed);
  }
  return lo <= hi && Number.isFinite(lo) ? { w0: (lo + hi) / 2, width: hi - lo } : undefined;
}

function breakdown(ps: Path[], speed: number) {
  const a = anchor(ps, speed);
  const full = ps.filter((p) => p.md !== undefined && p.signal !== undefined && p.intent !== undefined && p.submit !== undefined && p.exec !== undefined);
  const hop = (f: (p: Path) => number) => {
    const s = summary(full.map(f));
    return { p50: r1(s.p50), p99: r1(s.p99), mean: r1(s.mean) };
  };
  const closeWall = (p: Path) => a!.w0 + p.closeM / speed;
  const acceptWall = (p: Path) => a!.w0 + p.acceptM / speed;
  return {
    orders_with_every_hop: full.length,
    ...(a ? { 'close→candle stored (market data)': hop((p) => p.md! - closeWall(p)) } : {}),
    'candle→signal (symbol actor)': hop((p) => p.signal! - p.md!),
    'signal→intent (strategy)': hop((p) => p.intent! - p.signal!),
    'intent→submit (risk)': hop((p) => p.submit! - p.intent!),
    'submit→exec (orders actor)': hop((p) => p.exec! - p.submit!),
    ...(a ? { 'exec→venue accepted (executor + REST)': hop((p) => acceptWall(p) - p.exec!) } : { 'close→candle + exec→accept (not split: no clock anchor)': hop((p) => p.total - (p.exec! - p.md!)) }),
    ...(a ? { clock_anchor_uncertainty_ms: r1(a.width) } : {}),
  };
}

/** Where candles went, for a window: how many became signals, intents, approvals and venue entries. */
async function funnel(bus: Bus, byId: Map<string, TimedMsg>, from: number, entries: number) {
  const inWin = [...byId.values()].filter((m) => m.at >= from);
  const count = (pre: string, f: (m: TimedMsg) => boolean = () => true) => inWin.filter((m) => m.subject.startsWith(pre) && f(m)).length;
  return {
    candles: count('qt.md.'), signals_buy_sell: count('qt.signal.', (m) => !m.subject.endsWith('.regime') && decode<Signal>(m.data).side !== 'HOLD'),
    intents: count('qt.intent.'), ...(await riskVerdicts(bus, from)), venue_entries: entries,
  };
}

/**
 * Waits until every symbol's last closed 1m candle is on the stream in time. A fresh node backfills
 * its warm-up history through the venue's request budget (minutes at 500 symbols), and a symbol's
 * live candles queue behind its backfill: those are start-up, not live latency.
 */
async function marketCurrent(bus: Bus, simUrl: string, timeoutMs: number): Promise<{ seconds: number; behind: number }> {
  const t0 = Date.now();
  const info = (await (await fetch(`${simUrl}/fapi/v1/exchangeInfo`)).json()) as { symbols: Array<{ symbol: string }> };
  const symbols = info.symbols.map((x) => x.symbol);
  let behind = symbols.length;
  while (Date.now() - t0 < timeoutMs) {
    const { marketTime, speed } = (await (await fetch(`${simUrl}/sim/clock`)).json()) as { marketTime: number; speed: number };
    const into = marketTime % MINUTE;
    // Just after a close its candles are still on their way: judge the close 10 s of market time later.
    if (into < 10_000) {
      await sleep((10_000 - into) / speed + 50);
      continue;
    }
    const want = marketTime - into - MINUTE;
    behind = 0;
    for (const s of symbols) {
      const m = await bus.jsm.streams.getMessage(STREAMS.market, { last_by_subj: subjects.market('sim', s, 'candle.1m') }).catch(() => undefined);
      if (!m || decode<Candle>(m.data).openTime < want) behind++;
    }
    if (behind === 0) break;
    await sleep(5_000);
  }
  return { seconds: Math.round((Date.now() - t0) / 1000), behind };
}

/** Runs one node at `symbols` for `seconds` and measures every entry it placed after warm-up. */
export async function benchLatency(symbols: number, o: { seconds: number; speed: number; mode?: 'inproc' | 'external' }): Promise<Record<string, unknown>> {
  // `external`: the simulator in its own process, as a venue is in production (speed 1 only).
  const speed = o.mode === 'external' ? 1 : o.speed;
  await using env = await startLiveEnv({ symbols, speed, env: TIGHT_STOPS, ...(o.mode ? { mode: o.mode } : {}) });
  // Warm-up candles and the first bursts of a fresh node are not live latency: wait for its
  // first entry at the venue, then two more candle closes.
  const by = Date.now() + 300_000;
  while (Date.now() < by && !(await simHistory(env.simUrl)).orders.some((x) => x.clientOrderId.endsWith('-entry'))) await sleep(1_000);
  const warm = await marketCurrent(env.bus, env.simUrl, 600_000);
  await sleep(Math.max(5_000, (2 * MINUTE) / speed));
  const from = Date.now();
  await sleep(o.seconds * 1_000);
  const h = await simHistory(env.simUrl);
  const byId = await pathMessages(env.bus);
  const ps = paths(h.orders.filter((x) => x.clientOrderId.endsWith('-entry')), byId, speed).filter((p) => p.md !== undefined && p.md >= from);
  const s = summary(ps.map((p) => p.total));
  // The first entry accepted after each candle close met no queue: the pipeline's own latency.
  const first = new Map<number, number>();
  for (const p of ps) first.set(p.closeM, Math.min(first.get(p.closeM) ?? Infinity, p.total));
  const f = summary([...first.values()]);
  // The node's own share: close → exec command stored, before the executor's pacing and REST.
  const a = anchor(ps, speed);
  const pipe = a ? summary(ps.filter((p) => p.exec !== undefined).map((p) => p.exec! - (a.w0 + p.closeM / speed))) : undefined;
  return {
    symbols, speed, ...(o.mode === 'external' ? { simulator: 'own process' } : {}), seconds: o.seconds, market_caught_up_after_first_entry_s: warm.seconds, ...(warm.behind ? { symbols_still_behind: warm.behind } : {}),
    entries: s.n, p50_ms: r1(s.p50), p99_ms: r1(s.p99), max_ms: r1(s.max), mean_ms: r1(s.mean),
    first_entry_per_close: { closes: f.n, p50_ms: r1(f.p50), p99_ms: r1(f.p99) },
    ...(pipe ? { close_to_exec_command: { p50_ms: r1(pipe.p50), p99_ms: r1(pipe.p99) } } : {}),
    hops: breakdown(ps, speed),
    funnel: await funnel(env.bus, byId, from, ps.length),
    ...(ps.length === 0 ? { node_log_tail: env.logTail(6) } : {}),
    measured: 'candle close (simulator market clock) → entry accepted (simulator order time), ÷ speed; hops from JetStream timestamps',
    ...(symbols === 50 ? { goal: `p99 ≤ 10 ms at 50 symbols (${s.p99 <= 10 ? 'met' : 'not met'})` } : {}),
  };
}
