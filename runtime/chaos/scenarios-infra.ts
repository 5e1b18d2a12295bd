/**
 * Scenarios that break the infrastructure under a running node: the NATS server, and the venue
 * (faults switched on and off over `qt.ctl.sim.faults`).
 */
import { subjects } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import { bump, pick, sleep, type Scenario, type ScenarioCtx } from './scenario.js';

/** 3. nats-server restarted (same port and store) while the node trades. */
export const natsRestart: Scenario = {
  name: 'nats-restart',
  env: 'inproc',
  description: 'restart nats-server mid-run (startLocalNats().restart()); the node must reconnect and carry on',
  async run(c: ScenarioCtx) {
    const nats = c.env.nats;
    if (!nats) {
      c.notes.push('skipped: the run uses an external nats-server (--nats), which the suite cannot restart');
      return;
    }
    const restarts = c.long ? 6 : 2;
    for (let i = 0; i < restarts; i++) {
      await sleep(3_000 + c.random() * 3_000);
      const from = Date.now();
      await nats.restart();
      bump(c.stats, 'restarts');
      // Back when the node answers again with a healthy tree.
      await c.env.waitUp(45_000).catch((e: unknown) => c.failures.push(`after NATS restart ${i + 1}: ${(e as Error).message}`));
      c.env.addOutage(from, Date.now(), 'nats restart');
    }
    if (c.env.node?.proc.exitCode !== null) c.failures.push(`node process exited (${c.env.node?.proc.exitCode}) across NATS restarts`);
  },
};

/** The faults, each switched on for a while during trading and then off. */
const FAULTS: Array<{ name: string; on: unknown[]; holdMs: number }> = [
  // Executed at the venue, answered 2.5 s later: the adapter must resolve by query, never re-send blindly.
  { name: 'timeout-fills-later', on: [{ kind: 'timeout', path: '/fapi/v1/order', method: 'POST', respondAfterMs: 2_500, probability: 0.5, count: 4 }], holdMs: 6_000 },
  { name: '5xx-burst', on: [{ kind: 'http5xx', path: '/fapi/v1/order', phase: 'after', probability: 0.5, count: 4 }, { kind: 'http5xx', path: '/fapi/*', status: 502, probability: 0.3, count: 8 }], holdMs: 6_000 },
  { name: '429-storm', on: [{ kind: 'rateLimit', path: '/fapi/*', probability: 0.6, retryAfterSec: 1, count: 25 }], holdMs: 6_000 },
  { name: 'rejects', on: [{ kind: 'reject', probability: 0.5, count: 4 }, { kind: 'marginInsufficient', probability: 0.3, count: 2 }], holdMs: 6_000 },
  { name: 'ws-drop', on: [{ action: 'dropWebSockets' }], holdMs: 3_000 },
  { name: 'listenkey-expiry', on: [{ action: 'expireListenKeys' }], holdMs: 3_000 },
];

/** 4. Venue faults: late-filling timeouts, 5xx bursts, 429 storms, rejects, WebSocket drops, listenKey expiry. */
export const venueFaults: Scenario = {
  name: 'venue-faults',
  env: 'inproc',
  description: 'switch simulator faults on and off over NATS qt.ctl.sim.faults while trading (timeouts that fill later, 5xx, 429, rejects, ws drops, listenKey expiry)',
  async run(c: ScenarioCtx) {
    const rounds = c.long ? 4 : 1;
    for (let r = 0; r < rounds; r++) {
      for (const f of FAULTS) {
        const from = Date.now();
        // Order traffic under the fault: flatten one symbol (exit, cancels) so it can re-enter too.
        const sym = pick(c.symbols, c.random);
        await c.env.bus.js.publish(subjects.actorInput('position', sym), encode({ type: 'flatten', reason: `chaos: venue-faults ${f.name}` }), { headers: msgHeaders() });
        bump(c.stats, 'flattened');
        for (const body of f.on) await c.env.fault(body);
        bump(c.stats, `on.${f.name}`);
        await sleep(f.holdMs);
        await c.env.fault({ action: 'clear' });
        // Injected venue delays are wall-clock delays: inside the window (plus the adapter's retry
        // tail) the stop rule is held in wall time, not in the sped-up market's.
        c.env.addOutage(from, Date.now() + 3_000, `venue fault ${f.name}`, { wallClock: true });
      }
    }
    // Ambiguous answers take the adapter's query path and breakers may be open: give it time to heal.
    await c.env.waitUp(45_000).catch((e: unknown) => c.failures.push(`tree not healthy after the faults: ${(e as Error).message}`));
  },
};
