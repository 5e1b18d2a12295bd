import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { subjects } from '../../protocols/index.js';
import { treeWithInfo } from '../../supervisors/index.js';
import { startNode } from '../cli/node.js';
import { createLiveClock } from '../clock/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { WebConsoleConfigSchema } from './config.js';
import { startNodeWebConsole } from './node-console.js';
import { collectConsoleSnapshot } from './snapshot.js';
import { startWebConsole } from './web.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: BrowserContext;
beforeAll(async () => {
  // A fresh profile per run: a shared one could carry state (or a lock) between test runs.
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'qt-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS });
});
afterAll(async () => browser?.close());

/** Status of the upgrade answer, or 101 when the socket opened. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('web console', () => {
  it('renders the tree in Chromium and shows a chaos kill live, without reload', async () => {
    await using env = await natsEnv();
    const logger = pino({ level: 'silent' });
    const cfg = { ...env.cfg, node: { ...env.cfg.node, id: 'web', dataDir: mkdtempSync(join(tmpdir(), 'qt-web-')) } };
    const clock = createLiveClock();
    const node = await startNode({ cfg, bus: env.bus, clock, marketClock: clock, logger, node: 'web', kernelOnly: true });
    // Exactly as `qt up` wires it: the node's own tree, config section defaults but a free port.
    const web = (await startNodeWebConsole({ bus: env.bus, config: WebConsoleConfigSchema.parse({ web: { port: 0 } }), tree: () => treeWithInfo(node.root), logger }))!;
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(`${web.url}/`);
      const hb = page.locator('tr[data-path="root.brains.heartbeat"]');
      await hb.waitFor({ timeout: 10_000 });
      expect(await hb.getAttribute('data-restarts')).toBe('0');
      expect(await page.locator('tr[data-path="root.brains"]').getAttribute('data-status')).toBe('running');
      expect(await page.locator('#conn').textContent()).toBe('live');
      expect(await page.locator('#trading').textContent()).toMatch(/^state \S+risk \S+/);
      expect(await page.locator('#positions-sec').isHidden()).toBe(true);

      const r = await env.bus.nc.request(subjects.control('supervisor', 'kill'), JSON.stringify({ target: 'heartbeat', reason: 'web test' }), { timeout: 3_000 });
      expect(JSON.parse(r.string())).toMatchObject({ ok: true, path: 'root.brains.heartbeat' });
      await page.locator('tr[data-path="root.brains.heartbeat"][data-restarts="1"][data-status="running"]').waitFor({ timeout: 10_000 });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await web.close();
      await node.stop();
    }
  }, 40_000);

  it('with a token: 401 on the page and on the socket for a wrong or missing token; the right one works', async () => {
    await using env = await natsEnv();
    await using web = await startWebConsole({ bus: env.bus, port: 0, token: 's3cret-token', snapshot: () => collectConsoleSnapshot(env.bus, { timeoutMs: 200 }) });
    expect((await fetch(`${web.url}/`)).status).toBe(401);
    expect((await fetch(`${web.url}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${web.url}/`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    const ws = web.url.replace('http:', 'ws:');
    expect(await upgradeStatus(`${ws}/ws`)).toBe(401);
    expect(await upgradeStatus(`${ws}/ws?token=s3cret-tokeX`)).toBe(401);
    expect(await upgradeStatus(`${ws}/ws?token=s3cret-token`, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(`${ws}/ws?token=s3cret-token`)).toBe(101);

    const page = await browser.newPage();
    const denied = await page.goto(`${web.url}/?token=wrong`);
    expect(denied?.status()).toBe(401);
    await page.goto(`${web.url}/?token=s3cret-token`);
    await page.locator('#conn.live').waitFor({ timeout: 5_000 });
    // The token leaves the address bar once the socket has it.
    expect(page.url()).toBe(`${web.url}/`);
    await page.locator('#errors-sec li').first().waitFor({ timeout: 5_000 });
    await page.close();
  });

  it('refuses a non-loopback bind without a token; POST is refused', async () => {
    await using env = await natsEnv();
    const snapshot = () => collectConsoleSnapshot(env.bus);
    await expect(startWebConsole({ bus: env.bus, host: '0.0.0.0', port: 0, snapshot })).rejects.toThrow(/needs a token/);
    await using web = await startWebConsole({ bus: env.bus, host: '0.0.0.0', port: 0, token: 't', snapshot });
    const local = web.url.replace('0.0.0.0', '127.0.0.1');
    expect((await fetch(`${local}/?token=t`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${local}/nope?token=t`)).status).toBe(404);
  });
});
