/**
 * Sum and min trees over f64 leaves (prioritized replay, Schaul et al. 2016):
 * two arrays of 2 P nodes, P a power of two, root at node 1, node i's
 * children at 2i and 2i + 1, leaf j at node P + j. Parents are recomputed
 * from their children (never updated by deltas), so a node is 0 exactly when
 * every leaf below it is, and the TS reference (test/oracles/replay-reference.ts)
 * gets the same sums bit for bit.
 */

@inline function nodeAt(tree: usize, node: u32): usize {
  return tree + (<usize>node << 3);
}

/**
 * Sets leaf `leaf` to `sum` in the sum tree and `min` in the min tree and
 * repairs both paths to the root. Callers: replay inserts and evictions (a few
 * per add), priority updates (once per updated index).
 */
export function treeSet(sumTree: usize, minTree: usize, leaves: u32, leaf: u32, sum: f64, min: f64): void {
  let node = leaves + leaf;
  store<f64>(nodeAt(sumTree, node), sum);
  store<f64>(nodeAt(minTree, node), min);
  while (node > 1) {
    node >>= 1;
    const left = nodeAt(sumTree, node << 1);
    store<f64>(nodeAt(sumTree, node), load<f64>(left) + load<f64>(left, 8));
    const mleft = nodeAt(minTree, node << 1);
    store<f64>(nodeAt(minTree, node), Math.min(load<f64>(mleft), load<f64>(mleft, 8)));
  }
}

/**
 * The leaf whose prefix-sum interval holds `mass` (0 <= mass < root). Never
 * lands on a zero leaf while the root is positive: rounding can leave `mass`
 * past a subtree's total, and then a zero right sibling sends it left.
 * Caller: the prioritized sampler, once per sampled row.
 */
@inline export function treeFind(sumTree: usize, leaves: u32, mass: f64): u32 {
  let node: u32 = 1;
  while (node < leaves) {
    const left = nodeAt(sumTree, node << 1);
    const l = load<f64>(left);
    if (mass < l || load<f64>(left, 8) == 0) {
      node = node << 1;
    } else {
      mass -= l;
      node = (node << 1) | 1;
    }
  }
  return node - leaves;
}

/** Root of a tree: the total (sum tree) or the smallest leaf (min tree). */
@inline export function treeRoot(tree: usize): f64 {
  return load<f64>(tree, 8);
}
