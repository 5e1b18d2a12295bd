import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXTURE_BTC_1M } from '../../models/data/index.js';
import { readArtifact } from '../../models/registry/index.js';
import { runTrain } from './train.js';

describe('qt train', () => {
  let dir = '';
  afterEach(async () => {
    vi.restoreAllMocks();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('trains, writes <id>.onnx + <id>.manifest.json, and prints a JSON report', async () => {
    dir = await mkdtemp(join(tmpdir(), 'qt-train-'));
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await runTrain(['--data', FIXTURE_BTC_1M, '--model', 'gbdt', '--out', dir, '--json', '--folds', '2', '--rounds', '20']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { models: { id: string; beatsBaselines: boolean; verdict: string }[] };
    const id = report.models[0]!.id;
    expect((await readdir(dir)).sort()).toEqual([`${id}.manifest.json`, `${id}.onnx`]);
    const art = await readArtifact(dir, id);
    expect(art.manifest.family).toBe('gbdt');
    expect(JSON.parse(await readFile(join(dir, `${id}.manifest.json`), 'utf8')).onnx.sha256).toBe(art.manifest.onnx.sha256);
    expect(report.models[0]!.verdict).toMatch(/baselines/);
  }, 30_000);

  it('rejects bad usage with exit code 2', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runTrain([])).toBe(2);
    expect(await runTrain(['--data', FIXTURE_BTC_1M, '--model', 'xgboost'])).toBe(2);
  });
});
