import { assign, emit, setup } from 'xstate';
import { OUTPUT_EVENT, subjects, type Timers } from '../../protocols/index.js';

export interface HeartbeatInput {
  node: string;
  /** @default 5000 */
  intervalMs?: number;
}

interface Ctx {
  node: string;
  intervalMs: number;
  beats: number;
  pings: number;
  timers: Timers;
}

type Ev =
  | { type: 'qt.timer'; name: string; dueAt: number; at: number }
  | { type: 'qt.fresh'; at: number }
  | { type: 'ping'; at: number }
  | { type: 'start'; at: number };

/**
 * Proves the node is alive end to end: a timer kept in context (so it survives restarts) makes
 * the actor publish `qt.journal.heartbeat.<node>`; a `ping` input answers at once. A beat that
 * stops arriving means the host, the bus or the clock is broken, not just a process.
 */
export const heartbeatMachine = setup({
  types: { context: {} as Ctx, events: {} as Ev, input: {} as HeartbeatInput },
}).createMachine({
  id: 'heartbeat',
  context: ({ input }) => ({ node: input.node, intervalMs: input.intervalMs ?? 5_000, beats: 0, pings: 0, timers: { beat: 0 } }),
  on: {
    'qt.timer': {
      actions: [
        assign({
          beats: ({ context }) => context.beats + 1,
          timers: ({ context, event }) => ({ ...context.timers, beat: event.at + context.intervalMs }),
        }),
        emit(({ context, event }) => ({
          type: OUTPUT_EVENT,
          subject: subjects.journal(`heartbeat.${context.node}`),
          data: { kind: 'heartbeat', node: context.node, beat: context.beats, at: event.at },
        })),
      ],
    },
    ping: {
      actions: [
        assign({ pings: ({ context }) => context.pings + 1 }),
        emit(({ context, event }) => ({ type: OUTPUT_EVENT, subject: subjects.journal(`heartbeat.${context.node}`), data: { kind: 'pong', node: context.node, pings: context.pings, at: event.at } })),
      ],
    },
  },
});
