import type { StreamConfig } from '@nats-io/jetstream';

/** Version of the on-disk layout; restore refuses what it does not know. */
export const BACKUP_FORMAT = 1;

/** What a stream backs: our streams, KV buckets and object stores are all JetStream streams. */
export type BackupKind = 'stream' | 'kv' | 'obj';

/** One stream in `manifest.json`; its messages are in `file`, one JSON line each, in order. */
export interface BackupStreamEntry {
  name: string;
  kind: BackupKind;
  file: string;
  messages: number;
  firstSeq: number;
  lastSeq: number;
  config: StreamConfig;
}

/** `manifest.json` of a backup directory. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  server?: { version?: string; name?: string };
  streams: BackupStreamEntry[];
}

/** One message line. `data` is base64 (payloads are msgpack); `ts` is the original store time. */
export interface BackupLine {
  seq: number;
  subject: string;
  ts: string;
  hdrs?: Record<string, string[]>;
  data: string;
}

/** Which streams a backup takes: QT_*, and the KV / object-store streams of qt_* buckets. */
export function backupKind(stream: string): BackupKind | undefined {
  if (/^QT_/.test(stream)) return 'stream';
  if (/^KV_qt_/.test(stream)) return 'kv';
  if (/^OBJ_qt_/.test(stream)) return 'obj';
  return undefined;
}

/**
 * Headers that were preconditions of the original publish (`Nats-Expected-Last-Subject-Sequence`
 * from a KV update, for one). They held then; replayed into a fresh stream they would fail.
 */
export function replayableHeader(name: string): boolean {
  return !/^Nats-Expected-/i.test(name);
}

/** Server-assigned fields that a stream create must not carry. */
export function creatableConfig(cfg: StreamConfig): Partial<StreamConfig> & { name: string } {
  const { sealed: _sealed, ...rest } = cfg as StreamConfig & { sealed?: boolean };
  return rest;
}
