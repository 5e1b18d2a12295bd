import { createReadStream, createWriteStream, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DeliverPolicy, type PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Bus } from '../nats/index.js';
import { RuntimeError } from '../errors.js';
import { BACKUP_FORMAT, backupKind, creatableConfig, replayableHeader, type BackupLine, type BackupManifest, type BackupStreamEntry } from './backup-format.js';

export interface BackupOptions {
  /** Narrow the set further (the default takes every QT_*, KV_qt_*, OBJ_qt_* stream). */
  include?: (stream: string) => boolean;
  logger?: Logger;
}

async function write(ws: WriteStream, line: string): Promise<void> {
  if (!ws.write(line)) await once(ws, 'drain');
}

/** Copies every message (with headers and original subject) of one stream into a JSONL file. */
async function dumpStream(bus: Bus, name: string, path: string): Promise<{ messages: number; firstSeq: number; lastSeq: number }> {
  const info = await bus.jsm.streams.info(name);
  const { messages, first_seq: firstSeq, last_seq: lastSeq } = info.state;
  const ws = createWriteStream(path);
  let count = 0;
  if (messages > 0) {
    // An ordered consumer reads everything without leaving durable state behind; messages
    // stored after `lastSeq` (the node may be running) belong to the next backup.
    const c = await bus.js.consumers.get(name, { deliver_policy: DeliverPolicy.All });
    // Messages can expire between the stream info and here; never wait for ones that are gone.
    if ((await c.info()).num_pending > 0) {
      const iter = await c.consume();
      for await (const m of iter) {
        const line: BackupLine = { seq: m.seq, subject: m.subject, ts: m.time.toISOString(), data: Buffer.from(m.data).toString('base64') };
        if (m.headers) {
          const hdrs: Record<string, string[]> = {};
          for (const [k, v] of m.headers) hdrs[k] = v;
          line.hdrs = hdrs;
        }
        await write(ws, `${JSON.stringify(line)}\n`);
        count++;
        if (m.seq >= lastSeq || m.info.pending === 0) break;
      }
      iter.stop();
    }
  }
  ws.end();
  await once(ws, 'finish');
  return { messages: count, firstSeq, lastSeq };
}

/**
 * `qt backup`: writes `manifest.json` plus one `<stream>.jsonl` per stream into `dir`. Runs
 * against a live system; each stream is consistent up to its last sequence at the time it is read.
 */
export async function backupAll(bus: Bus, dir: string, opts: BackupOptions = {}): Promise<BackupManifest> {
  mkdirSync(dir, { recursive: true });
  const manifest: BackupManifest = { format: BACKUP_FORMAT, createdAt: new Date().toISOString(), server: { version: bus.nc.info?.version, name: bus.nc.info?.server_name }, streams: [] };
  const names: string[] = [];
  for await (const si of bus.jsm.streams.list()) if (backupKind(si.config.name) && (opts.include?.(si.config.name) ?? true)) names.push(si.config.name);
  for (const name of names.sort()) {
    const info = await bus.jsm.streams.info(name);
    const file = `${name}.jsonl`;
    const r = await dumpStream(bus, name, join(dir, file));
    manifest.streams.push({ name, kind: backupKind(name)!, file, ...r, config: info.config });
    opts.logger?.info({ stream: name, messages: r.messages }, 'backed up stream');
  }
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export interface RestoreReport {
  streams: Array<{ name: string; published: number; duplicates: number; created: boolean }>;
}

export interface RestoreOptions {
  logger?: Logger;
  /** Publishes in flight per stream; order is kept because one connection delivers in order. @default 256 */
  window?: number;
}

/** Reads and validates `manifest.json`. */
export function readManifest(dir: string): BackupManifest {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  if (m.format !== BACKUP_FORMAT) throw new RuntimeError(`backup format ${String(m.format)} in ${dir} is not supported (expected ${BACKUP_FORMAT})`);
  return m;
}

async function ensureFresh(bus: Bus, e: BackupStreamEntry): Promise<boolean> {
  const have = await bus.jsm.streams.info(e.name).catch(() => undefined);
  if (!have) {
    await bus.jsm.streams.add(creatableConfig(e.config));
    return true;
  }
  if (have.state.messages > 0) throw new RuntimeError(`stream ${e.name} already holds ${have.state.messages} messages: restore only into fresh (empty) streams`);
  return false;
}

/**
 * Makes the next stored sequence `seq`: an empty stream is purged up to it; an interior gap gets
 * a filler that is deleted at once. QT_* sequences must survive a restore because actor cursors
 * in qt_actors are QT_INPUTS sequences (`seq <= cursor` means "already applied").
 */
async function alignSequence(bus: Bus, stream: string, subject: string, seq: number): Promise<void> {
  const { state } = await bus.jsm.streams.info(stream);
  if (state.last_seq + 1 >= seq) return;
  if (state.messages === 0) {
    await bus.jsm.streams.purge(stream, { seq });
    return;
  }
  for (let s = state.last_seq + 1; s < seq; s++) {
    const ack = await bus.js.publish(subject, new Uint8Array(0));
    await bus.jsm.streams.deleteMessage(stream, ack.seq, false);
  }
}

async function replay(bus: Bus, e: BackupStreamEntry, dir: string, window: number): Promise<{ published: number; duplicates: number }> {
  const lines = createInterface({ input: createReadStream(join(dir, e.file)), crlfDelay: Infinity });
  // KV and object-store revisions are read fresh by every client, so only our streams keep sequences.
  const keepSeq = e.kind === 'stream';
  let inflight: Promise<PubAck>[] = [];
  let published = 0;
  let duplicates = 0;
  let prevSeq = 0;
  const settle = async () => {
    for (const ack of await Promise.all(inflight)) if (ack.duplicate) duplicates++;
    inflight = [];
  };
  for await (const raw of lines) {
    if (!raw.trim()) continue;
    const l = JSON.parse(raw) as BackupLine;
    if (keepSeq && l.seq !== prevSeq + 1) {
      await settle();
      await alignSequence(bus, e.name, l.subject, l.seq);
    }
    prevSeq = l.seq;
    const h = natsHeaders();
    for (const [k, vs] of Object.entries(l.hdrs ?? {})) if (replayableHeader(k)) for (const v of vs) h.append(k, v);
    inflight.push(bus.js.publish(l.subject, Buffer.from(l.data, 'base64'), { headers: h }));
    published++;
    if (inflight.length >= window) await settle();
  }
  await settle();
  return { published, duplicates };
}

/**
 * `qt restore`: recreates each stream (same config) and republishes its messages in order with
 * their subjects and headers. Target streams must be absent or empty; run it with the node stopped.
 * QT_* streams keep their sequence numbers (actor cursors depend on them); KV and object-store
 * revisions and all store times are new. A duplicate `Nats-Msg-Id` within the dedup window is
 * dropped by JetStream and counted.
 */
export async function restoreAll(bus: Bus, dir: string, opts: RestoreOptions = {}): Promise<RestoreReport> {
  const manifest = readManifest(dir);
  const created = new Map<string, boolean>();
  for (const e of manifest.streams) created.set(e.name, await ensureFresh(bus, e));
  const report: RestoreReport = { streams: [] };
  for (const e of manifest.streams) {
    const r = await replay(bus, e, dir, opts.window ?? 256);
    report.streams.push({ name: e.name, ...r, created: created.get(e.name) ?? false });
    opts.logger?.info({ stream: e.name, ...r }, 'restored stream');
  }
  return report;
}
