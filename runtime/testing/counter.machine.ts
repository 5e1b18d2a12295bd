import { assign, emit, setup, sendTo, type ActorRefFrom } from 'xstate';
import { OUTPUT_EVENT, subjects, type Timers } from '../../protocols/index.js';

/** A child that keeps its own value, to prove spawned children survive a snapshot round trip. */
export const tallyMachine = setup({
  types: { context: {} as { value: number }, events: {} as { type: 'add'; by: number } },
}).createMachine({
  id: 'tally',
  context: { value: 0 },
  on: { add: { actions: assign({ value: ({ context, event }) => context.value + event.by }) } },
});

type Ev =
  | { type: 'inc'; by: number; at: number }
  | { type: 'boom'; at: number }
  | { type: 'arm'; ms: number; at: number }
  | { type: 'spawn'; at: number }
  | { type: 'child.add'; by: number; at: number }
  | { type: 'finish'; at: number }
  | { type: 'qt.timer'; name: string; dueAt: number; at: number }
  | { type: 'qt.fresh'; reason: string; at: number };

interface Ctx {
  id: string;
  count: number;
  fired: number;
  fresh: number;
  timers: Timers;
  child?: ActorRefFrom<typeof tallyMachine>;
}

/**
 * Test machine for the actor host: counts, emits an output per input, arms timers from context,
 * spawns a child, crashes on `boom`, and ends on `finish`.
 */
export const counterMachine = setup({
  types: { context: {} as Ctx, events: {} as Ev, input: {} as { id: string } },
  actors: { tally: tallyMachine },
}).createMachine({
  id: 'counter',
  context: ({ input }) => ({ id: input.id, count: 0, fired: 0, fresh: 0, timers: {} }),
  initial: 'running',
  states: {
    running: {
      on: {
        inc: {
          actions: [
            assign({ count: ({ context, event }) => context.count + event.by }),
            emit(({ context }) => ({ type: OUTPUT_EVENT, subject: subjects.journal(`counter.${context.id}`), data: { count: context.count } })),
          ],
        },
        boom: {
          actions: () => {
            throw new Error('boom: poisoned input');
          },
        },
        arm: { actions: assign({ timers: ({ context, event }) => ({ ...context.timers, tick: event.at + event.ms }) }) },
        'qt.timer': {
          actions: [
            assign({
              fired: ({ context }) => context.fired + 1,
              timers: ({ context, event }) => Object.fromEntries(Object.entries(context.timers).filter(([k]) => k !== event.name)),
            }),
            emit(({ context, event }) => ({ type: OUTPUT_EVENT, subject: subjects.journal(`counter.${context.id}`), data: { timer: event.name, dueAt: event.dueAt, at: event.at } })),
          ],
        },
        'qt.fresh': { actions: assign({ fresh: ({ context }) => context.fresh + 1 }) },
        spawn: { actions: assign({ child: ({ spawn }) => spawn('tally', { id: 'tally', systemId: undefined }) }) },
        'child.add': { actions: sendTo(({ context }) => context.child!, ({ event }) => ({ type: 'add' as const, by: event.by })) },
        finish: 'done',
      },
    },
    done: { type: 'final' },
  },
});
