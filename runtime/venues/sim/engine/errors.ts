/**
 * Errors of the simulator engine. A reject carries Binance's `{code, msg}` and the HTTP status the
 * loopback server must answer with, so the real Binance adapter can be tested against it unchanged.
 */

/** A Binance-style reject. Never retryable: the same request gets the same answer. */
export class SimVenueError extends Error {
  override name = 'SimVenueError';
  readonly retryable = false;
  /** HTTP status the REST server answers with. */
  readonly httpStatus: number;
  constructor(readonly code: number, readonly msg: string, httpStatus = 400) {
    super(`${code} ${msg}`);
    this.httpStatus = httpStatus;
  }
  /** The JSON body Binance sends. */
  toJSON(): { code: number; msg: string } {
    return { code: this.code, msg: this.msg };
  }
}

/** Binance error codes and messages the engine uses (messages as Binance words them). */
export const E = {
  mandatory: (p: string) => new SimVenueError(-1102, `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`),
  eitherMandatory: (a: string, b: string) => new SimVenueError(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  precision: () => new SimVenueError(-1111, 'Precision is over the maximum defined for this asset.'),
  invalidTif: () => new SimVenueError(-1115, 'Invalid timeInForce.'),
  invalidType: () => new SimVenueError(-1116, 'Invalid orderType.'),
  invalidSide: () => new SimVenueError(-1117, 'Invalid side.'),
  badSymbol: () => new SimVenueError(-1121, 'Invalid symbol.'),
  invalidParam: (p: string) => new SimVenueError(-1130, `Data sent for parameter '${p}' is not valid.`),
  filter: (name: string) => new SimVenueError(-1013, `Filter failure: ${name}`),
  cancelRejected: () => new SimVenueError(-2011, 'Unknown order sent.'),
  noSuchOrder: () => new SimVenueError(-2013, 'Order does not exist.'),
  marginInsufficient: () => new SimVenueError(-2019, 'Margin is insufficient.'),
  wouldTrigger: () => new SimVenueError(-2021, 'Order would immediately trigger.'),
  reduceOnly: () => new SimVenueError(-2022, 'ReduceOnly Order is rejected.'),
  maxOpenOrders: () => new SimVenueError(-2025, 'Reach max open order limit.'),
  priceLeZero: () => new SimVenueError(-4001, 'Price less than 0.'),
  priceGtMax: () => new SimVenueError(-4002, 'Price greater than max price.'),
  qtyLeZero: () => new SimVenueError(-4003, 'Quantity less than or equal to zero.'),
  qtyLtMin: () => new SimVenueError(-4004, 'Quantity less than min quantity.'),
  qtyGtMax: () => new SimVenueError(-4005, 'Quantity greater than max quantity.'),
  stopLeZero: () => new SimVenueError(-4006, 'Stop price less than zero.'),
  stopGtMax: () => new SimVenueError(-4007, 'Stop price greater than max price.'),
  priceLtMin: () => new SimVenueError(-4013, 'Price less than min price.'),
  tick: () => new SimVenueError(-4014, 'Price not increased by tick size.'),
  clientIdLen: () => new SimVenueError(-4015, 'Client order id length should not be more than 36 chars'),
  priceUp: () => new SimVenueError(-4016, 'Price is higher than mark price multiplier cap.'),
  step: () => new SimVenueError(-4023, 'Qty not increased by step size.'),
  priceDown: () => new SimVenueError(-4024, 'Price is lower than mark price multiplier floor.'),
  leverage: (l: string) => new SimVenueError(-4028, `Leverage ${l} is not valid`),
  workingType: (w: string) => new SimVenueError(-4031, `Invalid parameter working type: ${w}`),
  marginTypeSame: () => new SimVenueError(-4046, 'No need to change margin type.'),
  marginTypeOrders: () => new SimVenueError(-4047, 'Margin type cannot be changed if there exists open orders.'),
  marginTypePosition: () => new SimVenueError(-4048, 'Margin type cannot be changed if there exists position.'),
  positionSide: () => new SimVenueError(-4061, "Order's position side does not match user's setting."),
  percentPrice: () => new SimVenueError(-4131, "The counterparty's best price does not meet the PERCENT_PRICE filter limit."),
  activation: () => new SimVenueError(-4135, 'Invalid activation price.'),
  closePositionType: (t: string) => new SimVenueError(-4136, `Target strategy invalid for orderType ${t},closePosition true`),
  closePositionQty: () => new SimVenueError(-4137, 'Quantity must be zero with closePosition equals true'),
  notRequired: (p: string) => new SimVenueError(-1106, `Parameter '${p}' sent when not required.`),
  minNotional: (n: string) => new SimVenueError(-4164, `Order's notional must be no smaller than ${n} (unless you choose reduce only).`),
  duplicateClientId: () => new SimVenueError(-4116, 'ClientOrderId is duplicated.'),
  postOnly: () =>
    new SimVenueError(-5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history'),
} as const;
