import { describe, expect, it } from 'vitest';
import { API_KEY, API_SECRET, startSim } from '../venues/sim/server/test-harness.js';
import { ApiKeyRefusedError, binanceRestrictionsFetcher, checkApiKeyPermissions } from './api-key.js';

describe('checkApiKeyPermissions against the simulator over HTTP', () => {
  it('accepts a key without withdrawals, refuses one with, and refuses when restrictions cannot be read', async () => {
    const sim = await startSim();
    try {
      const fetcher = binanceRestrictionsFetcher({ baseUrl: sim.server.url, apiKey: API_KEY, apiSecret: API_SECRET });
      const ok = await checkApiKeyPermissions(fetcher);
      expect(ok.restrictions).toMatchObject({ enableWithdrawals: false, enableFutures: true, enableReading: true });
      expect(ok.warnings).toEqual(['API key is not restricted to trusted IPs']);

      const flip = await sim.call('POST', '/sim/apiRestrictions', { apiKey: API_KEY, enableWithdrawals: true, ipRestrict: true });
      expect(flip.status).toBe(200);
      await expect(checkApiKeyPermissions(fetcher)).rejects.toThrow(/allows withdrawals/);
      await expect(checkApiKeyPermissions(fetcher)).rejects.toBeInstanceOf(ApiKeyRefusedError);

      const badSecret = binanceRestrictionsFetcher({ baseUrl: sim.server.url, apiKey: API_KEY, apiSecret: 'wrong' });
      await expect(checkApiKeyPermissions(badSecret)).rejects.toThrow(/could not read the API key's restrictions: HTTP 400: Signature for this request is not valid/);
      // The endpoint is SIGNED like Binance's: no signature, no answer.
      expect((await sim.call('GET', '/sapi/v1/account/apiRestrictions')).status).toBe(400);
    } finally {
      await sim.close();
    }
  });
});
