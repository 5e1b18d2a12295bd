import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { compileOptions, MODE_URLS } from './options.js';
import { createCcxt } from './rest.js';

const keys = { apiKey: 'k3y-value-123', apiSecret: 's3cret-value-456' };

describe('binance venue options', () => {
  it('modes differ only in base URLs', () => {
    expect(compileOptions({ mode: 'binance-testnet', ...keys })).toMatchObject({
      restUrl: 'https://testnet.binancefuture.com', wsUrl: 'wss://stream.binancefuture.com', venue: 'binance',
    });
    expect(compileOptions({ mode: 'binance-live', ...keys })).toMatchObject({ restUrl: 'https://fapi.binance.com', wsUrl: 'wss://fstream.binance.com' });
    expect(compileOptions({ mode: 'sim', restUrl: 'http://127.0.0.1:9/', wsUrl: 'ws://127.0.0.1:9', ...keys })).toMatchObject({
      restUrl: 'http://127.0.0.1:9', venue: 'sim', orderTimeoutMs: 5_000, resolve: { processingWindowMs: 5_000 }, listenKeyKeepAliveMs: 1_800_000,
    });
  });

  it('points every fapi API of ccxt at the configured base', () => {
    const ex = createCcxt({ restUrl: MODE_URLS['binance-testnet'].rest, ...keys, timeoutMs: 1000, onResponse: () => undefined });
    const api = ex.urls['api'] as Record<string, string>;
    expect(api['fapiPublic']).toBe('https://testnet.binancefuture.com/fapi/v1');
    expect(api['fapiPrivateV2']).toBe('https://testnet.binancefuture.com/fapi/v2');
    expect(api['fapiPrivateV3']).toBe('https://testnet.binancefuture.com/fapi/v3');
  });

  it('rejects bad or unknown options with a ConfigError that names keys, never secret values', () => {
    expect(() => compileOptions({ mode: 'sim', ...keys })).toThrow(ConfigError);
    let msg = '';
    try {
      compileOptions({ mode: 'binance-live', ...keys, orderTimeoutMs: -1, colour: 'red' } as never);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/orderTimeoutMs/);
    expect(msg).toMatch(/colour/);
    expect(msg).not.toContain(keys.apiSecret);
    expect(msg).not.toContain(keys.apiKey);
  });
});
