import { heartbeatMachine, symbolMachine, type SymbolInput } from '../../actors/index.js';
import { checkCandle, STREAMS, subjects, type Interval } from '../../protocols/index.js';
import { BadInputError } from '../errors.js';
import type { ActorDefinition } from '../host/index.js';

/** The heartbeat brain: proves host, bus and clock work end to end. */
export const heartbeatDef = (node: string): ActorDefinition => ({
  kind: 'heartbeat',
  machine: heartbeatMachine,
  version: 1,
  input: { stream: STREAMS.inputs, subject: (id) => subjects.actorInput('heartbeat', id) },
  initialInput: () => ({ node }),
});

/** Symbol actors consume their closed candles of one interval from QT_MARKET. */
export function symbolDef(o: Omit<SymbolInput, 'symbol'> & { interval: Interval }): ActorDefinition {
  return {
    kind: 'symbol',
    machine: symbolMachine,
    version: 1,
    input: { stream: STREAMS.market, subject: (symbol) => subjects.market(o.venue, symbol, `candle.${o.interval}`) },
    initialInput: (symbol) => ({ ...o, symbol }),
    configFields: ['signalSource', 'fallbackRule', 'staleSignalMs'],
    parse(payload, subject) {
      const r = checkCandle(payload);
      if (!r.ok) throw new BadInputError(`malformed candle: ${r.reason}`);
      const expected = subject.split('.')[3];
      if (r.candle.symbol !== expected) throw new BadInputError(`candle for ${r.candle.symbol} on ${expected}'s subject`);
      if (r.candle.interval !== o.interval) throw new BadInputError(`candle interval ${r.candle.interval} on a ${o.interval} subject`);
      return { type: 'candle', candle: r.candle };
    },
  };
}
