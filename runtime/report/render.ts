import type { Report } from './build.js';
import type { Summary } from './metrics.js';

const num = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(d));
/** Profit factor: null means no losing trade, shown as ∞ when something was won. */
const pf = (s: Summary) => (s.profitFactor !== null ? num(s.profitFactor) : s.grossProfit > 0 ? '∞' : '—');
const pct = (x: number | null, d = 1) => (x === null || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(d)}%`);

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((n) => '─'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

const GROUP_HEAD = ['', 'trades', 'win%', 'PF', 'expect.', 'net', 'fees', 'sharpe/t'];
const groupRow = (k: string, s: Summary) => [k, String(s.trades), pct(s.winRate), pf(s), num(s.expectancy), num(s.net), num(s.fees), num(s.sharpe)];

const counts = (m: Record<string, number>) => Object.entries(m).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
const riskLine = (r: Report) => `risk: approved ${r.funnel.risk.approved}, denied ${r.funnel.risk.denied}${r.funnel.risk.denied ? ` (${counts(r.funnel.risk.reasons)})` : ''}`;
const EQUITY_FROM: Record<Report['initialEquitySource'], string> = { given: 'given', 'journal:venue': 'venue', 'journal:config': 'config', default: 'assumed' };

/** Drawdown of the journaled account readings: open positions included. */
const markedRow = (r: Report) => [
  'max drawdown (marked to market)',
  r.marked ? `${pct(r.marked.maxDrawdown, 2)} (${num(r.marked.maxDrawdownAbs)}), ${r.marked.points.length} readings` : 'no account readings in range',
];

/** The terminal view of a report. */
export function renderText(r: Report): string {
  const s = r.summary;
  const out = [
    `Journal report ${r.range.from ?? 'start'} → ${r.range.to ?? 'now'}   equity ${num(r.initialEquity)} (${EQUITY_FROM[r.initialEquitySource]}) → ${num(s.finalEquity)} (${pct(s.returnPct, 2)})`,
    '',
    table(['metric', 'value'], [
      ['trades', String(s.trades)], ['win rate', pct(s.winRate)], ['profit factor', pf(s)], ['expectancy (USDT/trade)', num(s.expectancy)],
      ['net PnL', num(s.net)], ['fees', num(s.fees)], ['Sharpe per trade', num(s.sharpe)], ['Sortino per trade', num(s.sortino)],
      ['Sharpe daily (ann.)', num(s.dailySharpe)], ['Sortino daily (ann.)', num(s.dailySortino)], ['max drawdown (closed trades)', `${pct(s.maxDrawdown, 2)} (${num(s.maxDrawdownAbs)})`],
      markedRow(r), ['exposure (time in market)', pct(s.exposure)],
    ]),
    '',
    table(['by symbol', ...GROUP_HEAD.slice(1)], r.bySymbol.map((g) => groupRow(g.key, g))),
    '',
    table(['by attribution', ...GROUP_HEAD.slice(1)], r.byAttribution.map((g) => groupRow(g.key, g))),
    '',
    table(['by exit reason', ...GROUP_HEAD.slice(1)], r.byExitReason.map((g) => groupRow(g.key, g))),
    '',
    `signals ${r.funnel.signals}: taken ${r.funnel.taken}; skipped ${Object.entries(r.funnel.skipped).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    riskLine(r),
  ];
  if (r.openIntents.length) out.push(`still open: ${r.openIntents.length} intent(s)`);
  if (r.invalid.length) out.push(`ignored ${r.invalid.length} malformed journal entr${r.invalid.length === 1 ? 'y' : 'ies'} (first: ${r.invalid[0]!.kind}: ${r.invalid[0]!.reason})`);
  return out.join('\n');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * At most about `max` points, in time order, keeping each bucket's first, lowest, highest and last
 * point: a month of minute readings (43,200) drew a 1.8 MB page, and an average would have hidden
 * the trough the drawdown chart exists to show.
 */
export function thin(points: ReadonlyArray<{ ts: number; v: number }>, max = 2_000): Array<{ ts: number; v: number }> {
  if (points.length <= max) return [...points];
  const per = Math.ceil(points.length / Math.max(1, Math.floor(max / 4)));
  const out: Array<{ ts: number; v: number }> = [];
  for (let i = 0; i < points.length; i += per) {
    const b = points.slice(i, i + per);
    let lo = b[0]!;
    let hi = b[0]!;
    for (const p of b) {
      if (p.v < lo.v) lo = p;
      if (p.v > hi.v) hi = p;
    }
    const keep = new Set([b[0]!, lo, hi, b.at(-1)!]);
    out.push(...[...keep].sort((x, y) => x.ts - y.ts));
  }
  return out;
}

/** An inline SVG line (or filled area) chart of (ts, value) points (thinned for long series). */
export function svgChart(points: Array<{ ts: number; v: number }>, o: { title: string; color: string; area?: boolean; format?: (v: number) => string; width?: number; height?: number }): string {
  const W = o.width ?? 900;
  const H = o.height ?? 220;
  const pad = { l: 70, r: 10, t: 24, b: 24 };
  const fmt = o.format ?? ((v: number) => v.toFixed(2));
  if (points.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img"><text x="10" y="20">${esc(o.title)}: no data</text></svg>`;
  const pts = thin(points);
  const xs = pts.map((p) => p.ts);
  const vs = pts.map((p) => p.v);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...vs, o.area ? 0 : Infinity), Math.max(...vs, o.area ? 0 : -Infinity)];
  if (y1 === y0) (y0 -= 1), (y1 += 1);
  const X = (t: number) => pad.l + (x1 > x0 ? ((t - x0) / (x1 - x0)) * (W - pad.l - pad.r) : (W - pad.l - pad.r) / 2);
  const Y = (v: number) => pad.t + (1 - (v - y0) / (y1 - y0)) * (H - pad.t - pad.b);
  // Step line: equity only changes at a close.
  const path = pts.map((p, i) => (i === 0 ? `M${X(p.ts).toFixed(1)},${Y(p.v).toFixed(1)}` : `H${X(p.ts).toFixed(1)} V${Y(p.v).toFixed(1)}`)).join(' ');
  const area = o.area ? `<path d="${path} V${Y(0).toFixed(1)} H${X(x0).toFixed(1)} Z" fill="${o.color}" fill-opacity="0.25" stroke="none"/>` : '';
  const date = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">`,
    `<text x="${pad.l}" y="16" font-size="13" font-weight="bold">${esc(o.title)}</text>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#999"/><line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#999"/>`,
    `<text x="${pad.l - 4}" y="${pad.t + 4}" font-size="11" text-anchor="end">${esc(fmt(y1))}</text>`,
    `<text x="${pad.l - 4}" y="${H - pad.b}" font-size="11" text-anchor="end">${esc(fmt(y0))}</text>`,
    `<text x="${pad.l}" y="${H - 6}" font-size="11">${esc(date(x0))}</text><text x="${W - pad.r}" y="${H - 6}" font-size="11" text-anchor="end">${esc(date(x1))}</text>`,
    area,
    `<path d="${path}" fill="none" stroke="${o.color}" stroke-width="1.5"/>`,
    '</svg>',
  ].join('\n');
}

function htmlTable(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** A self-contained HTML page: tables plus inline SVG equity and drawdown charts, no external assets. */
export function renderHtml(r: Report): string {
  const s = r.summary;
  const groups = ([['Symbol', r.bySymbol], ['Attribution', r.byAttribution], ['Exit reason', r.byExitReason]] as const)
    .map(([t, g]) => `<h2>By ${t.toLowerCase()}</h2>${htmlTable([t, ...GROUP_HEAD.slice(1)], g.map((x) => groupRow(x.key, x)))}`).join('\n');
  const trades = htmlTable(['closed', 'symbol', 'side', 'qty', 'entry', 'exit', 'net', 'fees', 'exit reason', 'attribution'], r.trades.map((t) => [
    new Date(t.closedAt).toISOString(), t.symbol, t.side, String(t.qty), num(t.entry, 4), num(t.exit, 4), num(t.net), num(t.fees), t.exitReason, t.attribution,
  ]));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quantum Trader — journal report</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f4f4f4}h1{font-size:20px}h2{font-size:16px;margin-top:24px}</style>
</head><body>
<h1>Journal report ${esc(r.range.from ?? 'start')} → ${esc(r.range.to ?? 'now')}</h1>
<p>Equity ${num(r.initialEquity)} (${EQUITY_FROM[r.initialEquitySource]}) → ${num(s.finalEquity)} (${pct(s.returnPct, 2)}); signals ${r.funnel.signals}, taken ${r.funnel.taken}, skipped ${esc(Object.entries(r.funnel.skipped).map(([k, v]) => `${k} ${v}`).join(', ') || 'none')}; ${esc(riskLine(r))}.</p>
${htmlTable(['metric', 'value'], [
    ['trades', String(s.trades)], ['win rate', pct(s.winRate)], ['profit factor', pf(s)], ['expectancy (USDT/trade)', num(s.expectancy)], ['net PnL', num(s.net)],
    ['fees', num(s.fees)], ['Sharpe / Sortino per trade', `${num(s.sharpe)} / ${num(s.sortino)}`], ['Sharpe / Sortino daily (ann.)', `${num(s.dailySharpe)} / ${num(s.dailySortino)}`],
    ['max drawdown (closed trades)', `${pct(s.maxDrawdown, 2)} (${num(s.maxDrawdownAbs)})`], markedRow(r), ['exposure', pct(s.exposure)],
  ])}
${svgChart(r.equity.map((p) => ({ ts: p.ts, v: p.equity })), { title: 'Equity (USDT)', color: '#1f6feb' })}
${svgChart(r.drawdown.map((p) => ({ ts: p.ts, v: p.dd })), { title: 'Drawdown (closed trades)', color: '#d1242f', area: true, format: (v) => `${(v * 100).toFixed(1)}%` })}
${r.marked ? svgChart(r.marked.points.map((p) => ({ ts: p.ts, v: p.equity })), { title: `Account equity, marked to market (${r.marked.source})`, color: '#8250df' }) : ''}
${r.marked ? svgChart(r.marked.drawdown.map((p) => ({ ts: p.ts, v: p.dd })), { title: 'Drawdown, marked to market', color: '#bc4c00', area: true, format: (v) => `${(v * 100).toFixed(1)}%` }) : ''}
${groups}
<h2>Trades</h2>${trades}
</body></html>
`;
}
