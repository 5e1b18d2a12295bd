/**
 * The chaos runner: starts an environment per kind (in-node simulator, external simulator), runs
 * the scenarios in it one after another while the node trades, and after each one settles the
 * node (kill switch on, faults off, a reconciliation pass) and checks every invariant against the
 * simulator's own records. Broken invariants come with their event trails.
 */
import { ChaosEnv, nodesOf } from './env.js';
import { checkInvariants, positionsMatch } from './invariants.js';
import { runtimeRecords, simHistory } from './records.js';
import { INJECTED, seeded, sleep, type Scenario, type ScenarioCtx } from './scenario.js';
import { actorKills, crashLoop, kill9 } from './scenarios-kill.js';
import { natsRestart, venueFaults } from './scenarios-infra.js';
import { fuzz } from './scenarios-fuzz.js';
import { renderTrail } from './trail.js';
import type { ScenarioResult, Violation } from './types.js';

/** Every scenario, in the order `all` runs them. */
export const SCENARIOS: Scenario[] = [fuzz, actorKills, venueFaults, natsRestart, kill9, crashLoop];

export interface ChaosRunOptions {
  /** Scenario names, or all of them. */
  scenarios?: string[];
  long?: boolean;
  /** An existing nats-server (NATS restarts are skipped then). */
  natsUrl?: string;
  /** @default 5 */
  symbols?: number;
  /** @default 7 */
  seed?: number;
  /** Speed of the simulator's market (in the node, or the external `qt sim`). @default 10 */
  speed?: number;
  log?: (line: string) => void;
  /** Max trails rendered per scenario. @default 6 */
  maxTrails?: number;
  /** Pause between fuzz messages; 0 sends them in one burst. @default 0 */
  fuzzPaceMs?: number;
  /** Fuzz probes (by label, e.g. /oversized/) left out. */
  fuzzSkip?: RegExp;
  /**
   * Wait for the first venue fill before the first scenario (chaos while trading). A scenario
   * that ends without any venue fill then fails: it checked nothing about orders. @default true
   */
  awaitTrading?: boolean;
  /** How long to wait for that fill. @default 120000 (90000 against the external simulator) */
  tradingWaitMs?: number;
  /** QT_* variables for the node processes, over the chaos defaults. */
  nodeEnv?: Record<string, string>;
}

const keyOf = (v: Violation) => `${v.invariant}|${v.symbol ?? ''}|${v.clientOrderId ?? ''}|${v.invariant === 'stop-coverage' || v.invariant === 'no-actor-errors' || v.invariant === 'restarts-explained' ? v.detail : ''}`;

/**
 * Brings the node to a checkable state — entries halted, faults cleared, a reconciliation pass
 * (every 5 s) — and waits until the runtime's positions equal the venue's twice in a row (or gives up).
 */
async function settle(env: ChaosEnv, log: (l: string) => void): Promise<void> {
  await env.killSwitch(true);
  await env.fault({ action: 'clear' }).catch(() => undefined);
  const deadline = Date.now() + 30_000;
  let agreed = 0;
  while (Date.now() < deadline && agreed < 2) {
    await sleep(1_500);
    const [h, r] = await Promise.all([simHistory(env.simUrl), runtimeRecords(env.bus)]);
    agreed = positionsMatch(h, r.positions).length === 0 ? agreed + 1 : 0;
  }
  if (agreed < 2) log('positions still differ from the venue after 30 s of settling');
}

/** Runs one scenario in a live environment and checks the invariants after it. */
async function runOne(env: ChaosEnv, s: Scenario, o: Required<Pick<ChaosRunOptions, 'long' | 'seed' | 'maxTrails' | 'fuzzPaceMs'>> & Pick<ChaosRunOptions, 'fuzzSkip'>, reported: Set<string>, log: (l: string) => void): Promise<ScenarioResult> {
  const started = Date.now();
  const symbols = nodesOf(await env.tree()).filter((n) => n.path.startsWith('root.orders.orders-')).map((n) => n.id.replace(/^orders-/, ''));
  const ctx: ScenarioCtx = { env, long: o.long, random: seeded(o.seed + s.name.length), log, stats: {}, failures: [], notes: [], symbols, paceMs: o.fuzzPaceMs, ...(o.fuzzSkip ? { fuzzSkip: o.fuzzSkip } : {}) };
  if (symbols[0]) await env.anchorMarketClock(symbols[0]);
  log(`scenario ${s.name}: ${s.description}`);
  await env.killSwitch(false);
  try {
    await s.run(ctx);
  } catch (e) {
    ctx.failures.push(`scenario threw: ${(e as Error).stack ?? String(e)}`);
    if (env.node?.proc.exitCode !== null) {
      ctx.failures.push(`node log tail:\n${env.logTail(30)}`);
      // The runner acts as the process manager: bring a node back for the invariant check.
      await env.restartNode(Date.now(), {}).catch((err: unknown) => ctx.failures.push(`restart failed: ${(err as Error).message}`));
    }
  }
  try {
    await settle(env, log);
  } catch (e) {
    // The venue or the node is gone (an in-node simulator dies with its node): say why, with the logs.
    ctx.failures.push(`settling failed: ${(e as Error).message}; node ${env.node?.proc.exitCode === null ? 'running' : `exited ${env.node?.proc.exitCode}`}\nnode log tail:\n${env.logTail(60)}`);
    throw new Error(ctx.failures.join('\n'), { cause: e });
  }
  if (symbols[0]) await env.anchorMarketClock(symbols[0]);
  const [h, r] = await Promise.all([simHistory(env.simUrl), runtimeRecords(env.bus)]);
  const all = checkInvariants(h, r, { marketNow: env.marketAt(Date.now()), outages: env.outages, toleratedCrashes: env.tolerated, injected: INJECTED });
  const violations = all.filter((v) => !reported.has(keyOf(v)));
  for (const v of violations) reported.add(keyOf(v));
  const trails: string[] = [];
  for (const v of violations.filter((x) => x.symbol).slice(0, o.maxTrails)) trails.push(await renderTrail(env.bus, v));
  const stats = { ...ctx.stats, venueOrders: h.orders.length, venueTrades: h.trades.length, venueRejects: h.rejects.length };
  const result: ScenarioResult = { name: s.name, ok: ctx.failures.length === 0 && violations.length === 0, stats, failures: ctx.failures, violations, notes: ctx.notes, trails, wallMs: Date.now() - started };
  log(`scenario ${s.name}: ${result.ok ? 'ok' : 'FAILED'} in ${(result.wallMs / 1000).toFixed(1)} s ${JSON.stringify(stats)}`);
  return result;
}

/** Runs the chosen scenarios, grouped by the environment they need; one result per scenario. */
export async function runChaos(opts: ChaosRunOptions = {}): Promise<ScenarioResult[]> {
  const log = opts.log ?? (() => undefined);
  const names = !opts.scenarios?.length || opts.scenarios.includes('all') ? SCENARIOS.map((s) => s.name) : opts.scenarios;
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}, all`);
  const chosen = SCENARIOS.filter((s) => names.includes(s.name));
  const o = { long: opts.long ?? false, seed: opts.seed ?? 7, maxTrails: opts.maxTrails ?? 6, fuzzPaceMs: opts.fuzzPaceMs ?? 0, ...(opts.fuzzSkip ? { fuzzSkip: opts.fuzzSkip } : {}) };
  const results: ScenarioResult[] = [];
  for (const mode of ['inproc', 'external'] as const) {
    const group = chosen.filter((s) => s.env === mode);
    if (!group.length) continue;
    // The external simulator may run faster than real time too: a (re)started node takes its
    // market clock from the simulator (GET /sim/clock), so it stays in step after every kill -9.
    const env = await ChaosEnv.start({ mode, symbols: opts.symbols ?? 5, speed: opts.speed ?? 10, seed: o.seed, ...(opts.natsUrl ? { natsUrl: opts.natsUrl } : {}), ...(opts.nodeEnv ? { extraEnv: opts.nodeEnv } : {}), log });
    log(`${mode} environment up: nats ${env.natsUrl}, simulator ${env.simUrl}`);
    // Chaos while trading: wait for the first venue fill (warm-up intents are stale and denied).
    const waitMs = opts.tradingWaitMs ?? (mode === 'external' ? 90_000 : 120_000);
    const tradingBy = opts.awaitTrading === false ? 0 : Date.now() + waitMs;
    while (Date.now() < tradingBy && (await simHistory(env.simUrl).catch(() => undefined))?.trades.length === 0) await sleep(1_000);
    const trading = (await simHistory(env.simUrl)).trades.length > 0;
    log(`trading ${trading ? 'active' : 'NOT active yet (no venue fill)'}`);
    const reported = new Set<string>();
    try {
      for (const s of group) {
        const r = await runOne(env, s, o, reported, log);
        // Chaos while trading is the point: invariants that held over a node that never traded
        // say nothing about orders and positions, and must not read as a pass.
        if (opts.awaitTrading !== false && !trading && r.stats.venueTrades === 0) {
          r.failures.push(`no venue fill in the ${waitMs / 1000} s before the scenario nor during it: the invariants were not checked against any trading (this market and seed gave no entry; try another --seed or more --symbols)`);
          r.ok = false;
        }
        results.push(r);
      }
    } finally {
      await env.close();
    }
  }
  return results;
}

/** A human report of the results. */
export function renderResults(results: ScenarioResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.ok ? 'PASS' : 'FAIL'} ${r.name} (${(r.wallMs / 1000).toFixed(1)} s) ${JSON.stringify(r.stats)}`);
    for (const n of r.notes) lines.push(`  note: ${n}`);
    for (const f of r.failures) lines.push(`  failure: ${f}`);
    for (const v of r.violations) lines.push(`  violation [${v.invariant}] ${v.detail}`);
    for (const t of r.trails) lines.push(t.split('\n').map((l) => `  ${l}`).join('\n'));
  }
  return lines.join('\n');
}
