import { INTERVAL_MS, checkCandle, type Candle, type Interval } from '../../protocols/index.js';

export interface DownloadOptions {
  /** @default https://fapi.binance.com (public, no key needed) */
  baseUrl?: string;
  symbol: string;
  interval: Interval;
  from: number;
  to: number;
  /** @default 1500 (Binance's max page) */
  pageSize?: number;
  /** Called per page, for progress. */
  onPage?: (got: number) => void;
  fetchImpl?: typeof fetch;
}

/**
 * Downloads closed candles from Binance USD-M public REST (`GET /fapi/v1/klines`), page by page,
 * honouring 429/418 `Retry-After`. The same client runs against the simulator in tests.
 */
export async function downloadKlines(o: DownloadOptions): Promise<Candle[]> {
  const base = (o.baseUrl ?? 'https://fapi.binance.com').replace(/\/$/, '');
  const step = INTERVAL_MS[o.interval];
  const limit = o.pageSize ?? 1500;
  const f = o.fetchImpl ?? fetch;
  const out: Candle[] = [];
  let start = o.from;
  while (start <= o.to) {
    const url = `${base}/fapi/v1/klines?symbol=${o.symbol}&interval=${o.interval}&startTime=${start}&endTime=${o.to}&limit=${limit}`;
    const res = await f(url);
    if (res.status === 429 || res.status === 418) {
      const wait = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.min(60, wait) * 1_000));
      continue;
    }
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
    const rows = (await res.json()) as unknown[][];
    if (rows.length === 0) break;
    for (const row of rows) {
      const openTime = Number(row[0]);
      const c = checkCandle({ venue: 'binance', symbol: o.symbol, interval: o.interval, openTime, closeTime: openTime + step - 1, open: Number(row[1]), high: Number(row[2]), low: Number(row[3]), close: Number(row[4]), volume: Number(row[5]) });
      if (!c.ok) throw new Error(`bad candle from ${base} at ${openTime}: ${c.reason}`);
      if (Number(row[6]) < Date.now()) out.push(c.candle); // closed candles only
    }
    o.onPage?.(out.length);
    const last = Number(rows.at(-1)![0]);
    if (last < start) break;
    start = last + step;
    if (rows.length < limit) break;
  }
  return out;
}
