import { parseArgs } from 'node:util';
import { POLICY_KEYS } from '../../protocols/index.js';
import { getPolicy, setPolicy, type KillSwitchValue } from '../trading/policy.js';
import { clientBus, operator } from './connect.js';
import { flatten } from './flatten.js';

const USAGE = 'usage: qt kill-switch on|off|status [--reason R] [--by NAME] [--flatten] [--json] [--nats URL] [--config F]\n';

/**
 * `qt kill-switch on|off|status`: writes KV `qt_policy` `kill_switch` ({on, reason, ts, by}).
 * The node's policy watcher forwards it to the risk brain, which then denies every strategy
 * order with KILL_SWITCH (protective stops and take-profits keep flowing) and journals it.
 */
export async function runKillSwitch(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { nats: { type: 'string' }, config: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' }, json: { type: 'boolean' }, flatten: { type: 'boolean' } },
  });
  const op = positionals[0];
  if ((op !== 'on' && op !== 'off' && op !== 'status') || (values.flatten && op !== 'on')) {
    process.stderr.write(USAGE);
    return 2;
  }
  const bus = await clientBus(values);
  try {
    if (op === 'status') {
      const cur = await getPolicy<Partial<KillSwitchValue>>(bus, POLICY_KEYS.killSwitch);
      const v = cur?.value;
      if (values.json) process.stdout.write(`${JSON.stringify({ on: v?.on === true, ...(v ?? {}), revision: cur?.revision ?? null })}\n`);
      else if (!v) process.stdout.write('kill switch: off (never set)\n');
      else process.stdout.write(`kill switch: ${v.on ? 'ON' : 'off'}${v.reason ? ` — ${v.reason}` : ''}${v.by ? ` (by ${v.by}` : ''}${v.ts ? ` at ${new Date(v.ts).toISOString()})` : v.by ? ')' : ''}\n`);
      return 0;
    }
    const value: KillSwitchValue = { on: op === 'on', reason: values.reason ?? (op === 'on' ? 'operator kill switch' : 'operator cleared kill switch'), ts: Date.now(), by: values.by ?? operator() };
    const revision = await setPolicy(bus, POLICY_KEYS.killSwitch, value);
    // The switch first, so nothing new opens while the closes go out.
    const flat = values.flatten ? await flatten(bus, { all: true, reason: `kill switch: ${value.reason} (by ${value.by})` }) : undefined;
    if (values.json) process.stdout.write(`${JSON.stringify({ ...value, revision, ...(flat ? { flattened: flat.symbols } : {}) })}\n`);
    else {
      process.stdout.write(`kill switch ${value.on ? 'ON' : 'off'} (qt_policy kill_switch revision ${revision}); the risk brain ${value.on ? 'denies every new strategy order' : 'accepts orders again'} once the policy watcher forwards it\n`);
      if (flat) process.stdout.write(flat.symbols.length ? `flatten asked of ${flat.symbols.length} position(s): ${flat.symbols.join(', ')}\n` : 'no open positions to flatten\n');
    }
    return 0;
  } finally {
    await bus.close();
  }
}
