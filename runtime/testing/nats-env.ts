import { loadConfig, type Config, type ConfigInput } from '../config/index.js';
import { connectBus, provision, startLocalNats, type Bus, type LocalNatsServer } from '../nats/index.js';

/** A real `nats-server -js` on a random loopback port, one bus connected and provisioned. */
export interface NatsEnv extends AsyncDisposable {
  server: LocalNatsServer;
  bus: Bus;
  cfg: Config;
  /** Opens another connection, e.g. to play a second process. Closed on dispose. */
  connect(): Promise<Bus>;
}

export async function natsEnv(overrides: ConfigInput = {}): Promise<NatsEnv> {
  const server = await startLocalNats();
  const cfg = loadConfig({ env: {}, overrides: { ...overrides, nats: { ...overrides.nats, url: server.url } } });
  const bus = await connectBus({ url: server.url, name: 'qt-test' });
  await provision(bus, cfg);
  const extra: Bus[] = [];
  return {
    server,
    bus,
    cfg,
    async connect() {
      const b = await connectBus({ url: server.url, name: 'qt-test-extra' });
      extra.push(b);
      return b;
    },
    async [Symbol.asyncDispose]() {
      for (const b of extra) await b.close().catch(() => undefined);
      await bus.close().catch(() => undefined);
      await server.stop();
    },
  };
}
