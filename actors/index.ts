/** XState machines. Actors import only `protocols`; everything else is injected. */
export { heartbeatMachine, type HeartbeatInput } from './system/heartbeat.machine.js';
