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
  try {
    return unpack(data) as T;
  } catch (e) {
    throw new BadInputError(`undecodable msgpack payload: ${(e as Error).message}`, { cause: e });
  }
}

/** Headers carrying the content type, plus any extra ones. */
export function msgHeaders(extra: Record<string, string> = {}): MsgHdrs {
  const h = natsHeaders();
  h.set(CONTENT_TYPE_HEADER, CONTENT_TYPE);
  for (const [k, v] of Object.entries(extra)) h.set(k, v);
  return h;
}
