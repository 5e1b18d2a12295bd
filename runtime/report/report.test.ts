import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { subjects, type JournalEntry } from '../../protocols/index.js';
import { encode } from '../codec.js';
import { runReport } from '../cli/report.js';
import { natsEnv } from '../testing/nats-env.js';
import { D1, D2, D3, FOUR, H, pnl } from './fixture.js';
import { buildReport, readJournal, renderHtml, renderText, svgChart, type Report } from './index.js';
import { thin } from './render.js';

describe('journal report over a real nats-server', () => {
  it('reads QT_JOURNAL with an ordered consumer and reports trades, breakdowns and an HTML page with SVG charts', async () => {
    await using env = await natsEnv();
    const signal = (symbol: string, decision: string, reason?: string): JournalEntry => ({ kind: 'signal', ts: D1 + H, symbol, summary: '', data: { decision, ...(reason ? { reason } : {}) } });
    const lines: JournalEntry[] = [
      signal('BTCUSDT', 'taken'), signal('ETHUSDT', 'skipped', 'AGAINST_REGIME'), signal('ADAUSDT', 'skipped', 'LOW_CONFIDENCE'),
      ...FOUR,
      { kind: 'risk', ts: D2, summary: 'approve', data: { verdict: { decision: 'approve', reasons: [] } } },
    ];
    for (const l of lines) await env.bus.js.publish(subjects.journal(l.kind), encode(l));
    await env.bus.js.publish(subjects.journal('pnl'), new Uint8Array([0xc1])); // garbage is counted, not fatal
    await env.bus.js.publish(subjects.journal('heartbeat.n1'), encode({ kind: 'heartbeat', node: 'n1' }));

    const read = await readJournal(env.bus);
    expect(read.entries).toHaveLength(lines.length);
    expect(read.skipped).toBe(2);
    const r = buildReport(read.entries, { initialEquity: 10_000 });
    expect(r.summary).toMatchObject({ trades: 4, winRate: 0.5, profitFactor: 2, expectancy: 37.5, maxDrawdown: 100 / 10_250, fees: 8 });
    expect(r.summary.sharpe).toBeCloseTo(0.272352, 5);
    expect(r.bySymbol.map((g) => g.key)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(r.byAttribution.map((g) => g.key)).toEqual(['ensemble:v1', 'fallback:momentum']);
    expect(r.byExitReason.map((g) => g.key)).toEqual(['tp3', 'tp1', 'sl']);
    expect(r.funnel).toEqual({ signals: 3, taken: 1, skipped: { AGAINST_REGIME: 1, LOW_CONFIDENCE: 1 }, risk: { approved: 1, denied: 0, reasons: {} } });

    // A time range: only entries stamped inside it.
    const ranged = await readJournal(env.bus, { from: D2, to: D3 });
    expect(ranged.entries.map((e) => e.kind)).toEqual(['pnl', 'risk']);

    // The CLI: JSON on stdout and a self-contained HTML file.
    const dir = mkdtempSync(join(tmpdir(), 'qt-report-'));
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    try {
      const html = join(dir, 'report.html');
      expect(await runReport(['--json', '--html', html, '--nats', env.server.url, '--equity', '10000'])).toBe(0);
      const json = JSON.parse(out.join('')) as Report;
      expect(json.summary.trades).toBe(4);
      expect(json.equity.map((p) => p.equity)).toEqual([10_000, 10_100, 10_050, 10_250, 10_150]);
      const page = readFileSync(html, 'utf8');
      expect(page).toMatch(/^<!doctype html>/);
      expect(page.match(/<svg /g)).toHaveLength(2);
      expect(page).toContain('<path d="M');
      expect(page).toContain('fallback:momentum');
      expect(page).not.toMatch(/<(script|link)[^>]+(src|href)=/); // no external assets
      out.length = 0;
      expect(await runReport(['--nats', env.server.url, '--from', new Date(D2).toISOString()])).toBe(0);
      expect(out.join('')).toMatch(/trades\s+2/);
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      expect(await runReport(['--from', 'yesterday-ish'])).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/--from: not an ISO date/);
      err.mockRestore();
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('drawdown marked to market', () => {
  const reading = (ts: number, equity: number, o: { venue?: string; source?: string } = {}): JournalEntry => ({
    kind: 'account', ts, summary: '', data: { venue: o.venue ?? 'binance', asset: 'USDT', equity, wallet: equity, unrealized: 0, source: o.source ?? 'venue' },
  });

  it('shows the fall an open position took, which closed trades alone hide', () => {
    // One long that sank 30 % of the account while open and was closed for −50: the closed-trade
    // curve sees 10,000 → 9,950, the readings see the trough at 7,000.
    const entries: JournalEntry[] = [
      reading(D1, 10_000), reading(D1 + H, 8_500), reading(D1 + 2 * H, 7_000), reading(D1 + 3 * H, 9_950),
      pnl('BTCUSDT', 'LONG', -50, D1, D1 + 3 * H, 'sl', 'ensemble:v1', 1),
      // Unusable readings are left out, not drawn as a crash to zero.
      reading(D1 + 90 * 60_000, Number.NaN), reading(D1 + 100 * 60_000, -5),
    ];
    const r = buildReport(entries, { initialEquity: 10_000 });
    expect(r.summary.maxDrawdown).toBeCloseTo(0.005, 9);
    expect(r.marked).not.toBeNull();
    expect(r.marked!.points.map((p) => p.equity)).toEqual([10_000, 8_500, 7_000, 9_950]);
    expect(r.marked!.maxDrawdown).toBeCloseTo(0.3, 9);
    expect(r.marked!.maxDrawdownAbs).toBeCloseTo(3_000, 9);
    expect([r.marked!.peakTs, r.marked!.troughTs]).toEqual([D1, D1 + 2 * H]);
    expect(renderText(r)).toMatch(/max drawdown \(marked to market\)\s+30\.00% \(3000\.00\), 4 readings/);
    const page = renderHtml(r);
    expect(page.match(/<svg /g)).toHaveLength(4);
    expect(page).toContain('Drawdown, marked to market');
  });

  it('uses the account read most often and the range asked for; fewer than two readings give none', () => {
    const entries = [reading(D1, 10_000), reading(D1 + H, 9_000), reading(D1 + 2 * H, 9_500), reading(D1 + H, 1_000, { venue: 'sim', source: 'engine' })];
    const r = buildReport(entries, { initialEquity: 10_000 });
    expect(r.marked!.source).toBe('venue:binance:USDT');
    expect(r.marked!.maxDrawdown).toBeCloseTo(0.1, 9);
    expect(buildReport(entries, { initialEquity: 10_000, from: D1 + 2 * H }).marked).toBeNull();
    const none = buildReport(FOUR, { initialEquity: 10_000 });
    expect(none.marked).toBeNull();
    expect(renderText(none)).toMatch(/max drawdown \(marked to market\)\s+no account readings in range/);
  });
});

describe('long series in the HTML charts', () => {
  it('a month of minute readings is thinned to about 2,000 points that keep the trough, the peak and both ends', () => {
    const n = 43_200;
    const points = Array.from({ length: n }, (_, i) => ({ ts: D1 + i * 60_000, v: 10_000 + 100 * Math.sin(i / 500) + (i === 31_337 ? -3_000 : 0) + (i === 777 ? 2_500 : 0) }));
    const t = thin(points);
    expect(t.length).toBeLessThanOrEqual(2_000);
    expect(t.length).toBeGreaterThan(1_000);
    expect(t.map((p) => p.ts)).toEqual([...t.map((p) => p.ts)].sort((a, b) => a - b));
    expect(t[0]).toEqual(points[0]);
    expect(t.at(-1)).toEqual(points.at(-1));
    expect(Math.min(...t.map((p) => p.v))).toBe(Math.min(...points.map((p) => p.v)));
    expect(Math.max(...t.map((p) => p.v))).toBe(Math.max(...points.map((p) => p.v)));
    expect(thin(points.slice(0, 50))).toEqual(points.slice(0, 50));
    // The page stays small: two charts of 43,200 readings drew 1.8 MB before.
    const svg = svgChart(points, { title: 'equity', color: '#000' });
    expect(svg.length).toBeLessThan(60_000);
  });
});
