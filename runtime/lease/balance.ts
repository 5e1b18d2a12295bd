import { createHash } from 'node:crypto';

function weight(node: string, symbol: string): bigint {
  return createHash('sha256').update(node).update('\0').update(symbol).digest().readBigUInt64BE(0);
}

/**
 * Assigns every symbol to exactly one of the live nodes by rendezvous (highest-random-weight)
 * hashing: each node computes the same answer from the same inputs without talking to the others,
 * and when a node joins or leaves only the symbols it gains or held move — a modulo split would
 * reshuffle nearly all of them and restart every symbol actor in the cluster.
 */
export function balance(universe: readonly string[], liveNodes: readonly string[]): Map<string, string> {
  const nodes = [...new Set(liveNodes)].sort();
  const out = new Map<string, string>();
  if (nodes.length === 0) return out;
  for (const symbol of universe) {
    let best = nodes[0]!;
    let bestW = -1n;
    for (const n of nodes) {
      const w = weight(n, symbol);
      // Ties (astronomically rare) go to the smaller node id, so every node agrees.
      if (w > bestW) {
        best = n;
        bestW = w;
      }
    }
    out.set(symbol, best);
  }
  return out;
}
