/**
 * The REST request pipeline: parse → weight/order limits → authenticate → faults → execute → answer,
 * in the order Binance applies them, with the usage headers on every answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../clock/index.js';
import { SimVenueError } from '../engine/errors.js';
import { authenticate, type Credential, type Keyring } from './auth.js';
import { BinanceApiError, toApiError } from './errors.js';
import type { FaultEngine } from './faults.js';
import type { RateLimiter } from './limits.js';
import { Params, parseParams, readBody } from './params.js';
import type { Route, ServerDeps } from './route.js';

/** Pieces the pipeline needs. */
export interface PipelineDeps {
  readonly routes: ReadonlyMap<string, Route>;
  readonly deps: ServerDeps;
  readonly clock: Clock;
  readonly keyring: Keyring;
  readonly limiter: RateLimiter;
  readonly weightLimit: number;
  readonly faults: FaultEngine;
  /** Handles `/sim/*` admin paths; returns false when the path is not one of them. */
  readonly admin: (req: IncomingMessage, res: ServerResponse, path: string, body: string) => boolean;
}

interface WireError {
  status: number;
  body: { code: number; msg: string };
  headers: Record<string, string>;
}

function wireError(err: unknown): WireError {
  if (err instanceof SimVenueError) return { status: err.httpStatus, body: err.toJSON(), headers: {} };
  const e = err instanceof BinanceApiError ? err : toApiError(err);
  return { status: e.status, body: e.body(), headers: e.headers };
}

/** Writes a JSON answer unless the client already went away. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Builds the Node request listener. */
export function createPipeline(p: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(p, req, res).catch((err: unknown) => {
      const w = wireError(err);
      sendJson(res, w.status, w.body, w.headers);
    });
  };
}

async function handle(p: PipelineDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://loopback');
  const path = url.pathname;
  const method = (req.method ?? 'GET').toUpperCase();
  const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : '';
  const body = await readBody(req);
  if (path.startsWith('/sim/') && p.admin(req, res, path, body)) return;

  const route = p.routes.get(`${method} ${path}`);
  if (!route) {
    sendJson(res, 404, { code: -1000, msg: `Path ${path}, Method ${method} is invalid` });
    return;
  }
  const ip = req.socket.remoteAddress ?? 'unknown';
  const apiKey = header(req, 'x-mbx-apikey');
  let cred: Credential | undefined;
  let usageAccount: string | undefined;
  const usage = (): Record<string, string> => p.limiter.headers(ip, usageAccount);
  try {
    const parsed = parseParams(rawQuery, body, req.headers['content-type']);
    const params = new Params(parsed.values);
    const weight = typeof route.weight === 'function' ? route.weight(params) : route.weight;
    usageAccount = route.security === 'NONE' ? undefined : p.keyring.peekAccount(apiKey);
    p.limiter.charge(ip, weight, usageAccount, route.countsAsOrder === true);
    cred = authenticate(route.security, p.keyring, apiKey, parsed, p.clock);

    const decision = p.faults.decide(
      { path, method, symbol: params.symbol() },
      () => p.limiter.retryAfterSec(),
      p.weightLimit,
    );
    if (decision.latencyMs > 0) await p.clock.sleep(decision.latencyMs);
    if (decision.errorBefore) throw decision.errorBefore;
    if (decision.errorAfter && decision.executeAfterMs !== undefined) {
      // The backend still works on the request after the gateway gave up on it: the client hears
      // "status unknown" first, and only a later status query can find the order.
      const late = { params, cred, deps: p.deps };
      p.clock.setTimeout(() => {
        try {
          route.handle(late);
        } catch {
          // A late failure (e.g. a duplicate id) has nobody to answer; the order simply never exists.
        }
      }, decision.executeAfterMs);
      throw decision.errorAfter;
    }

    let result: unknown;
    let failure: unknown;
    try {
      result = route.handle({ params, cred, deps: p.deps });
    } catch (err) {
      failure = err;
    }
    if (decision.timeout) {
      // The work is done; the client never hears about it (or hears too late), which is the point.
      const after = decision.timeout.respondAfterMs;
      if (after !== undefined) {
        p.clock.setTimeout(() => answer(res, result, failure, usage()), after);
      }
      return;
    }
    if (decision.errorAfter) throw decision.errorAfter;
    answer(res, result, failure, usage());
  } catch (err) {
    const w = wireError(err);
    sendJson(res, w.status, w.body, { ...usage(), ...w.headers });
  }
}

function answer(res: ServerResponse, result: unknown, failure: unknown, headers: Record<string, string>): void {
  if (failure !== undefined) {
    const w = wireError(failure);
    sendJson(res, w.status, w.body, { ...headers, ...w.headers });
    return;
  }
  sendJson(res, 200, result, headers);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
