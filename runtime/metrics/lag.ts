import type { JetStreamManager } from '@nats-io/jetstream';
import type { QtMetrics } from './registry.js';

/** Backlog of one consumer of one QT_* stream. */
export interface ConsumerLag {
  stream: string;
  consumer: string;
  /** Messages matching the consumer not yet delivered. */
  pending: number;
  /** Delivered but not acknowledged. */
  ackPending: number;
  redelivered: number;
}

/** Stream-level totals collected along the way. */
export interface StreamState {
  stream: string;
  messages: number;
  bytes: number;
  consumers: number;
}

export interface LagReport {
  consumers: ConsumerLag[];
  streams: StreamState[];
}

/** Only our streams: KV_/OBJ_ streams and other tenants' streams are not the node's backlog. */
const OURS = /^QT_/;

/**
 * Reads num_pending / num_ack_pending of every consumer of every QT_* stream and, when given
 * metrics, replaces the lag gauges with them (a deleted consumer's series disappears).
 */
export async function collectConsumerLag(jsm: JetStreamManager, metrics?: QtMetrics): Promise<LagReport> {
  const report: LagReport = { consumers: [], streams: [] };
  for await (const si of jsm.streams.list()) {
    const stream = si.config.name;
    if (!OURS.test(stream)) continue;
    report.streams.push({ stream, messages: si.state.messages, bytes: si.state.bytes, consumers: si.state.consumer_count });
    for await (const ci of jsm.consumers.list(stream)) {
      report.consumers.push({ stream, consumer: ci.name, pending: ci.num_pending, ackPending: ci.num_ack_pending, redelivered: ci.num_redelivered });
    }
  }
  if (metrics) {
    metrics.resetConsumerLag();
    for (const c of report.consumers) metrics.consumerLag(c.stream, c.consumer, c.pending, c.ackPending);
    for (const s of report.streams) metrics.streamState(s.stream, s.messages, s.bytes);
  }
  return report;
}
