import type { Msg } from '@nats-io/transport-node';

/**
 * Wraps a core-subscription callback so it can never throw into nats.js. The callback runs inside
 * the connection's protocol parser: an exception there ends the connection's reader loop for good
 * ("reader closed") while the socket stays open, so no reconnect happens and every later request,
 * publish ack and KV write of the process times out — one undecodable message on a watched subject
 * wedged the whole node (chaos fuzzing). A message the handler cannot use is reported and skipped;
 * whoever owns it (an actor reading its stream) dead-letters it.
 */
export function guarded(handler: (m: Msg) => void, onError: (err: unknown, m: Msg) => void): (err: Error | null, m: Msg) => void {
  return (err, m) => {
    if (err) return;
    try {
      handler(m);
    } catch (e) {
      try {
        onError(e, m);
      } catch {
        // The error path must not throw into the parser either.
      }
    }
  };
}
