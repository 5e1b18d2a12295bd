import { runUp } from './up.js';
import { runStatus } from './status.js';
import { runChaos } from './chaos.js';
import { runDecode } from './decode.js';
import { runSim } from './sim.js';
import { runDoctor } from './doctor.js';
import { runBackup, runRestore } from './backup.js';

const HELP = `qt — Quantum Trader

  qt up [--nats URL] [--duration S] [--config F] [--venue sim]   run a node (paper trading on the simulator by default)
  qt status [--json] [--watch] [--nats URL]                      the supervision tree
  qt chaos kill <actor-id|path> [--reason R] [--nats URL]        inject a crash into one actor
  qt sim [--port P] [--symbols N] [--seed S] [--data DIR] [--speed X]    the Binance USD-M simulator on its own
  qt doctor [--json] [--nats URL]                                   liveness checks; non-zero on failure
  qt backup <dir> | qt restore <dir>                                 streams and KV to files and back
  qt decode                                                      msgpack on stdin → JSON (nats sub --translate 'npx qt decode')

Config: qt.config.json (or --config F, or QT_CONFIG), overridden by QT_<SECTION>__<KEY> env vars.
`;

/** Dispatches a subcommand; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'up':
        return await runUp(rest);
      case 'status':
        return await runStatus(rest);
      case 'chaos':
        return await runChaos(rest);
      case 'decode':
        return await runDecode();
      case 'sim':
        return await runSim(rest);
      case 'doctor':
        return await runDoctor(rest);
      case 'backup':
        return await runBackup(rest);
      case 'restore':
        return await runRestore(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return cmd === undefined ? 2 : 0;
      default:
        process.stderr.write(`qt: unknown command '${cmd}'\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    process.stderr.write(`qt ${cmd}: ${(e as Error).message}\n`);
    return 1;
  }
}
