/**
 * Request parameter handling as Binance does it: parameters arrive in the query string and/or an
 * x-www-form-urlencoded body; on a clash the query string wins; the signature covers the exact
 * bytes `query + body` with the `signature` pair removed.
 */
import type { IncomingMessage } from 'node:http';
import { apiErrors } from './errors.js';

/** A parsed request: merged parameters plus the raw strings the signature is checked against. */
export interface ParsedParams {
  readonly values: ReadonlyMap<string, string>;
  /** `query + body` without the `signature` pair, exactly as received. */
  readonly signedPayload: string;
  readonly signature: string | undefined;
}

/** Reads the whole request body as text, refusing oversize payloads. */
export async function readBody(req: IncomingMessage, maxBytes = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) throw apiErrors.invalidParam('body');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function splitPairs(raw: string): string[] {
  return raw.length === 0 ? [] : raw.split('&').filter((p) => p.length > 0);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function stripSignature(raw: string): { rest: string; signature: string | undefined } {
  let signature: string | undefined;
  const kept: string[] = [];
  for (const pair of splitPairs(raw)) {
    if (pair.startsWith('signature=')) signature = decode(pair.slice('signature='.length));
    else kept.push(pair);
  }
  return { rest: kept.join('&'), signature };
}

function collect(raw: string, into: Map<string, string>, overwrite: boolean): void {
  const seen = new Set<string>();
  for (const pair of splitPairs(raw)) {
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    // Binance rejects a key repeated within one part, but lets the query string override the body.
    if (seen.has(key)) throw apiErrors.duplicateParam();
    seen.add(key);
    if (overwrite || !into.has(key)) into.set(key, value);
  }
}

/** Merges query string and body into one parameter map and extracts the signed payload. */
export function parseParams(rawQuery: string, rawBody: string, contentType: string | undefined): ParsedParams {
  const body = contentType && contentType.includes('application/json') ? '' : rawBody;
  const q = stripSignature(rawQuery);
  const b = stripSignature(body);
  const values = new Map<string, string>();
  collect(q.rest, values, true);
  collect(b.rest, values, false);
  if (q.signature && b.signature) throw apiErrors.duplicateParam();
  return { values, signedPayload: q.rest + b.rest, signature: q.signature ?? b.signature };
}

/** Typed accessors over a parameter map that throw Binance's parameter errors. */
export class Params {
  constructor(readonly values: ReadonlyMap<string, string>) {}

  has(name: string): boolean {
    const v = this.values.get(name);
    return v !== undefined && v !== '';
  }
  str(name: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined || v === '' ? undefined : v;
  }
  reqStr(name: string): string {
    const v = this.str(name);
    if (v === undefined) throw apiErrors.mandatory(name);
    return v;
  }
  num(name: string): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw apiErrors.invalidParam(name);
    return n;
  }
  reqNum(name: string): number {
    const n = this.num(name);
    if (n === undefined) throw apiErrors.mandatory(name);
    return n;
  }
  int(name: string): number | undefined {
    const n = this.num(name);
    if (n !== undefined && !Number.isInteger(n)) throw apiErrors.invalidParam(name);
    return n;
  }
  bool(name: string): boolean | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (v === 'true' || v === 'TRUE') return true;
    if (v === 'false' || v === 'FALSE') return false;
    throw apiErrors.invalidParam(name);
  }
  /** Uppercased symbol, as Binance accepts `btcusdt` too. */
  symbol(required: true): string;
  symbol(required?: false): string | undefined;
  symbol(required = false): string | undefined {
    const v = required ? this.reqStr('symbol') : this.str('symbol');
    return v?.toUpperCase();
  }
}
