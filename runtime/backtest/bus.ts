import { createActor, type Actor, type AnyStateMachine, type EventObject } from 'xstate';
import { OUTPUT_EVENT, TIMER_EVENT, type OutputEvent, type ParseOptions } from '../../protocols/index.js';
import type { SimulatedClock } from '../clock/index.js';
import { defaultParse, type ActorDefinition } from '../host/index.js';
import { TimerSync } from '../host/timers.js';
import { tokensMatch } from './subject-match.js';

const TRUSTED = { trusted: true } as const;

/** A timer of a hosted machine that came due, queued behind the messages already published. */
class TimerDue {
  constructor(readonly inst: Instance, readonly name: string, readonly dueAt: number) {}
}

interface Instance {
  key: string;
  def: ActorDefinition;
  actor: Actor<AnyStateMachine>;
  /** Input subject patterns, split into tokens once. */
  patterns: string[][];
  timers: TimerSync;
  emitted: OutputEvent[];
}

export interface Delivered {
  subject: string;
  data: unknown;
  msgId?: string;
  headers?: Record<string, string>;
  /** Made in this process by code typed against its schema: parsed without the schema check. */
  trusted?: boolean;
}

export interface BacktestBusStats {
  published: number;
  delivered: number;
  deduplicated: number;
  deadLettered: number;
  crashed: number;
}

/**
 * The in-process bus of `qt backtest`: the same machines and definitions as a live node, hosted
 * directly and wired by subject with NATS matching rules, on a simulated clock. It keeps the live
 * host's contract — `at` on every event, timers from `context.timers`, outputs by `qt.out`,
 * parse errors dead-lettered, msgID de-duplication — minus persistence, which a replay does not need.
 */
export function createBacktestBus(clock: SimulatedClock, opts: { dedupWindow?: number } = {}) {
  const instances: Instance[] = [];
  const taps: Array<{ tokens: string[]; fn: (m: Delivered) => void }> = [];
  const routes = new Map<string, { actors: Instance[]; taps: Array<(m: Delivered) => void> }>();
  // A FIFO with a read index: `shift()` moves every queued item; this is O(1) per item and the
  // array is reset whenever it runs empty (it does after every delivery burst).
  const queue: Array<Delivered | TimerDue> = [];
  let head = 0;
  const next = () => {
    if (head < queue.length) return queue[head++];
    queue.length = 0;
    head = 0;
    return undefined;
  };
  const seen = new Set<string>();
  const window = opts.dedupWindow ?? 200_000;
  // A ring of the last `window` msgIds: O(1) eviction, like JetStream's dedup window.
  const seenRing: Array<string | undefined> = new Array(window);
  let seenAt = 0;
  const dead: Array<Delivered & { reason: string; actor: string }> = [];
  const stats: BacktestBusStats = { published: 0, delivered: 0, deduplicated: 0, deadLettered: 0, crashed: 0 };
  let draining = false;

  const route = (subject: string) => {
    let r = routes.get(subject);
    if (!r) {
      const tokens = subject.split('.');
      r = {
        actors: instances.filter((i) => i.patterns.some((p) => tokensMatch(p, tokens))),
        taps: taps.filter((t) => tokensMatch(t.tokens, tokens)).map((t) => t.fn),
      };
      routes.set(subject, r);
    }
    return r;
  };

  const flushOutputs = (inst: Instance) => {
    // A hosted machine's outputs are built by typed code in this process: trusted.
    if (inst.emitted.length) for (const o of inst.emitted.splice(0)) bus.publish(o.subject, o.data, o.msgId, o.headers, TRUSTED);
    inst.timers.sync(inst.actor.getSnapshot().context);
  };

  const send = (inst: Instance, event: EventObject) => {
    inst.actor.send(event);
    const snap = inst.actor.getSnapshot();
    if (snap.status === 'error') {
      stats.crashed++;
      throw new Error(`${inst.key} crashed in backtest: ${String((snap as { error?: unknown }).error)}`);
    }
    flushOutputs(inst);
  };

  const bus = {
    stats,
    dead,
    /** Hosts one actor of `def` under `id`, listening on its definition's input subjects. */
    add(def: ActorDefinition, id: string): Actor<AnyStateMachine> {
      const inputs = def.input ? [def.input, ...(def.extraInputs ?? [])] : [];
      const actor = createActor(def.machine, { input: def.initialInput?.(id) ?? { id } }) as Actor<AnyStateMachine>;
      const inst: Instance = { key: `${def.kind}.${id}`, def, actor, patterns: inputs.map((i) => i.subject(id).split('.')), emitted: [], timers: undefined as never };
      inst.timers = new TimerSync(clock, (name, dueAt) => {
        queue.push(new TimerDue(inst, name, dueAt));
        bus.drain();
      });
      actor.on('*', (e: EventObject) => {
        if (e.type === OUTPUT_EVENT) inst.emitted.push(e as OutputEvent);
      });
      actor.start();
      instances.push(inst);
      routes.clear();
      flushOutputs(inst);
      return actor;
    },
    /** Observes every message on subjects matching `pattern` (journal, executor, metrics). */
    tap(pattern: string, fn: (m: Delivered) => void) {
      taps.push({ tokens: pattern.split('.'), fn });
      routes.clear();
    },
    /**
     * Queues a message for every matching actor and tap. `trusted` only for payloads built in this
     * process by code typed against the subject's schema; data read from outside (candles of a
     * replay file, marks) is not, and is validated, and dead-lettered when bad, as on a live node.
     */
    publish(subject: string, data: unknown, msgId?: string, headers?: Record<string, string>, o?: ParseOptions) {
      if (msgId) {
        // One hash lookup for the check and the insert (the Set only grows when the id is new):
        // every message pays for it. The id evicted from the ring cannot be this one, which was absent.
        const before = seen.size;
        seen.add(msgId);
        if (seen.size === before) {
          stats.deduplicated++;
          return;
        }
        const old = seenRing[seenAt];
        if (old !== undefined) seen.delete(old);
        seenRing[seenAt] = msgId;
        seenAt = (seenAt + 1) % window;
      }
      stats.published++;
      // Optional fields are set only when given (taps and dead letters see no undefined keys), by
      // assignment rather than conditional spreads: this runs for every message.
      const m: Delivered = { subject, data };
      if (msgId) m.msgId = msgId;
      if (headers) m.headers = headers;
      if (o?.trusted) m.trusted = true;
      queue.push(m);
      bus.drain();
    },
    /** Delivers everything queued, in order. Re-entrant publishes are queued, never recursed. */
    drain() {
      if (draining) return;
      draining = true;
      try {
        for (let item = next(); item; item = next()) {
          if (item instanceof TimerDue) {
            send(item.inst, { type: TIMER_EVENT, name: item.name, dueAt: item.dueAt, at: clock.now() } as EventObject);
            continue;
          }
          const m = item;
          const r = route(m.subject);
          for (const t of r.taps) t(m);
          for (const inst of r.actors) {
            let event: EventObject;
            try {
              event = inst.def.parse ? inst.def.parse(m.data, m.subject, m.trusted ? TRUSTED : undefined) : defaultParse(m.data);
            } catch (e) {
              stats.deadLettered++;
              dead.push({ ...m, reason: (e as Error).message, actor: inst.key });
              continue;
            }
            stats.delivered++;
            send(inst, { ...event, at: clock.now() } as EventObject);
          }
        }
      } finally {
        draining = false;
      }
    },
    actors: () => instances.map((i) => ({ key: i.key, actor: i.actor })),
    stop() {
      for (const i of instances) {
        i.timers.clear();
        i.actor.stop();
      }
    },
  };
  return bus;
}
export type BacktestBus = ReturnType<typeof createBacktestBus>;
