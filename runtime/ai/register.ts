import { ArtifactError, ARTIFACTS_DIR, listArtifacts, readArtifact, verifyArtifact, type Manifest } from '../../models/registry/index.js';
import type { Bus } from '../nats/index.js';
import { ModelError } from './errors.js';
import { getPointer, journalModel, setPointer } from './pointers.js';
import { fixtureReference } from './reference.js';
import { hasModel, putModel, readModel } from './registry.js';
import { checkSignature } from './signature.js';
import type { DriftReference } from './types.js';

/**
 * Registers a model trained anywhere: the manifest must validate, the bytes must match its
 * sha256, it must be built for this feature spec, and onnxruntime must see the signature the
 * manifest claims (input name and [N, width], `probs` [N, 3]). Idempotent for identical models.
 */
export async function addModel(bus: Bus, bytes: Uint8Array, manifestJson: unknown, o: { by: string; now: number; reference?: DriftReference }): Promise<{ manifest: Manifest; added: boolean }> {
  let manifest: Manifest;
  try {
    manifest = verifyArtifact(manifestJson, bytes);
  } catch (e) {
    if (!(e instanceof ArtifactError)) throw e;
    const problem = e.reason === 'hash_mismatch' ? 'corrupted' : e.reason === 'feature_spec_mismatch' ? 'stale' : 'invalid';
    throw new ModelError(problem, e.reason === 'invalid_manifest' ? `manifest does not validate: ${e.message.slice(0, 600)}` : e.message, { cause: e });
  }
  await checkSignature(bytes, manifest);
  if (await hasModel(bus, manifest.id)) {
    const cur = await readModel(bus, manifest.id).catch(() => null);
    if (cur?.manifest.onnx.sha256 === manifest.onnx.sha256) return { manifest, added: false };
  }
  await putModel(bus, manifest, bytes, o.reference ?? fixtureReference());
  const p = manifest.evaluation.pooled.model;
  await journalModel(bus, o.now, `model ${manifest.id} registered by ${o.by} (log-loss ${p.logLoss.toFixed(4)}, Brier ${p.brier.toFixed(4)}, beats baselines: ${manifest.evaluation.beatsBaselines})`, {
    action: 'register', id: manifest.id, family: manifest.family, sha256: manifest.onnx.sha256, pooled: { logLoss: p.logLoss, brier: p.brier }, beatsBaselines: manifest.evaluation.beatsBaselines, by: o.by,
  });
  return { manifest, added: true };
}

/** What seeding did. */
export interface SeedReport {
  added: string[];
  present: string[];
  champion: string[] | null;
  shadow: string[] | null;
}

/**
 * Seeds `qt_models` from the shipped artifacts (idempotent: models already present are left
 * alone) and, when unset, the pointers: champion = the shipped models that beat their baselines
 * out of sample, shadow = the rest (they predict, into the journal only). Pointers are created
 * with compare-and-set, so two nodes starting together cannot both seed them.
 */
/**
 * `ensemble` (default): every shipped family is a champion member, weighted by out-of-sample
 * performance. `beat-baselines`: only members that beat their baselines trade; the rest shadow.
 */
export type SeedPolicy = 'ensemble' | 'beat-baselines';

export async function seedRegistry(bus: Bus, o: { now: number; dir?: string; by?: string; policy?: SeedPolicy }): Promise<SeedReport> {
  const by = o.by ?? 'seed';
  const report: SeedReport = { added: [], present: [], champion: null, shadow: null };
  const manifests: Manifest[] = [];
  for (const id of await listArtifacts(o.dir ?? ARTIFACTS_DIR)) {
    const { manifest, bytes } = await readArtifact(o.dir ?? ARTIFACTS_DIR, id);
    manifests.push(manifest);
    if (await hasModel(bus, id)) {
      report.present.push(id);
      continue;
    }
    await putModel(bus, manifest, bytes, fixtureReference());
    report.added.push(id);
  }
  if (manifests.length === 0) return report;
  // The shipped ensemble is every family: voting weights follow out-of-sample performance, so a
  // member that does not beat its baselines weighs least — and the journal says which one it is.
  const good = manifests.filter((m) => m.evaluation.beatsBaselines).map((m) => m.id);
  const weak = manifests.filter((m) => !m.evaluation.beatsBaselines).map((m) => m.id);
  const strict = o.policy === 'beat-baselines' && good.length > 0;
  const champion = strict ? good : manifests.map((m) => m.id);
  const shadow: string[] = strict ? weak : [];
  const seedOne = async (p: 'champion' | 'shadow', ids: string[], why: string) => {
    if (await getPointer(bus, p)) return null;
    try {
      await setPointer(bus, p, { ids, since: o.now, by, evidence: { reason: why } }, 0);
    } catch {
      return null; // another node seeded it first
    }
    await journalModel(bus, o.now, `${p} seeded: ${ids.join('+') || '(none)'} — ${why}`, { action: 'seed', pointer: p, ids });
    return ids;
  };
  report.champion = await seedOne('champion', champion, strict ? 'shipped models that beat their baselines out of sample' : `the shipped ensemble, weighted by out-of-sample performance; beats baselines: ${good.join(', ') || 'none'}; does not: ${weak.join(', ') || 'none'}`);
  report.shadow = shadow.length ? await seedOne('shadow', shadow, 'shipped models that do not beat their baselines: predictions journaled, never traded') : null;
  return report;
}
