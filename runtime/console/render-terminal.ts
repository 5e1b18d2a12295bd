import type { NodeStatusRecord } from '../../protocols/index.js';
import type { ConsoleSnapshot, PositionRow } from './snapshot.js';

const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const COLORS: Record<string, string> = {
  running: '\x1b[32m', closed: '\x1b[32m', confirmed: '\x1b[32m', ACTIVE: '\x1b[32m',
  backoff: '\x1b[33m', halfOpen: '\x1b[33m', pending: '\x1b[33m', REDUCING: '\x1b[33m', warning: '\x1b[33m',
  crashed: '\x1b[31m', escalated: '\x1b[31m', open: '\x1b[31m', none: '\x1b[31m', HALTED: '\x1b[31m', critical: '\x1b[31m',
  stopped: '\x1b[90m',
};

/** Rendering switches. */
export interface RenderOptions {
  /** ANSI colours. @default false */
  color?: boolean;
}

const paint = (s: string, color: boolean, key = s) => (color && COLORS[key] ? `${COLORS[key]}${s}${RESET}` : s);
const head = (s: string, color: boolean) => (color ? `${BOLD}${s}${RESET}` : s);

/** One line per node, indented by depth: id, restart type or strategy, status, restarts, backoff. */
export function renderTree(tree: NodeStatusRecord, color = false): string {
  const lines: string[] = [];
  const walk = (n: NodeStatusRecord, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`;
    const what = n.kind === 'supervisor' ? `[${n.strategy ?? '?'}]` : `(${n.restart ?? 'permanent'})`;
    const extra = [
      `restarts=${n.restarts}`,
      n.backoffMs !== undefined && n.status === 'backoff' ? `backoff=${n.backoffMs}ms` : '',
      n.info && 'cursor' in n.info ? `cursor=${String(n.info.cursor)}` : '',
      // Cluster mode: a singleton waiting for leadership, and the node's leases (root.cluster).
      n.info?.standby ? 'standby' : '',
      n.info && Array.isArray(n.info.owned) ? `${n.info.leader ? 'leader ' : ''}leases=${(n.info.owned as string[]).join(',') || '-'}` : '',
      n.lastError ? `last="${n.lastError.slice(0, 60)}"` : '',
    ].filter(Boolean);
    lines.push(`${branch}${n.id} ${what} ${paint(n.status, color)} ${extra.join(' ')}`.trimEnd());
    const kids = n.children ?? [];
    kids.forEach((c, i) => walk(c, root ? '' : `${prefix}${last ? '   ' : '│  '}`, i === kids.length - 1, false));
  };
  walk(tree, '', true, true);
  return lines.join('\n');
}

const num = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const signed = (x: number) => (x > 0 ? `+${num(x)}` : num(x));

function positionLine(p: PositionRow, color: boolean): string {
  const stop =
    p.stop === 'confirmed' ? paint(`stop ${num(p.stopPrice ?? NaN, 4)} ok`, color, 'confirmed')
    : p.stop === 'pending' ? paint(`stop ${num(p.stopPrice ?? NaN, 4)} pending`, color, 'pending')
    : paint('NO STOP', color, 'none');
  const naked = p.unprotectedMs !== null ? paint(` unprotected ${Math.round(p.unprotectedMs / 1000)}s`, color, 'none') : '';
  return `  ${p.symbol.padEnd(12)} ${String(p.side ?? '-').padEnd(5)} qty=${p.qty} entry=${num(p.avgEntry, 4)} mark=${num(p.markPrice, 4)} uPnL=${signed(p.unrealizedPnl)} rPnL=${signed(p.realizedPnl)} ${stop}${naked}`;
}

/**
 * The whole console as text: header, trading policy, models, supervision tree, breakers,
 * positions (only when there are some), latest alerts, and what could not be read.
 */
export function renderConsole(s: ConsoleSnapshot, opts: RenderOptions = {}): string {
  const c = opts.color ?? false;
  const p = s.policy;
  const out: string[] = [];
  out.push(head(`Quantum Trader — node ${s.node ?? '?'} — ${new Date(s.ts).toISOString()}`, c), '');
  out.push(`${head('TRADING', c)}  state=${paint(p.tradingState, c)}  risk=${paint(p.riskMode, c)}  kill-switch=${p.killSwitch}  reconciling=${p.reconciling}`);
  out.push(`${head('MODELS', c)}   champion=${p.champion}  shadow=${p.shadow}  challenger=${p.challenger}`, '');
  out.push(head('SUPERVISION', c));
  out.push(s.tree ? renderTree(s.tree, c) : '  node not answering');
  if (s.breakers.length) {
    out.push('', head('VENUE BREAKERS', c));
    const bySource = new Map<string, string[]>();
    for (const b of s.breakers) bySource.set(b.source, [...(bySource.get(b.source) ?? []), `${b.name}=${paint(b.state, c)}`]);
    for (const [src, parts] of bySource) out.push(`  ${src}  ${parts.join(' ')}`);
  }
  if (s.positions.length) {
    out.push('', head(`POSITIONS (${s.positions.length})`, c));
    for (const pos of s.positions) out.push(positionLine(pos, c));
  }
  out.push('', head('ALERTS', c));
  if (!s.alerts.length) out.push('  none');
  for (const a of s.alerts) out.push(`  ${new Date(a.ts).toISOString().slice(5, 19).replace('T', ' ')}  ${a.severity ? `${paint(a.severity, c)} ` : ''}${a.summary}`);
  if (s.errors.length) out.push('', head('UNAVAILABLE', c), ...s.errors.map((e) => `  ${e}`));
  return out.join('\n');
}
