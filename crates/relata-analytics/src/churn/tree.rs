//! A CART classification tree: binary splits `feature ≤ threshold` chosen to
//! reduce Gini impurity most, grown until the depth limit, the minimum leaf
//! size or a pure node stops it. A leaf predicts its share of churners; the
//! explanation of a prediction is the path of splits that led to the leaf.

use super::{ChurnError, Classifier, Dataset};
use serde::Serialize;

#[derive(Clone, Debug)]
pub struct TreeOptions {
    pub max_depth: usize,
    /// Each side of a split keeps at least this many examples.
    pub min_leaf: usize,
    /// A split must lower the weighted Gini impurity by more than this.
    pub min_gain: f64,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions { max_depth: 5, min_leaf: 20, min_gain: 1e-7 }
    }
}

#[derive(Clone, Debug, Serialize)]
pub enum Node {
    Leaf { probability: f64, samples: usize },
    Split { feature: usize, threshold: f64, below: Box<Node>, above: Box<Node> },
}

#[derive(Clone, Debug, Serialize)]
pub struct Tree {
    names: Vec<String>,
    pub root: Node,
}

/// One split on the way to a leaf.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub feature: String,
    pub threshold: f64,
    pub value: f64,
    /// Whether the value was ≤ the threshold.
    pub below: bool,
}

impl Tree {
    pub fn fit(data: &Dataset, options: &TreeOptions) -> Result<Self, ChurnError> {
        data.check_trainable()?;
        let rows: Vec<(&[f64], bool)> = data.examples.iter().map(|e| (e.values.as_slice(), e.churned)).collect();
        let mut indices: Vec<usize> = (0..rows.len()).collect();
        let root = grow(&rows, &mut indices, data.names.len(), 0, options);
        Ok(Tree { names: data.names.clone(), root })
    }

    /// The splits from the root to the customer's leaf, and the leaf's probability.
    pub fn explain(&self, values: &[f64]) -> (Vec<Step>, f64) {
        let mut steps = vec![];
        let mut node = &self.root;
        loop {
            match node {
                Node::Leaf { probability, .. } => return (steps, *probability),
                Node::Split { feature, threshold, below, above } => {
                    let value = values[*feature];
                    let is_below = value <= *threshold;
                    steps.push(Step {
                        feature: self.names[*feature].clone(),
                        threshold: *threshold,
                        value,
                        below: is_below,
                    });
                    node = if is_below { below } else { above };
                }
            }
        }
    }

    pub fn depth(&self) -> usize {
        fn depth(n: &Node) -> usize {
            match n {
                Node::Leaf { .. } => 0,
                Node::Split { below, above, .. } => 1 + depth(below).max(depth(above)),
            }
        }
        depth(&self.root)
    }
}

impl Classifier for Tree {
    fn predict(&self, values: &[f64]) -> f64 {
        self.explain(values).1
    }
}

fn gini(positives: f64, n: f64) -> f64 {
    if n == 0.0 {
        return 0.0;
    }
    let p = positives / n;
    2.0 * p * (1.0 - p)
}

fn grow(rows: &[(&[f64], bool)], indices: &mut [usize], features: usize, depth: usize, o: &TreeOptions) -> Node {
    let n = indices.len();
    let positives = indices.iter().filter(|&&i| rows[i].1).count();
    let leaf = Node::Leaf { probability: positives as f64 / n as f64, samples: n };
    if depth >= o.max_depth || positives == 0 || positives == n || n < 2 * o.min_leaf {
        return leaf;
    }
    let Some((feature, threshold)) = best_split(rows, indices, features, positives, o) else {
        return leaf;
    };
    // Partition in place: values ≤ threshold first.
    let mut split = 0;
    for k in 0..n {
        if rows[indices[k]].0[feature] <= threshold {
            indices.swap(k, split);
            split += 1;
        }
    }
    let (left, right) = indices.split_at_mut(split);
    Node::Split {
        feature,
        threshold,
        below: Box::new(grow(rows, left, features, depth + 1, o)),
        above: Box::new(grow(rows, right, features, depth + 1, o)),
    }
}

/// The split with the largest Gini decrease, thresholds halfway between
/// consecutive distinct values; ties go to the lower feature index so trees
/// are reproducible.
fn best_split(
    rows: &[(&[f64], bool)],
    indices: &[usize],
    features: usize,
    positives: usize,
    o: &TreeOptions,
) -> Option<(usize, f64)> {
    let n = indices.len() as f64;
    let parent = gini(positives as f64, n);
    let mut best: Option<(f64, usize, f64)> = None;
    let mut sorted = indices.to_vec();
    for f in 0..features {
        sorted.sort_by(|&a, &b| rows[a].0[f].total_cmp(&rows[b].0[f]));
        let mut left_pos = 0.0;
        for k in 0..sorted.len() - 1 {
            left_pos += f64::from(u8::from(rows[sorted[k]].1));
            let (here, next) = (rows[sorted[k]].0[f], rows[sorted[k + 1]].0[f]);
            let left_n = (k + 1) as f64;
            if here == next || k + 1 < o.min_leaf || sorted.len() - k - 1 < o.min_leaf {
                continue;
            }
            let right_n = n - left_n;
            let impurity = (left_n * gini(left_pos, left_n) + right_n * gini(positives as f64 - left_pos, right_n)) / n;
            let gain = parent - impurity;
            if gain > o.min_gain && best.is_none_or(|(g, _, _)| gain > g + 1e-12) {
                best = Some((gain, f, here + (next - here) / 2.0));
            }
        }
    }
    best.map(|(_, f, t)| (f, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::churn::{Example, metrics::evaluate};
    use crate::rng::Rng;

    /// Churn when tenure < 12 and complaints ≥ 2; noise feature `z`.
    fn rule_data(n: usize, seed: u64) -> Dataset {
        let mut rng = Rng::new(seed);
        let mut d = Dataset::new(["tenure", "complaints", "z"]);
        for i in 0..n {
            let tenure = rng.below(48) as f64;
            let complaints = rng.below(5) as f64;
            let churned = tenure < 12.0 && complaints >= 2.0;
            d.push(Example { id: format!("{i}"), values: vec![tenure, complaints, rng.uniform()], churned }).unwrap();
        }
        d
    }

    #[test]
    fn learns_a_two_feature_rule_and_explains_it_by_the_path() {
        let tree = Tree::fit(&rule_data(4_000, 1), &TreeOptions::default()).unwrap();
        let eval = evaluate(&tree, &rule_data(1_000, 2)).unwrap();
        assert!(eval.auc > 0.999, "{eval:?}");
        let (path, p) = tree.explain(&[3.0, 4.0, 0.5]);
        assert_eq!(p, 1.0);
        let features: Vec<&str> = path.iter().map(|s| s.feature.as_str()).collect();
        assert!(features.contains(&"tenure") && features.contains(&"complaints"), "{path:?}");
        let tenure = path.iter().find(|s| s.feature == "tenure").unwrap();
        assert!((tenure.threshold - 11.5).abs() < 1e-9 && tenure.below);
        assert_eq!(tree.predict(&[30.0, 4.0, 0.5]), 0.0);
    }

    #[test]
    fn depth_and_leaf_size_limits_hold() {
        let data = rule_data(2_000, 3);
        let stump = Tree::fit(&data, &TreeOptions { max_depth: 1, ..Default::default() }).unwrap();
        assert_eq!(stump.depth(), 1);
        let coarse = Tree::fit(&data, &TreeOptions { min_leaf: 600, ..Default::default() }).unwrap();
        fn smallest(n: &Node) -> usize {
            match n {
                Node::Leaf { samples, .. } => *samples,
                Node::Split { below, above, .. } => smallest(below).min(smallest(above)),
            }
        }
        assert!(smallest(&coarse.root) >= 600);
    }
}
