/** Symbol rules: defaults, and the exchangeInfo view Binance clients parse. */
import { decimalsOf, fmt } from './num.js';
import type { ExchangeInfoView, SymbolFilterView, SimEngineOptions, SymbolSpec } from './types.js';

/** Fills the gaps of a partial spec with Binance-like defaults derived from tick and step. */
export function completeSpec(p: SimEngineOptions['symbols'][number]): SymbolSpec {
  const pd = decimalsOf(p.tickSize);
  const qd = decimalsOf(p.stepSize);
  return {
    baseAsset: p.symbol.replace(/USDT$/, ''),
    quoteAsset: 'USDT',
    pricePrecision: pd,
    quantityPrecision: qd,
    minPrice: p.tickSize,
    maxPrice: 10_000_000,
    minQty: p.stepSize,
    maxQty: 10_000_000,
    marketStepSize: p.stepSize,
    marketMinQty: p.stepSize,
    marketMaxQty: 10_000_000,
    minNotional: 5,
    multiplierUp: 1.05,
    multiplierDown: 0.95,
    multiplierDecimal: 4,
    maintMarginRate: 0.004,
    maxLeverage: 125,
    maxNumOrders: 200,
    ...p,
  } as SymbolSpec;
}

/** Binance's filter list for one symbol. */
export function filtersOf(s: SymbolSpec): SymbolFilterView[] {
  const pd = s.pricePrecision;
  const qd = s.quantityPrecision;
  return [
    { filterType: 'PRICE_FILTER', minPrice: fmt(s.minPrice, pd), maxPrice: fmt(s.maxPrice, pd), tickSize: fmt(s.tickSize, pd) },
    { filterType: 'LOT_SIZE', minQty: fmt(s.minQty, qd), maxQty: fmt(s.maxQty, qd), stepSize: fmt(s.stepSize, qd) },
    { filterType: 'MARKET_LOT_SIZE', minQty: fmt(s.marketMinQty, qd), maxQty: fmt(s.marketMaxQty, qd), stepSize: fmt(s.marketStepSize, qd) },
    { filterType: 'MAX_NUM_ORDERS', limit: s.maxNumOrders },
    { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
    { filterType: 'MIN_NOTIONAL', notional: String(s.minNotional) },
    {
      filterType: 'PERCENT_PRICE',
      multiplierUp: s.multiplierUp.toFixed(s.multiplierDecimal),
      multiplierDown: s.multiplierDown.toFixed(s.multiplierDecimal),
      multiplierDecimal: String(s.multiplierDecimal),
    },
  ];
}

/** GET /fapi/v1/exchangeInfo for the configured symbols. */
export function exchangeInfoOf(specs: Iterable<SymbolSpec>, now: number): ExchangeInfoView {
  const symbols: ExchangeInfoView['symbols'] = [];
  for (const s of specs) {
    symbols.push({
      symbol: s.symbol,
      pair: s.symbol,
      contractType: 'PERPETUAL',
      deliveryDate: 4133404800000,
      onboardDate: 1569398400000,
      status: 'TRADING',
      maintMarginPercent: '2.5000',
      requiredMarginPercent: '5.0000',
      baseAsset: s.baseAsset,
      quoteAsset: 'USDT',
      marginAsset: 'USDT',
      pricePrecision: s.pricePrecision,
      quantityPrecision: s.quantityPrecision,
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: 'COIN',
      triggerProtect: '0.0500',
      liquidationFee: '0.012500',
      marketTakeBound: '0.05',
      filters: filtersOf(s),
      orderTypes: ['LIMIT', 'MARKET', 'STOP_MARKET', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
      timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
    });
  }
  return {
    timezone: 'UTC',
    serverTime: now,
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
    ],
    exchangeFilters: [],
    assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
    symbols,
  };
}
