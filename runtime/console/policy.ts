import { decode } from '../codec.js';

const PREFERRED = ['state', 'mode', 'value', 'version', 'id', 'name', 'model'] as const;

/**
 * Decodes a `qt_policy` value for display. Writers use msgpack objects (e.g. `{ on, runId, ts }`)
 * but an operator may have put plain text with `nats kv put`, so both are accepted.
 */
export function decodePolicyValue(raw: Uint8Array): unknown {
  if (raw.length === 0) return undefined;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(raw);
  // A single printable byte is a msgpack fixint, but more than one printable byte is text typed by a human.
  if (raw.length > 1 && /^[\x20-\x7e]+$/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  try {
    return decode(raw);
  } catch {
    return text;
  }
}

/** One short word or id for a policy value; objects show their most telling field. */
export function formatPolicyValue(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // Model pointers ({ ids, since, by }) name an ensemble: its members are what an operator needs to see.
    if (Array.isArray(o.ids) && o.ids.length && o.ids.every((x) => typeof x === 'string')) return o.ids.join('+');
    for (const k of PREFERRED) {
      const f = o[k];
      if (typeof f === 'string' || typeof f === 'number') return String(f);
    }
    if (typeof o.on === 'boolean') return o.on ? 'on' : 'off';
    return JSON.stringify(v).slice(0, 60);
  }
  return String(v);
}
