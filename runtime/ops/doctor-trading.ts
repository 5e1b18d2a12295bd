import { riskStatusFromTree, type NodeStatusRecord } from '../../protocols/index.js';
import { collectConsoleSnapshot } from '../console/snapshot.js';
import type { Bus } from '../nats/index.js';
import type { DoctorCheck } from './doctor.js';

/** How long an open position may go without a confirmed venue-side stop (issue #5: an alert after 5 s). */
export const UNPROTECTED_FAIL_MS = 5_000;

/**
 * Money first: any open position without a confirmed venue-side stop for longer than
 * {@link UNPROTECTED_FAIL_MS} fails the run. Otherwise the risk brain's own state: ACTIVE passes,
 * REDUCING, HALTED, a kill switch or a reconciliation in progress are warnings (deliberate, but an
 * operator must know), and no running risk brain in the answering tree is "not available".
 */
export async function checkTrading(bus: Bus, timeoutMs: number, tree: NodeStatusRecord | undefined, now = Date.now): Promise<DoctorCheck> {
  // The tree doctor already has; without one the snapshot asks (and says so in its errors).
  const s = await collectConsoleSnapshot(bus, { timeoutMs, alerts: 0, now, ...(tree ? { tree: () => tree } : {}) });
  const naked = s.positions.filter((p) => p.unprotectedMs !== null && p.unprotectedMs > UNPROTECTED_FAIL_MS);
  if (naked.length) {
    const list = naked.map((p) => `${p.symbol} ${p.side ?? '?'} ${p.qty} (${Math.round(p.unprotectedMs! / 1000)} s)`).join(', ');
    return { name: 'trading', status: 'fail', detail: `${naked.length} open position(s) without a confirmed venue-side stop for over ${UNPROTECTED_FAIL_MS / 1000} s: ${list}` };
  }
  const positions = `${s.positions.length} open position(s)${s.positions.length ? ', each with a stop on the venue or placing one' : ''}`;
  const risk = riskStatusFromTree(s.tree);
  if (!risk) return { name: 'trading', status: 'unavailable', detail: `no running risk brain in the answering node's tree; ${positions}` };
  const eq = risk.equity;
  const equity = eq ? (eq.waitingForVenue ? '; no account equity from the venue yet: entries denied (EQUITY_UNKNOWN)' : `; equity ${eq.value.toFixed(2)} USDT (${eq.source})`) : '';
  const state = `${risk.tradingState}, risk mode ${risk.riskMode}, kill switch ${risk.killSwitch ? 'ON' : 'off'}${risk.reconciling ? ', reconciling' : ''}${equity}; ${positions}`;
  const attention = risk.tradingState !== 'ACTIVE' || risk.killSwitch || risk.reconciling || eq?.waitingForVenue === true;
  return { name: 'trading', status: attention ? 'warn' : 'pass', detail: state };
}
