import { redact } from '../redact.js';

/** POSTs JSON with a timeout; throws an error whose message carries no secret. */
export async function postJson(url: string, body: string, opts: { headers?: Record<string, string>; timeoutMs: number; secrets: string[]; what: string }): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...opts.headers }, body, signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new Error(redact(`${opts.what}: request failed: ${(e as Error).message}${cause ? ` (${cause})` : ''}`, opts.secrets));
  }
  const text = await res.text();
  if (!res.ok) throw new Error(redact(`${opts.what}: HTTP ${res.status}: ${text.slice(0, 200)}`, opts.secrets));
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
}
