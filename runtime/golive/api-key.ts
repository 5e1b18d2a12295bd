import { createHmac } from 'node:crypto';

/** The fields of Binance `GET /sapi/v1/account/apiRestrictions` this check reads. */
export interface ApiRestrictions {
  enableWithdrawals: boolean;
  enableFutures?: boolean;
  enableReading?: boolean;
  ipRestrict?: boolean;
  [k: string]: unknown;
}

/** The key may not be used for trading; `retryable` is false because only the operator can fix the key. */
export class ApiKeyRefusedError extends Error {
  override readonly name = 'ApiKeyRefusedError';
  readonly retryable = false;
}

/** Verdict on an API key's permissions. */
export interface ApiKeyVerdict {
  ok: true;
  restrictions: ApiRestrictions;
  /** Advice that does not block (e.g. no IP whitelist). */
  warnings: string[];
}

/**
 * Refuses an API key that can withdraw: a trading bot never needs it, and a leaked key that can
 * withdraw empties the account. A key whose restrictions cannot be read is refused too — an
 * unknown permission set is not a safe one.
 */
export async function checkApiKeyPermissions(fetchRestrictions: () => Promise<ApiRestrictions>): Promise<ApiKeyVerdict> {
  let r: ApiRestrictions;
  try {
    r = await fetchRestrictions();
  } catch (e) {
    throw new ApiKeyRefusedError(`could not read the API key's restrictions: ${(e as Error).message}`, { cause: e });
  }
  if (typeof r?.enableWithdrawals !== 'boolean') throw new ApiKeyRefusedError('apiRestrictions answer has no enableWithdrawals field');
  if (r.enableWithdrawals) throw new ApiKeyRefusedError('API key allows withdrawals: create a key with "Enable Withdrawals" off (trading needs only futures + reading)');
  const warnings: string[] = [];
  if (r.ipRestrict === false) warnings.push('API key is not restricted to trusted IPs');
  if (r.enableFutures === false) warnings.push('API key does not enable futures: orders will be rejected');
  return { ok: true, restrictions: r, warnings };
}

export interface RestrictionsFetcherOptions {
  /** `https://api.binance.com` (SAPI lives on the spot host, not fapi), or the simulator's URL. */
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  /** @default Date.now */
  now?: () => number;
  /** @default 5000 */
  recvWindow?: number;
  /** @default 10000 */
  timeoutMs?: number;
}

/** A signed `GET /sapi/v1/account/apiRestrictions` for {@link checkApiKeyPermissions}. */
export function binanceRestrictionsFetcher(o: RestrictionsFetcherOptions): () => Promise<ApiRestrictions> {
  return async () => {
    const query = `recvWindow=${o.recvWindow ?? 5_000}&timestamp=${(o.now ?? Date.now)()}`;
    const signature = createHmac('sha256', o.apiSecret).update(query).digest('hex');
    const res = await fetch(`${o.baseUrl.replace(/\/$/, '')}/sapi/v1/account/apiRestrictions?${query}&signature=${signature}`, {
      headers: { 'X-MBX-APIKEY': o.apiKey },
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
    const body = (await res.json().catch(() => ({}))) as ApiRestrictions & { code?: number; msg?: string };
    if (!res.ok) throw new Error(`HTTP ${res.status}${body.msg ? `: ${body.msg} (${body.code})` : ''}`);
    return body;
  };
}
