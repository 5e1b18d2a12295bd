import type { Logger } from 'pino';
import type { NodeStatusRecord } from '../../protocols/index.js';
import type { Bus } from '../nats/index.js';
import type { WebConsoleConfig } from './config.js';
import { collectConsoleSnapshot } from './snapshot.js';
import { startWebConsole, type WebConsole } from './web.js';

export interface NodeWebConsoleOptions {
  bus: Bus;
  /** The `console` config section. */
  config: WebConsoleConfig;
  /** From `readSecret(CONSOLE_TOKEN_ENV)`. */
  token?: string | undefined;
  /** The node's own tree with worker info, e.g. `() => treeWithInfo(node.root)`. */
  tree: () => NodeStatusRecord | undefined;
  logger?: Logger;
}

/**
 * The web console of a running node, or undefined when switched off. Reads the node's own tree
 * directly instead of asking the control service, so the page shows this node even when several
 * nodes answer `qt.ctl.supervisor.status`.
 */
export async function startNodeWebConsole(o: NodeWebConsoleOptions): Promise<WebConsole | undefined> {
  const web = o.config.web;
  if (!web.enabled) return undefined;
  return startWebConsole({
    bus: o.bus,
    host: web.host,
    port: web.port,
    intervalMs: web.intervalMs,
    ...(o.token ? { token: o.token } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    snapshot: () => collectConsoleSnapshot(o.bus, { tree: o.tree }),
  });
}
