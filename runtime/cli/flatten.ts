import { parseArgs } from 'node:util';
import { subjects, SYMBOL_PATTERN } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import { readPositions } from '../console/snapshot.js';
import type { Bus } from '../nats/index.js';
import { clientBus, operator } from './connect.js';

const USAGE = 'usage: qt flatten <SYMBOL...>|--all [--reason R] [--by NAME] [--json] [--nats URL] [--config F]\n';

export interface FlattenResult {
  symbols: string[];
  reason: string;
}

/**
 * Asks each named position actor (or every one with an open position) to flatten: it cancels its
 * take-profits and sends a reduce-only MARKET close with a deterministic id; its stop stays on the
 * venue until the close fills. The request goes to the actor, not through risk, so it works under
 * the kill switch and in HALTED, which is when an operator needs it.
 */
export async function flatten(bus: Bus, o: { symbols?: string[]; all?: boolean; reason: string; now?: number }): Promise<FlattenResult> {
  const now = o.now ?? Date.now();
  const symbols = o.all ? (await readPositions(bus, now)).map((p) => p.symbol) : [...new Set(o.symbols ?? [])];
  const bad = symbols.filter((s) => !SYMBOL_PATTERN.test(s));
  if (bad.length) throw new Error(`not a symbol: ${bad.join(', ')} (expected e.g. BTCUSDT)`);
  await Promise.all(
    symbols.map((s) =>
      bus.js.publish(subjects.actorInput('position', s), encode({ type: 'flatten', reason: o.reason.slice(0, 200) }), { msgID: `flatten:${s}:${now}`, headers: msgHeaders() }),
    ),
  );
  return { symbols, reason: o.reason };
}

/** `qt flatten <SYMBOL...>|--all`. */
export async function runFlatten(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { all: { type: 'boolean' }, nats: { type: 'string' }, config: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' }, json: { type: 'boolean' } },
  });
  const symbols = positionals.map((s) => s.toUpperCase());
  const all = values.all === true;
  if (all === symbols.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const bad = symbols.filter((s) => !SYMBOL_PATTERN.test(s));
  if (bad.length) {
    process.stderr.write(`not a symbol: ${bad.join(', ')} (expected e.g. BTCUSDT)\n${USAGE}`);
    return 2;
  }
  const bus = await clientBus(values);
  try {
    const reason = `${values.reason ?? 'operator flatten'} (by ${values.by ?? operator()})`;
    const r = await flatten(bus, { symbols, all, reason });
    if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else if (!r.symbols.length) process.stdout.write('no open positions to flatten\n');
    else process.stdout.write(`flatten asked of ${r.symbols.length} position(s): ${r.symbols.join(', ')}; each closes with a reduce-only MARKET order, its stop stays until that fills (watch: qt status)\n`);
    return 0;
  } finally {
    await bus.close();
  }
}
