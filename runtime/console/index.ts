/** Operator consoles: one snapshot, rendered in the terminal (`qt status`) and in the browser. */
export { collectConsoleSnapshot, breakersFromTree, type ConsoleSnapshot, type SnapshotOptions, type BreakerRow, type PolicyView, type PositionRow, type AlertRow } from './snapshot.js';
export { renderConsole, renderTree, type RenderOptions } from './render-terminal.js';
export { startWebConsole, isLoopback, type WebConsole, type WebConsoleOptions } from './web.js';
export { startNodeWebConsole, type NodeWebConsoleOptions } from './node-console.js';
export { WebConsoleConfigSchema, CONSOLE_TOKEN_ENV, type WebConsoleConfig } from './config.js';
export { scanStream, type ScanFrom, type ScannedMsg, type ScanOptions } from './stream-read.js';
export { decodePolicyValue, formatPolicyValue } from './policy.js';
