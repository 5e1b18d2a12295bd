import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { addModel, getPointer, listModels, ModelError, pointerHistory, promoteModel, readManifest, rollbackChampion } from '../ai/index.js';
import type { Bus } from '../nats/index.js';
import { clientBus } from './connect.js';

const USAGE = `usage: qt models ls | show <id> | promote <id> [--only] [--reason R] | rollback [--reason R] | add FILE --manifest M
       [--json] [--nats URL] [--config F]
`;

function operator(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}

/** Output sinks and an optional bus (tests pass theirs; the CLI connects to the node's NATS). */
export interface ModelsIo {
  bus?: Bus;
  out?: (s: string) => void;
  err?: (s: string) => void;
  now?: () => number;
}

/**
 * `qt models`: the registry on NATS (object store `qt_models`, pointers in KV `qt_policy`).
 * `ls` lists models with their pointers, `show` a manifest summary and the champion history,
 * `promote` / `rollback` move the champion (journaled with evidence), `add` registers an ONNX
 * model trained elsewhere after checking it against its manifest and the feature spec.
 * Returns the exit code: 0 ok, 1 refused or failed (reason on stderr), 2 usage.
 */
export async function runModels(argv: string[], io: ModelsIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  const now = io.now ?? Date.now;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true,
      options: { json: { type: 'boolean' }, nats: { type: 'string' }, config: { type: 'string' }, manifest: { type: 'string' }, reason: { type: 'string' }, only: { type: 'boolean' }, by: { type: 'string' } },
    });
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [op, arg] = positionals;
  const needsArg = op === 'show' || op === 'promote' || op === 'add';
  if (!op || !['ls', 'show', 'promote', 'rollback', 'add'].includes(op) || (needsArg && !arg) || (op === 'add' && !values.manifest)) {
    err(USAGE);
    return 2;
  }
  const bus = io.bus ?? (await clientBus(values));
  const by = values.by ?? operator();
  const print = (json: unknown, text: string) => out(values.json ? `${JSON.stringify(json)}\n` : text);
  try {
    switch (op) {
      case 'ls': {
        const [models, champion, shadow] = await Promise.all([listModels(bus), getPointer(bus, 'champion'), getPointer(bus, 'shadow')]);
        const role = (id: string) => (champion?.value.ids.includes(id) ? 'champion' : shadow?.value.ids.includes(id) ? 'shadow' : '');
        const rows = models.map((m) => ({ ...m, role: role(m.id) }));
        print({ models: rows, champion: champion?.value ?? null, shadow: shadow?.value ?? null }, rows.map((m) => ('invalid' in m
          ? `${m.id.padEnd(32)} INVALID ${m.invalid}`
          : `${m.id.padEnd(32)} ${m.family.padEnd(9)} ${m.role.padEnd(9)} log-loss ${m.logLoss.toFixed(4)} Brier ${m.brier.toFixed(4)} ${m.beatsBaselines ? 'beats baselines' : 'does NOT beat baselines'}`)).join('\n') + '\n');
        return 0;
      }
      case 'show': {
        const m = await readManifest(bus, arg!);
        if (!m) throw new ModelError('missing', `${arg}: not in the registry`);
        const hist = await pointerHistory(bus, 'champion');
        const p = m.evaluation.pooled.model;
        print({ manifest: m, championHistory: hist }, [
          `${m.id}  ${m.family} v${m.version}  created ${m.createdAt}`,
          `input ${m.input.name} [N, ${m.input.shape[1]}] → probs [N, 3] (SELL, HOLD, BUY); label ${m.label.interval} h${m.label.horizon}`,
          `data ${m.data.symbols.join(',')} ${m.data.from} → ${m.data.to} (${m.data.rows} rows)`,
          `out of sample: log-loss ${p.logLoss.toFixed(4)} Brier ${p.brier.toFixed(4)} accuracy ${(p.accuracy * 100).toFixed(1)}% — ${m.evaluation.summary}`,
          `sha256 ${m.onnx.sha256}`,
          `champion history: ${hist.map((h) => `r${h.revision} ${h.value?.ids.join('+') ?? '(deleted)'}`).join(' ← ')}`,
        ].join('\n') + '\n');
        return 0;
      }
      case 'promote': {
        const v = await promoteModel(bus, arg!, { by, now: now(), mode: values.only ? 'only' : 'replace-family', evidence: { reason: values.reason ?? 'operator promotion', by } });
        print(v, `champion is now ${v.ids.join('+')}\n`);
        return 0;
      }
      case 'rollback': {
        const v = await rollbackChampion(bus, { by, now: now(), reason: values.reason ?? 'operator rollback' });
        print(v, `champion rolled back to ${v.ids.join('+')}\n`);
        return 0;
      }
      case 'add': {
        const [bytes, manifestText] = await Promise.all([readFile(arg!), readFile(values.manifest!, 'utf8')]);
        let manifestJson: unknown;
        try {
          manifestJson = JSON.parse(manifestText);
        } catch {
          throw new ModelError('invalid', `${values.manifest}: not JSON`);
        }
        const r = await addModel(bus, new Uint8Array(bytes), manifestJson, { by, now: now() });
        print({ id: r.manifest.id, added: r.added }, `${r.added ? 'registered' : 'already registered'} ${r.manifest.id} (${r.manifest.family}); promote it with: qt models promote ${r.manifest.id}\n`);
        return 0;
      }
    }
    return 2;
  } catch (e) {
    const reason = e instanceof ModelError ? `refused (${e.problem}): ${e.message}` : (e as Error).message;
    if (values.json) out(`${JSON.stringify({ ok: false, error: reason })}\n`);
    err(`qt models ${op}: ${reason}\n`);
    return 1;
  } finally {
    if (!io.bus) await bus.close();
  }
}
