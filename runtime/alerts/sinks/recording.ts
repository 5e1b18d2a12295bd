import type { Alert, AlertSink } from '../types.js';

/** A sink that keeps what it was sent; `failing = true` makes it throw (tests of failure paths). */
export interface RecordingSink extends AlertSink {
  readonly sent: Alert[];
  failing: boolean;
  keys(): string[];
  clear(): void;
}

export function recordingSink(name = 'recording'): RecordingSink {
  const sink: RecordingSink = {
    name,
    sent: [],
    failing: false,
    secrets: () => [],
    async send(alert) {
      if (sink.failing) throw new Error(`${name}: failing on purpose`);
      sink.sent.push(alert);
    },
    keys: () => sink.sent.map((a) => (a.resolved ? `resolved ${a.key}` : a.key)),
    clear: () => void (sink.sent.length = 0),
  };
  return sink;
}
