import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type JournalEntry } from '../../protocols/index.js';
import { createLiveClock, createSimulatedClock } from '../clock/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { startVenueEnv } from '../venues/binance/testkit.js';
import { startEquityReporter } from './equity.js';

const silent = pino({ level: 'silent' });
type EquityMsg = { type: string; equity: number; ts: number };

describe('equity reporter', () => {
  it('publishes the account margin balance to risk and strategy, again after a trade, and rides out a venue outage', async () => {
    await using env = await natsEnv();
    await using v = await startVenueEnv();
    // The simulator's own answer, read without our adapter: wallet + unrealized of USDT.
    const simEquity = async () => {
      const body: unknown = await (await v.sim.signed('GET', '/fapi/v2/balance')).json();
      if (!Array.isArray(body)) throw new Error(`balance answer: ${JSON.stringify(body)}`);
      const rows = body as Array<{ asset: string; balance: string; crossUnPnl: string }>;
      const usdt = rows.find((r) => r.asset === 'USDT')!;
      return Number(usdt.balance) + Number(usdt.crossUnPnl);
    };
    const sent = async (kind: string) => (await readStream<EquityMsg>(env.bus, STREAMS.inputs, subjects.actorInput(kind, 'main'))).map((m) => m.data);

    const rep = await startEquityReporter({ bus: env.bus, venue: v.venue, clock: createLiveClock(), logger: silent, everyMs: 600_000, debounceMs: 10, retryMs: 50 });
    let crashed = false;
    void rep.exited.then((e) => (crashed = e.kind === 'crash'));
    expect(await sent('risk')).toEqual([{ type: 'equity', equity: 10_000, ts: expect.any(Number) }]);
    expect(await sent('strategy')).toEqual(await sent('risk'));

    // A taker fill costs a fee: the account is worth less, and a refresh says so.
    await v.venue.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.01, clientOrderId: 'eq-test-1' });
    const after = await simEquity();
    expect(after).toBeLessThan(10_000);
    rep.refresh();
    await until(async () => (await sent('risk')).length === 2, 'a second equity figure');
    expect((await sent('risk'))[1]!.equity).toBeCloseTo(after, 6);

    // Nothing changed: a refresh publishes nothing new.
    rep.refresh();
    await until(() => (rep.info().reads as number) >= 3, 'a third read');
    expect(await sent('risk')).toHaveLength(2);

    // The venue fails: no crash, the failure is visible, the last figure stands until it answers again.
    const rule = v.sim.server.faults.add({ kind: 'http5xx', status: 503, path: '/fapi/v2/balance' });
    rep.refresh();
    await until(() => (rep.info().failures as number) >= 1, 'a failed read');
    expect(rep.info().lastError).toMatch(/503|unavailable/i);
    v.sim.server.faults.remove(rule.id);
    await v.venue.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: 0.01, reduceOnly: true, clientOrderId: 'eq-test-2' });
    const closed = await simEquity();
    // The retry after the failure (retryMs) reads again on its own.
    await until(async () => (await sent('risk')).length === 3, 'a figure after the outage');
    expect((await sent('risk'))[2]!.equity).toBeCloseTo(closed, 6);
    expect(rep.info().lastError).toBeNull();
    expect(crashed).toBe(false);
    // Several reads inside a minute: one account line in the journal, the first one.
    const journal = (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('account'))).map((m) => m.data);
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({ kind: 'account', data: { venue: 'sim', asset: 'USDT', equity: 10_000, wallet: 10_000, unrealized: 0, source: 'venue' } });
    await rep.stop();
  });

  it('journals the account marked to market, open position included, at most once per journalEveryMs', async () => {
    await using env = await natsEnv();
    await using v = await startVenueEnv();
    // A sped-up market runs ahead of the wall: figures and lines carry its time, as trades do.
    const market = createSimulatedClock(Date.UTC(2030, 0, 1));
    const rep = await startEquityReporter({ bus: env.bus, venue: v.venue, clock: createLiveClock(), marketClock: market, logger: silent, everyMs: 600_000, debounceMs: 10, journalEveryMs: 1 });
    const journal = async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('account'))).map((m) => m.data);
    await v.venue.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.01, clientOrderId: 'eq-mtm-1' });
    market.advance(60_000);
    rep.refresh();
    await until(async () => (await journal()).length === 2, 'a reading with the position open');
    expect((await journal()).map((e) => e.ts)).toEqual([Date.UTC(2030, 0, 1), Date.UTC(2030, 0, 1) + 60_000]);
    const [, open] = await journal();
    const row = (await v.venue.balances()).find((b) => b.asset === 'USDT')!;
    // The position is open: wallet paid the fee, and the reading carries its unrealized PnL.
    expect(open!.data.wallet).toBeLessThan(10_000);
    expect(open!.data.equity).toBeCloseTo((open!.data.wallet as number) + (open!.data.unrealized as number), 9);
    expect(open!.data.wallet).toBeCloseTo(row.walletBalance, 6);
    expect(rep.info().journaled).toBe(2);
    await rep.stop();
  });
});
