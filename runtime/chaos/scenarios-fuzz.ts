/**
 * 6. Fuzzing every input subject with malformed, oversized, NaN and out-of-order messages: each
 * bad message must be dead-lettered with a reason by every actor reading the subject, and no actor
 * may crash. Nothing sent here could be a valid order: a fuzzer must never trade.
 */
import { DLQ_REASON_HEADER, DLQ_SOURCE_HEADER, STREAMS, subjects } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import { readStream } from '../testing/wait.js';
import { bump, sleep, type Scenario, type ScenarioCtx } from './scenario.js';

interface Probe {
  subject: string;
  stream: string;
  label: string;
  bytes: Uint8Array;
  /** Actors reading the subject (DLQ sources `qt.dlq.<key>`) — each must dead-letter it. */
  readers: string[];
  /** Valid but out of order: must not crash anything; dead-lettering is optional. */
  outOfOrder?: boolean;
  seq?: number;
}

const bad = (label: string) => ({ chaos: 'fuzz', label, hello: 'world', nested: { a: [1, 2, 3] } });

function probes(sym: string, venue: string): Probe[] {
  const nan = Number.NaN;
  const big = encode({ chaos: 'fuzz', blob: 'x'.repeat(300 * 1024) });
  const junk = new Uint8Array([0xc1, 0xff, 0x00, 0x13]);
  const base = (subject: string, stream: string, readers: string[], nanBody: unknown, label: string): Probe[] => [
    { subject, stream, readers, label: `${label}: undecodable`, bytes: junk },
    { subject, stream, readers, label: `${label}: malformed`, bytes: encode(bad(label)) },
    { subject, stream, readers, label: `${label}: NaN`, bytes: encode(nanBody) },
    { subject, stream, readers, label: `${label}: oversized`, bytes: big },
  ];
  const now = Date.now();
  const candle = { venue, symbol: sym, interval: '1m', openTime: 60_000, closeTime: 119_999, open: 1, high: 1, low: 1, close: 1, volume: 1 };
  return [
    ...base(subjects.market(venue, sym, 'candle.1m'), STREAMS.market, [`symbol.${sym}`], { ...candle, close: nan }, 'candle'),
    // Out of order: a well-formed candle from 1970, long before the actor's last one.
    { subject: subjects.market(venue, sym, 'candle.1m'), stream: STREAMS.market, readers: [`symbol.${sym}`], label: 'candle: out of order', bytes: encode(candle), outOfOrder: true },
    ...base(subjects.intent(sym), STREAMS.intents, ['risk.main', `position.${sym}`], { intentId: `${sym}:1:BUY`, symbol: sym, venue, ts: now, kind: 'entry', side: 'BUY', confidence: nan, attribution: 'chaos:fuzz', price: nan, qty: nan, notional: nan, leverage: 3 }, 'intent'),
    ...base(subjects.order(sym, 'submit'), STREAMS.orders, [`orders.${sym}`], { type: 'submit', clientOrderId: 'qtchaosfuzz00000000-entry', intentId: 'fuzz', leg: 'entry', symbol: sym, side: 'BUY', orderType: 'MARKET', qty: nan, price: nan, reduceOnly: false, attribution: 'chaos:fuzz', ts: now }, 'submit'),
    ...base(subjects.order(sym, 'report'), STREAMS.orders, [`orders.${sym}`], { type: 'report', source: 'rest', clientOrderId: 'qtchaosfuzz00000000-entry', symbol: sym, status: 'FILLED', executedQty: nan, avgPrice: nan, ts: now }, 'report'),
    // Out of order: a venue report for an order nobody placed (the orders actor journals an orphan).
    { subject: subjects.order(sym, 'report'), stream: STREAMS.orders, readers: [`orders.${sym}`], label: 'report: unknown order', bytes: encode({ type: 'report', source: 'stream', clientOrderId: 'qtchaosfuzzUnknown00-entry', symbol: sym, status: 'CANCELED', executedQty: 0, avgPrice: 0, ts: 1 }), outOfOrder: true },
    ...base(subjects.actorInput('position', sym), STREAMS.inputs, [`position.${sym}`], { type: 'adopt', side: 'LONG', qty: nan, entry: nan, ts: now }, 'position control'),
    ...base(subjects.actorInput('risk', 'main'), STREAMS.inputs, ['risk.main', 'ceo.main'], { type: 'equity', equity: nan, ts: now }, 'risk control'),
    ...base(subjects.features(venue, sym), STREAMS.signals, ['regime.main', 'ai.features'], { venue, symbol: sym, interval: '1m', ts: now, close: nan, ready: true, names: 'x', features: [nan], window: 1, atr: nan }, 'features'),
    ...base(subjects.signal(sym), STREAMS.signals, ['strategy.main'], { symbol: sym, ts: now, side: 'BUY', confidence: nan, source: 'fallback', price: nan }, 'signal'),
  ];
}

export const fuzz: Scenario = {
  name: 'fuzz',
  env: 'inproc',
  description: 'malformed, oversized, NaN and out-of-order messages on every input subject: dead-lettered with a reason, no actor crashes',
  async run(c: ScenarioCtx) {
    const sym = c.symbols[0]!;
    const list = probes(sym, 'sim').filter((p) => !c.fuzzSkip?.test(p.label));
    if (c.fuzzSkip) c.notes.push(`probes left out: ${c.fuzzSkip.source}`);
    const supBefore = (await readStream(c.env.bus, STREAMS.supervision, subjects.supervisionAll)).length;
    const rounds = c.long ? 5 : 1;
    for (let r = 0; r < rounds; r++) {
      for (const p of list) {
        const ack = await c.env.bus.js.publish(p.subject, p.bytes, { headers: msgHeaders() });
        p.seq = ack.seq;
        if (c.paceMs) await sleep(c.paceMs);
        bump(c.stats, p.outOfOrder ? 'sent.outOfOrder' : 'sent.bad');
      }
      // Every reader dead-letters every bad message (source subject + stream seq identify it).
      const want = list.filter((p) => !p.outOfOrder).flatMap((p) => p.readers.map((rd) => ({ p, rd })));
      const deadline = Date.now() + 20_000;
      let missing = want;
      while (missing.length && Date.now() < deadline) {
        await sleep(500);
        const dlq = await readStream(c.env.bus, STREAMS.dlq, subjects.dlqAll, { decode: false });
        const got = new Set(dlq.filter((m) => m.headers[DLQ_REASON_HEADER]).map((m) => `${m.subject}|${m.headers[DLQ_SOURCE_HEADER]}|${m.headers['Qt-Dlq-Seq']}`));
        missing = want.filter(({ p, rd }) => !got.has(`${subjects.dlq(rd)}|${p.subject}|${p.seq}`));
      }
      bump(c.stats, 'deadLettered', want.length - missing.length);
      for (const { p, rd } of missing) c.failures.push(`${p.label} on ${p.subject} (seq ${p.seq}) was not dead-lettered by ${rd}`);
    }
    await c.env.waitUp(20_000).catch((e: unknown) => c.failures.push(`tree not healthy after fuzzing: ${(e as Error).message}`));
    const sup = (await readStream<{ type: string; path: string; reason?: string }>(c.env.bus, STREAMS.supervision, subjects.supervisionAll)).slice(supBefore);
    for (const e of sup.map((m) => m.data).filter((e) => e.type === 'crashed')) c.failures.push(`${e.path} crashed during fuzzing: ${e.reason ?? '?'}`);
    bump(c.stats, 'crashes', sup.filter((m) => m.data.type === 'crashed').length);
  },
};
