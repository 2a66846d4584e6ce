//! Association rules from the frequent itemsets, computed with mlxtend's
//! floating-point steps: supports `count / n`, confidence = sAC / sA,
//! lift = confidence / sC, leverage = sAC − sA·sC, conviction =
//! (1 − sC) / (1 − confidence) or infinite when confidence >= 1. Then the
//! rule order and the "frequently bought together" lists.

use super::mining::Itemset;
use polars::prelude::PlHashMap as HashMap;

/// One rule A -> C. Item ids are ascending (= name order).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Rule {
    pub antecedent: Vec<u32>,
    pub consequent: Vec<u32>,
    pub antecedent_support: f64,
    pub consequent_support: f64,
    pub support: f64,
    pub confidence: f64,
    pub lift: f64,
    pub leverage: f64,
    /// `None` when infinite (confidence >= 1).
    pub conviction: Option<f64>,
}

/// Every rule with confidence >= `min_confidence`, in output order.
pub(super) fn derive(itemsets: &[Itemset], n: usize, min_confidence: f64) -> Vec<Rule> {
    let support: HashMap<&[u32], f64> = itemsets
        .iter()
        .map(|s| (s.items.as_slice(), s.count as f64 / n as f64))
        .collect();
    let mut rules = Vec::new();
    for set in itemsets.iter().filter(|s| s.items.len() >= 2) {
        // A frequent itemset of 64 items would mean 2^64 frequent subsets;
        // mining never gets there, the guard only keeps the shift sound.
        if set.items.len() >= 64 {
            continue;
        }
        let Some(&s_ac) = support.get(set.items.as_slice()) else {
            continue;
        };
        let full = (1u64 << set.items.len()) - 1;
        for mask in 1..full {
            let (a, c) = split(&set.items, mask);
            // Subsets of a frequent itemset are frequent, so both exist.
            let (Some(&s_a), Some(&s_c)) = (support.get(a.as_slice()), support.get(c.as_slice()))
            else {
                continue;
            };
            let confidence = s_ac / s_a;
            if confidence >= min_confidence {
                rules.push(Rule {
                    antecedent: a,
                    consequent: c,
                    antecedent_support: s_a,
                    consequent_support: s_c,
                    support: s_ac,
                    confidence,
                    lift: confidence / s_c,
                    leverage: s_ac - s_a * s_c,
                    conviction: (confidence < 1.0).then(|| (1.0 - s_c) / (1.0 - confidence)),
                });
            }
        }
    }
    sort_rules(&mut rules);
    rules
}

/// The items whose bit is set in `mask`, and the others.
fn split(items: &[u32], mask: u64) -> (Vec<u32>, Vec<u32>) {
    let (mut a, mut c) = (Vec::new(), Vec::new());
    for (k, &item) in items.iter().enumerate() {
        if (mask >> k) & 1 == 1 {
            a.push(item);
        } else {
            c.push(item);
        }
    }
    (a, c)
}

/// Items joined with " + " in name order.
pub(super) fn label(items: &[u32], names: &[String]) -> String {
    let parts: Vec<&str> = items.iter().map(|&i| names[i as usize].as_str()).collect();
    parts.join(" + ")
}

/// Lift, then confidence (high first), then antecedent and consequent item
/// by item in name order (ids are name ranks).
fn sort_rules(rules: &mut [Rule]) {
    rules.sort_by(|x, y| {
        y.lift
            .total_cmp(&x.lift)
            .then(y.confidence.total_cmp(&x.confidence))
            .then_with(|| x.antecedent.cmp(&y.antecedent))
            .then_with(|| x.consequent.cmp(&y.consequent))
    });
}

/// Itemsets in output order: length, then count (high first), then item by
/// item in name order.
pub(super) fn sort_itemsets(itemsets: &mut [Itemset]) {
    itemsets.sort_by(|x, y| {
        x.items
            .len()
            .cmp(&y.items.len())
            .then(y.count.cmp(&x.count))
            .then_with(|| x.items.cmp(&y.items))
    });
}

/// For every item, the indexes (into `rules`) of the first `top_n` rules
/// whose antecedent is that item alone, in rule order.
pub(super) fn together(rules: &[Rule], items: usize, top_n: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); items];
    for (k, rule) in rules.iter().enumerate() {
        if let [item] = rule.antecedent[..] {
            let list = &mut out[item as usize];
            if list.len() < top_n {
                list.push(k);
            }
        }
    }
    out
}
