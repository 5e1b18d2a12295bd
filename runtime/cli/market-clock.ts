import type { Logger } from 'pino';
import { createScaledClock, type Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import type { SimClockInfo } from '../venues/sim/server/admin.js';

/**
 * The node's market clock. Against an external simulator it is the simulator's own: a scaled
 * clock anchored in this process would start at this process's wall time, so at `--speed` above 1
 * every market event would look dated in our future (or past) and risk would deny every intent as
 * stale. The simulator's `GET /sim/clock` gives its market time and speed; half the round trip is
 * added to the anchor. Otherwise (in-node simulator, real venues) the market runs at
 * `cfg.sim.speed` from now, as before.
 */
export async function marketClockFor(cfg: Config, wall: Clock, logger: Logger, o: { attempts?: number } = {}): Promise<Clock> {
  const url = cfg.venue.kind === 'sim' ? cfg.sim.url?.replace(/\/$/, '') : undefined;
  if (!url) return cfg.sim.speed === 1 ? wall : createScaledClock(cfg.sim.speed);
  const attempts = o.attempts ?? 20;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const sent = Date.now();
      const res = await fetch(`${url}/sim/clock`, { signal: AbortSignal.timeout(3_000) });
      if (!res.ok) {
        // It answered without a clock: retrying will not change that.
        last = new Error(`GET /sim/clock: HTTP ${res.status}`);
        break;
      }
      const info = (await res.json()) as SimClockInfo;
      if (!(info.speed > 0) || !Number.isFinite(info.marketTime)) throw new Error(`GET /sim/clock: unexpected answer ${JSON.stringify(info)}`);
      const half = (Date.now() - sent) / 2;
      if (info.speed !== cfg.sim.speed) logger.warn({ simulator: info.speed, configured: cfg.sim.speed }, 'the external simulator sets the market speed');
      if (info.speed === 1) return wall;
      return createScaledClock(info.speed, info.marketTime + half * info.speed);
    } catch (e) {
      last = e;
      await wall.sleep(500);
    }
  }
  // A simulator without /sim/clock (an older one, or another Binance-compatible server): it runs on wall time.
  logger.warn({ err: last, url }, 'no market clock from the external simulator: using the configured speed from now');
  return cfg.sim.speed === 1 ? wall : createScaledClock(cfg.sim.speed);
}
