import { parseArgs } from 'node:util';
import { subjects } from '../../protocols/index.js';
import { clientBus } from './connect.js';

const USAGE = `usage: qt chaos kill <actor-id|path> [--reason R] [--nats URL]
       qt chaos run [--scenario NAME|all] [--long] [--json] [--nats URL] [--seed S] [--symbols N]
         scenarios: fuzz, actor-kills, venue-faults, nats-restart, kill9, crash-loop (comma-separated or all)
`;

/**
 * `qt chaos kill <actor>`: asks the node's qt-supervisor to crash one actor, as its own code would.
 * `qt chaos run`: the chaos suite — real nodes against the fault-injecting simulator, invariants
 * checked from the simulator's records after every scenario; non-zero when any breaks.
 */
export async function runChaos(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      nats: { type: 'string' }, config: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' },
      scenario: { type: 'string' }, long: { type: 'boolean' }, seed: { type: 'string' }, symbols: { type: 'string' },
    },
  });
  const [op, target] = positionals;
  if (op === 'run') return runSuite(values);
  if (op !== 'kill' || !target) {
    process.stderr.write(USAGE);
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

async function runSuite(v: { scenario?: string; long?: boolean; json?: boolean; nats?: string; seed?: string; symbols?: string }): Promise<number> {
  const { runChaos: run, renderResults } = await import('../chaos/runner.js');
  const started = Date.now();
  const results = await run({
    scenarios: (v.scenario ?? 'all').split(',').map((s) => s.trim()).filter(Boolean),
    long: v.long === true,
    ...(v.nats ? { natsUrl: v.nats } : {}),
    ...(v.seed ? { seed: Number(v.seed) } : {}),
    ...(v.symbols ? { symbols: Number(v.symbols) } : {}),
    log: (l) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${l}\n`),
  });
  const ok = results.every((r) => r.ok);
  if (v.json) process.stdout.write(`${JSON.stringify({ ok, wallMs: Date.now() - started, results })}\n`);
  else process.stdout.write(`${renderResults(results)}\n${ok ? 'all invariants held' : 'CHAOS FAILED'} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  return ok ? 0 : 1;
}
