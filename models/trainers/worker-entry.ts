import { parentPort, workerData } from 'node:worker_threads';
import { trainModel, type TrainOptions } from './pipeline.js';

/** Messages from the training worker to its parent. */
export type WorkerMessage =
  | { type: 'progress'; msg: string }
  | { type: 'done'; result: Awaited<ReturnType<typeof trainModel>> }
  | { type: 'error'; message: string; stack?: string };

const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');
const opts = (workerData as { opts: TrainOptions }).opts;
try {
  const result = await trainModel(opts, (msg) => port.postMessage({ type: 'progress', msg } satisfies WorkerMessage));
  port.postMessage({ type: 'done', result } satisfies WorkerMessage, [result.onnx.buffer as ArrayBuffer]);
} catch (e) {
  const err = e as Error;
  port.postMessage({ type: 'error', message: `${err.name}: ${err.message}`, stack: err.stack } satisfies WorkerMessage);
}
