import { connect as tcpConnect } from 'node:net';
import { hostname, userInfo } from 'node:os';
import { loadConfig, type Config, type ConfigInput } from '../config/index.js';
import { connectBus, type Bus } from '../nats/index.js';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** Whether something accepts TCP connections at the URL's host:port (any of them, for a comma-separated list). */
export async function reachable(url: string, timeoutMs = 500): Promise<boolean> {
  const urls = url.split(',').map((u) => u.trim());
  if (urls.length > 1) return (await Promise.all(urls.map((u) => reachable(u, timeoutMs)))).some(Boolean);
  const u = new URL(url.replace(/^nats:/, 'http:'));
  return new Promise((resolve) => {
    const s = tcpConnect({ host: u.hostname, port: Number(u.port || 4222) });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/** Config for a client command (status, chaos…): `--nats` beats config beats the default URL. */
export function clientConfig(flags: { config?: string; nats?: string }): Config {
  const overrides: ConfigInput = flags.nats ? { nats: { url: flags.nats } } : {};
  return loadConfig({ ...(flags.config ? { file: flags.config } : {}), overrides });
}

/** Connects a short-lived client command to the node's NATS. */
export async function clientBus(flags: { config?: string; nats?: string }): Promise<Bus> {
  const cfg = clientConfig(flags);
  const url = cfg.nats.url ?? DEFAULT_NATS_URL;
  if (!(await reachable(url))) throw new Error(`cannot reach NATS at ${url}: is a node running? (qt up), or pass --nats URL`);
  return connectBus({ url, name: 'qt-cli', ...(cfg.nats.credsFile ? { credsFile: cfg.nats.credsFile } : {}), ...(cfg.nats.user ? { user: cfg.nats.user, pass: cfg.nats.pass } : {}) });
}

/** Who runs the command, for the journal: user@host. */
export function operator(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}
