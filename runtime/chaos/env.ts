/**
 * The chaos environment: a real nats-server, a real `qt up` node process trading while the
 * scenario breaks things, and the simulator — inside the node (`inproc`) or as its own `qt sim`
 * process (`external`, so the venue outlives `kill -9` of the node).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_KEYS, STREAMS, subjects, type NodeStatusRecord } from '../../protocols/index.js';
import { loadConfig } from '../config/index.js';
import { connectBus, freePort, provision, startLocalNats, type Bus, type LocalNatsServer } from '../nats/index.js';
import { startQtNode, startQtSim, type NodeProcess, type SimProcess } from '../testing/cli.js';
import { setPolicy } from '../trading/policy.js';
import { decode } from '../codec.js';
import type { Outage } from './types.js';

export interface ChaosEnvOptions {
  /** `inproc`: the node hosts the simulator (speed > 1 works); `external`: `qt sim` process. */
  mode: 'inproc' | 'external';
  symbols: number;
  speed: number;
  seed: number;
  /** Use this nats-server instead of starting one (NATS restarts are then impossible). */
  natsUrl?: string;
  log: (line: string) => void;
  /** QT_* variables of every node process (benchmarks raise limits this way). */
  extraEnv?: Record<string, string>;
  /** How long a node start may take until its pools are full. @default 60000 */
  startTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Walks a status tree. */
export function nodesOf(t: NodeStatusRecord | undefined): NodeStatusRecord[] {
  if (!t) return [];
  return [t, ...(t.children ?? []).flatMap(nodesOf)];
}

/** One chaos environment; `close()` stops everything it started. */
export class ChaosEnv {
  nats?: LocalNatsServer;
  natsUrl = '';
  bus!: Bus;
  simUrl = '';
  node?: NodeProcess;
  readonly nodeId: string;
  readonly dataDir: string;
  /** Market-time outages (node dead, NATS down) for the stop-coverage check. */
  readonly outages: Outage[] = [];
  /** Wall-time windows in which order/position actor crashes were caused by the scenario. */
  readonly tolerated: Outage[] = [];
  private sim?: SimProcess;
  private nodeEnvExtra: Record<string, string> = {};
  /** Everything earlier node processes logged (kept for failure reports). */
  private pastLogs = '';

  private constructor(readonly o: ChaosEnvOptions) {
    this.nodeId = `chaos-${o.mode}`;
    this.dataDir = mkdtempSync(join(tmpdir(), `qt-chaos-${o.mode}-`));
  }

  /** Starts NATS, the simulator (external mode) and the node, and waits until it trades. */
  static async start(o: ChaosEnvOptions): Promise<ChaosEnv> {
    const env = new ChaosEnv(o);
    try {
      if (o.natsUrl) env.natsUrl = o.natsUrl;
      else {
        env.nats = await startLocalNats();
        env.natsUrl = env.nats.url;
      }
      env.bus = await connectBus({ url: env.natsUrl, name: 'qt-chaos' });
      await provision(env.bus, loadConfig({ env: {}, overrides: { nats: { url: env.natsUrl } } }));
      if (o.mode === 'external') await env.startSim();
      await env.startNode(o.extraEnv);
      return env;
    } catch (e) {
      await env.close();
      throw e;
    }
  }

  private async startSim(): Promise<void> {
    const port = await freePort();
    // The simulator's own settings (QT_SIM__*, e.g. the account's balance) go to its process: the
    // node reads its equity from the venue, not from its own copy of them.
    const simEnv = Object.fromEntries(Object.entries(this.o.extraEnv ?? {}).filter(([k]) => k.startsWith('QT_SIM__')));
    this.sim = await startQtSim(['--port', String(port), '--symbols', String(this.o.symbols), '--seed', String(this.o.seed), '--speed', String(this.o.speed), '--nats', this.natsUrl], simEnv);
    this.simUrl = this.sim.url;
    this.o.log(`simulator process up at ${this.simUrl} (speed ${this.o.speed})`);
  }

  /** Environment of every node process of this run. */
  private nodeEnv(extra: Record<string, string>): Record<string, string> {
    return {
      QT_NODE__ID: this.nodeId, QT_NODE__DATA_DIR: this.dataDir, QT_LOG__LEVEL: 'warn',
      // The fallback rule with a lower bar trades often (the shipped models rarely clear 0.6).
      QT_SIGNALS__SOURCE: 'fallback', QT_STRATEGY__MIN_CONFIDENCE: '0.51', QT_RISK__COOLDOWN_MIN: '1',
      QT_RECONCILE__EVERY_SEC: '5', QT_SIM__SEED: String(this.o.seed),
      // Warm-up candles yield stale intents that risk denies; the strategy would count them as
      // pending exposure for 5 market minutes — an eternity at speed 1.
      QT_STRATEGY__PENDING_TTL_MS: '20000',
      ...(this.o.mode === 'external' ? { QT_SIM__URL: this.simUrl } : {}),
      ...extra,
    };
  }

  /** Starts (or restarts) the node process and waits until its tree runs with the symbol pools filled. */
  async startNode(extraEnv: Record<string, string> = {}, o: { full?: boolean } = {}): Promise<void> {
    this.nodeEnvExtra = extraEnv;
    this.node = startQtNode(['--nats', this.natsUrl, '--venue', 'sim', '--symbols', String(this.o.symbols), '--speed', String(this.o.speed)], this.nodeEnv(extraEnv));
    await this.waitUp(this.o.startTimeoutMs ?? 60_000, o);
    if (this.o.mode === 'inproc' && !this.simUrl) {
      this.simUrl = String(nodesOf(await this.tree()).find((n) => n.path === 'root.venue.sim')?.info?.url ?? '');
      if (!this.simUrl) throw new Error('in-node simulator has no url in the status tree');
    }
  }

  /** Waits until the node answers status with every pool filled and nothing down. */
  async waitUp(timeoutMs = 30_000, o: { full?: boolean } = {}): Promise<NodeStatusRecord> {
    const full = o.full ?? true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.node && this.node.proc.exitCode !== null) throw new Error(`node exited with ${this.node.proc.exitCode} while starting:\n${this.logTail()}`);
      const t = await this.tree();
      const all = nodesOf(t);
      const orders = all.filter((n) => n.path.startsWith('root.orders.'));
      if (t && t.status === 'running' && (!full || (orders.length >= this.o.symbols && all.every((n) => n.status === 'running')))) return t;
      if (Date.now() > deadline) {
        const down = all.filter((n) => n.status !== 'running').map((n) => `${n.path}=${n.status}`);
        throw new Error(`node not healthy within ${timeoutMs} ms: ${!t ? 'no status reply' : `${orders.length}/${this.o.symbols} orders actors in root.orders${down.length ? `; ${down.join(', ')}` : ''}`}`);
      }
      await sleep(100);
    }
  }

  /** The node's live supervision tree (undefined when it does not answer). */
  async tree(): Promise<NodeStatusRecord | undefined> {
    try {
      const r = await this.bus.nc.request(subjects.control('supervisor', 'status', this.nodeId), '', { timeout: 1_500 });
      return (JSON.parse(r.string()) as { tree?: NodeStatusRecord }).tree;
    } catch {
      return undefined;
    }
  }

  /** Crashes one actor through the node's qt-supervisor kill endpoint. */
  async killActor(target: string, reason: string): Promise<{ ok: boolean; path?: string; error?: string }> {
    try {
      const r = await this.bus.nc.request(subjects.control('supervisor', 'kill', this.nodeId), JSON.stringify({ target, reason }), { timeout: 2_000 });
      return JSON.parse(r.string()) as { ok: boolean; path?: string; error?: string };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  /** `kill -9` of the node process; returns the wall time of the kill. */
  async kill9(): Promise<number> {
    const n = this.node;
    if (!n) return Date.now();
    const at = Date.now();
    n.proc.kill('SIGKILL');
    await n.exited;
    this.pastLogs += n.logs();
    this.node = undefined;
    return at;
  }

  /** Restarts the node (same id, data dir and env) after it died, recording the outage. */
  async restartNode(downSince: number, extraEnv = this.nodeEnvExtra, o: { full?: boolean } = {}): Promise<void> {
    if (this.node) this.pastLogs += this.node.logs();
    await this.startNode(extraEnv, o);
    this.addOutage(downSince, Date.now(), 'node down');
  }

  /** Records an injected outage (wall times), in market time for the stop check and wall time for crashes. */
  addOutage(fromWall: number, toWall: number, what: string, o: { wallClock?: boolean } = {}): void {
    if (!o.wallClock) this.tolerated.push({ from: fromWall, to: toWall + 10_000, what });
    this.outages.push({ from: this.marketAt(fromWall), to: this.marketAt(toWall), what, ...(o.wallClock ? { factor: 1 / this.o.speed } : {}) });
  }

  get speed(): number {
    return this.o.speed;
  }

  private marketAnchor?: { wall: number; market: number };

  /** Market time at a wall time: the external simulator runs at speed 1 from wall time; the in-node one is anchored on a mark tick. */
  marketAt(wall: number): number {
    if (this.o.speed === 1 || !this.marketAnchor) return wall;
    return this.marketAnchor.market + (wall - this.marketAnchor.wall) * this.o.speed;
  }

  /** Re-anchors market time on the newest mark tick in QT_MARKET (its market ts vs the server's receive time). */
  async anchorMarketClock(symbol: string): Promise<void> {
    if (this.o.speed === 1) return;
    try {
      const m = await this.bus.jsm.streams.getMessage(STREAMS.market, { last_by_subj: subjects.market('sim', symbol, 'mark') });
      if (!m) return;
      const tick = decode<{ ts: number }>(m.data);
      this.marketAnchor = { wall: m.timestamp ? Date.parse(m.timestamp) : Date.now(), market: tick.ts };
    } catch {
      // Keep the previous anchor.
    }
  }

  /** Sends a fault request to the simulator over NATS (`qt.ctl.sim.faults`). */
  async fault(body: unknown): Promise<unknown> {
    const r = await this.bus.nc.request(subjects.control('sim', 'faults'), JSON.stringify(body), { timeout: 3_000 });
    return JSON.parse(r.string()) as unknown;
  }

  /** Halts (or resumes) new entries through the kill switch; stops and take-profits keep flowing. */
  async killSwitch(on: boolean): Promise<void> {
    await setPolicy(this.bus, POLICY_KEYS.killSwitch, { on, reason: on ? 'qt chaos: settle before the invariant check' : 'qt chaos: resume', ts: Date.now(), by: 'qt-chaos' });
  }

  /** The last lines the node processes logged. */
  logTail(lines = 40): string {
    return `${this.pastLogs}${this.node?.logs() ?? ''}`.split('\n').slice(-lines).join('\n');
  }

  async close(): Promise<void> {
    if (this.node) await Promise.resolve(this.node[Symbol.asyncDispose]()).catch(() => undefined);
    if (this.sim) await Promise.resolve(this.sim[Symbol.asyncDispose]()).catch(() => undefined);
    if (this.bus) await this.bus.close().catch(() => undefined);
    await this.nats?.stop().catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
