import { decode } from '../codec.js';

function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString('base64') } : v,
  );
}

/**
 * msgpack on stdin → one JSON line on stdout. `nats sub --translate` runs it once per message;
 * input that is not msgpack is passed through as text so nothing is hidden from the operator.
 */
export async function runDecode(): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const data = Buffer.concat(chunks);
  if (data.length === 0) return 0;
  try {
    process.stdout.write(`${toJson(decode(new Uint8Array(data)))}\n`);
    return 0;
  } catch (e) {
    process.stdout.write(`${toJson({ $undecodable: (e as Error).message, text: data.toString('utf8') })}\n`);
    return 1;
  }
}
