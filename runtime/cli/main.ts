const HELP = `qt — Quantum Trader

  qt up [--nats URL] [--duration S] [--config F] [--venue sim] [--symbols N] [--speed X]   run a node (paper trading on the simulator by default)
  qt status [--json [--full]] [--watch] [--node ID] [--nats URL] tree, trading state, positions, models, alerts
  qt chaos kill <actor-id|path> [--reason R] [--nats URL]        inject a crash into one actor
  qt chaos run [--scenario NAME|all] [--long] [--json]          chaos scenarios against a real node; invariants from the venue's records
  qt sim [--port P] [--symbols N] [--seed S] [--data DIR] [--speed X]   the Binance USD-M simulator on its own
  qt data import <file|dir> | download --symbols A,B --interval 1m --from ISO [--to ISO] | ls
  qt train --data <file|dir> [--model gbdt|mlp|temporal|all] [--out DIR] [--json] [--seed S]
  qt models ls|show <id>|promote <id>|rollback|add FILE --manifest M [--json]   the model registry
  qt backtest --data <dir|file|synthetic> [--symbols N] [--from ISO] [--to ISO] [--json] [--html FILE]
  qt report [--json] [--html FILE] [--from ISO] [--to ISO]       trading report from the journal
  qt kill-switch on|off|status [--reason R] [--flatten] [--nats URL]   HALTED: no new trading (stops and TPs still flow); --flatten closes every position
  qt flatten <SYMBOL...>|--all [--reason R] [--nats URL]         close positions now: reduce-only MARKET, the stop stays until it fills
  qt golive check [--json] [--min-hours H] [--max-drawdown X]     go-live gate over the paper record; non-zero on fail
  qt golive apikey [--base-url URL]                              refuse a Binance key that can withdraw
  qt doctor [--json] [--nats URL]                                liveness and money checks (unprotected positions fail); non-zero on failure
  qt backup <dir> | qt restore <dir>                             streams and KV to files and back
  qt decode                                                      msgpack on stdin → JSON (nats sub --translate 'npx qt decode')

Config: qt.config.json (or --config F, or QT_CONFIG), overridden by QT_<SECTION>__<KEY> env vars.
`;

type Command = (argv: string[]) => Promise<number>;

/** Commands load lazily: a command's dependencies cost nothing to the others (and CLI start stays fast). */
const COMMANDS: Record<string, () => Promise<Command>> = {
  up: async () => (await import('./up.js')).runUp,
  status: async () => (await import('./status.js')).runStatus,
  chaos: async () => (await import('./chaos.js')).runChaos,
  decode: async () => async () => (await import('./decode.js')).runDecode(),
  sim: async () => (await import('./sim.js')).runSim,
  data: async () => (await import('./data.js')).runData,
  train: async () => (await import('./train.js')).runTrain,
  report: async () => (await import('./report.js')).runReport,
  backtest: async () => (await import('./backtest.js')).runBacktestCli,
  'kill-switch': async () => (await import('./killswitch.js')).runKillSwitch,
  flatten: async () => (await import('./flatten.js')).runFlatten,
  golive: async () => (await import('./golive.js')).runGolive,
  models: async () => (await import('./models.js')).runModels,
  doctor: async () => (await import('./doctor.js')).runDoctor,
  backup: async () => (await import('./backup.js')).runBackup,
  restore: async () => (await import('./backup.js')).runRestore,
};

/** Dispatches a subcommand; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    process.stderr.write(`qt: unknown command '${cmd}'\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (e) {
    process.stderr.write(`qt ${cmd}: ${(e as Error).message}\n`);
    return 1;
  }
}
