import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';

/** The process's single NATS connection and the JetStream views built on it. */
export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  kvm: Kvm;
  objm: Objm;
  /** Drains subscriptions and closes. */
  close(): Promise<void>;
}

export interface BusOptions {
  url: string;
  name?: string;
  credsFile?: string;
  user?: string;
  pass?: string;
  /** @default 1000 */
  reconnectTimeWait?: number;
  logger?: Logger;
}

/**
 * Opens the one NATS connection of this process. Reconnects forever: a node that cannot reach
 * NATS is useless but must not lose its place, and systemd restarts are for crashes, not blips.
 */
export async function connectBus(opts: BusOptions): Promise<Bus> {
  const nc = await connect({
    // `nats://a:4222,nats://b:4222`: every server of a cluster, as the nats CLI takes them.
    servers: opts.url.split(',').map((u) => u.trim()),
    name: opts.name ?? 'quantum-trader',
    maxReconnectAttempts: -1,
    reconnectTimeWait: opts.reconnectTimeWait ?? 1_000,
    waitOnFirstConnect: false,
    // Every request (each JetStream publish and KV write) otherwise builds two Error objects up
    // front for their stack traces: about 2 % of a live node's main thread, 4 % in close bursts.
    noAsyncTraces: true,
    ...(opts.credsFile ? { authenticator: credsAuthenticator(readFileSync(opts.credsFile)) } : {}),
    ...(opts.user ? { user: opts.user, pass: opts.pass } : {}),
  });
  const log = opts.logger;
  if (log) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error' || s.type === 'ldm') {
          log.warn({ nats: s.type, server: 'server' in s ? s.server : undefined }, `nats ${s.type}`);
        }
      }
    })().catch(() => undefined);
  }
  const js = jetstream(nc, { timeout: 10_000 });
  const jsm = await jetstreamManager(nc, { timeout: 10_000 });
  return {
    nc,
    js,
    jsm,
    kvm: new Kvm(js),
    objm: new Objm(js),
    async close() {
      if (nc.isClosed()) return;
      await nc.drain().catch(() => nc.close());
    },
  };
}
