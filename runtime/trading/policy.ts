import { unpack } from 'msgpackr';
import type { Logger } from 'pino';
import { BUCKETS, POLICY_KEYS, RISK_MODES, subjects, type RiskMode } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import type { Bus } from '../nats/index.js';

/** KV `qt_policy` `kill_switch`. */
export interface KillSwitchValue {
  on: boolean;
  reason: string;
  ts: number;
  by: string;
}

/** KV `qt_policy` `risk_mode` (the operator's mode; the CEO brain can only make it stricter). */
export interface RiskModeValue {
  mode: RiskMode;
  reason?: string;
  ts: number;
  by: string;
}

/** KV `qt_policy` `reconciling` (set by reconciliation while positions are not trusted). */
export interface ReconcilingValue {
  on: boolean;
  reason?: string;
  ts: number;
  by?: string;
}

/** The control input the watcher sends the risk brain (`RiskControlSchema` policy variant). */
export interface PolicyInput {
  type: 'policy';
  source: 'operator';
  killSwitch?: boolean;
  mode?: RiskMode;
  reconciling?: boolean;
  reason?: string;
  by?: string;
}

/** Writes one `qt_policy` key (msgpack); returns the new revision. */
export async function setPolicy(bus: Bus, key: string, value: unknown): Promise<number> {
  const kv = await bus.kvm.open(BUCKETS.policy);
  return kv.put(key, encode(value));
}

/** Reads one `qt_policy` key; null when absent or deleted. */
export async function getPolicy<T = unknown>(bus: Bus, key: string): Promise<{ value: T; revision: number } | null> {
  const kv = await bus.kvm.open(BUCKETS.policy);
  const e = await kv.get(key);
  if (!e || e.operation !== 'PUT') return null;
  return { value: decodePolicyValue(e.value) as T, revision: e.revision };
}

/** Values are msgpack; JSON (e.g. `nats kv put qt_policy kill_switch '{"on":true}'`) is read too. */
export function decodePolicyValue(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    try {
      return unpack(bytes);
    } catch {
      return text;
    }
  }
}

const truthy = (v: unknown): boolean | undefined => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(on|true|1|yes)$/i.test(v)) return true;
  if (typeof v === 'string' && /^(off|false|0|no)$/i.test(v)) return false;
  if (v && typeof v === 'object' && 'on' in v) return truthy((v as { on: unknown }).on);
  return undefined;
};
const field = (v: unknown, k: string): string | undefined => (v && typeof v === 'object' && typeof (v as Record<string, unknown>)[k] === 'string' ? ((v as Record<string, unknown>)[k] as string) : undefined);

/**
 * The risk control input for a `qt_policy` change, or null for keys risk does not care about.
 * A deleted key means the default (kill switch off, mode `defaultMode`, not reconciling). A value
 * that cannot be read errs on the safe side: kill switch ON, mode SAFE.
 */
export function policyInput(key: string, value: unknown, deleted: boolean, defaultMode: RiskMode = 'NORMAL'): PolicyInput | null {
  const meta = { ...(field(value, 'reason') ? { reason: field(value, 'reason') } : {}), ...(field(value, 'by') ? { by: field(value, 'by') } : {}) };
  switch (key) {
    case POLICY_KEYS.killSwitch: {
      if (deleted) return { type: 'policy', source: 'operator', killSwitch: false, reason: 'kill_switch key deleted' };
      const on = truthy(value);
      return on === undefined
        ? { type: 'policy', source: 'operator', killSwitch: true, reason: `unreadable kill_switch value ${JSON.stringify(value)}: failing safe` }
        : { type: 'policy', source: 'operator', killSwitch: on, ...meta };
    }
    case POLICY_KEYS.riskMode: {
      if (deleted) return { type: 'policy', source: 'operator', mode: defaultMode, reason: 'risk_mode key deleted: config default' };
      const m = typeof value === 'string' ? value : field(value, 'mode');
      return m && (RISK_MODES as readonly string[]).includes(m.toUpperCase())
        ? { type: 'policy', source: 'operator', mode: m.toUpperCase() as RiskMode, ...meta }
        : { type: 'policy', source: 'operator', mode: 'SAFE', reason: `unreadable risk_mode value ${JSON.stringify(value)}: failing safe` };
    }
    case POLICY_KEYS.reconciling: {
      const on = deleted ? false : truthy(value);
      return on === undefined ? null : { type: 'policy', source: 'operator', reconciling: on, ...meta };
    }
    default:
      return null;
  }
}

/** A supervised worker (structurally a `ChildHandle`). */
export interface PolicyWatcher {
  readonly exited: Promise<{ kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error }>;
  stop(): Promise<void>;
  kill(): void;
  info(): Record<string, unknown>;
}

/**
 * Watches KV `qt_policy` and republishes kill switch, risk mode and reconciling changes to
 * `qt.in.risk.main` with msgId `policy:<key>:<revision>`: a restart replays the latest values
 * under the same ids, so JetStream drops them as duplicates (and past the dedup window a
 * replay only repeats a state the risk brain already has). A failure crashes the worker so its
 * supervisor restarts it.
 */
export async function startPolicyWatcher(o: { bus: Bus; logger?: Logger; riskId?: string; defaultMode?: RiskMode }): Promise<PolicyWatcher> {
  const kv = await o.bus.kvm.open(BUCKETS.policy);
  const iter = await kv.watch({ key: '>' });
  const target = subjects.actorInput('risk', o.riskId ?? 'main');
  let stopping = false;
  let forwarded = 0;
  let last: string | undefined;
  const exited = (async () => {
    try {
      for await (const e of iter) {
        const deleted = e.operation !== 'PUT';
        const input = policyInput(e.key, deleted ? undefined : decodePolicyValue(e.value), deleted, o.defaultMode);
        if (!input) continue;
        await o.bus.js.publish(target, encode(input), { msgID: `policy:${e.key}:${e.revision}`, headers: msgHeaders() });
        forwarded++;
        last = `${e.key}@${e.revision}`;
        o.logger?.info({ key: e.key, revision: e.revision, input }, 'policy change forwarded to risk');
      }
      return stopping ? ({ kind: 'shutdown' } as const) : ({ kind: 'crash', error: new Error('qt_policy watch ended') } as const);
    } catch (err) {
      return stopping ? ({ kind: 'shutdown' } as const) : ({ kind: 'crash', error: err as Error } as const);
    }
  })();
  return {
    exited,
    async stop() {
      stopping = true;
      iter.stop();
      await exited;
    },
    kill() {
      stopping = true;
      iter.stop();
    },
    info: () => ({ forwarded, last: last ?? null }),
  };
}

/** Asks the risk brain to clear a latched REDUCING/HALTED (operator action; journaled by risk). */
export async function requestRiskReset(bus: Bus, scope: 'daily' | 'weekly' | 'halt', by: string, riskId = 'main'): Promise<void> {
  await bus.js.publish(subjects.actorInput('risk', riskId), encode({ type: 'reset', scope, by }), { headers: msgHeaders() });
}
