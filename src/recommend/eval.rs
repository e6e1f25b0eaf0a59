//! Offline evaluation, so a shop can check a recommender on its own data: a time split of the
//! transactions and top-k ranking metrics.
//!
//! Split ([`time_split`]): train = rows before the split time; test = for every customer with a
//! training purchase, the items first bought on or after the split time (never bought before it)
//! and known to the training data (no collaborative model can recommend an item it never saw; the
//! same filtering as feeding implicit a test matrix over the training item index).
//!
//! Metrics ([`RankingMetrics`]), over customers with at least one test item; `hits` = recommended
//! items among the first k that are in the customer's test set T:
//! - `precision` = mean of hits / k;
//! - `recall` = mean of hits / |T|;
//! - `recall_capped` = Σ hits / Σ min(k, |T|) — what implicit 0.7.3's `ranking_metrics_at_k`
//!   returns as "precision" (implicit/evaluation.pyx: `relevant / pr_div` with
//!   `pr_div += fmin(K, likes.size())`), a recall that a perfect list can bring to 1 even when
//!   |T| > k. The acceptance numbers (ALS 0.115, BM25 0.112, popular 0.052) are this one;
//! - `ndcg` = mean of DCG / ideal DCG with binary gains, 1/log2(rank + 1) discounts and the ideal
//!   over min(k, |T|) positions (implicit's definition);
//! - `coverage` = distinct items recommended to anyone / items in the catalogue.

use crate::decimal::Decimal;
use std::collections::{HashMap, HashSet};

use crate::data::Transactions;
use crate::error::{Error, Result};

/// A time split: training transactions and per-customer test items (ids).
#[derive(Debug, Clone)]
pub struct TimeSplit {
    pub train: Transactions,
    /// (customer id, items first bought on or after the split), customers in training order.
    pub test: Vec<(String, Vec<String>)>,
}

/// Splits at `split_time` (epoch ms). Errors when either side is empty.
pub fn time_split(tx: &Transactions, split_time: f64) -> Result<TimeSplit> {
    if !split_time.is_finite() {
        return Err(Error::invalid(format!("split time must be finite, got {split_time}", split_time = Decimal(split_time))));
    }
    let items = tx
        .item()
        .ok_or_else(|| Error::invalid("item is missing: evaluation needs an item column"))?;
    let time = tx.time();
    let train = tx.filter_rows(|r| time[r] < split_time);
    if train.is_empty() {
        return Err(Error::invalid("no transactions before the split time"));
    }
    let known_items: HashSet<u32> = train.item().unwrap_or(&[]).iter().copied().collect();
    let mut test = Vec::new();
    for range in tx.customer_row_ranges() {
        let before: HashSet<u32> = range.clone().filter(|&r| time[r] < split_time).map(|r| items[r]).collect();
        if before.is_empty() {
            continue;
        }
        let mut new_items: Vec<u32> = Vec::new();
        for r in range.clone() {
            let i = items[r];
            if time[r] >= split_time && !before.contains(&i) && known_items.contains(&i) && !new_items.contains(&i) {
                new_items.push(i);
            }
        }
        if !new_items.is_empty() {
            let customer = tx.customer_ids()[tx.customer()[range.start] as usize].clone();
            test.push((customer, new_items.iter().map(|&i| tx.item_ids()[i as usize].clone()).collect()));
        }
    }
    if test.is_empty() {
        return Err(Error::invalid("no customer bought a new item after the split time"));
    }
    Ok(TimeSplit { train, test })
}

/// Top-k ranking metrics (definitions in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RankingMetrics {
    pub k: usize,
    pub customers: usize,
    pub precision: f64,
    pub recall: f64,
    pub recall_capped: f64,
    pub ndcg: f64,
    pub coverage: f64,
}

/// Accumulates [`RankingMetrics`] one customer at a time.
#[derive(Debug, Clone)]
pub struct MetricsAccumulator {
    k: usize,
    catalogue: usize,
    customers: usize,
    hits: f64,
    capped_div: f64,
    precision: f64,
    recall: f64,
    ndcg: f64,
    recommended: HashSet<u64>,
}

impl MetricsAccumulator {
    pub fn new(k: usize, catalogue: usize) -> Self {
        MetricsAccumulator {
            k,
            catalogue,
            customers: 0,
            hits: 0.0,
            capped_div: 0.0,
            precision: 0.0,
            recall: 0.0,
            ndcg: 0.0,
            recommended: HashSet::new(),
        }
    }

    /// Adds one customer's ranked list (first k used) against the set of relevant items.
    pub fn add<T: Eq + std::hash::Hash>(&mut self, ranked: &[T], relevant: &HashSet<T>, key: impl Fn(&T) -> u64) {
        if relevant.is_empty() || self.k == 0 {
            return;
        }
        let mut hits = 0usize;
        let mut dcg = 0.0;
        for (rank, item) in ranked.iter().take(self.k).enumerate() {
            self.recommended.insert(key(item));
            if relevant.contains(item) {
                hits += 1;
                dcg += 1.0 / ((rank + 2) as f64).log2();
            }
        }
        let ideal_n = self.k.min(relevant.len());
        let idcg: f64 = (0..ideal_n).map(|r| 1.0 / ((r + 2) as f64).log2()).sum();
        self.customers += 1;
        self.hits += hits as f64;
        self.capped_div += ideal_n as f64;
        self.precision += hits as f64 / self.k as f64;
        self.recall += hits as f64 / relevant.len() as f64;
        self.ndcg += dcg / idcg;
    }

    pub fn finish(&self) -> RankingMetrics {
        let n = self.customers.max(1) as f64;
        RankingMetrics {
            k: self.k,
            customers: self.customers,
            precision: self.precision / n,
            recall: self.recall / n,
            recall_capped: if self.capped_div > 0.0 { self.hits / self.capped_div } else { 0.0 },
            ndcg: self.ndcg / n,
            coverage: if self.catalogue > 0 { self.recommended.len() as f64 / self.catalogue as f64 } else { 0.0 },
        }
    }
}

/// Metrics of ranked item-id lists against a split's test sets: `recommend(customer)` gives the
/// customer's ranked items (already excluding what they bought before).
pub fn evaluate(
    test: &[(String, Vec<String>)],
    k: usize,
    catalogue: usize,
    mut recommend: impl FnMut(&str) -> Result<Vec<String>>,
) -> Result<RankingMetrics> {
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut acc = MetricsAccumulator::new(k, catalogue);
    for (customer, items) in test {
        let ranked = recommend(customer)?;
        let relevant: HashSet<String> = items.iter().cloned().collect();
        for r in &ranked {
            let next = ids.len() as u64;
            ids.entry(r.clone()).or_insert(next);
        }
        acc.add(&ranked, &relevant, |s| ids[s]);
    }
    Ok(acc.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_by_hand() {
        let mut acc = MetricsAccumulator::new(2, 10);
        // customer 1: T = {1, 2, 3}, list [1, 9]: 1 hit at rank 1.
        acc.add(&[1u32, 9], &[1u32, 2, 3].into_iter().collect(), |x| *x as u64);
        // customer 2: T = {5}, list [4, 5]: 1 hit at rank 2.
        acc.add(&[4u32, 5], &[5u32].into_iter().collect(), |x| *x as u64);
        let m = acc.finish();
        assert_eq!(m.customers, 2);
        assert!((m.precision - 0.5).abs() < 1e-12);
        assert!((m.recall - (1.0 / 3.0 + 1.0) / 2.0).abs() < 1e-12);
        assert!((m.recall_capped - 2.0 / 3.0).abs() < 1e-12); // hits 2 / (min(2,3) + min(2,1))
        let ndcg1 = 1.0 / (1.0 + 1.0 / 3f64.log2());
        let ndcg2 = (1.0 / 3f64.log2()) / 1.0;
        assert!((m.ndcg - (ndcg1 + ndcg2) / 2.0).abs() < 1e-12);
        assert!((m.coverage - 0.4).abs() < 1e-12);
    }
}
