/**
 * Run-time fault injection. Rules are matched per request (path/method/symbol), fire with a seeded
 * probability and an optional count, and are composed into one {@link FaultDecision}: latency adds
 * up with any other fault, the first error-type rule wins.
 */
import { BinanceApiError, apiErrors } from './errors.js';

/** Kinds of request faults. WebSocket drops and listenKey expiry are actions, see {@link FaultController}. */
export type FaultKind = 'latency' | 'http5xx' | 'timeout' | 'rateLimit' | 'marginInsufficient' | 'reject' | 'statusUnknown';

/** A fault to install. Scope fields are optional; an absent field matches everything. */
export interface FaultSpec {
  kind: FaultKind;
  /** Exact path, or a prefix ending in `*` (e.g. `/fapi/v1/order`, `/fapi/*`). */
  path?: string;
  /** HTTP method, case-insensitive. */
  method?: string;
  /** Matches the request's `symbol` parameter, case-insensitive. */
  symbol?: string;
  /** Fire at most this many times, then the rule is removed. @default unlimited */
  count?: number;
  /** Chance of firing per matching request, drawn from the seeded generator. @default 1 */
  probability?: number;
  /** latency: fixed delay in ms. */
  latencyMs?: number;
  /** latency: uniform extra delay in [0, jitterMs). */
  jitterMs?: number;
  /** http5xx: status to answer (5xx). statusUnknown: 200–599. @default 503 (http5xx), 408 (statusUnknown) */
  status?: number;
  /**
   * http5xx, statusUnknown: `before` answers without executing; `after` executes, then answers the
   * error (outcome unknown to the client). @default 'before'
   */
  phase?: 'before' | 'after';
  /**
   * statusUnknown with phase `after`: answer at once and execute the request this many ms later, as
   * a backend that timed out towards the gateway but still processes the order ("filled late").
   * Absent: execute first, then answer.
   */
  executeAfterMs?: number;
  /** timeout: the request is executed, then answered after this many ms; absent = never answered. */
  respondAfterMs?: number;
  /** rateLimit: Retry-After seconds. @default seconds to the next minute */
  retryAfterSec?: number;
  /** reject: Binance error code. @default -2010. statusUnknown: -1006 or -1007. @default -1007 */
  code?: number;
  /** reject: message. @default 'Order would immediately trigger.'-style generic reject */
  msg?: string;
}

/** An installed fault rule. */
export interface FaultRule extends FaultSpec {
  readonly id: string;
  /** Times this rule has fired. */
  fired: number;
}

/** What the pipeline should do to one request. */
export interface FaultDecision {
  /** Delay before executing. */
  latencyMs: number;
  /** Answer this error without executing (5xx before, 429, -2019, reject). */
  errorBefore?: BinanceApiError;
  /** Execute, then answer this error instead of the result. */
  errorAfter?: BinanceApiError;
  /** With `errorAfter`: answer it at once and execute this many ms later. */
  executeAfterMs?: number;
  /** Execute, then never answer (`respondAfterMs` undefined) or answer late. */
  timeout?: { respondAfterMs: number | undefined };
}

/** The request attributes rules are matched against. */
export interface FaultTarget {
  path: string;
  method: string;
  symbol: string | undefined;
}

/**
 * Switches faults on and off at run time; exposed over HTTP at `/sim/faults` and to the lead
 * programmatically (and later over NATS).
 */
export interface FaultController {
  /** Installs a rule and returns it with its id. Throws RangeError on an invalid spec. */
  add(spec: FaultSpec): FaultRule;
  remove(id: string): boolean;
  /** Removes every rule. */
  clear(): void;
  list(): FaultRule[];
  /**
   * Closes WebSocket connections now (all, or those whose path starts with `path`); abruptly
   * (no close frame, like a network cut) unless `graceful`. Returns how many.
   */
  dropWebSockets(filter?: { path?: string; graceful?: boolean }): number;
  /** Expires listenKeys now (one, or all), sending `listenKeyExpired`; returns how many. */
  expireListenKeys(listenKey?: string): number;
  /** Restarts the random generator used for probabilities and jitter. */
  reseed(seed: number): void;
}

/** Actions the controller delegates to the WebSocket and listenKey layers. */
export interface FaultActions {
  dropWebSockets(filter?: { path?: string; graceful?: boolean }): number;
  expireListenKeys(listenKey?: string): number;
}

const KINDS: readonly FaultKind[] = ['latency', 'http5xx', 'timeout', 'rateLimit', 'marginInsufficient', 'reject', 'statusUnknown'];

/** mulberry32: tiny, seedable, good enough to make fault sequences reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validate(spec: FaultSpec): void {
  if (!KINDS.includes(spec.kind)) throw new RangeError(`unknown fault kind: ${String(spec.kind)}`);
  const p = spec.probability;
  if (p !== undefined && !(p >= 0 && p <= 1)) throw new RangeError('probability must be in [0, 1]');
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) throw new RangeError('count must be a positive integer');
  if (spec.kind === 'latency' && !((spec.latencyMs ?? 0) >= 0 && (spec.jitterMs ?? 0) >= 0)) throw new RangeError('latency must be >= 0');
  if (spec.kind === 'http5xx' && spec.status !== undefined && !(spec.status >= 500 && spec.status <= 599)) {
    throw new RangeError('http5xx status must be 5xx');
  }
  if (spec.kind === 'statusUnknown') {
    if (spec.code !== undefined && spec.code !== -1006 && spec.code !== -1007) throw new RangeError('statusUnknown code must be -1006 or -1007');
    if (spec.status !== undefined && !(spec.status >= 200 && spec.status <= 599)) throw new RangeError('statusUnknown status must be 200-599');
    if (spec.executeAfterMs !== undefined && (spec.phase !== 'after' || !(spec.executeAfterMs >= 0))) {
      throw new RangeError("executeAfterMs needs phase 'after' and must be >= 0");
    }
  }
}

function matches(rule: FaultRule, t: FaultTarget): boolean {
  if (rule.method && rule.method.toUpperCase() !== t.method.toUpperCase()) return false;
  if (rule.symbol && rule.symbol.toUpperCase() !== (t.symbol ?? '').toUpperCase()) return false;
  if (rule.path) {
    if (rule.path.endsWith('*')) {
      if (!t.path.startsWith(rule.path.slice(0, -1))) return false;
    } else if (rule.path !== t.path) return false;
  }
  return true;
}

/** The controller plus the per-request evaluation the HTTP pipeline uses. */
export interface FaultEngine extends FaultController {
  decide(target: FaultTarget, retryAfterDefault: () => number, weightLimit: number): FaultDecision;
}

/** Creates the fault controller; `actions` is bound later because the WS layer starts after it. */
export function createFaults(seed: number, actions: () => FaultActions): FaultEngine {
  let random = rng(seed);
  let nextId = 1;
  let rules: FaultRule[] = [];

  const fire = (rule: FaultRule): boolean => {
    if (rule.probability !== undefined && random() >= rule.probability) return false;
    rule.fired += 1;
    if (rule.count !== undefined && rule.fired >= rule.count) rules = rules.filter((r) => r !== rule);
    return true;
  };

  const errorFor = (rule: FaultRule, retryAfterDefault: () => number, weightLimit: number): FaultDecision => {
    switch (rule.kind) {
      case 'http5xx': {
        const err = apiErrors.internal(rule.status ?? 503);
        return rule.phase === 'after' ? { latencyMs: 0, errorAfter: err } : { latencyMs: 0, errorBefore: err };
      }
      case 'rateLimit':
        return { latencyMs: 0, errorBefore: apiErrors.tooManyRequests(weightLimit, rule.retryAfterSec ?? retryAfterDefault()) };
      case 'marginInsufficient':
        return { latencyMs: 0, errorBefore: apiErrors.marginInsufficient() };
      case 'reject':
        return { latencyMs: 0, errorBefore: new BinanceApiError(rule.code ?? -2010, rule.msg ?? 'Order was rejected by the simulator.') };
      case 'timeout':
        return { latencyMs: 0, timeout: { respondAfterMs: rule.respondAfterMs } };
      case 'statusUnknown': {
        const err = apiErrors.executionUnknown(rule.code === -1006 ? -1006 : -1007, rule.status ?? 408);
        if (rule.phase !== 'after') return { latencyMs: 0, errorBefore: err };
        return { latencyMs: 0, errorAfter: err, ...(rule.executeAfterMs !== undefined ? { executeAfterMs: rule.executeAfterMs } : {}) };
      }
      default:
        return { latencyMs: 0 };
    }
  };

  return {
    add(spec) {
      validate(spec);
      const rule: FaultRule = { ...spec, id: `f${nextId++}`, fired: 0 };
      // Order rejects make no sense on market data, so unscoped ones target order placement.
      if ((spec.kind === 'marginInsufficient' || spec.kind === 'reject' || spec.kind === 'statusUnknown') && !spec.path && !spec.method) {
        rule.path = '/fapi/v1/order';
        rule.method = 'POST';
      }
      rules.push(rule);
      return rule;
    },
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      return rules.length !== before;
    },
    clear() {
      rules = [];
    },
    list: () => rules.map((r) => ({ ...r })),
    dropWebSockets: (filter) => actions().dropWebSockets(filter),
    expireListenKeys: (key) => actions().expireListenKeys(key),
    reseed(s) {
      random = rng(s);
    },
    decide(target, retryAfterDefault, weightLimit) {
      let latencyMs = 0;
      let decision: FaultDecision | undefined;
      for (const rule of [...rules]) {
        if (!matches(rule, target)) continue;
        if (rule.kind === 'latency') {
          if (fire(rule)) latencyMs += (rule.latencyMs ?? 0) + (rule.jitterMs ? random() * rule.jitterMs : 0);
          continue;
        }
        if (decision) continue;
        if (fire(rule)) decision = errorFor(rule, retryAfterDefault, weightLimit);
      }
      return { ...(decision ?? {}), latencyMs: Math.round(latencyMs) };
    },
  };
}
