import { describe, expect, it } from 'vitest';
import { createSimulatedClock } from '../../clock/index.js';
import { WeightBudget } from './budget.js';
import { RateLimitedError, VenueRejectError, VenueUnavailableError } from './errors.js';
import { responseHandler } from './rest.js';

/** What the transport makes of one HTTP answer (undefined: success). */
function answer(status: number, body: { code?: number; msg?: string } | undefined): unknown {
  const handle = responseHandler(new WeightBudget(createSimulatedClock(0), 2400, 0.9, 60_000));
  const text = body === undefined ? '' : JSON.stringify(body);
  try {
    return handle(status, '', 'http://venue/fapi/v1/order', 'POST', {}, text, body);
  } catch (err) {
    return err;
  }
}

const TIMEOUT_MSG = 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.';

describe('classification of venue answers', () => {
  it('-1007 and -1006 mean "may have executed", whatever HTTP status carries them', () => {
    for (const status of [400, 408, 503, 200]) {
      const err = answer(status, { code: -1007, msg: TIMEOUT_MSG });
      expect(err, `-1007 with ${status}`).toBeInstanceOf(VenueUnavailableError);
      expect(err).toMatchObject({ kind: 'timeout', status, retryable: true });
      expect((err as Error).message).toContain('execution status unknown');
    }
    const bus = answer(400, { code: -1006, msg: 'An unexpected response was received from the message bus. Execution status unknown.' });
    expect(bus).toBeInstanceOf(VenueUnavailableError);
    expect(bus).toMatchObject({ kind: 'timeout', status: 400 });
  });

  it('HTTP 408 is a timeout even without a Binance code', () => {
    expect(answer(408, undefined)).toMatchObject({ name: 'VenueUnavailableError', kind: 'timeout', status: 408 });
    expect(answer(408, { code: -1000, msg: 'x' })).toBeInstanceOf(VenueUnavailableError);
  });

  it('business errors stay definite rejects; 5xx and 429 keep their kinds; success passes', () => {
    const reject = answer(400, { code: -2019, msg: 'Margin is insufficient.' });
    expect(reject).toBeInstanceOf(VenueRejectError);
    expect(reject).toMatchObject({ status: 400, code: -2019, retryable: false });
    expect(answer(200, { code: -2011, msg: 'Unknown order sent.' })).toBeInstanceOf(VenueRejectError);
    expect(answer(502, { code: -1001, msg: 'Internal error' })).toMatchObject({ name: 'VenueUnavailableError', kind: 'http5xx' });
    expect(answer(429, { code: -1015, msg: 'Too many new orders' })).toBeInstanceOf(RateLimitedError);
    expect(answer(200, { msg: 'ok' })).toBeUndefined();
  });
});
