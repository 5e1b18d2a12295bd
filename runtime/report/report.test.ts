import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { subjects, type JournalEntry } from '../../protocols/index.js';
import { encode } from '../codec.js';
import { runReport } from '../cli/report.js';
import { natsEnv } from '../testing/nats-env.js';
import { D1, D2, D3, FOUR, H } from './fixture.js';
import { buildReport, readJournal, type Report } from './index.js';

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
