import { pack, unpack } from 'msgpackr';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { CONTENT_TYPE, CONTENT_TYPE_HEADER } from '../protocols/index.js';
import { BadInputError } from './errors.js';

/** Plain msgpack, no record extension, so `nats` CLI users and other languages can read payloads. */
export function encode(value: unknown): Uint8Array {
  return pack(value);
}

/** Decodes msgpack; throws BadInputError (never a raw decoder error) on garbage. */
export function decode<T = unknown>(data: Uint8Array): T {
  if (data.length === 0) throw new BadInputError('empty payload');
  let value: unknown;
  try {
    value = unpack(data);
  } catch (e) {
    throw new BadInputError(`undecodable msgpack payload: ${(e as Error).message}`, { cause: e });
  }
  // msgpackr maps the reserved 0xC1 byte to a marker object instead of failing.
  if (value && typeof value === 'object' && (value as { constructor?: { name?: string } }).constructor?.name === 'C1Type') {
    throw new BadInputError('undecodable msgpack payload: reserved byte 0xc1');
  }
  return value as T;
}

/** Headers carrying the content type, plus any extra ones. */
export function msgHeaders(extra: Record<string, string> = {}): MsgHdrs {
  const h = natsHeaders();
  h.set(CONTENT_TYPE_HEADER, CONTENT_TYPE);
  for (const [k, v] of Object.entries(extra)) h.set(k, v);
  return h;
}
