/**
 * The web console: one self-contained HTML page (inline CSS and script, no external assets, so it
 * works on an air-gapped VPS and the CSP can forbid every other origin). It renders snapshots
 * pushed over the `/ws` socket and builds the DOM with `textContent` only: alert summaries and
 * error strings come from the venue and from other processes, and must never become markup.
 */
const STYLE = `
body{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;margin:0;background:#0f1115;color:#d8dee9}
header{display:flex;gap:1em;align-items:center;padding:.6em 1em;background:#1a1d24;border-bottom:1px solid #2b303b}
h1{font-size:14px;margin:0}h2{font-size:12px;text-transform:uppercase;color:#8fa1b3;margin:1.2em 0 .4em}
main{padding:0 1em 2em}table{border-collapse:collapse}td,th{padding:1px 10px 1px 0;text-align:left;white-space:nowrap}
th{color:#8fa1b3;font-weight:normal}#conn{margin-left:auto}.live{color:#a3be8c}.down{color:#bf616a}
.running,.closed,.confirmed,.ACTIVE{color:#a3be8c}.backoff,.halfOpen,.pending,.REDUCING,.warning{color:#ebcb8b}
.crashed,.escalated,.open,.none,.HALTED,.critical{color:#bf616a}.stopped{color:#6b7280}.kv span{margin-right:1.5em}
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; }
function row(cells, attrs) { const tr = el('tr'); for (const c of cells) { const td = el('td'); if (c instanceof Node) td.append(c); else td.textContent = String(c); tr.append(td); } if (attrs) for (const [k, v] of Object.entries(attrs)) tr.setAttribute(k, String(v)); return tr; }
function fix(x, d) { return typeof x === 'number' && isFinite(x) ? x.toFixed(d) : '-'; }
function kv(parent, pairs) { parent.replaceChildren(...pairs.map(([k, v]) => { const s = el('span'); s.append(el('b', k + ' '), el('span', v, String(v))); return s; })); }
function tree(body, n, depth) {
  const name = el('span', '\\u00a0'.repeat(depth * 3) + n.id);
  const what = n.kind === 'supervisor' ? '[' + (n.strategy || '?') + ']' : '(' + (n.restart || 'permanent') + ')';
  const backoff = n.status === 'backoff' && n.backoffMs !== undefined ? n.backoffMs + ' ms' : '';
  body.append(row([name, what, el('span', n.status, n.status), n.restarts, backoff, n.lastError ? n.lastError.slice(0, 80) : ''],
    { 'data-path': n.path, 'data-status': n.status, 'data-restarts': n.restarts }));
  for (const c of n.children || []) tree(body, c, depth + 1);
}
function render(s) {
  $('node').textContent = 'node ' + (s.node || '?') + ' \\u2014 ' + new Date(s.ts).toISOString();
  const p = s.policy;
  kv($('trading'), [['state', p.tradingState], ['risk', p.riskMode], ['kill-switch', p.killSwitch], ['reconciling', p.reconciling]]);
  kv($('models'), [['champion', p.champion], ['shadow', p.shadow], ['challenger', p.challenger]]);
  const tb = $('tree'); tb.replaceChildren();
  if (s.tree) tree(tb, s.tree, 0); else tb.append(row(['node not answering']));
  $('breakers').replaceChildren(...s.breakers.map((b) => row([b.source, b.name, el('span', b.state, b.state)], { 'data-breaker': b.source + '/' + b.name })));
  $('breakers-sec').hidden = s.breakers.length === 0;
  $('positions').replaceChildren(...s.positions.map((x) => row([x.symbol, x.side || '-', x.qty, fix(x.avgEntry, 4), fix(x.markPrice, 4), fix(x.unrealizedPnl, 2), fix(x.realizedPnl, 2),
    el('span', x.stop + (x.stopPrice !== null ? ' @ ' + fix(x.stopPrice, 4) : ''), x.stop), x.unprotectedMs === null ? '' : Math.round(x.unprotectedMs / 1000) + ' s unprotected'], { 'data-symbol': x.symbol })));
  $('positions-sec').hidden = s.positions.length === 0;
  $('alerts').replaceChildren(...(s.alerts.length ? s.alerts.map((a) => row([new Date(a.ts).toISOString().slice(5, 19).replace('T', ' '), el('span', a.severity || '', a.severity || ''), a.summary])) : [row(['none'])]));
  $('errors').replaceChildren(...s.errors.map((e) => el('li', e)));
  $('errors-sec').hidden = s.errors.length === 0;
}
// The token arrives as ?token=; keep it for reconnects but take it out of the address bar and history.
const query = location.search;
if (query) history.replaceState(null, '', location.pathname);
let delay = 500;
function connect() {
  const u = new URL('ws' + query, location.href); u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(u);
  ws.onopen = () => { delay = 500; $('conn').textContent = 'live'; $('conn').className = 'live'; };
  ws.onmessage = (m) => { try { render(JSON.parse(m.data)); } catch (e) { console.error(e); } };
  ws.onclose = () => { $('conn').textContent = 'disconnected \\u2014 retrying'; $('conn').className = 'down'; setTimeout(connect, delay); delay = Math.min(delay * 2, 10000); };
}
connect();
`;

const BODY = `
<header><h1>Quantum Trader</h1><span id="node"></span><span id="conn" class="down">connecting</span></header>
<main>
<h2>Trading</h2><div id="trading" class="kv"></div>
<h2>Models</h2><div id="models" class="kv"></div>
<h2>Supervision</h2><table><thead><tr><th>id</th><th>type</th><th>status</th><th>restarts</th><th>backoff</th><th>last error</th></tr></thead><tbody id="tree"></tbody></table>
<section id="breakers-sec" hidden><h2>Venue breakers</h2><table><tbody id="breakers"></tbody></table></section>
<section id="positions-sec" hidden><h2>Positions</h2><table><thead><tr><th>symbol</th><th>side</th><th>qty</th><th>entry</th><th>mark</th><th>uPnL</th><th>rPnL</th><th>stop</th><th></th></tr></thead><tbody id="positions"></tbody></table></section>
<h2>Alerts</h2><table><tbody id="alerts"></tbody></table>
<section id="errors-sec" hidden><h2>Unavailable</h2><ul id="errors"></ul></section>
</main>`;

/** The console page; `nonce` ties the inline style and script to this response's CSP. */
export function consolePage(nonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Quantum Trader console</title><style nonce="${nonce}">${STYLE}</style></head><body>${BODY}
<script nonce="${nonce}">${SCRIPT}</script></body></html>`;
}

/** CSP for the page: nothing but its own inline code and its own socket. */
export function consoleCsp(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}
