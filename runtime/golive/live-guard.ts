import type { GoLiveReport } from './check.js';

/** The CLI flag that opts into live trading. */
export const LIVE_OPT_IN_FLAG = '--i-understand-live-trading';

/** The exact text `venue.liveAcknowledgement` must hold for live trading. */
export const LIVE_ACK_TEXT = 'I accept that Quantum Trader will trade real money on Binance';

/** Trading modes, as `venue.kind` names them. Only `binance-live` moves real money. */
export type TradingMode = 'sim' | 'binance-testnet' | 'binance-live';

/** Live trading refused; `reasons` lists every missing piece, not just the first. */
export class LiveTradingRefusedError extends Error {
  override readonly name = 'LiveTradingRefusedError';
  /** Retrying changes nothing: an operator has to act. */
  readonly retryable = false;
  constructor(readonly reasons: string[]) {
    super(`live trading refused:\n  - ${reasons.join('\n  - ')}`);
  }
}

export interface LiveGuardInput {
  mode: TradingMode;
  /** Whether `--i-understand-live-trading` was given on the command line. */
  cliOptIn: boolean;
  /** `venue.liveAcknowledgement` from config. */
  configAck?: string | undefined;
  /** A go-live report from `checkGoLive`, run just before. */
  gate?: GoLiveReport | undefined;
}

/**
 * Throws unless live trading is allowed: in `binance-live` mode it takes the CLI opt-in AND the
 * exact config acknowledgement AND a passed go-live gate — three different people-facing acts, so
 * neither a stray flag, a copied config file nor a forgotten check alone can start real trading.
 * Paper (`sim`) and testnet need none of them.
 */
export function assertLiveAllowed(i: LiveGuardInput): void {
  if (i.mode !== 'binance-live') return;
  const reasons: string[] = [];
  if (!i.cliOptIn) reasons.push(`the command line lacks ${LIVE_OPT_IN_FLAG}`);
  if (i.configAck !== LIVE_ACK_TEXT) {
    reasons.push(i.configAck ? `venue.liveAcknowledgement does not match the required text exactly: "${LIVE_ACK_TEXT}"` : `config venue.liveAcknowledgement must be exactly "${LIVE_ACK_TEXT}"`);
  }
  if (!i.gate) reasons.push('the go-live gate was not checked (qt golive check)');
  else if (!i.gate.pass) reasons.push(`the go-live gate failed: ${i.gate.gates.filter((g) => !g.pass).map((g) => `${g.name} (${g.detail})`).join('; ')}`);
  if (reasons.length) throw new LiveTradingRefusedError(reasons);
}
