import type { ObjectStore } from '@nats-io/obj';
import { OBJECT_STORES } from '../../protocols/index.js';
import { ArtifactError, ManifestSchema, verifyArtifact, type Manifest } from '../../models/registry/index.js';
import type { Bus } from '../nats/index.js';
import { ModelError } from './errors.js';
import type { DriftReference } from './types.js';

/** Object names of one model in `qt_models`. */
export const objectNames = (id: string) => ({ onnx: `${id}.onnx`, manifest: `${id}.manifest.json`, reference: `${id}.reference.json` });

/** A model read back from the registry and verified (schema, sha256, feature spec). */
export interface StoredModel {
  manifest: Manifest;
  bytes: Uint8Array;
  reference: DriftReference | null;
}

/** One line of `qt models ls`. */
export interface ModelSummary {
  id: string;
  family: string;
  version: string;
  createdAt: string;
  bytes: number;
  beatsBaselines: boolean;
  logLoss: number;
  brier: number;
}

const json = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);

/** The `qt_models` object store (provisioned at node start). */
export async function modelStore(bus: Bus): Promise<ObjectStore> {
  return bus.objm.open(OBJECT_STORES.models);
}

/**
 * Stores a model: ONNX bytes, manifest and drift reference as three objects. The manifest goes
 * last, so a reader that sees the manifest also sees the bytes it describes.
 */
export async function putModel(bus: Bus, manifest: Manifest, bytes: Uint8Array, reference: DriftReference | null): Promise<void> {
  const os = await modelStore(bus);
  const n = objectNames(manifest.id);
  const meta = { family: manifest.family, version: manifest.version, sha256: manifest.onnx.sha256 };
  await os.putBlob({ name: n.onnx, description: `${manifest.family} model ${manifest.id}`, metadata: meta }, bytes);
  if (reference) await os.putBlob({ name: n.reference, description: `feature drift reference of ${manifest.id}` }, json(reference));
  await os.putBlob({ name: n.manifest, description: `manifest of ${manifest.id}`, metadata: meta }, json(manifest));
}

/** Whether a model's manifest is in the registry. */
export async function hasModel(bus: Bus, id: string): Promise<boolean> {
  const info = await (await modelStore(bus)).info(objectNames(id).manifest);
  return !!info && !info.deleted;
}

async function blob(os: ObjectStore, name: string, id: string): Promise<Uint8Array | null> {
  try {
    return await os.getBlob(name);
  } catch (e) {
    // The object store's own digest check failed: the stored chunks are not what was written.
    throw new ModelError('corrupted', `${id}: ${name} is corrupted in qt_models (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
}

/**
 * Reads and verifies one model. Throws ModelError: `missing`, `corrupted` (object digest or
 * manifest sha256 mismatch — detected before anything parses the ONNX bytes), `stale` (trained
 * on another feature spec) or `invalid` (manifest does not validate).
 */
export async function readModel(bus: Bus, id: string): Promise<StoredModel> {
  const os = await modelStore(bus);
  const n = objectNames(id);
  const man = await blob(os, n.manifest, id);
  if (!man) throw new ModelError('missing', `${id}: not in the registry (no ${n.manifest} in qt_models)`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(man));
  } catch (e) {
    throw new ModelError('invalid', `${id}: manifest is not JSON`, { cause: e });
  }
  const bytes = await blob(os, n.onnx, id);
  if (!bytes) throw new ModelError('missing', `${id}: manifest present but ${n.onnx} is missing`);
  let manifest: Manifest;
  try {
    manifest = verifyArtifact(raw, bytes);
  } catch (e) {
    if (!(e instanceof ArtifactError)) throw e;
    const problem = e.reason === 'hash_mismatch' ? 'corrupted' : e.reason === 'feature_spec_mismatch' ? 'stale' : 'invalid';
    throw new ModelError(problem, e.message, { cause: e });
  }
  const refBytes = await blob(os, n.reference, id).catch(() => null);
  let reference: DriftReference | null = null;
  try {
    reference = refBytes ? (JSON.parse(new TextDecoder().decode(refBytes)) as DriftReference) : null;
  } catch {
    reference = null;
  }
  return { manifest, bytes, reference };
}

/** Every model in the registry with its headline numbers (manifests that do not parse are listed as invalid). */
export async function listModels(bus: Bus): Promise<Array<ModelSummary | { id: string; invalid: string }>> {
  const os = await modelStore(bus);
  const infos = (await os.list()).filter((i) => !i.deleted && i.name.endsWith('.manifest.json'));
  const out: Array<ModelSummary | { id: string; invalid: string }> = [];
  for (const info of infos.sort((a, b) => a.name.localeCompare(b.name))) {
    const id = info.name.slice(0, -'.manifest.json'.length);
    try {
      const bytes = await os.getBlob(info.name);
      const m = ManifestSchema.parse(JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array())));
      const p = m.evaluation.pooled.model;
      out.push({ id, family: m.family, version: m.version, createdAt: m.createdAt, bytes: m.onnx.bytes, beatsBaselines: m.evaluation.beatsBaselines, logLoss: p.logLoss, brier: p.brier });
    } catch (e) {
      out.push({ id, invalid: (e as Error).message.split('\n')[0]! });
    }
  }
  return out;
}

/** The manifest of a model (unverified bytes are not read): for `qt models show`. */
export async function readManifest(bus: Bus, id: string): Promise<Manifest | null> {
  const bytes = await blob(await modelStore(bus), objectNames(id).manifest, id);
  return bytes ? ManifestSchema.parse(JSON.parse(new TextDecoder().decode(bytes))) : null;
}
