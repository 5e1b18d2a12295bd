export type { Clock, SimulatedClock, TimerHandle } from './clock.js';
export { createLiveClock, createSimulatedClock, createScaledClock } from './clock.js';
