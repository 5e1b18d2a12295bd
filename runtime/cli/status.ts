import { parseArgs } from 'node:util';
import { subjects, type NodeStatusRecord } from '../../protocols/index.js';
import { clientBus } from './connect.js';
import type { Bus } from '../nats/index.js';

async function fetchTree(bus: Bus): Promise<NodeStatusRecord> {
  const r = await bus.nc.request(subjects.control('supervisor', 'status'), '', { timeout: 3_000 });
  const body = JSON.parse(r.string()) as { ok: boolean; tree?: NodeStatusRecord; error?: string };
  if (!body.ok || !body.tree) throw new Error(body.error ?? 'no tree in reply');
  return body.tree;
}

const COLORS: Record<string, string> = { running: '\x1b[32m', backoff: '\x1b[33m', crashed: '\x1b[31m', escalated: '\x1b[31m', stopped: '\x1b[90m' };

/** One line per node, indented by depth. */
export function renderTree(tree: NodeStatusRecord, color = false): string {
  const lines: string[] = [];
  const walk = (n: NodeStatusRecord, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`;
    const status = color ? `${COLORS[n.status] ?? ''}${n.status}\x1b[0m` : n.status;
    const what = n.kind === 'supervisor' ? `[${n.strategy ?? '?'}]` : `(${n.restart ?? 'permanent'})`;
    const extra = [
      `restarts=${n.restarts}`,
      n.backoffMs !== undefined && n.status === 'backoff' ? `backoff=${n.backoffMs}ms` : '',
      n.info && 'cursor' in n.info ? `cursor=${String(n.info.cursor)}` : '',
      n.lastError ? `last="${n.lastError.slice(0, 60)}"` : '',
    ].filter(Boolean);
    lines.push(`${branch}${n.id} ${what} ${status} ${extra.join(' ')}`.trimEnd());
    const kids = n.children ?? [];
    kids.forEach((c, i) => walk(c, root ? '' : `${prefix}${last ? '   ' : '│  '}`, i === kids.length - 1, false));
  };
  walk(tree, '', true, true);
  return lines.join('\n');
}

/** `qt status [--json] [--watch]`: the live tree from the node's qt-supervisor service. */
export async function runStatus(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, watch: { type: 'boolean' }, nats: { type: 'string' }, config: { type: 'string' }, interval: { type: 'string', default: '1000' } },
  });
  const bus = await clientBus(values);
  try {
    if (!values.watch) {
      const tree = await fetchTree(bus);
      process.stdout.write(values.json ? `${JSON.stringify(tree, null, 2)}\n` : `${renderTree(tree, process.stdout.isTTY)}\n`);
      return 0;
    }
    let stop = false;
    process.once('SIGINT', () => (stop = true));
    while (!stop) {
      let body: string;
      try {
        const tree = await fetchTree(bus);
        body = values.json ? JSON.stringify(tree) : renderTree(tree, true);
      } catch (e) {
        body = `node not answering: ${(e as Error).message}`;
      }
      process.stdout.write(`\x1b[2J\x1b[H qt status — ${new Date().toISOString()}\n\n${body}\n`);
      await new Promise((r) => setTimeout(r, Number(values.interval)));
    }
    return 0;
  } finally {
    await bus.close();
  }
}
