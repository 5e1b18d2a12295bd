import { candleMsgId, subjects, type Candle, type SubmitCommand, type SymbolRules, type VenueReport } from '../../protocols/index.js';
import { orderReport } from '../trading/executor.js';
import { orderRequest } from '../trading/order-request.js';
import { updateReport } from '../trading/user-stream-bridge.js';
import { OrderRefusedError } from '../venues/binance/errors.js';
import { buildOrderParams, needsReference } from '../venues/binance/guard.js';
import { parseExchangeInfo, parseOrder, parseUserPayload } from '../venues/binance/parse.js';
import type { WireExchangeInfo, WireOrder, WsUserPayload } from '../venues/binance/messages.js';
import type { SimVenue } from '../venues/sim/engine/index.js';
import { SimVenueError } from '../venues/sim/engine/index.js';
import type { BacktestBus } from './bus.js';

interface ExecMessage {
  op: 'place' | 'cancel' | 'query';
  command: SubmitCommand | { clientOrderId: string; symbol: string };
}

/**
 * Connects the in-process matching engine to the backtest bus the way the live executor, user
 * stream and market-data worker connect the simulator server to NATS: exec commands become engine
 * calls, engine answers and user events become VenueReports, closed klines become candles.
 *
 * A place goes through the Binance adapter's own order checks (`buildOrderParams`) against the
 * rules parsed from the engine's exchangeInfo, with the engine's mark as the reference, as
 * `placeOrder` does live: the engine receives the same rounded parameters a live venue would, and
 * an order the adapter refuses locally is answered REJECTED with code 0, as the executor answers it.
 */
export function bridgeVenue(bus: BacktestBus, venue: SimVenue, venueName = 'sim') {
  const { engine } = venue;
  const now = () => engine.clock.now();
  // Subjects per symbol, built once: subject builders check every token, on every candle otherwise.
  const subjectsOf = new Map<string, { report: string; mark: string; candle: string }>();
  const subjectsFor = (symbol: string) => {
    let s = subjectsOf.get(symbol);
    if (!s) subjectsOf.set(symbol, (s = { report: subjects.order(symbol, 'report'), mark: subjects.market(venueName, symbol, 'mark'), candle: subjects.market(venueName, symbol, 'candle.1m') }));
    return s;
  };
  // Reports are built here from the engine's answers by typed code: trusted. Candles and marks
  // carry data from outside (a replay file), so the symbol and position actors still validate them.
  const report = (r: VenueReport) => bus.publish(subjectsFor(r.symbol).report, r, undefined, undefined, { trusted: true });
  const fromView = (view: unknown) => orderReport(parseOrder(view as WireOrder, venueName), 'rest', now());
  const marks = new Map<string, { markPrice: number; fundingRate: number }>();
  let candles = 0;
  const rules = rulesOf(venue, venueName);
  const params = (s: SubmitCommand) => {
    const req = orderRequest(s);
    const r = rules.get(s.symbol);
    if (!r) throw new OrderRefusedError('UNKNOWN_SYMBOL', 'symbol', `${s.symbol} is not listed on this venue`);
    return buildOrderParams(req, r, needsReference(req) ? Number(engine.premiumIndex(s.symbol).markPrice) : undefined);
  };

  bus.tap(subjects.orderEach('exec'), (m) => {
    const { op, command: c } = m.data as ExecMessage;
    try {
      if (op === 'place') {
        report(fromView(engine.placeOrder(params(c as SubmitCommand))));
      } else if (op === 'cancel') {
        report(fromView(engine.cancelOrder(c.symbol, { origClientOrderId: c.clientOrderId })));
      } else {
        report(fromView(engine.getOrder(c.symbol, { origClientOrderId: c.clientOrderId })));
      }
    } catch (e) {
      if (e instanceof OrderRefusedError) {
        // Nothing was sent, so nothing exists at the venue: the executor's answer to a local refusal.
        report({ type: 'report', source: 'rest', clientOrderId: c.clientOrderId, symbol: c.symbol, status: 'REJECTED', executedQty: 0, avgPrice: 0, reason: e.message, code: 0, ts: now() });
        return;
      }
      if (!(e instanceof SimVenueError)) throw e;
      // -2013 / -2011: the venue proves absence; anything else is a business reject (also proof).
      const absent = e.code === -2013 || e.code === -2011;
      report({
        type: 'report', source: 'rest', clientOrderId: c.clientOrderId, symbol: c.symbol,
        status: absent ? 'NOT_FOUND' : op === 'place' ? 'REJECTED' : 'UNKNOWN', executedQty: 0, avgPrice: 0, code: e.code, reason: e.msg, ts: now(),
      });
    }
  });

  engine.subscribeUser((ev) => {
    const u = parseUserPayload(ev as unknown as WsUserPayload, venueName);
    if (u?.kind === 'order') report(updateReport(u));
  });

  venue.feed.subscribe((u) => {
    if (u.kind === 'mark') {
      marks.set(u.symbol, { markPrice: u.markPrice, fundingRate: u.fundingRate });
      return;
    }
    if (u.kind !== 'kline' || !u.closed) return;
    const k = u.kline;
    const mark = marks.get(u.symbol);
    const c: Candle = {
      venue: venueName, symbol: u.symbol, interval: '1m', openTime: k.openTime, closeTime: k.openTime + 59_999,
      open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume, ...(mark ?? {}),
    };
    candles++;
    const to = subjectsFor(u.symbol);
    if (mark) bus.publish(to.mark, { venue: venueName, symbol: u.symbol, ts: c.closeTime, markPrice: mark.markPrice, fundingRate: mark.fundingRate });
    bus.publish(to.candle, c, candleMsgId(c));
  });
  return { candles: () => candles, rules };
}

/** The engine's exchangeInfo read by the adapter's parser: the rules live order checks run against. */
function rulesOf(venue: SimVenue, venueName = 'sim'): Map<string, SymbolRules> {
  const info = parseExchangeInfo(venue.engine.exchangeInfo() as WireExchangeInfo, venueName);
  return new Map(info.symbols.map((r) => [r.symbol, r]));
}
