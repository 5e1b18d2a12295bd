import * as ort from 'onnxruntime-node';

/**
 * Run an exported model once in onnxruntime (CPU) and return its `probs`. Used to prove an
 * export matches the trainer's own predictions before a manifest is written; live inference
 * sessions belong to the runtime, not here.
 */
export async function runOnnx(bytes: Uint8Array, inputName: string, rows: Float32Array, cols: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', rows, [rows.length / cols, cols]) });
    const probs = out['probs'];
    if (!probs) throw new Error('model has no `probs` output');
    return probs.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Export parity failure: the ONNX file does not compute what the trainer learned. */
export class ParityError extends Error {
  override name = 'ParityError';
  readonly retryable = false;
}

/** Throw unless onnxruntime reproduces `expected` within `tol` on `rows`. Returns the max diff. */
export async function assertParity(bytes: Uint8Array, inputName: string, rows: Float32Array, cols: number, expected: ArrayLike<number>, tol = 1e-4): Promise<number> {
  const got = await runOnnx(bytes, inputName, rows, cols);
  const d = maxAbsDiff(got, expected);
  if (!(d <= tol)) throw new ParityError(`ONNX output differs from the trainer by ${d} (> ${tol})`);
  return d;
}
