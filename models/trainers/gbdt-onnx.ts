import { encodeModel, floatValue, node, type GraphSpec } from '../onnx/index.js';
import type { GbdtModel } from './gbdt.js';

/**
 * `features` [N, F] → ai.onnx.ml TreeEnsembleRegressor (3 targets = class scores, SUM of
 * trees plus base values) → Softmax → `probs` [N, 3]. A regressor + Softmax rather than
 * TreeEnsembleClassifier keeps a single float output named `probs`, like the other families.
 */
export function gbdtToOnnx(m: GbdtModel, metadata: Record<string, string> = {}): Uint8Array {
  const nodes_treeids: number[] = [], nodes_nodeids: number[] = [], nodes_featureids: number[] = [];
  const nodes_values: number[] = [], nodes_modes: string[] = [], nodes_true: number[] = [], nodes_false: number[] = [];
  const target_treeids: number[] = [], target_nodeids: number[] = [], target_ids: number[] = [], target_weights: number[] = [];
  m.trees.forEach((t, tid) => {
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i] as number;
      nodes_treeids.push(tid);
      nodes_nodeids.push(i);
      nodes_featureids.push(Math.max(0, f));
      nodes_values.push(f < 0 ? 0 : (t.threshold[i] as number));
      nodes_modes.push(f < 0 ? 'LEAF' : 'BRANCH_LEQ');
      nodes_true.push(f < 0 ? 0 : (t.left[i] as number));
      nodes_false.push(f < 0 ? 0 : (t.right[i] as number));
      if (f < 0) {
        target_treeids.push(tid);
        target_nodeids.push(i);
        target_ids.push(t.cls);
        target_weights.push(t.value[i] as number);
      }
    }
  });
  const ensemble = node('TreeEnsembleRegressor', ['features'], ['scores'], {
    n_targets: { int: 3 },
    aggregate_function: 'SUM',
    post_transform: 'NONE',
    base_values: [...m.base],
    nodes_treeids: { ints: nodes_treeids },
    nodes_nodeids: { ints: nodes_nodeids },
    nodes_featureids: { ints: nodes_featureids },
    nodes_values,
    nodes_modes,
    nodes_truenodeids: { ints: nodes_true },
    nodes_falsenodeids: { ints: nodes_false },
    target_treeids: { ints: target_treeids },
    target_nodeids: { ints: target_nodeids },
    target_ids: { ints: target_ids },
    target_weights,
  }, 'ai.onnx.ml');
  const g: GraphSpec = {
    name: 'qt_gbdt',
    nodes: [ensemble, node('Softmax', ['scores'], ['probs'], { axis: { int: 1 } })],
    initializers: [],
    inputs: [floatValue('features', m.nFeatures)],
    outputs: [floatValue('probs', 3)],
    opsets: { '': 17, 'ai.onnx.ml': 3 },
    metadata,
    doc: 'Quantum Trader GBDT: softmax boosting over the engineered features; probs = [SELL, HOLD, BUY]',
  };
  return encodeModel(g);
}
