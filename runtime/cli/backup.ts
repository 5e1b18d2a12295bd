import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backupAll, restoreAll } from '../ops/index.js';
import { clientBus } from './connect.js';

type Out = { write(s: string): unknown };

function parse(argv: string[], cmd: string) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { nats: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } } });
  const [dir] = positionals;
  if (!dir || positionals.length > 1) throw new Error(`usage: qt ${cmd} <dir> [--nats URL] [--config F] [--json]`);
  return { values, dir: resolve(dir) };
}

/** `qt backup <dir>`: every QT_* stream, KV bucket and the model store, as JSONL + manifest. */
export async function runBackup(argv: string[], out: Out = process.stdout): Promise<number> {
  const { values, dir } = parse(argv, 'backup');
  const bus = await clientBus(values);
  try {
    const m = await backupAll(bus, dir);
    if (values.json) out.write(`${JSON.stringify(m.streams.map(({ config: _c, ...s }) => s), null, 2)}\n`);
    else for (const s of m.streams) out.write(`${s.name.padEnd(20)} ${String(s.messages).padStart(9)} msgs  seq ${s.firstSeq}..${s.lastSeq}\n`);
    out.write(`backup written to ${dir}\n`);
    return 0;
  } finally {
    await bus.close();
  }
}

/** `qt restore <dir>`: into a server whose streams are absent or empty; stop the node first. */
export async function runRestore(argv: string[], out: Out = process.stdout): Promise<number> {
  const { values, dir } = parse(argv, 'restore');
  const bus = await clientBus(values);
  try {
    const r = await restoreAll(bus, dir);
    if (values.json) out.write(`${JSON.stringify(r, null, 2)}\n`);
    else for (const s of r.streams) out.write(`${s.name.padEnd(20)} ${String(s.published).padStart(9)} msgs${s.duplicates ? `  (${s.duplicates} dropped as duplicates)` : ''}${s.created ? '' : '  (into existing empty stream)'}\n`);
    return 0;
  } finally {
    await bus.close();
  }
}
