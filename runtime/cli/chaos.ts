import { parseArgs } from 'node:util';
import { subjects } from '../../protocols/index.js';
import { clientBus } from './connect.js';

/** `qt chaos kill <actor>`: asks the node's qt-supervisor to crash one actor, as its own code would. */
export async function runChaos(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { nats: { type: 'string' }, config: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [op, target] = positionals;
  if (op !== 'kill' || !target) {
    process.stderr.write('usage: qt chaos kill <actor-id|path> [--reason R]\n');
    return 2;
  }
  const bus = await clientBus(values);
  try {
    const r = await bus.nc.request(subjects.control('supervisor', 'kill'), JSON.stringify({ target, reason: values.reason ?? 'qt chaos kill' }), { timeout: 3_000 });
    const body = JSON.parse(r.string()) as { ok: boolean; path?: string; error?: string };
    if (values.json) process.stdout.write(`${JSON.stringify(body)}\n`);
    else process.stdout.write(body.ok ? `crash injected into ${body.path}\n` : `refused: ${body.error}\n`);
    return body.ok ? 0 : 1;
  } finally {
    await bus.close();
  }
}
