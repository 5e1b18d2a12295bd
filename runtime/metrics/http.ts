import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { HealthReport } from './health.js';

export interface OpsHttpOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Loopback by default: metrics and probes are for the local Prometheus / Docker, not the internet. @default 127.0.0.1 */
  host?: string;
  registry: Registry;
  /** Evaluated per request; a throw or rejection is a failed probe, never a 200. */
  health: () => HealthReport | Promise<HealthReport>;
  /** Refreshes pull-style gauges (tree, consumer lag) just before a scrape; failures are reported, the scrape still answers. */
  onScrape?: () => void | Promise<void>;
  onError?: (err: unknown) => void;
}

/** The running ops endpoint. */
export interface OpsHttp extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function probe(res: ServerResponse, which: 'live' | 'ready', health: OpsHttpOptions['health']): Promise<void> {
  let report: HealthReport;
  try {
    report = await health();
  } catch (e) {
    send(res, 503, JSON.stringify({ ok: false, check: which, reasons: [`health check failed: ${(e as Error).message}`] }));
    return;
  }
  const check = report[which];
  send(res, check.ok ? 200 : 503, JSON.stringify({ ok: check.ok, check: which, reasons: check.reasons, nodes: report.nodes, ts: report.ts }));
}

/**
 * Serves `/metrics` (Prometheus text), `/healthz` (liveness) and `/readyz` (readiness). Probe
 * bodies always carry the verdict and its reasons: the old system's health checks said "ok"
 * while services were broken, and said "unhealthy" without saying why.
 */
export async function startOpsHttp(opts: OpsHttpOptions): Promise<OpsHttp> {
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, JSON.stringify({ ok: false, reasons: ['GET only'] }));
    if (path === '/metrics') {
      try {
        await opts.onScrape?.();
      } catch (e) {
        opts.onError?.(e);
      }
      return send(res, 200, await opts.registry.metrics(), opts.registry.contentType);
    }
    if (path === '/healthz' || path === '/livez') return probe(res, 'live', opts.health);
    if (path === '/readyz') return probe(res, 'ready', opts.health);
    return send(res, 404, JSON.stringify({ ok: false, reasons: [`no such endpoint ${path}; try /metrics, /healthz, /readyz`] }));
  };
  const server = createServer((req, res) => {
    handler(req, res).catch((e: unknown) => {
      opts.onError?.(e);
      if (!res.headersSent) send(res, 500, JSON.stringify({ ok: false, reasons: [(e as Error).message] }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections());
  return { url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, port, close, [Symbol.asyncDispose]: close };
}
