import { describe, expect, it } from 'vitest';
import { createLogger } from './index.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (l: string) => void lines.push(l) } };
}

describe('logger', () => {
  it('redacts secret fields by path', () => {
    const c = capture();
    const { logger } = createLogger({ destination: c.destination });
    logger.info({ apiKey: 'AKIA-planted-key-123', venue: { apiSecret: 'planted-secret-456' } }, 'connecting');
    const out = c.lines.join('');
    expect(out).not.toContain('AKIA-planted-key-123');
    expect(out).not.toContain('planted-secret-456');
    expect(out).toContain('[REDACTED]');
  });

  it('scrubs known secret values wherever they appear, even inside messages and errors', () => {
    const c = capture();
    const { logger, scrubber } = createLogger({ destination: c.destination, secrets: ['s3cr3t-value-xyz'] });
    scrubber.add('another-planted-key');
    logger.warn(`GET /fapi/v1/order?signature=abc&key=s3cr3t-value-xyz failed`);
    logger.error({ err: new Error('bad key another-planted-key') }, 'request failed');
    const out = c.lines.join('');
    expect(out).not.toMatch(/s3cr3t-value-xyz|another-planted-key/);
    expect(out.match(/\[REDACTED\]/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('writes JSON lines at the configured level', () => {
    const c = capture();
    const { logger } = createLogger({ destination: c.destination, level: 'warn' });
    logger.info('hidden');
    logger.warn({ n: 1 }, 'shown');
    expect(c.lines).toHaveLength(1);
    expect(JSON.parse(c.lines[0]!)).toMatchObject({ level: 40, msg: 'shown', n: 1 });
  });
});
