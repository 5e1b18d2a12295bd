/**
 * Account settings the executor's orders assume, made true on the venue before they matter:
 *
 * - Position mode: every order we build is one-way (positionSide BOTH), and the position logic
 *   reads one net position per symbol. On a hedge-mode account those orders are refused (-4061) or,
 *   worse, land on a side our bookkeeping does not model, so the executor refuses to start.
 * - Leverage: risk approves an entry at the strategy's leverage, but the venue margins it at
 *   whatever the symbol is set to (Binance's default is 20x). The first entry of a symbol sets it;
 *   later entries at the same leverage go straight out. The call is idempotent, so a restart simply
 *   sets it once more.
 *
 * - Fee asset: position PnL, the risk ledger and the report count fees in USDT, as fills report
 *   them. With BNB fee payment on, fills report fees in BNB; the executor refuses to start rather
 *   than book them 600× too high (which would HALT trading on the first fills) or too low.
 *
 * Margin type is left as the account has it: there is no configuration for it.
 */
import type { Logger } from 'pino';
import { RuntimeError } from '../errors.js';
import { VenueRejectError } from '../venues/binance/errors.js';
import type { BinanceVenue } from '../venues/binance/types.js';

/** The account is in hedge mode; this node only trades one-way. Not retryable: an operator must switch it. */
export class HedgeModeError extends RuntimeError {
  override name = 'HedgeModeError';
  constructor(readonly venue: string) {
    super(
      `${venue} account is in hedge mode (dualSidePosition=true): this node trades one-way mode only (positionSide BOTH) ` +
        'and refuses to place orders; switch the account to one-way mode (POST /fapi/v1/positionSide/dual dualSidePosition=false, with no open positions or orders) and start again',
      { retryable: false },
    );
  }
}

/**
 * The venue definitely refused the entry's leverage (e.g. -4028 above the symbol's bracket). The
 * entry is not sent: at another leverage it would carry another margin than risk approved.
 */
export class LeverageRejectedError extends RuntimeError {
  override name = 'LeverageRejectedError';
  constructor(
    readonly symbol: string,
    readonly leverage: number,
    /** Binance code; 0 when the venue answered with another leverage than asked. */
    readonly code: number,
    readonly venueMsg: string,
    opts: { cause?: unknown } = {},
  ) {
    super(`not sent: leverage ${leverage}x on ${symbol} refused by the venue (${code}): ${venueMsg}`, { ...opts, retryable: false });
  }
}

/** The account pays fees in BNB; fills would report fees in an asset the bookkeeping does not convert. */
export class FeeBurnError extends RuntimeError {
  override name = 'FeeBurnError';
  constructor(readonly venue: string) {
    super(
      `${venue} account pays fees in BNB (feeBurn=true): fills would report fees in BNB, and position PnL, the risk ledger and ` +
        'reports count fees in USDT; turn BNB fee payment off (POST /fapi/v1/feeBurn feeBurn=false) and start again',
      { retryable: false },
    );
  }
}

/** The account margins across assets; equity and loss limits read the USDT balance alone. */
export class MultiAssetsModeError extends RuntimeError {
  override name = 'MultiAssetsModeError';
  constructor(readonly venue: string) {
    super(
      `${venue} account is in multi-assets margin mode (multiAssetsMargin=true): its USDT balance is not its equity (other assets ` +
        'back the margin and USDT may go negative), so sizes and loss limits would be measured against the wrong figure; switch to ' +
        'single-asset mode (POST /fapi/v1/multiAssetsMargin multiAssetsMargin=false) and start again',
      { retryable: false },
    );
  }
}

/**
 * One start-up check of an account setting: logged when it is as the bookkeeping assumes, else the
 * refusal is logged fatal with its reason and thrown.
 */
async function requireSetting<T>(log: Logger, field: string, value: T, ok: boolean, checked: string, refusal: () => Error): Promise<void> {
  if (ok) {
    log.info({ [field]: value }, checked);
    return;
  }
  const err = refusal();
  log.fatal({ [field]: value, err }, err.message);
  throw err;
}

/** Throws {@link MultiAssetsModeError} (logged with its reason) when the account margins across assets. */
export async function requireSingleAssetMode(venue: Pick<BinanceVenue, 'venue' | 'multiAssetsMargin'>, log: Logger): Promise<void> {
  const on = await venue.multiAssetsMargin();
  await requireSetting(log, 'multiAssetsMargin', on, !on, 'account margin mode checked', () => new MultiAssetsModeError(venue.venue));
}

/** Throws {@link FeeBurnError} (logged with its reason) when the account pays fees in BNB. */
export async function requireQuoteFees(venue: Pick<BinanceVenue, 'venue' | 'feeBurn'>, log: Logger): Promise<void> {
  const burn = await venue.feeBurn();
  await requireSetting(log, 'feeBurn', burn, !burn, 'account fee asset checked', () => new FeeBurnError(venue.venue));
}

/** Throws {@link HedgeModeError} (logged with its reason) unless the account is in one-way mode. */
export async function requireOneWayMode(venue: Pick<BinanceVenue, 'venue' | 'positionMode'>, log: Logger): Promise<void> {
  const mode = await venue.positionMode();
  await requireSetting(log, 'positionMode', mode, mode === 'one-way', 'account position mode checked', () => new HedgeModeError(venue.venue));
}

/** Sets each symbol's leverage once before its entries. */
export interface LeverageGuard {
  /**
   * Resolves once the venue holds `leverage` for `symbol`. Throws LeverageRejectedError on a
   * definite refusal; any other error (timeout, 5xx, open breaker, rate limit) leaves it unknown and
   * the caller retries.
   */
  ensure(symbol: string, leverage: number): Promise<void>;
  /** Leverage confirmed per symbol, for `info()`. */
  known(): Record<string, number>;
  /**
   * The account reports a symbol's leverage (ACCOUNT_CONFIG_UPDATE): a figure other than the one
   * we set (someone changed it by hand) is forgotten, so the next entry sets it again.
   */
  observed(symbol: string, leverage: number): void;
}

/** Creates the per-process leverage cache in front of `venue.setLeverage`. */
export function createLeverageGuard(venue: Pick<BinanceVenue, 'setLeverage'>, log: Logger): LeverageGuard {
  const confirmed = new Map<string, number>();
  // Entries of one symbol run in parallel: they share one request instead of each sending theirs.
  const pending = new Map<string, Promise<void>>();

  const set = async (symbol: string, leverage: number): Promise<void> => {
    let answered: number;
    try {
      answered = (await venue.setLeverage(symbol, leverage)).leverage;
    } catch (err) {
      if (err instanceof VenueRejectError) throw new LeverageRejectedError(symbol, leverage, err.code, err.venueMsg, { cause: err });
      throw err;
    }
    if (answered !== leverage) throw new LeverageRejectedError(symbol, leverage, 0, `venue answered ${answered}x`);
    confirmed.set(symbol, leverage);
    log.info({ symbol, leverage }, 'leverage set on the venue');
  };

  return {
    ensure(symbol, leverage) {
      if (confirmed.get(symbol) === leverage) return Promise.resolve();
      const key = `${symbol}:${leverage}`;
      let p = pending.get(key);
      if (!p) {
        p = set(symbol, leverage).finally(() => pending.delete(key));
        pending.set(key, p);
      }
      return p;
    },
    known: () => Object.fromEntries(confirmed),
    observed(symbol, lev) {
      const mine = confirmed.get(symbol);
      if (mine === undefined || mine === lev) return;
      confirmed.delete(symbol);
      log.warn({ symbol, set: mine, now: lev }, 'leverage changed on the venue by someone else: the next entry sets it again');
    },
  };
}
