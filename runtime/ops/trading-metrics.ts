import { evaluateDrawdown, type Alert, type DrawdownState } from '../alerts/index.js';
import type { Logger } from 'pino';
import { STREAMS, subjects, type JournalEntry, type OrderEvent, type PositionUpdate, type RiskVerdict, type Signal } from '../../protocols/index.js';
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { Gauge } from 'prom-client';
import { decode } from '../codec.js';
import type { AiMetrics } from '../ai/brain.js';
import type { HostTelemetry } from '../host/index.js';
import type { QtMetrics } from '../metrics/index.js';
import { guarded, type Bus } from '../nats/index.js';

/**
 * Feeds the trading metrics from what the actors publish (core NATS subscriptions: metrics are a
 * live view, not a ledger): signals by source, risk denials by reason, orders by state, fills,
 * PnL and exposure per symbol, unprotected positions. Nothing here can slow or stop trading.
 */
export function watchTradingMetrics(o: {
  bus: Bus;
  metrics: QtMetrics;
  logger?: Logger;
  /**
   * Alerts on drawdown thresholds from equity = initial + realised (journal) + unrealised
   * (positions), moved onto the venue's figure whenever the account's equity is reported.
   */
  drawdown?: { initialEquity: number; thresholds: number[]; route: (a: Alert) => Promise<unknown> };
  /** How often the unprotected-position age is recomputed between updates. @default 1000 */
  unprotectedRefreshMs?: number;
}) {
  const { bus, metrics } = o;
  const positions = new Map<string, PositionUpdate>();
  let realized = 0;
  let base = o.drawdown?.initialEquity ?? 0;
  let venueSeen = false;
  let peak = base;
  const unrealizedNow = () => [...positions.values()].reduce((a, p) => a + (p.qty > 0 ? p.unrealizedPnl : 0), 0);
  let ddState: DrawdownState = { breached: [] };
  let replaying = true;
  const account = (ts: number) => {
    if (!o.drawdown) return;
    const exposure = [...positions.values()].reduce((a, p) => a + p.qty * (p.markPrice || p.avgEntry), 0);
    const equity = base + realized + unrealizedNow();
    peak = Math.max(peak, equity);
    const drawdown = peak > 0 ? Math.max(0, (peak - equity) / peak) : 0;
    metrics.account({ equityUsd: equity, drawdown, exposureRatio: equity > 0 ? exposure / equity : 0 });
    // History rebuilds the peak; only where it leaves off is a drawdown worth an alert.
    if (replaying) return;
    const r = evaluateDrawdown(ddState, { drawdown, equityUsd: equity, ts }, { thresholds: o.drawdown.thresholds });
    ddState = r.state;
    for (const a of r.alerts) o.drawdown.route(a).catch((err: unknown) => o.logger?.warn({ err }, 'drawdown alert failed'));
  };
  // The age of an unprotected position keeps growing between its updates (marks are throttled,
  // and a stalled feed sends none): the age at its last update plus the wall time since.
  const receivedAt = new Map<string, number>();
  const unprotected = () => {
    const now = Date.now();
    const open = [...positions.values()].filter((x) => x.unprotectedSince !== null && x.qty > 0);
    const age = (x: PositionUpdate) => (x.ts - x.unprotectedSince!) / 1000 + (now - (receivedAt.get(x.symbol) ?? now)) / 1000;
    metrics.unprotected(open.length, open.length ? Math.max(...open.map(age)) : 0);
  };
  const ticker = setInterval(unprotected, o.unprotectedRefreshMs ?? 1_000);
  ticker.unref();
  let skipped = 0;
  const skip = (err: unknown, m: { subject: string }) => {
    // Owners dead-letter bad messages; the metrics only note that they skipped one (logged rarely).
    if (skipped++ % 100 === 0) o.logger?.warn({ err, subject: m.subject, skipped }, 'trading metrics skipped an unreadable message');
  };
  const subs = [
    bus.nc.subscribe('qt.signal.*', {
      callback: guarded((m) => {
        const s = decode<Signal>(m.data);
        metrics.signal(s.source, s.symbol, s.side);
      }, skip),
    }),
    bus.nc.subscribe(subjects.journal('risk'), {
      callback: guarded((m) => {
        const v = decode<JournalEntry>(m.data).data['verdict'] as RiskVerdict | undefined;
        if (v?.decision === 'deny') for (const r of v.reasons) metrics.riskDenial(r.code);
      }, skip),
    }),
    bus.nc.subscribe(subjects.orderEach('event'), {
      callback: guarded((m) => {
        const e = decode<OrderEvent>(m.data);
        metrics.order(e.status, e.symbol);
        if (e.fill) metrics.fill(e.symbol, e.side, e.fill.price * e.fill.qty);
      }, skip),
    }),
    bus.nc.subscribe(subjects.positionAll, {
      callback: guarded((m) => {
        const p = decode<PositionUpdate>(m.data);
        positions.set(p.symbol, p);
        receivedAt.set(p.symbol, Date.now());
        metrics.pnl(p.symbol, p.realizedPnl, p.unrealizedPnl);
        metrics.exposure(p.symbol, p.qty * (p.markPrice || p.avgEntry));
        unprotected();
        account(p.ts);
      }, skip),
    }),
    // The venue's equity (what the equity reporter tells the risk brain) replaces the running sum.
    // The first one also moves the peak by the same amount: the configured equity was a guess, the
    // drawdown already rebuilt from the journal (in USDT) was not.
    bus.nc.subscribe(subjects.actorInput('risk', 'main'), {
      callback: guarded((m) => {
        const e = decode<{ type?: unknown; equity?: unknown; ts?: unknown }>(m.data);
        if (!o.drawdown || e.type !== 'equity' || typeof e.equity !== 'number' || !(e.equity > 0) || !Number.isFinite(e.equity)) return;
        const shift = e.equity - (base + realized + unrealizedNow());
        base += shift;
        if (!venueSeen) (peak += shift, (venueSeen = true));
        account(typeof e.ts === 'number' ? e.ts : Date.now());
      }, skip),
    }),
    // Model lifecycle from the journal: without these the rollback and CLM-failure alert rules
    // (deploy/prometheus/alerts.yml) would watch counters nothing increments.
    bus.nc.subscribe(subjects.journal('model'), {
      callback: guarded((m) => {
        const j = decode<JournalEntry>(m.data);
        const action = String(j.data?.['action'] ?? '');
        if (action === 'rollback') metrics.modelRollback(((j.data['previous'] as string[] | undefined) ?? []).join('+') || 'unknown');
        else if (action.endsWith('-failed')) metrics.clmFailure(action.slice(0, -'-failed'.length));
        else if (j.summary.startsWith('CLM: training failed')) metrics.clmFailure('train');
      }, skip),
    }),
  ];
  // Realized PnL from the whole journal, then live: a restarted node must not forget a drawdown
  // (from the old system: -36 % in 33 hours went unnoticed). Ordered consumer, no state left behind.
  let stopped = false;
  let pnl: ConsumerMessages | undefined;
  if (!o.drawdown) replaying = false;
  else void (async () => {
    const c = await bus.js.consumers.get(STREAMS.journal, { filter_subjects: subjects.journal('pnl'), deliver_policy: DeliverPolicy.All });
    if ((await c.info()).num_pending === 0) replaying = false;
    if (stopped) return;
    pnl = await c.consume({
      callback: (m) => {
        let j: JournalEntry;
        try {
          j = decode<JournalEntry>(m.data);
        } catch (err) {
          skip(err, m);
          return;
        }
        const r = Number(j.data?.['realizedPnl']);
        if (Number.isFinite(r)) realized += r;
        if (m.info.pending === 0) replaying = false;
        account(j.ts);
      },
    });
    if (stopped) void pnl.stop();
  })().catch((err: unknown) => {
    // Alerts from positions alone beat none at all.
    replaying = false;
    o.logger?.error({ err }, 'trading metrics: the PnL journal cannot be read; equity and drawdown leave out realized PnL');
  });
  return {
    stop() {
      stopped = true;
      void pnl?.stop();
      clearInterval(ticker);
      for (const s of subs) s.unsubscribe();
    },
  };
}

/** The actor host's telemetry into the node's metrics. */
export function hostTelemetry(metrics: QtMetrics): HostTelemetry {
  return {
    io: (direction, stream, n) => metrics.busMessages(direction, stream, n),
    batch: (kind, seconds) => metrics.actorBatch(kind, seconds),
    inputDelay: (kind, seconds) => metrics.actorInputDelay(kind, seconds),
  };
}

/** Feeds the AI brain's per-batch figures (`AiMetrics`) to inference latency and drift. */
export function aiMetricsSink(metrics: QtMetrics): (m: AiMetrics) => void {
  let model: string | undefined;
  return (m) => {
    // A new champion's drift replaces the old one's: a retired model's scores must not keep an alert firing.
    if (model !== undefined && m.model !== model) (metrics.raw.driftScore as Gauge<string>).reset();
    model = m.model;
    if (m.calls > 0) metrics.inferenceLatency(m.model, m.latencyMs / 1_000);
    for (const [feature, score] of Object.entries(m.psi)) metrics.drift(m.model, feature, score);
  };
}

/**
 * Every journal `alert` entry (unprotected position, model fallback, rollback, CLM failure…) goes
 * to the alert router: the actors decide what is alarming, the router de-duplicates and delivers.
 */
export function routeJournalAlerts(o: { bus: Bus; route: (a: Alert) => Promise<unknown>; logger?: Logger }) {
  const sub = o.bus.nc.subscribe(subjects.journal('alert'), {
    // An alert line we cannot read is skipped (its owner journaled it; the reader must not die).
    callback: guarded((m) => {
      const j = decode<JournalEntry>(m.data);
      const d = j.data ?? {};
      const sev = String(d['severity'] ?? 'warning');
      const alert: Alert = {
        key: String(d['key'] ?? `journal:${j.symbol ?? ''}:${j.summary.slice(0, 60)}`),
        severity: (['info', 'warning', 'critical'].includes(sev) ? sev : 'warning') as Alert['severity'],
        title: j.summary,
        detail: typeof d['detail'] === 'string' ? d['detail'] : JSON.stringify(d).slice(0, 500),
        ts: j.ts,
        labels: { ...(j.symbol ? { symbol: j.symbol } : {}), ...(j.attribution ? { attribution: j.attribution } : {}) },
        ...(d['resolved'] === true ? { resolved: true } : {}),
      };
      o.route(alert).catch((err: unknown) => o.logger?.warn({ err }, 'alert routing failed'));
    }, (err, m) => o.logger?.warn({ err, subject: m.subject }, 'unreadable journal alert skipped')),
  });
  return { stop: () => sub.unsubscribe() };
}
