export { startExecutor, orderReport, reportMsgId, publishReport, type ExecutorOptions, type TradingWorker, type WorkerExit } from './executor.js';
export { startUserStreamBridge, updateReport, type UserStreamBridgeOptions } from './user-stream-bridge.js';
