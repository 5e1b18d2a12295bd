import { parseArgs } from 'node:util';
import { collectConsoleSnapshot, renderConsole, renderTree } from '../console/index.js';
import { clientBus } from './connect.js';

export { renderTree };

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * `qt status [--json [--full]] [--watch] [--interval MS] [--node ID]`: the operator console in the
 * terminal. `--json` alone prints the tree (what scripts have parsed since the first release);
 * `--full` prints the whole console snapshot. `--watch` redraws every interval until Ctrl-C.
 */
export async function runStatus(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      full: { type: 'boolean' },
      watch: { type: 'boolean' },
      nats: { type: 'string' },
      config: { type: 'string' },
      node: { type: 'string' },
      alerts: { type: 'string', default: '8' },
      interval: { type: 'string', default: '1000' },
    },
  });
  const interval = Number(values.interval);
  if (!(interval >= 100)) throw new Error(`--interval must be at least 100 ms, got '${values.interval}'`);
  const bus = await clientBus(values);
  const snap = () => collectConsoleSnapshot(bus, { alerts: Number(values.alerts), ...(values.node ? { node: values.node } : {}) });
  try {
    if (!values.watch) {
      const s = await snap();
      if (values.json && !values.full) {
        if (!s.tree) throw new Error(s.errors.find((e) => e.startsWith('supervision tree')) ?? 'no tree');
        process.stdout.write(`${JSON.stringify(s.tree, null, 2)}\n`);
      } else process.stdout.write(values.json ? `${JSON.stringify(s, null, 2)}\n` : `${renderConsole(s, { color: process.stdout.isTTY })}\n`);
      return 0;
    }
    let stop = false;
    let wake: () => void = () => undefined;
    const quit = () => {
      stop = true;
      wake();
    };
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
    const tty = process.stdout.isTTY;
    if (tty && !values.json) process.stdout.write(HIDE_CURSOR);
    let drawn = false;
    try {
      while (!stop) {
        const s = await snap();
        // Draw only once the data is in, so the screen never sits blank while NATS answers.
        if (values.json) process.stdout.write(`${JSON.stringify(s)}\n`);
        else {
          // Overwrite in place (home, erase each line's tail, erase below) instead of clearing first:
          // a terminal that shows a frame half written then mixes two frames rather than going blank.
          const frame = `${renderConsole(s, { color: true })}\n\n(refreshing every ${interval} ms; Ctrl-C to quit)`;
          process.stdout.write(`${drawn ? '' : '\x1b[2J'}\x1b[H${frame.replaceAll('\n', '\x1b[K\n')}\x1b[K\n\x1b[J`);
          drawn = true;
        }
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, interval);
        });
      }
    } finally {
      if (tty && !values.json) process.stdout.write(SHOW_CURSOR);
    }
    return 0;
  } finally {
    await bus.close();
  }
}
