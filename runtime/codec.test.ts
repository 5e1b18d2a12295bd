import { describe, expect, it } from 'vitest';
import { decode, encode, msgHeaders } from './codec.js';

describe('codec', () => {
  it('round-trips plain msgpack without the record extension', () => {
    const v = { type: 'x', n: 1.5, big: 2 ** 40, arr: [1, 'a', null], nested: { ok: true } };
    const bytes = encode(v);
    expect(decode(bytes)).toEqual(v);
    // A plain map header (fixmap 0x8X or map16 0xde), not msgpackr's record extension (0xd4 0x72…).
    expect((bytes[0]! & 0xf0) === 0x80 || bytes[0] === 0xde).toBe(true);
  });

  it('rejects empty, truncated, trailing and reserved bytes with BadInputError', () => {
    for (const b of [[], [0x93, 0x01], [0x01, 0x02], [0xc1]]) {
      expect(() => decode(new Uint8Array(b))).toThrow(expect.objectContaining({ name: 'BadInputError' }));
    }
  });

  it('sets the content-type header', () => {
    expect(msgHeaders({ 'X-A': '1' }).get('Content-Type')).toBe('application/msgpack');
  });
});
