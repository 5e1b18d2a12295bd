/**
 * Parsing of WebSocket connection URLs. Binance USD-M accepts the legacy root (`/ws/<streams>`,
 * `/stream?streams=a/b`) and the routed roots `/public`, `/market` and `/private` with the same
 * suffixes; private connections may also pass `listenKey=` and `events=` in the query.
 */

/** What a connection URL asks for. */
export interface ConnectRequest {
  /** `{stream, data}` envelopes (`/stream`) instead of bare payloads (`/ws`). */
  readonly combined: boolean;
  /** Stream names or listenKeys from the path / `streams=`. */
  readonly names: string[];
  /** listenKeys from `listenKey=` (private routing). */
  readonly listenKeys: string[];
  /** User event filter from `events=`; undefined means all. */
  readonly events: ReadonlySet<string> | undefined;
}

const ROOTS = ['/public', '/market', '/private'];

/** Parses a connection URL; undefined when the path is not a stream endpoint. */
export function parseConnectUrl(rawUrl: string): ConnectRequest | undefined {
  const url = new URL(rawUrl, 'ws://loopback');
  let path = url.pathname;
  for (const root of ROOTS) {
    if (path === root || path.startsWith(`${root}/`)) {
      path = path.slice(root.length);
      break;
    }
  }
  const listenKeys = url.searchParams.getAll('listenKey').flatMap((k) => k.split('/')).filter(Boolean);
  const eventsRaw = url.searchParams.get('events');
  const events = eventsRaw ? new Set(eventsRaw.split('/').filter(Boolean)) : undefined;
  if (path === '/ws' || path === '/ws/') return { combined: false, names: [], listenKeys, events };
  if (path.startsWith('/ws/')) {
    const names = path.slice('/ws/'.length).split('/').filter(Boolean).map(decodeURIComponent);
    return { combined: false, names, listenKeys, events };
  }
  if (path === '/stream' || path === '/stream/') {
    const names = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
    return { combined: true, names, listenKeys, events };
  }
  return undefined;
}

/** Binance stream names are lowercase before the first `@`; all-market streams start with `!`. */
export function normalizeStream(name: string): string {
  if (name.startsWith('!')) return name;
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at).toLowerCase() + name.slice(at);
}
