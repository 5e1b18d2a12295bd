/** Regime brain: per-symbol and market regimes from the symbol actors' features. */
export { regimeMachine, MARKET, type RegimeInput, type RegimeContext, type FeaturesEvent } from './regime.machine.js';
export {
  DEFAULT_REGIME_PARAMS, emptySymbolState, marketRegime, median, rawLabel, stepSymbol, trendScore,
  type CrossSectionItem, type RegimeFeatures, type RegimeParams, type SymbolRegimeState,
} from './classify.js';
