import { getPointer } from '../ai/pointers.js';
import { hasModel } from '../ai/registry.js';
import { BUCKETS, findInTree, OBJECT_STORES, subjects, type NodeStatusRecord } from '../../protocols/index.js';
import type { Config } from '../config/index.js';
import { healthFromTree } from '../metrics/health.js';
import { checkTrading } from './doctor-trading.js';
import { judgeNodes, listNodes } from './node-id.js';
import { collectConsumerLag } from '../metrics/lag.js';
import { connectBus, streamConfigs, type Bus, type BusOptions } from '../nats/index.js';

/** `unavailable`: the check exists but what it needs is not built yet; never counted as a pass. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unavailable' | 'skipped';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface DoctorReport {
  /** No check failed (warnings and unavailable checks do not fail the run). */
  ok: boolean;
  url: string;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  cfg: Config;
  /** Connection settings; `url` is required. */
  connection: BusOptions;
  /** Consumer backlog that earns a warning. @default 1000 */
  lagWarn?: number;
  /** Unacked deliveries that earn a warning. @default 500 */
  ackPendingWarn?: number;
  /** @default 3000 */
  timeoutMs?: number;
}

const VENUE_REST: Record<string, string> = { 'binance-testnet': 'https://testnet.binancefuture.com', 'binance-live': 'https://fapi.binance.com' };

const findNode = (t: NodeStatusRecord | undefined, path: string) => findInTree(t, (n) => n.path === path);

/** Venue adapter running (from the live tree), its breakers, and clock skew against the venue's time. */
async function checkVenue(tree: NodeStatusRecord | undefined, cfg: Config, timeoutMs: number): Promise<DoctorCheck[]> {
  const adapter = findNode(tree, 'root.venue.adapter');
  if (!adapter) return [{ name: 'venue', status: 'unavailable', detail: 'this node runs no venue subtree' }, { name: 'clock-skew', status: 'unavailable', detail: 'no venue' }];
  const open = Object.entries((adapter.info ?? {}) as Record<string, { state?: string }>).filter(([, v]) => v?.state && v.state !== 'closed').map(([k, v]) => `${k}:${v.state}`);
  const venue: DoctorCheck = adapter.status !== 'running'
    ? { name: 'venue', status: 'fail', detail: `adapter is ${adapter.status}` }
    : open.length ? { name: 'venue', status: 'warn', detail: `adapter running; breakers not closed: ${open.join(', ')}` } : { name: 'venue', status: 'pass', detail: `adapter running (${cfg.venue.kind}); breakers closed` };
  const base = (findNode(tree, 'root.venue.sim')?.info?.url as string | undefined) ?? cfg.sim.url ?? VENUE_REST[cfg.venue.kind];
  if (!base) return [venue, { name: 'clock-skew', status: 'unavailable', detail: 'venue URL unknown' }];
  try {
    const t0 = Date.now();
    const res = await fetch(`${base}/fapi/v1/time`, { signal: AbortSignal.timeout(timeoutMs) });
    const { serverTime } = (await res.json()) as { serverTime: number };
    const skew = Math.abs(serverTime - (t0 + Date.now()) / 2);
    const status = skew > 5_000 ? 'fail' : skew > 1_000 ? 'warn' : 'pass';
    return [venue, { name: 'clock-skew', status, detail: `${Math.round(skew)} ms against ${base} (recvWindow is 5000)` }];
  } catch (e) {
    return [venue, { name: 'clock-skew', status: 'fail', detail: `cannot read ${base}/fapi/v1/time: ${(e as Error).message}` }];
  }
}

/** The champion pointer exists and every member is in the object store. */
async function checkModels(b: Bus): Promise<DoctorCheck> {
  const p = await getPointer(b, 'champion');
  if (!p || !p.value.ids.length) return { name: 'models', status: 'warn', detail: 'no champion: signals come from the labelled fallback rule' };
  const missing = [];
  for (const id of p.value.ids) if (!(await hasModel(b, id))) missing.push(id);
  return missing.length
    ? { name: 'models', status: 'fail', detail: `champion members missing from qt_models: ${missing.join(', ')}` }
    : { name: 'models', status: 'pass', detail: `champion ${p.value.ids.join(' + ')}` };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms).unref())]);
}

async function checkLayout(bus: Bus, cfg: Config): Promise<DoctorCheck[]> {
  const missing: string[] = [];
  const drift: string[] = [];
  for (const want of streamConfigs(cfg)) {
    const have = await bus.jsm.streams.info(want.name).catch(() => undefined);
    if (!have) missing.push(want.name);
    else if (JSON.stringify([...have.config.subjects].sort()) !== JSON.stringify([...want.subjects].sort())) drift.push(`${want.name} subjects ${have.config.subjects.join(',')}`);
  }
  const streams: DoctorCheck = missing.length || drift.length
    ? { name: 'streams', status: 'fail', detail: [missing.length ? `missing: ${missing.join(', ')}` : '', drift.length ? `differ: ${drift.join('; ')}` : ''].filter(Boolean).join('; ') + ' (run `qt up` once to provision)' }
    : { name: 'streams', status: 'pass', detail: `${streamConfigs(cfg).length} streams present` };
  const wanted = [...Object.values(BUCKETS).map((b) => [b, `KV_${b}`]), [OBJECT_STORES.models, `OBJ_${OBJECT_STORES.models}`]] as const;
  const absent: string[] = [];
  for (const [name, stream] of wanted) if (!(await bus.jsm.streams.info(stream).catch(() => undefined))) absent.push(name);
  const buckets: DoctorCheck = absent.length ? { name: 'buckets', status: 'fail', detail: `missing: ${absent.join(', ')}` } : { name: 'buckets', status: 'pass', detail: `${wanted.map(([n]) => n).join(', ')} present` };
  return [streams, buckets];
}

async function checkLag(bus: Bus, lagWarn: number, ackWarn: number): Promise<DoctorCheck> {
  const { consumers } = await collectConsumerLag(bus.jsm);
  const behind = consumers.filter((c) => c.pending > lagWarn || c.ackPending > ackWarn).sort((a, b) => b.pending - a.pending);
  if (!behind.length) return { name: 'consumer-lag', status: 'pass', detail: `${consumers.length} consumers, none above ${lagWarn} pending / ${ackWarn} unacked` };
  const top = behind.slice(0, 5).map((c) => `${c.stream}/${c.consumer} pending=${c.pending} unacked=${c.ackPending}`);
  return { name: 'consumer-lag', status: 'warn', detail: `${behind.length} lagging: ${top.join('; ')}` };
}

/** The answering node's supervision tree, asked once: supervision, venue and trading all read it. */
type TreeAnswer = { tree: NodeStatusRecord } | { error: string };

async function askTree(bus: Bus, timeoutMs: number): Promise<TreeAnswer> {
  try {
    const r = await bus.nc.request(subjects.control('supervisor', 'status'), '', { timeout: timeoutMs });
    const body = JSON.parse(r.string()) as { ok?: boolean; tree?: NodeStatusRecord; error?: string };
    if (!body.ok || !body.tree) return { error: `qt-supervisor answered without a tree: ${body.error ?? 'no error given'}` };
    return { tree: body.tree };
  } catch (e) {
    return { error: `no qt-supervisor answered on ${subjects.control('supervisor', 'status')} (is a node running?): ${(e as Error).message}` };
  }
}

function checkSupervision(answer: TreeAnswer): DoctorCheck {
  if ('error' in answer) return { name: 'supervision', status: 'fail', detail: answer.error };
  const { tree } = answer;
  // Doctor is stricter than the liveness probe: no grace for a node in backoff.
  const h = healthFromTree(tree, { natsConnected: true, provisioned: true, restartGraceMs: 0 });
  const summary = `${h.nodes.running}/${h.nodes.total} nodes running`;
  if (!h.ready.ok) return { name: 'supervision', status: 'fail', detail: `${summary}; ${h.ready.reasons.join('; ')}` };
  if (h.nodes.running < h.nodes.total) return { name: 'supervision', status: 'warn', detail: `${summary}; the others are stopped non-permanent nodes` };
  return { name: 'supervision', status: 'pass', detail: summary };
}

/** Runs every check; never throws (a check that cannot run is a failed check). */
export async function runDoctorChecks(opts: DoctorOptions): Promise<DoctorReport> {
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const url = opts.connection.url;
  const checks: DoctorCheck[] = [];
  let bus: Bus | undefined;
  const connecting = connectBus({ name: 'qt-doctor', ...opts.connection });
  try {
    bus = await withTimeout(connecting, timeoutMs, 'connect');
    checks.push({ name: 'nats', status: 'pass', detail: `connected to ${url} (server ${bus.nc.info?.version ?? '?'})` });
  } catch (e) {
    // A connection that completes after the timeout must not keep the CLI alive.
    void connecting.then((b) => b.close()).catch(() => undefined);
    checks.push({ name: 'nats', status: 'fail', detail: `cannot connect to ${url}: ${(e as Error).message}` });
  }
  const run = async (name: string, fn: (b: Bus) => Promise<DoctorCheck | DoctorCheck[]>) => {
    if (!bus) return void checks.push({ name, status: 'skipped', detail: 'NATS unreachable' });
    try {
      checks.push(...[await withTimeout(fn(bus), timeoutMs * 3, name)].flat());
    } catch (e) {
      checks.push({ name, status: 'fail', detail: (e as Error).message });
    }
  };
  try {
    await run('jetstream', async (b) => {
      const ai = await b.jsm.getAccountInfo();
      return { name: 'jetstream', status: 'pass', detail: `enabled: ${ai.streams} streams, ${ai.consumers} consumers, ${(ai.storage / 1e6).toFixed(1)} MB stored` };
    });
    const jsOk = checks.at(-1)?.status === 'pass';
    if (jsOk) {
      await run('layout', (b) => checkLayout(b, opts.cfg));
      await run('consumer-lag', (b) => checkLag(b, opts.lagWarn ?? 1_000, opts.ackPendingWarn ?? 500));
    } else for (const name of ['streams', 'buckets', 'consumer-lag']) checks.push({ name, status: 'skipped', detail: 'JetStream unavailable' });
    const answer = bus ? await askTree(bus, timeoutMs) : undefined;
    const tree = answer && 'tree' in answer ? answer.tree : undefined;
    await run('nodes', async (b) => ({ name: 'nodes', ...judgeNodes(await listNodes(b, { maxWaitMs: timeoutMs })) }));
    await run('supervision', async () => checkSupervision(answer!));
    await run('venue', () => checkVenue(tree, opts.cfg, timeoutMs));
    await run('models', (b) => checkModels(b));
    await run('trading', (b) => checkTrading(b, timeoutMs, tree));
  } finally {
    await bus?.close().catch(() => undefined);
  }
  return { ok: !checks.some((c) => c.status === 'fail' || c.status === 'skipped'), url, checks };
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', unavailable: 'N/A ', skipped: 'SKIP' };

/** Human-readable report: one line per check, then a verdict. */
export function renderDoctor(r: DoctorReport): string {
  const lines = r.checks.map((c) => `${MARK[c.status]}  ${c.name.padEnd(13)} ${c.detail}`);
  const n = (s: CheckStatus) => r.checks.filter((c) => c.status === s).length;
  lines.push('', `${r.ok ? 'OK' : 'FAILED'}: ${n('pass')} passed, ${n('warn')} warnings, ${n('fail')} failed, ${n('skipped')} skipped, ${n('unavailable')} not available yet`);
  return lines.join('\n');
}
