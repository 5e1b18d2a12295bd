import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type JournalEntry } from '../../protocols/index.js';
import { freePort } from '../nats/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { startQtNode, startQtSim } from '../testing/cli.js';
import { readStream, until } from '../testing/wait.js';

describe('a node against an external simulator running faster than real time', () => {
  it('qt sim --speed 10 in its own process: the node takes the market clock from the simulator, risk approves intents (none stale), entries fill', async () => {
    await using env = await natsEnv();
    await using sim = await startQtSim(['--port', String(await freePort()), '--symbols', '4', '--seed', '11', '--speed', '10', '--nats', env.server.url]);
    const clock = (await (await fetch(`${sim.url}/sim/clock`)).json()) as { marketTime: number; serverTime: number; speed: number };
    expect(clock.speed).toBe(10);
    // The simulator's own anchor differs from anything this process would pick (it started earlier).
    expect(Math.abs(clock.marketTime - clock.serverTime)).toBeGreaterThan(1_000);
    await using node = startQtNode(['--nats', env.server.url, '--venue', 'sim', '--symbols', '4', '--speed', '10'], {
      QT_NODE__ID: 'ext10', QT_NODE__DATA_DIR: mkdtempSync(join(tmpdir(), 'qt-ext10-')), QT_SIM__URL: sim.url, QT_LOG__LEVEL: 'warn',
      QT_SIGNALS__SOURCE: 'fallback', QT_STRATEGY__MIN_CONFIDENCE: '0.51', QT_RISK__COOLDOWN_MIN: '1',
    });
    const verdicts = async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('risk'))).map((m) => m.data);
    const history = async () => (await (await fetch(`${sim.url}/sim/history`)).json()) as { orders: Array<{ clientOrderId: string; executedQty: string }> };
    await until(async () => (await history()).orders.some((o) => o.clientOrderId.endsWith('-entry') && Number(o.executedQty) > 0), `a filled entry at the venue\n${node.logs().slice(-3_000)}`, 150_000);
    const v = await verdicts();
    expect(v.some((j) => /APPROVE/.test(j.summary))).toBe(true);
    // Warm-up candles may be old, but nothing the node does is dated in the simulator's future.
    expect(v.filter((j) => /in the future/.test(JSON.stringify(j.data)))).toEqual([]);
    expect(node.proc.exitCode).toBeNull();
  }, 200_000);
});
