import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { startVenueEnv } from '../venues/binance/testkit.js';
import { startFundingBooker } from './funding.js';

const silent = pino({ level: 'silent' });
type FundingMsg = { type: string; amount: number; ts: number };

describe('funding booker', () => {
  it('books each funding payment of the venue once, into its position actor\'s input, also across a restart', async () => {
    await using env = await natsEnv();
    // Funding settles every 400 ms: a few payments accrue while the test runs.
    await using v = await startVenueEnv({ sim: { fundingIntervalMs: 400 } });
    await v.venue.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.01, clientOrderId: 'fund-1' });
    const venueRows = () => v.sim.engine.income({ symbol: 'BTCUSDT', incomeType: 'FUNDING_FEE' });
    await until(() => venueRows().length >= 2, 'two funding payments at the venue');
    const sent = async () => readStream<FundingMsg>(env.bus, STREAMS.inputs, subjects.actorInput('position', 'BTCUSDT'));

    let booker = await startFundingBooker({ bus: env.bus, venue: v.venue, clock: createLiveClock(), logger: silent, everyMs: 600_000, debounceMs: 10 });
    const first = await sent();
    expect(first.length).toBeGreaterThanOrEqual(2);
    const atVenue = new Map(venueRows().map((r) => [String(r.tranId), r]));
    for (const m of first) {
      const tranId = m.headers['Nats-Msg-Id']!.replace(/^funding:[^:]+:/, '');
      const row = atVenue.get(tranId)!;
      // A long pays funding at a positive rate: negative amounts, as the venue books them.
      expect(m.data).toEqual({ type: 'funding', amount: Number(row.income), ts: row.time });
      expect(m.data.amount).toBeLessThan(0);
    }
    // More accrue; a refresh books only the new ones.
    const seen = venueRows().length;
    await until(() => venueRows().length >= seen + 2, 'two more payments');
    booker.refresh();
    await until(async () => (await sent()).length >= seen + 2, 'the new payments booked');
    const ids = (await sent()).map((m) => m.headers['Nats-Msg-Id']);
    expect(new Set(ids).size).toBe(ids.length);
    // A restarted booker reads the whole look-back again: JetStream drops every repeat.
    await v.venue.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: 0.01, reduceOnly: true, clientOrderId: 'fund-2' });
    await booker.stop();
    booker = await startFundingBooker({ bus: env.bus, venue: v.venue, clock: createLiveClock(), logger: silent, everyMs: 600_000 });
    const after = await sent();
    expect(after.length).toBe(venueRows().length);
    expect(booker.info().failures).toBe(0);
    await booker.stop();
  });
});
