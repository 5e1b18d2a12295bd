import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest } from './manifest.js';
import { verifyArtifact } from './verify.js';

/** Directory of the default models shipped in the repo. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** A verified model: its manifest and ONNX bytes. */
export interface Artifact {
  manifest: Manifest;
  bytes: Uint8Array;
}

/** Write `<dir>/<id>.onnx` and `<dir>/<id>.manifest.json`. Returns both paths. */
export async function writeArtifact(dir: string, manifest: Manifest, bytes: Uint8Array): Promise<{ onnx: string; manifest: string }> {
  await mkdir(dir, { recursive: true });
  const onnx = join(dir, manifest.onnx.file);
  const man = join(dir, `${manifest.id}.manifest.json`);
  await writeFile(onnx, bytes);
  await writeFile(man, `${JSON.stringify(manifest, null, 2)}\n`);
  return { onnx, manifest: man };
}

/** Read and verify one artifact by id (schema, sha256, feature spec). */
export async function readArtifact(dir: string, id: string): Promise<Artifact> {
  const manifest: unknown = JSON.parse(await readFile(join(dir, `${id}.manifest.json`), 'utf8'));
  const file = (manifest as { onnx?: { file?: string } }).onnx?.file ?? `${id}.onnx`;
  const bytes = new Uint8Array(await readFile(join(dir, file)));
  return { manifest: verifyArtifact(manifest, bytes), bytes };
}

/** Ids of every `*.manifest.json` in a directory, sorted. */
export async function listArtifacts(dir: string = ARTIFACTS_DIR): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.manifest.json')).map((n) => n.slice(0, -'.manifest.json'.length)).sort();
}
