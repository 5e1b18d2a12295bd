/**
 * Shapes the chaos suite reads: the simulator's own records (`GET /sim/history`), and what it
 * produces (violations, scenario results). The simulator is the judge; our streams are the accused.
 */

/** One accepted venue order, as `/sim/orders` returns it (strings as Binance sends them). */
export interface SimOrder {
  orderId: number;
  symbol: string;
  status: string;
  clientOrderId: string;
  type: string;
  origType: string;
  side: 'BUY' | 'SELL';
  reduceOnly: boolean;
  closePosition: boolean;
  origQty: string;
  executedQty: string;
  stopPrice: string;
  time: number;
  updateTime: number;
}

/** One venue trade (a fill of one order). */
export interface SimTrade {
  symbol: string;
  id: number;
  orderId: number;
  side: 'BUY' | 'SELL';
  price: string;
  qty: string;
  time: number;
}

/** `GET /sim/history`. */
export interface SimHistory {
  orders: SimOrder[];
  trades: SimTrade[];
  rejects: Array<{ time: number; input: { symbol?: string; newClientOrderId?: string }; code: number; msg: string }>;
  liquidations: number[];
}

/** The invariants, by name. */
export const INVARIANTS = [
  'unique-client-order-ids',
  'no-lost-fills',
  'stop-coverage',
  'positions-match-venue',
  'journal-holds-fills',
  'no-actor-errors',
  'restarts-explained',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

/** One broken invariant, with enough keys to pull its event trail. */
export interface Violation {
  invariant: InvariantName | string;
  detail: string;
  symbol?: string;
  clientOrderId?: string;
}

/**
 * A stretch of time the scenario broke something on purpose (node killed, NATS down): stop-coverage
 * gaps inside it are attributed to the injection, not counted against the runtime. Market-time ms.
 */
export interface Outage {
  from: number;
  to: number;
  what: string;
  /**
   * Share of the overlap still counted against the runtime: 0 (default) for a dead node or NATS;
   * `1/speed` for injected venue delays, which are wall-clock delays: the 5 s rule then holds in
   * wall time inside the window instead of market time.
   */
  factor?: number;
}

/** What a scenario did and whether its own checks passed. */
export interface ScenarioResult {
  name: string;
  ok: boolean;
  /** Counters (kills, faults, fuzzed messages…). */
  stats: Record<string, number>;
  /** Scenario-specific failures (e.g. a fuzzed message not dead-lettered). */
  failures: string[];
  violations: Violation[];
  /** Human-readable notes (what was tolerated and why). */
  notes: string[];
  /** Event trails of violations, already rendered. */
  trails: string[];
  wallMs: number;
}
