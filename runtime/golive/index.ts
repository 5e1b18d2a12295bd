/** The go-live gate: the paper record's verdict, the live-trading guard, and the API key check. */
export { GoLiveConfigSchema, type GoLiveConfig, type GoLiveGates } from './config.js';
export { checkGoLive, renderGoLive, maxDrawdown, isUnprotectedAlert, type GoLiveReport, type GateResult, type CheckGoLiveOptions } from './check.js';
export { assertLiveAllowed, LiveTradingRefusedError, LIVE_ACK_TEXT, LIVE_OPT_IN_FLAG, type LiveGuardInput, type TradingMode } from './live-guard.js';
export { checkApiKeyPermissions, binanceRestrictionsFetcher, ApiKeyRefusedError, type ApiRestrictions, type ApiKeyVerdict, type RestrictionsFetcherOptions } from './api-key.js';
