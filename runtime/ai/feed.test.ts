import { describe, expect, it } from 'vitest';
import type { Signal } from '../../protocols/index.js';
import { rankSignals } from './feed.js';

const sig = (symbol: string, side: Signal['side'], confidence: number): Signal => ({
  symbol, venue: 'sim', ts: 60_000, interval: '1m', side, confidence, source: 'model', attribution: 'ensemble:champion', contributions: [], price: 100,
} as Signal);

describe('signal ranking', () => {
  it('puts the most confident BUY/SELL of a close first and HOLD last, without losing or changing any', () => {
    const input = [sig('AUSDT', 'HOLD', 0.9), sig('BUSDT', 'BUY', 0.55), sig('CUSDT', 'SELL', 0.81), sig('DUSDT', 'HOLD', 0.2), sig('EUSDT', 'BUY', 0.62)];
    const out = rankSignals(input);
    expect(out.map((s) => s.symbol)).toEqual(['CUSDT', 'EUSDT', 'BUSDT', 'AUSDT', 'DUSDT']);
    expect(new Set(out)).toEqual(new Set(input));
    expect(input.map((s) => s.symbol)).toEqual(['AUSDT', 'BUSDT', 'CUSDT', 'DUSDT', 'EUSDT']);
  });
});
