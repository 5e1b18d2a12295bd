/** XState machines. Actors import `protocols` (and the pure feature spec in `models/features`); everything else is injected. */
export { heartbeatMachine, type HeartbeatInput } from './system/heartbeat.machine.js';
export { symbolMachine, type SymbolInput, type SymbolContext, type SymbolEvent } from './symbol/symbol.machine.js';
export { momentumRule, rsiRule, type FallbackRule, type FallbackDecision } from './symbol/fallback.js';
export { universeMachine, selectUniverse, type UniverseInput, type TickersEvent } from './universe/universe.machine.js';
