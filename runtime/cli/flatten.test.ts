import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type PositionUpdate, type SubmitCommand } from '../../protocols/index.js';
import { createSimulatedClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { hostKit } from '../testing/host-env.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { positionDef } from './defs-position.js';
import { flatten, runFlatten } from './flatten.js';

const T0 = Date.UTC(2024, 2, 6, 12);
const RULES = { tickSize: 0.1, stepSize: 0.001, minQty: 0.001, minNotional: 5 };

describe('qt flatten', () => {
  it('--all reaches every position actor with an open position (and only those); each sends a reduce-only MARKET close', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env, { clock: createSimulatedClock(T0) });
    const def = positionDef({ venue: 'sim', rules: () => RULES });
    const btc = await kit.start('BTCUSDT', def);
    const eth = await kit.start('ETHUSDT', def);
    // BTC holds an (adopted) position; ETH is flat; SOL's last update says it closed.
    await env.bus.js.publish(subjects.actorInput('position', 'BTCUSDT'), encode({ type: 'adopt', side: 'LONG', qty: 0.01, entry: 60_000, ts: T0 }));
    await until(() => (btc.actor.getSnapshot().context as { qty: number }).qty === 0.01, 'BTC adopted');
    await until(async () => (await readStream<PositionUpdate>(env.bus, STREAMS.positions, subjects.positionAll)).some((m) => m.data.symbol === 'BTCUSDT' && m.data.qty === 0.01), 'BTC position published');
    const closed: Partial<PositionUpdate> = { symbol: 'SOLUSDT', state: 'closed', side: null, qty: 0, ts: T0 };
    await env.bus.js.publish(subjects.position('SOLUSDT', 'closed'), encode(closed));

    const r = await flatten(env.bus, { all: true, reason: 'drill (by ops@test)', now: T0 + 1 });
    expect(r.symbols).toEqual(['BTCUSDT']);
    const sent = await readStream<{ type: string; reason: string }>(env.bus, STREAMS.inputs, subjects.actorInput('position', 'BTCUSDT'));
    expect(sent.at(-1)!.data).toEqual({ type: 'flatten', reason: 'drill (by ops@test)' });
    expect(sent.at(-1)!.headers['Nats-Msg-Id']).toBe(`flatten:BTCUSDT:${T0 + 1}`);
    const close = await until(async () => (await readStream<SubmitCommand>(env.bus, STREAMS.orders, subjects.order('BTCUSDT', 'submit'))).map((m) => m.data).find((c) => c.leg === 'flatten'), 'the flatten order');
    expect(close).toMatchObject({ orderType: 'MARKET', side: 'SELL', qty: 0.01, reduceOnly: true });
    // Asking again (a retried command) sends no second close.
    await flatten(env.bus, { symbols: ['BTCUSDT'], reason: 'again', now: T0 + 2 });
    await until(() => (btc.info().processed as number) >= 3, 'the second request applied');
    const closes = (await readStream<SubmitCommand>(env.bus, STREAMS.orders, subjects.order('BTCUSDT', 'submit'))).filter((m) => m.data.leg === 'flatten');
    expect(closes).toHaveLength(1);
    expect(await readStream(env.bus, STREAMS.inputs, subjects.actorInput('position', 'ETHUSDT'))).toHaveLength(0);
    expect(eth.actor.getSnapshot().status).toBe('active');
    await btc.stop();
    await eth.stop();
  });

  it('refuses what is not a symbol, and a command line with both symbols and --all or neither', async () => {
    await using env = await natsEnv();
    await expect(flatten(env.bus, { symbols: ['btc usdt'], reason: 'x' })).rejects.toThrow(/not a symbol: btc usdt/);
    expect(await runFlatten([])).toBe(2);
    expect(await runFlatten(['BTCUSDT', '--all'])).toBe(2);
    expect(await runFlatten(['BTC-USDT'])).toBe(2);
  });
});
