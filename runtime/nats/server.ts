import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A `nats-server -js` child process that this process owns. */
export interface LocalNatsServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops the server (SIGTERM, then SIGKILL after `graceMs`). Keeps the store unless `wipe`. */
  stop(opts?: { wipe?: boolean; graceMs?: number }): Promise<void>;
  /** Restarts on the same port and store, e.g. for chaos tests. */
  restart(): Promise<void>;
}

export interface LocalNatsOptions {
  /** @default a free loopback port */
  port?: number;
  /** @default a fresh temp dir, wiped on dispose */
  storeDir?: string;
  /** @default 'nats-server' on PATH */
  binary?: string;
  /** Extra log file; by default the server's output is discarded. */
  logFile?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, proc: ChildProcess): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nats-server exited with code ${proc.exitCode} before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts `nats-server -js` on loopback. Used by `qt up` when no server is reachable and by
 * every integration test (never a hand-written fake).
 */
export async function startLocalNats(opts: LocalNatsOptions = {}): Promise<LocalNatsServer> {
  const port = opts.port ?? (await freePort());
  const ownsStore = !opts.storeDir;
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'qt-nats-'));
  mkdirSync(storeDir, { recursive: true });
  const binary = opts.binary ?? 'nats-server';
  let proc: ChildProcess | undefined;

  const launch = async () => {
    const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir];
    if (opts.logFile) args.push('-l', opts.logFile);
    const child = spawn(binary, args, { stdio: 'ignore' });
    child.on('error', () => undefined);
    proc = child;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'ENOENT'
            ? new Error(`'${binary}' not found: install it (Debian: apt-get install -y nats-server) or pass --nats URL`)
            : e,
        ),
      );
    });
    await waitForPort(port, 10_000, child);
  };

  const stopProc = async (graceMs = 5_000) => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  const server: LocalNatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async stop({ wipe = ownsStore, graceMs } = {}) {
      await stopProc(graceMs);
      if (wipe) rmSync(storeDir, { recursive: true, force: true });
    },
    async restart() {
      await stopProc();
      await launch();
    },
    async [Symbol.asyncDispose]() {
      await server.stop();
    },
  };
  return server;
}
