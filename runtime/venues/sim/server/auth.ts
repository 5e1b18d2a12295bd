/**
 * Binance SIGNED / USER_STREAM security: API key from `X-MBX-APIKEY`, HMAC-SHA256 over the exact
 * `query + body` string, and `timestamp`/`recvWindow` checked against the injected clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../clock/index.js';
import { apiErrors } from './errors.js';
import type { ParsedParams } from './params.js';

/** One API credential and the simulated account it trades. */
export interface Credential {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Engine account the key maps to. @default 'default' */
  readonly accountId: string;
}

/** How strictly an endpoint is protected (Binance's security types). */
export type Security = 'NONE' | 'USER_STREAM' | 'SIGNED';

const API_KEY_RE = /^[A-Za-z0-9]{1,128}$/;
const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60000;
/** Binance tolerates a client clock up to 1s ahead of the server. */
const MAX_AHEAD_MS = 1000;

/** Hex HMAC-SHA256, as every Binance client computes it. */
export function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Looks up credentials by API key. */
export class Keyring {
  readonly #byKey = new Map<string, Credential>();
  constructor(creds: readonly Credential[]) {
    for (const c of creds) this.#byKey.set(c.apiKey, c);
  }

  /** The account of a known key, without failing: rate-limit accounting runs before authentication. */
  peekAccount(apiKeyHeader: string | undefined): string | undefined {
    return apiKeyHeader === undefined ? undefined : this.#byKey.get(apiKeyHeader)?.accountId;
  }

  /** The credential for the request's API key, or the Binance error for a missing/unknown key. */
  resolve(apiKeyHeader: string | undefined): Credential {
    if (apiKeyHeader === undefined || apiKeyHeader === '') throw apiErrors.apiKeyFormat();
    if (!API_KEY_RE.test(apiKeyHeader)) throw apiErrors.apiKeyFormat();
    const cred = this.#byKey.get(apiKeyHeader);
    if (!cred) throw apiErrors.rejectedKey();
    return cred;
  }
}

/**
 * Verifies a request for `security`; returns the credential (undefined for NONE).
 * Order of checks mirrors Binance: key, timestamp window, then signature.
 */
export function authenticate(
  security: Security,
  keyring: Keyring,
  apiKeyHeader: string | undefined,
  params: ParsedParams,
  clock: Clock,
): Credential | undefined {
  if (security === 'NONE') return undefined;
  const cred = keyring.resolve(apiKeyHeader);
  if (security === 'USER_STREAM') return cred;

  const rawTs = params.values.get('timestamp');
  if (rawTs === undefined || rawTs === '' || !/^\d+$/.test(rawTs)) throw apiErrors.mandatory('timestamp');
  const rawWindow = params.values.get('recvWindow');
  let recvWindow = DEFAULT_RECV_WINDOW;
  if (rawWindow !== undefined && rawWindow !== '') {
    recvWindow = Number(rawWindow);
    if (!Number.isFinite(recvWindow) || recvWindow <= 0) throw apiErrors.invalidParam('recvWindow');
    if (recvWindow > MAX_RECV_WINDOW) throw apiErrors.badRecvWindow();
  }
  const ts = Number(rawTs);
  const now = clock.now();
  if (ts > now + MAX_AHEAD_MS) throw apiErrors.timestampAhead();
  if (now - ts > recvWindow) throw apiErrors.timestampOutside();

  if (!params.signature) throw apiErrors.mandatory('signature');
  const expected = Buffer.from(sign(params.signedPayload, cred.apiSecret), 'utf8');
  const given = Buffer.from(params.signature.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw apiErrors.badSignature();
  return cred;
}
