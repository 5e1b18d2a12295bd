/** Model manifests (zod), artifact verification, and the file-system registry of shipped models. */
export { ManifestSchema, MetricsSchema, FAMILIES, type Manifest, type Family } from './manifest.js';
export { verifyArtifact, sha256Hex, ArtifactError } from './verify.js';
export { writeArtifact, readArtifact, listArtifacts, ARTIFACTS_DIR, type Artifact } from './fs.js';
