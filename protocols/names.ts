/**
 * Every stream, subject, bucket and service name in one place (DESIGN.md section 4).
 * Other code builds subjects only through these functions.
 */
export const STREAMS = {
  market: 'QT_MARKET',
  signals: 'QT_SIGNALS',
  intents: 'QT_INTENTS',
  orders: 'QT_ORDERS',
  positions: 'QT_POSITIONS',
  journal: 'QT_JOURNAL',
  supervision: 'QT_SUPERVISION',
  dlq: 'QT_DLQ',
  /** Generic actor inputs (`qt.in.<kind>.<id>`), used by the kernel and by tests. */
  inputs: 'QT_INPUTS',
} as const;
export type StreamName = (typeof STREAMS)[keyof typeof STREAMS];

/** A symbol as subjects and messages carry it: upper-case letters and digits (`BTCUSDT`). */
export const SYMBOL_PATTERN = /^[A-Z0-9]{2,30}$/;

export const BUCKETS = {
  actors: 'qt_actors',
  supervisors: 'qt_supervisors',
  policy: 'qt_policy',
  /** Symbol leases of a multi-node deployment (`lease.<symbol>`, `node.<id>`); history 1. */
  leases: 'qt_leases',
} as const;

export const OBJECT_STORES = { models: 'qt_models' } as const;

export const SERVICES = {
  supervisor: 'qt-supervisor',
  ai: 'qt-ai',
} as const;

/** NATS subject tokens must not contain `.`, `*`, `>` or whitespace. */
export function token(value: string): string {
  if (value.length === 0 || /[\s.*>]/.test(value)) {
    throw new TypeError(`invalid subject token ${JSON.stringify(value)}`);
  }
  return value;
}

/** A dotted path (e.g. `root.market.symbols`) checked token by token. */
export function path(value: string): string {
  return value.split('.').map(token).join('.');
}

/**
 * Subjects are built per message on hot paths (a replay builds millions) from a few values per
 * symbol: these builders remember what they built, up to a bound, so each subject is checked and
 * joined once and routing sees the same, already hashed, string every time. A builder that throws
 * remembers nothing.
 */
const MEMO_MAX = 50_000;

function memo1(build: (a: string) => string): (a: string) => string {
  const known = new Map<string, string>();
  return (a) => {
    let s = known.get(a);
    if (s === undefined) {
      s = build(a);
      if (known.size < MEMO_MAX) known.set(a, s);
    }
    return s;
  };
}

function memo2(build: (a: string, b: string) => string): (a: string, b: string) => string {
  const known = new Map<string, Map<string, string>>();
  return (a, b) => {
    let inner = known.get(a);
    if (!inner) {
      inner = new Map();
      if (known.size < MEMO_MAX) known.set(a, inner);
    }
    let s = inner.get(b);
    if (s === undefined) {
      s = build(a, b);
      if (inner.size < MEMO_MAX) inner.set(b, s);
    }
    return s;
  };
}

export const subjects = {
  market: (venue: string, symbol: string, kind: string) => `qt.md.${token(venue)}.${token(symbol)}.${path(kind)}`,
  marketAll: 'qt.md.>',
  /** One kind of every symbol of a venue, e.g. `qt.md.sim.*.candle.1m` (benchmarks read candle closes this way). */
  marketEach: (venue: string, kind: string) => `qt.md.${token(venue)}.*.${path(kind)}`,
  signal: memo1((symbol) => `qt.signal.${token(symbol)}`),
  signalAll: 'qt.signal.>',
  /** Regime of a symbol (or `MARKET`), beside its signals so the strategy reads both on one consumer. */
  regime: memo1((symbol) => `qt.signal.${token(symbol)}.regime`),
  /** Feature vectors from symbol actors to the AI brain (stream QT_SIGNALS). */
  features: memo2((venue, symbol) => `qt.features.${token(venue)}.${token(symbol)}`),
  featuresAll: 'qt.features.>',
  /** Universe changes and 24h tickers of a venue (stream QT_MARKET). */
  universe: (venue: string) => `qt.md.${token(venue)}._universe.changes`,
  tickers: (venue: string) => `qt.md.${token(venue)}._tickers.24h`,
  intent: memo1((symbol) => `qt.intent.${token(symbol)}`),
  intentAll: 'qt.intent.>',
  order: memo2((symbol, event) => `qt.order.${token(symbol)}.${token(event)}`),
  orderAll: 'qt.order.>',
  /** One event kind of every symbol, e.g. `qt.order.*.exec` for the executor's single filter subject. */
  orderEach: (event: string) => `qt.order.*.${token(event)}`,
  position: memo2((symbol, event) => `qt.position.${token(symbol)}.${token(event)}`),
  positionAll: 'qt.position.>',
  journal: memo1((kind) => `qt.journal.${path(kind)}`),
  journalAll: 'qt.journal.>',
  supervision: (nodePath: string, event: string) => `qt.sup.${path(nodePath)}.${token(event)}`,
  supervisionAll: 'qt.sup.>',
  dlq: (source: string) => `qt.dlq.${path(source)}`,
  dlqAll: 'qt.dlq.>',
  actorInput: (kind: string, id: string) => `qt.in.${token(kind)}.${token(id)}`,
  /** Control subjects of a service; `node` picks one instance, without it any instance answers. */
  control: (service: string, op: string, node?: string) => `qt.ctl.${token(service)}.${node ? `${token(node)}.` : ''}${token(op)}`,
  actorInputAll: 'qt.in.>',
  /** JetStream advisories that the DLQ stream also captures. */
  maxDeliveriesAdvisory: '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>',
  terminatedAdvisory: '$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.>',
} as const;

// Second subject token → stream, from the streams' own wildcards (qt.md.> → QT_MARKET, …).
const STREAM_BY_TOKEN = new Map<string, StreamName>(
  ([
    [subjects.marketAll, STREAMS.market], [subjects.signalAll, STREAMS.signals], [subjects.featuresAll, STREAMS.signals],
    [subjects.intentAll, STREAMS.intents], [subjects.orderAll, STREAMS.orders], [subjects.positionAll, STREAMS.positions],
    [subjects.journalAll, STREAMS.journal], [subjects.supervisionAll, STREAMS.supervision], [subjects.dlqAll, STREAMS.dlq],
    [subjects.actorInputAll, STREAMS.inputs],
  ] as const).map(([all, stream]) => [all.split('.')[1]!, stream]),
);

/** The stream that stores a `qt.*` subject, or undefined for one no stream captures (e.g. `qt.ctl.*`). */
export function streamOf(subject: string): StreamName | undefined {
  const a = subject.indexOf('.');
  const b = subject.indexOf('.', a + 1);
  return subject.startsWith('qt.') ? STREAM_BY_TOKEN.get(subject.slice(a + 1, b < 0 ? undefined : b)) : undefined;
}

/** KV key of an actor snapshot: `<kind>.<id>`. */
export function actorKey(kind: string, id: string): string {
  return `${token(kind)}.${token(id)}`;
}

/** Durable consumer name of a hosted actor. */
export function actorConsumer(kind: string, id: string): string {
  return `actor_${token(kind)}_${token(id)}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** KV key under `qt_leases` of a symbol's lease (`lease.<symbol>`); the leader lease is `lease._leader`. */
export function leaseKey(symbol: string): string {
  return `lease.${token(symbol)}`;
}

/** KV key under `qt_leases` of a node's liveness heartbeat. */
export function leaseNodeKey(node: string): string {
  return `node.${token(node)}`;
}

/** KV key under `qt_supervisors` for a supervision node path. */
export function supervisorKey(nodePath: string): string {
  return path(nodePath);
}
