import { Worker } from 'node:worker_threads';
import type { TrainOptions, TrainResult } from './pipeline.js';
import type { WorkerMessage } from './worker-entry.js';

/** Options for a training run off the caller's event loop. */
export interface TrainInWorkerOptions extends TrainOptions {
  onProgress?: (msg: string) => void;
  /** Aborting terminates the worker and rejects. */
  signal?: AbortSignal;
}

/** Training failed inside the worker (or the worker died). */
export class TrainingError extends Error {
  override name = 'TrainingError';
  readonly retryable = false;
}

/**
 * Run `trainModel` in a worker thread so the caller's event loop (NATS heartbeats, actor
 * timers) keeps ticking: training is seconds to minutes of synchronous math.
 */
export function trainInWorker(opts: TrainInWorkerOptions): Promise<TrainResult> {
  const { onProgress, signal, ...plain } = opts;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TrainingError('aborted before start', { cause: signal.reason }));
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./worker-entry.ts', import.meta.url).href, opts: plain },
    });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => finish(() => reject(new TrainingError('training aborted', { cause: signal?.reason })));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.msg);
      else if (m.type === 'done') finish(() => resolve({ ...m.result, onnx: new Uint8Array(m.result.onnx) }));
      else finish(() => reject(new TrainingError(m.message)));
    });
    worker.on('error', (e) => finish(() => reject(new TrainingError(`training worker crashed: ${e.message}`, { cause: e }))));
    worker.on('exit', (code) => finish(() => reject(new TrainingError(`training worker exited with code ${code} before finishing`))));
  });
}
