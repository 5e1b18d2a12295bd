import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUCKETS, subjects } from '../../protocols/index.js';
import { encode } from '../codec.js';
import { connectBus, startLocalNats } from '../nats/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { runBackup, runRestore } from './backup.js';

describe('qt backup / qt restore', () => {
  it('round-trips through the CLI and rejects a missing directory argument', async () => {
    await using src = await natsEnv();
    for (let i = 0; i < 10; i++) await src.bus.js.publish(subjects.journal('decision'), encode({ i }));
    await (await src.bus.kvm.open(BUCKETS.policy)).put('mode', 'REDUCING');
    const dir = mkdtempSync(join(tmpdir(), 'qt-cli-backup-'));
    try {
      let out = '';
      expect(await runBackup([dir, '--nats', src.server.url], { write: (s: string) => (out += s) })).toBe(0);
      expect(out).toMatch(/QT_JOURNAL\s+10 msgs/);
      await using dst = await startLocalNats();
      out = '';
      expect(await runRestore([dir, '--nats', dst.url], { write: (s: string) => (out += s) })).toBe(0);
      expect(out).toMatch(/QT_JOURNAL\s+10 msgs/);
      const bus = await connectBus({ url: dst.url });
      expect((await bus.jsm.streams.info('QT_JOURNAL')).state.messages).toBe(10);
      expect((await (await bus.kvm.open(BUCKETS.policy)).get('mode'))?.string()).toBe('REDUCING');
      await bus.close();
      await expect(runBackup(['--nats', src.server.url])).rejects.toThrow(/usage: qt backup <dir>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
