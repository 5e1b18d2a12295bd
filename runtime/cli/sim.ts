import { parseArgs } from 'node:util';
import { createLiveClock, createScaledClock } from '../clock/index.js';
import { loadConfig } from '../config/index.js';
import { startSimulator } from '../venues/sim/run.js';

/** Keys of the built-in simulator; not secrets, but kept out of logs like any key. */
export const SIM_API_KEY = 'qtSimApiKey0000000000000000000000';
export const SIM_API_SECRET = 'qtSimApiSecret000000000000000000';

/**
 * `qt sim [--port P] [--symbols N] [--seed S] [--data DIR] [--speed X]`: the Binance USD-M
 * compatible simulator on its own, for rehearsing with any Binance client before the testnet.
 */
export async function runSim(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' }, symbols: { type: 'string' }, seed: { type: 'string' }, data: { type: 'string' },
      speed: { type: 'string' }, config: { type: 'string' }, duration: { type: 'string' }, nats: { type: 'string' },
    },
  });
  const cfg = loadConfig({
    ...(values.config ? { file: values.config } : {}),
    overrides: {
      sim: {
        ...(values.port ? { port: Number(values.port) } : { port: 8765 }),
        ...(values.symbols ? { symbols: Number(values.symbols) } : {}),
        ...(values.seed ? { seed: Number(values.seed) } : {}),
        ...(values.data ? { data: values.data } : {}),
        ...(values.speed ? { speed: Number(values.speed) } : {}),
      },
    },
  });
  const clock = cfg.sim.speed === 1 ? createLiveClock() : createScaledClock(cfg.sim.speed);
  const sim = await startSimulator({
    clock, serverClock: createLiveClock(), symbols: cfg.sim.symbols, seed: cfg.sim.seed, port: cfg.sim.port, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET,
    initialBalance: cfg.sim.initialBalance, ...(cfg.sim.data ? { data: cfg.sim.data } : {}),
  });
  // With --nats, faults switch over NATS too (`qt.ctl.sim.faults`), as in a node-hosted simulator.
  const { connectBus } = await import('../nats/index.js');
  const { serveSimFaults } = await import('../venues/sim/nats-faults.js');
  const bus = values.nats ? await connectBus({ url: values.nats, name: 'qt-sim' }) : undefined;
  const faults = bus ? serveSimFaults(bus.nc, sim.server.faults) : undefined;
  process.stdout.write(
    `${JSON.stringify({ rest: sim.url, ws: sim.wsUrl, symbols: sim.symbols, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, faults: `${sim.url}/sim/faults`, speed: cfg.sim.speed })}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (values.duration) setTimeout(resolve, Number(values.duration) * 1_000).unref();
  });
  faults?.stop();
  await bus?.close();
  await sim.close();
  return 0;
}
