import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const QT_BIN = fileURLToPath(new URL('../cli/qt.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `qt <args>` to completion in a child process. */
export function runQt(args: string[], opts: { env?: Record<string, string>; input?: Uint8Array; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [QT_BIN, ...args], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    if (opts.input) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export interface NodeProcess extends AsyncDisposable {
  proc: ChildProcess;
  /** Everything the node logged so far (JSON lines). */
  logs(): string;
  exited: Promise<number | null>;
}

/** Starts `qt up` as a real process (the way systemd would), logging to a buffer. */
export function startQtNode(args: string[], env: Record<string, string> = {}): NodeProcess {
  // QTDEV_NODE_ARGS: extra node flags for the spawned node (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
  const nodeArgs = (process.env.QTDEV_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, QT_BIN, 'up', ...args], { env: { ...process.env, QT_OPS__HTTP__PORT: '0', QT_CONSOLE__WEB__PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return {
    proc,
    logs: () => out,
    exited,
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 8_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

export interface SimProcess extends AsyncDisposable {
  proc: ChildProcess;
  /** REST base URL of the simulator. */
  url: string;
}

/** Starts `qt sim` as its own process and resolves once it printed its URLs. */
export async function startQtSim(args: string[], env: Record<string, string> = {}): Promise<SimProcess> {
  const proc = spawn(process.execPath, [QT_BIN, 'sim', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`qt sim did not start: ${out}`)), 30_000);
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(t);
        resolve((JSON.parse(line) as { rest: string }).rest);
      }
    });
    proc.stderr!.on('data', (d) => (out += String(d)));
    proc.on('exit', (c) => reject(new Error(`qt sim exited ${c}: ${out}`)));
  }).catch(async (e: unknown) => {
    proc.kill('SIGKILL');
    throw e;
  });
  return {
    proc,
    url,
    async [Symbol.asyncDispose]() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}
