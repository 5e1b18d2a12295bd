import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { natsEnv } from '../testing/nats-env.js';
import { QT_BIN, runQt, startQtNode } from '../testing/cli.js';
import { until } from '../testing/wait.js';

/** A private tmux server per test, so nothing leaks into (or from) the developer's sessions. */
function tmux(socket: string) {
  const run = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm-256color' } });
  return {
    start: (cmd: string[]) => run('new-session', '-d', '-s', 'qt', '-x', '160', '-y', '60', cmd.map((a) => `'${a}'`).join(' ')),
    pane: () => {
      try {
        return run('capture-pane', '-p', '-t', 'qt');
      } catch {
        return '';
      }
    },
    [Symbol.dispose]: () => {
      try {
        run('kill-server');
      } catch {
        // already gone
      }
    },
  };
}

describe('qt status --watch in a terminal', () => {
  it('renders the live console and redraws when an actor restarts', async () => {
    await using env = await natsEnv();
    const dataDir = mkdtempSync(join(tmpdir(), 'qt-status-'));
    await using node = startQtNode(['--nats', env.server.url], {
      QT_NODE__ID: 'tmux', QT_NODE__DATA_DIR: dataDir, QT_SIM__SYMBOLS: '2', QT_UNIVERSE__TOP_N: '2', QT_OPS__HTTP__PORT: '0',
    });
    using term = tmux(`qt-test-${process.pid}`);
    term.start([process.execPath, QT_BIN, 'status', '--watch', '--nats', env.server.url]);

    const first = await until(() => {
      const p = term.pane();
      // tmux may capture a frame half drawn, so wait for its last section.
      return /heartbeat \(permanent\) running restarts=0/.test(p) && /market=closed/.test(p) && /ALERTS/.test(p) ? p : undefined;
    }, `console in tmux (pane: ${term.pane()}) (node: ${node.logs().slice(-500)})`, 25_000);
    expect(first, first).toContain('SUPERVISION');
    // Values depend on what the brains have written by now; '-' until they do.
    expect(first, first).toMatch(/TRADING {2}state=\S+ {2}risk=\S+ {2}kill-switch=\S+/);
    expect(first, first).toMatch(/MODELS {3}champion=\S+ {2}shadow=\S+/);
    expect(first, first).toMatch(/root\.venue\.market-data {2}order=closed account=closed market=closed/);

    const kill = await runQt(['chaos', 'kill', 'heartbeat', '--nats', env.server.url]);
    expect(kill.code, `${kill.stdout}${kill.stderr}`).toBe(0);
    const after = await until(() => {
      const p = term.pane();
      return /heartbeat \(permanent\) running restarts=1/.test(p) && /ALERTS/.test(p) ? p : undefined;
    }, 'pane showing restarts=1', 10_000);
    expect(after, after).toMatch(/brains \[one_for_one\] running restarts=0/);
  }, 60_000);
});
