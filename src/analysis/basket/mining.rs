//! Frequent itemset mining without an orders × items matrix: single items
//! come pruned from `transactions`, pairs are counted in one pass over the
//! transactions (a triangular array, or a hash map when there are very many
//! frequent items), and longer itemsets are grown depth-first (Eclat): the
//! transactions of `prefix ∪ {a}` are the prefix's transactions that hold
//! `a` (a test in `a`'s bitset, or binary searches from the shorter of the
//! two sorted transaction lists), and each candidate `b` is counted the
//! same way over that shorter list. Top-level prefixes run in parallel.

use super::transactions::{Frequent, is_frequent};
use polars::prelude::PlHashMap as HashMap;
use rayon::prelude::*;

/// A frequent itemset: item ids in ascending (= name) order and the number
/// of transactions that contain all of them.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Itemset {
    pub items: Vec<u32>,
    pub count: usize,
}

/// Above this many item pairs, pair counts go to a hash map instead of a
/// triangular array (32 M counts = 128 MB).
const MAX_DENSE_PAIRS: usize = 32 << 20;

/// Every itemset with support >= `min_support` and at most `max_len` items.
pub(super) fn mine(f: &Frequent, min_support: f64, max_len: usize) -> Vec<Itemset> {
    let mut out: Vec<Itemset> = f
        .tids
        .iter()
        .enumerate()
        .map(|(i, tids)| Itemset {
            items: vec![i as u32],
            count: tids.len(),
        })
        .collect();
    if max_len < 2 || f.names.len() < 2 {
        return out;
    }
    let extensions = frequent_pairs(f, min_support, &mut out);
    if max_len < 3 {
        return out;
    }
    let members = Membership::for_extensions(f, &extensions);
    let miner = Miner {
        members: &members,
        extensions: &extensions,
        n: f.n,
        min_support,
        max_len,
    };
    let longer: Vec<Vec<Itemset>> = (0..extensions.len())
        .into_par_iter()
        .map(|i| {
            let mut found = Vec::new();
            if extensions[i].len() >= 2 {
                let mut prefix = vec![i as u32];
                miner.grow(&mut prefix, &f.tids[i], &extensions[i], &mut found);
            }
            found
        })
        .collect();
    out.extend(longer.into_iter().flatten());
    out
}

/// Count every pair of frequent items that occur together, add the
/// frequent pairs to `out` and return, per item `i`, the items `j > i`
/// that form a frequent pair with it.
fn frequent_pairs(f: &Frequent, min_support: f64, out: &mut Vec<Itemset>) -> Vec<Vec<u32>> {
    let m = f.names.len();
    let pairs = m * (m - 1) / 2;
    let mut extensions = vec![Vec::new(); m];
    let mut keep = |i: usize, j: usize, count: usize| {
        if is_frequent(count, f.n, min_support) {
            out.push(Itemset {
                items: vec![i as u32, j as u32],
                count,
            });
            extensions[i].push(j as u32);
        }
    };
    if pairs <= MAX_DENSE_PAIRS {
        let counts = count_pairs_dense(f, m, pairs);
        let mut k = 0;
        for i in 0..m {
            for j in i + 1..m {
                keep(i, j, counts[k] as usize);
                k += 1;
            }
        }
    } else {
        let mut counts: Vec<((u32, u32), u32)> = count_pairs_sparse(f).into_iter().collect();
        counts.sort_unstable();
        for ((i, j), c) in counts {
            keep(i as usize, j as usize, c as usize);
        }
    }
    extensions
}

/// Position of pair `(i, j)`, `i < j`, in the row-major upper triangle.
fn triangle_index(m: usize, i: usize, j: usize) -> usize {
    i * (2 * m - i - 1) / 2 + (j - i - 1)
}

fn count_pairs_dense(f: &Frequent, m: usize, pairs: usize) -> Vec<u32> {
    let mut counts = vec![0u32; pairs];
    for t in 0..f.rows.len() {
        let row = f.rows.get(t);
        for (k, &i) in row.iter().enumerate() {
            for &j in &row[k + 1..] {
                counts[triangle_index(m, i as usize, j as usize)] += 1;
            }
        }
    }
    counts
}

fn count_pairs_sparse(f: &Frequent) -> HashMap<(u32, u32), u32> {
    let mut counts: HashMap<(u32, u32), u32> = HashMap::default();
    for t in 0..f.rows.len() {
        let row = f.rows.get(t);
        for (k, &i) in row.iter().enumerate() {
            for &j in &row[k + 1..] {
                *counts.entry((i, j)).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// Which transactions hold an item, for the items that can extend a
/// frequent pair: a bitset for items in at least 1/`DENSE` of the
/// transactions, else their sorted transaction list (binary search). So
/// bitsets take at most 4 bytes per order line in all.
struct Membership<'a> {
    bits: Vec<Vec<u64>>,
    tids: &'a [Vec<u32>],
}

/// Items in at least 1/`DENSE` of the transactions get a bitset.
const DENSE: usize = 32;
/// An item this many times rarer than the list it is intersected with is
/// looked up from its own side: its transactions are searched in the list.
const RARER: usize = 8;

impl<'a> Membership<'a> {
    fn for_extensions(f: &'a Frequent, extensions: &[Vec<u32>]) -> Self {
        let mut needed = vec![false; f.names.len()];
        for ext in extensions.iter().filter(|e| e.len() >= 2) {
            for &j in ext {
                needed[j as usize] = true;
            }
        }
        let len = f.n.div_ceil(64);
        let bits = needed
            .par_iter()
            .zip(&f.tids)
            .map(|(&need, tids)| {
                if !need || tids.len() * DENSE < f.n {
                    return Vec::new();
                }
                let mut w = vec![0u64; len];
                for &t in tids {
                    w[t as usize >> 6] |= 1 << (t & 63);
                }
                w
            })
            .collect();
        Membership {
            bits,
            tids: &f.tids,
        }
    }

    /// The transactions of `among` (sorted) that hold `item`, sorted.
    fn filter(&self, item: u32, among: &[u32]) -> Vec<u32> {
        let (bits, tids) = (&self.bits[item as usize], &self.tids[item as usize]);
        if tids.len() * RARER < among.len() {
            let found = tids.iter().filter(|t| among.binary_search(t).is_ok());
            found.copied().collect()
        } else if bits.is_empty() {
            let found = among.iter().filter(|t| tids.binary_search(t).is_ok());
            found.copied().collect()
        } else {
            among.iter().copied().filter(|&t| test(bits, t)).collect()
        }
    }

    /// How many transactions of `among` (sorted) hold `item`.
    fn count(&self, item: u32, among: &[u32]) -> usize {
        let (bits, tids) = (&self.bits[item as usize], &self.tids[item as usize]);
        if tids.len() * RARER < among.len() {
            tids.iter()
                .filter(|t| among.binary_search(t).is_ok())
                .count()
        } else if bits.is_empty() {
            among
                .iter()
                .filter(|t| tids.binary_search(t).is_ok())
                .count()
        } else {
            among.iter().filter(|&&t| test(bits, t)).count()
        }
    }
}

fn test(bits: &[u64], t: u32) -> bool {
    (bits[t as usize >> 6] >> (t & 63)) & 1 == 1
}

/// The depth-first search for itemsets of three or more items.
struct Miner<'a> {
    members: &'a Membership<'a>,
    /// Per item, the later items it forms a frequent pair with (sorted).
    extensions: &'a [Vec<u32>],
    n: usize,
    min_support: f64,
    max_len: usize,
}

impl Miner<'_> {
    /// Whether `{a, b}`, `a < b`, is a frequent pair.
    fn is_pair(&self, a: u32, b: u32) -> bool {
        self.extensions[a as usize].binary_search(&b).is_ok()
    }

    /// `prefix ∪ {c}` is frequent for every `c` in `candidates` (ascending,
    /// all above the prefix's items); `prefix_tids` are the prefix's
    /// transactions. Emit every frequent `prefix ∪ {a, b, ...}` up to
    /// `max_len` items.
    fn grow(
        &self,
        prefix: &mut Vec<u32>,
        prefix_tids: &[u32],
        candidates: &[u32],
        out: &mut Vec<Itemset>,
    ) {
        for (k, &a) in candidates.iter().enumerate() {
            let rest = &candidates[k + 1..];
            if rest.is_empty() {
                break;
            }
            let tids = self.members.filter(a, prefix_tids);
            let mut next = Vec::new();
            // Apriori pruning: {a, b} itself must be a frequent pair.
            for &b in rest.iter().filter(|&&b| self.is_pair(a, b)) {
                let count = self.members.count(b, &tids);
                if is_frequent(count, self.n, self.min_support) {
                    let mut items = prefix.clone();
                    items.extend([a, b]);
                    out.push(Itemset { items, count });
                    next.push(b);
                }
            }
            if prefix.len() + 3 <= self.max_len && next.len() >= 2 {
                prefix.push(a);
                self.grow(prefix, &tids, &next, out);
                prefix.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_index_runs_row_by_row() {
        // m = 4: (0,1) (0,2) (0,3) (1,2) (1,3) (2,3) -> 0..6.
        let got: Vec<usize> = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
            .iter()
            .map(|&(i, j)| triangle_index(4, i, j))
            .collect();
        assert_eq!(got, [0, 1, 2, 3, 4, 5]);
    }
}
