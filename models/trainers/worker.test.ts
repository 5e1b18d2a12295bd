import { describe, expect, it } from 'vitest';
import { FIXTURE_BTC_1M } from '../data/index.js';
import { trainInWorker, TrainingError } from './index.js';

describe('trainInWorker', () => {
  it('trains off the event loop: the main thread keeps ticking', async () => {
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks += 1;
    }, 10);
    const progress: string[] = [];
    const started = performance.now();
    try {
      const r = await trainInWorker({ family: 'mlp', files: [FIXTURE_BTC_1M], folds: 2, params: { epochs: 3 }, onProgress: (m) => progress.push(m) });
      expect(r.manifest.family).toBe('mlp');
      expect(r.onnx).toBeInstanceOf(Uint8Array);
      expect(r.manifest.data.files).toEqual(['BTCUSDT-1m-sample.csv']);
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    expect(progress.some((m) => m.includes('final model'))).toBe(true);
    // A blocked loop would show one huge gap and a handful of ticks.
    expect(maxGap).toBeLessThan(250);
    expect(ticks).toBeGreaterThan(elapsed / 10 / 3);
  }, 60_000);

  it('reports failures as TrainingError', async () => {
    await expect(trainInWorker({ family: 'gbdt', files: ['/nonexistent/BTCUSDT-1m.csv'] })).rejects.toBeInstanceOf(TrainingError);
  }, 30_000);
});
