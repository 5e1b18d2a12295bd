import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type JournalEntry, type NodeStatusRecord } from '../../protocols/index.js';
import type { Bus } from '../nats/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { startQtNode } from '../testing/cli.js';
import { readStream, until } from '../testing/wait.js';

interface SimOrder { symbol: string; clientOrderId: string; status: string; type: string; reduceOnly: boolean; closePosition: boolean; executedQty: string; time: number; updateTime: number }

const find = (t: NodeStatusRecord | undefined, path: string): NodeStatusRecord | undefined =>
  !t ? undefined : t.path === path ? t : t.children?.map((c) => find(c, path)).find(Boolean);

async function tree(bus: Bus): Promise<NodeStatusRecord | undefined> {
  try {
    const r = await bus.nc.request(subjects.control('supervisor', 'status'), '', { timeout: 2_000 });
    return (JSON.parse(r.string()) as { tree?: NodeStatusRecord }).tree;
  } catch {
    return undefined;
  }
}

describe('paper trading end to end', () => {
  it('qt up --venue sim --symbols 20 --speed 2 opens and closes positions; every entry got a venue-side stop within 5 s (simulator records); the journal explains every trade', async () => {
    await using env = await natsEnv();
    const dataDir = mkdtempSync(join(tmpdir(), 'qt-trade-'));
    // The fallback rule with a lower bar trades often, which is what this test needs; the shipped
    // models rarely clear the default 0.6 (see models/README.md).
    // Speed 2: the 5 s bound is market time, 2.5 s of wall time here. At 10× (0.5 s wall) the bound
    // measured the CI machine's load more than the stop path (5.1–5.6 s with the unit suite alongside),
    // and at 5× (1 s wall) it still did once: 5.2 s with a profiler and other tests on the 2 cores.
    await using node = startQtNode(['--nats', env.server.url, '--venue', 'sim', '--symbols', '20', '--speed', '2'], {
      QT_NODE__ID: 'trader', QT_NODE__DATA_DIR: dataDir, QT_SIGNALS__SOURCE: 'fallback', QT_STRATEGY__MIN_CONFIDENCE: '0.51',
      QT_SIM__SEED: '11', QT_LOG__LEVEL: 'warn',
      // Tight exits so positions also close within the test's minutes (TPs are multiples of the stop).
      QT_STRATEGY__STOP_PCT: '0.003', QT_STRATEGY__STOP_ATR: '0.5',
    });
    const simUrl = await until(async () => find(await tree(env.bus), 'root.venue.sim')?.info?.url as string | undefined, 'simulator up', 30_000);
    // Wait until at least one trade has closed (pnl journaled) and a few entries filled.
    await until(async () => (await readStream(env.bus, STREAMS.journal, subjects.journal('pnl'))).length >= 1, 'a closed trade', 240_000);
    const read = async () => (await (await fetch(`${simUrl}/sim/orders`)).json()) as SimOrder[];
    const entries = (await read()).filter((o) => o.clientOrderId.endsWith('-entry') && Number(o.executedQty) > 0);
    // An entry that filled just before that read had no time for its stop yet: judge every one of
    // them on the venue's orders 3 s later (6 s of market time); the 5 s bound below still holds.
    await new Promise((r) => setTimeout(r, 3_000));
    const orders = await read();
    expect(entries.length).toBeGreaterThan(0);
    // Money safety, from the venue's own records: a reduce-only stop for every filled entry, placed
    // within 5 s (market time) — or, when the stop was refused as already crossed (-2021, or the
    // adapter's WRONG_SIDE before sending), the position closed at market within those 5 s instead.
    const delays: number[] = [];
    let flattened = 0;
    for (const e of entries) {
      const stem = e.clientOrderId.slice(0, -'-entry'.length);
      const stops = orders.filter((o) => o.clientOrderId.startsWith(`${stem}-sl`) && o.type === 'STOP_MARKET' && (o.reduceOnly || o.closePosition) && o.status !== 'REJECTED');
      const closed = orders.filter((o) => o.clientOrderId.startsWith(`${stem}-flatten`) && o.reduceOnly && o.status === 'FILLED');
      const first = Math.min(...stops.map((s) => s.time), ...(stops.length ? [] : closed.map((c) => c.updateTime)));
      if (!Number.isFinite(first)) {
        const h = (await (await fetch(`${simUrl}/sim/history`)).json()) as { rejects: unknown[] };
        const mine = (x: unknown) => JSON.stringify(x).includes(stem);
        expect.fail(`no stop and no close for ${e.clientOrderId}: venue orders ${JSON.stringify(orders.filter(mine))}, rejects ${JSON.stringify(h.rejects.filter(mine))}\n${node.logs().slice(-3_000)}`);
      }
      if (!stops.length) flattened++;
      delays.push(first - e.updateTime);
      expect(first - e.updateTime, `stop (or close) delay for ${e.clientOrderId} (ms, market time)`).toBeLessThanOrEqual(5_000);
    }
    process.stdout.write(`entries ${entries.length} (${flattened} closed at once after a refused stop), stop delay max ${Math.max(...delays)} ms market time (÷2 = wall)\n`);
    // No duplicate client order ids at the venue.
    expect(new Set(orders.map((o) => o.clientOrderId)).size).toBe(orders.length);
    // The journal explains every closed trade: its intent, the risk approval, and its fills.
    const journal = (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journalAll)).map((m) => m.data);
    const pnl = journal.filter((j) => j.kind === 'pnl');
    for (const p of pnl) {
      expect(p.intentId, 'pnl carries its intent').toBeTruthy();
      expect(p.attribution).toMatch(/^(fallback:|ensemble:)/);
      expect(journal.some((j) => j.kind === 'intent' && j.intentId === p.intentId), `intent of ${p.intentId}`).toBe(true);
      expect(journal.some((j) => j.kind === 'risk' && j.intentId === p.intentId && /APPROVE/.test(j.summary)), `approval of ${p.intentId}`).toBe(true);
      expect(journal.some((j) => j.kind === 'fill' && j.intentId === p.intentId), `fills of ${p.intentId}`).toBe(true);
    }
    expect(node.proc.exitCode).toBeNull();
  }, 300_000);
});
