//! `"auto"`: the candidate blends and the two validation folds (leave-last-order-out and a time
//! holdout) on which [`Recommender::validate_blends`] scores them; the best is refitted by
//! `Recommender::fit`.

use super::options::RecommenderOptions;
use super::scorers::fit_scorers;
use super::{apply_freshness, freshness_weights, inverse_max, Blend, Fitted, FittedView, Recommender, ValidationResult};
use std::collections::{HashMap, HashSet};

use crate::data::Transactions;
use crate::error::{Error, Result};
use crate::recommend::als::AlsModel;
use crate::recommend::eval::{time_split, MetricsAccumulator, RankingMetrics, TimeSplit};
use crate::recommend::interactions::Interactions;
use crate::recommend::item_knn::ItemKnnModel;
use crate::recommend::popular::PopularModel;
use crate::recommend::topk::top_k;

/// The blends "auto" tries: the pure scorers and a grid over mixtures, each mixture with a
/// popularity share tried with every popularity half-life in `half_lives`.
fn candidate_blends(half_lives: &[f32]) -> Vec<Blend> {
    let mut out: Vec<Blend> = Vec::new();
    let steps = [0.0f32, 0.25, 0.5, 0.75, 1.0];
    for &a in &steps {
        for &k in &steps {
            for &p in &[0.0f32, 0.05, 0.15, 0.3, 1.0] {
                if a + k + p == 0.0 || (p == 1.0 && a + k > 0.0) {
                    continue;
                }
                let hs: &[f32] = if p > 0.0 { half_lives } else { &[0.0] };
                for &h in hs {
                    let b = Blend::new(a, k, p, h);
                    let same = |o: &Blend| {
                        (o.als - b.als).abs() < 1e-4
                            && (o.knn - b.knn).abs() < 1e-4
                            && o.popularity_half_life_days == b.popularity_half_life_days
                    };
                    if !out.iter().any(same) {
                        out.push(b);
                    }
                }
            }
        }
    }
    out
}

/// Leave-last-order-out: for every customer with at least two order times, the rows of their
/// latest order time are held out, and the test items are those of them the customer had not
/// bought before. Unlike one global time cut, every customer contributes a "next order" from
/// their own point in time, so the choice is not steered by the trend of the last weeks alone.
fn last_order_split(tx: &Transactions) -> Result<TimeSplit> {
    let items = tx.item().ok_or_else(|| Error::invalid("item is missing: recommendations need an item column in the transactions"))?;
    let time = tx.time();
    let mut held_out = vec![false; tx.len()];
    let mut test = Vec::new();
    let ranges = tx.customer_row_ranges();
    for range in &ranges {
        let last = time[range.end - 1];
        if time[range.start] == last {
            continue;
        }
        let before: HashSet<u32> = range.clone().filter(|&r| time[r] < last).map(|r| items[r]).collect();
        let mut new_items: Vec<u32> = Vec::new();
        for r in range.clone() {
            if time[r] == last {
                held_out[r] = true;
                if !before.contains(&items[r]) && !new_items.contains(&items[r]) {
                    new_items.push(items[r]);
                }
            }
        }
        if !new_items.is_empty() {
            let customer = tx.customer_ids()[tx.customer()[range.start] as usize].clone();
            test.push((customer, new_items));
        }
    }
    let train = tx.filter_rows(|r| !held_out[r]);
    let known: HashSet<u32> = train.item().unwrap_or(&[]).iter().copied().collect();
    let test = test
        .into_iter()
        .filter_map(|(c, new_items)| {
            let kept: Vec<String> =
                new_items.into_iter().filter(|i| known.contains(i)).map(|i| tx.item_ids()[i as usize].clone()).collect();
            if kept.is_empty() {
                None
            } else {
                Some((c, kept))
            }
        })
        .collect();
    Ok(TimeSplit { train, test })
}

/// Days of the time-holdout validation fold: a season, at most a quarter of the data's span.
const HOLDOUT_DAYS: f64 = 90.0;

/// Time holdout: train on all but the last [`HOLDOUT_DAYS`] (at most a quarter of the span), test
/// on the items each customer first bought after that ([`time_split`]). `None` when the data is
/// too short or nobody bought a new item in the holdout.
fn holdout_split(tx: &Transactions) -> Option<TimeSplit> {
    let (first, last) = tx.time_range();
    let span_days = (last - first) / crate::data::DAY_MS;
    if !(span_days >= 28.0) {
        return None;
    }
    let days = HOLDOUT_DAYS.min(span_days / 4.0);
    time_split(tx, last - days * crate::data::DAY_MS).ok()
}

/// One validation fold of "auto": its split and every scorer fitted on its training part (ALS
/// and item-kNN once per recency half-life tried).
struct Fold {
    split: TimeSplit,
    m: Interactions,
    als: Vec<(f32, AlsModel)>,
    knn: Vec<(f32, ItemKnnModel)>,
    popular: PopularModel,
    item_ages: Vec<f32>,
}

impl Fold {
    /// `None` when the fold is too small (fewer than 20 test customers) or a scorer cannot be
    /// fitted on it: thin data is not an error of the fit.
    fn fit(
        split: TimeSplit,
        options: &RecommenderOptions,
        als_half_lives: &[f32],
        knn_half_lives: &[f32],
        progress: &mut dyn FnMut(f64),
    ) -> Option<Fold> {
        if split.test.len() < 20 {
            return None;
        }
        let m = Interactions::from_transactions(&split.train, options.value).ok()?;
        let share = 1.0 / als_half_lives.len() as f64;
        let all = Blend {
            als_recency_half_life_days: als_half_lives[0],
            knn_recency_half_life_days: knn_half_lives[0],
            ..Blend::new(1.0, 1.0, 1.0, 0.0)
        };
        let first = fit_scorers(&m, options, all, &mut |f| progress(f * share)).ok()?;
        let mut als = vec![(als_half_lives[0], first.als?)];
        for (n, &h) in als_half_lives.iter().enumerate().skip(1) {
            let only_als = Blend { als_recency_half_life_days: h, ..Blend::ALS };
            let start = share * n as f64;
            if let Ok(Fitted { als: Some(model), .. }) = fit_scorers(&m, options, only_als, &mut |f| progress(start + f * share)) {
                als.push((h, model));
            }
        }
        let mut knn = vec![(knn_half_lives[0], first.knn?)];
        for &h in &knn_half_lives[1..] {
            let only_knn = Blend { knn_recency_half_life_days: h, ..Blend::KNN };
            if let Ok(Fitted { knn: Some(model), .. }) = fit_scorers(&m, options, only_knn, &mut |_| {}) {
                knn.push((h, model));
            }
        }
        let item_ages = m.item_last_age_days();
        Some(Fold { split, m, als, knn, popular: first.popular, item_ages })
    }

    /// Metrics of each blend (all with ALS recency half-life `als_half_life`, or no ALS, and
    /// item-kNN recency half-life `knn_half_life`, or no item-kNN).
    fn evaluate(&self, blends: &[Blend], als_half_life: f32, knn_half_life: f32) -> Vec<RankingMetrics> {
        let m = &self.m;
        let als = self.als.iter().find(|a| a.0 == als_half_life).map(|a| &a.1);
        let knn = self.knn.iter().find(|a| a.0 == knn_half_life).map(|a| &a.1);
        let all = Blend::new(1.0, 1.0, 1.0, 0.0);
        let customer_index: HashMap<&str, usize> = m.customer_ids.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
        let item_index: HashMap<&str, u32> = m.item_ids.iter().enumerate().map(|(i, c)| (c.as_str(), i as u32)).collect();
        let mut accumulators: Vec<MetricsAccumulator> = blends.iter().map(|_| MetricsAccumulator::new(VALIDATION_K, m.items())).collect();
        let freshness: Vec<Vec<f32>> = blends.iter().map(|b| freshness_weights(&self.item_ages, b.freshness_half_life_days)).collect();
        let popularity: Vec<(f32, Vec<f32>)> = {
            let mut out: Vec<(f32, Vec<f32>)> = Vec::new();
            for b in blends {
                let h = b.popularity_half_life_days;
                if h > 0.0 && !out.iter().any(|p| p.0 == h) {
                    out.push((h, m.popularity(h as f64)));
                }
            }
            out
        };
        let mut scores = vec![0f32; m.items()];
        let view = FittedView { als, knn };
        for (customer, test_items) in &self.split.test {
            let Some(&u) = customer_index.get(customer.as_str()) else { continue };
            let relevant: HashSet<u32> = test_items.iter().filter_map(|i| item_index.get(i.as_str()).copied()).collect();
            if relevant.is_empty() {
                continue;
            }
            let history = m.by_customer.row(u);
            let parts = view.parts(als.map(|a| a.user(u)), history, m.items(), all);
            for ((blend, acc), fresh) in blends.iter().zip(accumulators.iter_mut()).zip(&freshness) {
                let pop = popularity
                    .iter()
                    .find(|p| p.0 == blend.popularity_half_life_days)
                    .map(|p| p.1.as_slice())
                    .unwrap_or(&self.popular.buyers);
                view.combine(&parts, *blend, pop, inverse_max(pop), &mut scores);
                apply_freshness(&mut scores, fresh);
                let top = top_k(&scores, VALIDATION_K, |i| history.0.binary_search(&i).is_err());
                let ranked: Vec<u32> = top.iter().map(|t| t.0).collect();
                acc.add(&ranked, &relevant, |x| *x as u64);
            }
        }
        accumulators.iter().map(|a| a.finish()).collect()
    }
}

/// The best validation result: highest `recall_capped`, ties to the simpler blend (fewer
/// scorers), then to the earlier candidate.
pub(super) fn best_result(results: &[ValidationResult]) -> Option<&ValidationResult> {
    let mut best: Option<&ValidationResult> = None;
    for r in results {
        let better = match best {
            None => true,
            Some(b) => {
                r.metrics.recall_capped > b.metrics.recall_capped
                    || (r.metrics.recall_capped == b.metrics.recall_capped
                        && r.blend.components() < b.blend.components())
            }
        };
        if better {
            best = Some(r);
        }
    }
    best
}

/// ALS recency half-lives (days) "auto" tries: off and two months. (120 days was tried too
/// before the second validation fold; it never won there and cost two ALS fits per "auto".)
const AUTO_ALS_RECENCY_HALF_LIVES: [f32; 2] = [0.0, 60.0];

/// Item-kNN recency half-lives (days) "auto" tries: off and two months, as for ALS. On the
/// survey of tests/recommend_online_retail.rs (split dates x customer subsets) recency-weighted
/// similarities alone lifted item-kNN from 0.1188 to 0.121 recall@10 at 2011-09-01, and the
/// blend on most splits; on some subsets off is better, hence a choice, not a constant.
const AUTO_KNN_RECENCY_HALF_LIVES: [f32; 2] = [0.0, 60.0];

/// Catalogue-freshness half-lives (days) "auto" tries on its best blend when the option is not
/// given: a season, half a year, a year. Unlike a popularity trend this only demotes items that
/// stopped selling (retired products, last season's lines), which stay unlikely to be bought.
const AUTO_FRESHNESS_HALF_LIVES: [f32; 3] = [90.0, 180.0, 365.0];

/// Ranks for validation: `k` items per customer excluding history.
const VALIDATION_K: usize = 10;

impl Recommender {
    /// "auto": scores every candidate blend by `recall_capped@10` on two validation folds of the
    /// training data and averages the two: leave-last-order-out ([`last_order_split`]: every
    /// customer's next order, from their own point in time) and a time holdout
    /// ([`holdout_split`]: the items customers first bought in the last weeks, exactly how a shop
    /// evaluates). The weight grid is flat near its top, so one fold alone picks among nearly
    /// equal blends by noise (on Online Retail the pick changed with the ALS seed and cost up to
    /// 0.004 recall); a second, differently built fold halves that. A fold with fewer than 20
    /// customers is skipped; empty when neither has enough.
    pub fn validate_blends(
        tx: &Transactions,
        options: &RecommenderOptions,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Vec<ValidationResult>> {
        if tx.item().is_none() {
            return Err(Error::invalid("item is missing: recommendations need an item column in the transactions"));
        }
        let als_half_lives: Vec<f32> = match options.als_recency_half_life_days {
            Some(h) => vec![h as f32],
            None => AUTO_ALS_RECENCY_HALF_LIVES.to_vec(),
        };
        let knn_half_lives: Vec<f32> = match options.knn_recency_half_life_days {
            Some(h) => vec![h as f32],
            None => AUTO_KNN_RECENCY_HALF_LIVES.to_vec(),
        };
        let mut splits = vec![last_order_split(tx)?];
        if let Some(split) = holdout_split(tx) {
            splits.push(split);
        }
        let share = 0.8 / splits.len() as f64;
        let mut folds: Vec<Fold> = Vec::new();
        for (n, split) in splits.into_iter().enumerate() {
            let start = share * n as f64;
            if let Some(fold) = Fold::fit(split, options, &als_half_lives, &knn_half_lives, &mut |f| progress(start + f * share)) {
                folds.push(fold);
            }
        }
        if folds.is_empty() {
            return Ok(Vec::new());
        }
        // Every candidate scored on every fold with the ALS model of its recency half-life;
        // metrics averaged over the folds.
        let evaluate = |blends: &[Blend]| -> Vec<ValidationResult> {
            let mut sums: Vec<RankingMetrics> = vec![RankingMetrics::default(); blends.len()];
            for fold in &folds {
                for (&h, &k) in als_half_lives.iter().flat_map(|h| knn_half_lives.iter().map(move |k| (h, k))) {
                    let picked: Vec<usize> = (0..blends.len())
                        .filter(|&b| blends[b].als_recency_half_life_days == h || (h == als_half_lives[0] && !(blends[b].als > 0.0)))
                        .filter(|&b| blends[b].knn_recency_half_life_days == k || (k == knn_half_lives[0] && !(blends[b].knn > 0.0)))
                        .collect();
                    if picked.is_empty() {
                        continue;
                    }
                    let these: Vec<Blend> = picked.iter().map(|&b| blends[b]).collect();
                    for (&b, m) in picked.iter().zip(fold.evaluate(&these, h, k)) {
                        let s = &mut sums[b];
                        s.k = m.k;
                        s.customers += m.customers;
                        s.precision += m.precision;
                        s.recall += m.recall;
                        s.recall_capped += m.recall_capped;
                        s.ndcg += m.ndcg;
                        s.coverage += m.coverage;
                    }
                }
            }
            let n = folds.len() as f64;
            blends
                .iter()
                .zip(sums)
                .map(|(blend, s)| ValidationResult {
                    blend: *blend,
                    metrics: RankingMetrics {
                        precision: s.precision / n,
                        recall: s.recall / n,
                        recall_capped: s.recall_capped / n,
                        ndcg: s.ndcg / n,
                        coverage: s.coverage / n,
                        ..s
                    },
                })
                .collect()
        };
        // Stage 1: scorer weights (ALS with the first recency half-life), no freshness damping.
        let half_lives: Vec<f32> = vec![options.popularity_half_life_days.unwrap_or(0.0) as f32];
        let stage_one: Vec<Blend> = candidate_blends(&half_lives)
            .into_iter()
            .map(|b| Blend {
                als_recency_half_life_days: if b.als > 0.0 { als_half_lives[0] } else { 0.0 },
                knn_recency_half_life_days: if b.knn > 0.0 { knn_half_lives[0] } else { 0.0 },
                ..b
            })
            .collect();
        let mut results = evaluate(&stage_one);
        progress(0.9);
        // The other ALS recency variants, with every stage-1 mixture that uses ALS (in stage-1
        // order, so ties go to the mixture that was better without recency). Re-scoring only
        // the best 12 of stage 1 was cheaper, but recency shifts the balance between ALS and
        // the other scorers: the best mixture with recency was often not among the best
        // without it (the survey over split dates and customer subsets in
        // tests/recommend_online_retail.rs: up to +0.006 recall@10 on 5 of 25 splits, about
        // +15 % fit time).
        let mut ranked: Vec<(usize, &ValidationResult)> = results.iter().enumerate().filter(|(_, r)| r.blend.als > 0.0).collect();
        crate::sort::sort_by(&mut ranked, &|a, b| b.1.metrics.recall_capped.total_cmp(&a.1.metrics.recall_capped).then(a.0.cmp(&b.0)));
        let shortlist: Vec<Blend> = ranked.iter().map(|(_, r)| r.blend).collect();
        let variants: Vec<Blend> = als_half_lives[1..]
            .iter()
            .flat_map(|&h| shortlist.iter().map(move |b| Blend { als_recency_half_life_days: h, ..*b }))
            .collect();
        results.extend(evaluate(&variants));
        // The item-kNN recency variants of every mixture so far that uses item-kNN (each ALS
        // variant included: recency in both scorers moves their balance again).
        let with_knn: Vec<Blend> = results.iter().filter(|r| r.blend.knn > 0.0).map(|r| r.blend).collect();
        let variants: Vec<Blend> = knn_half_lives[1..]
            .iter()
            .flat_map(|&h| with_knn.iter().map(move |b| Blend { knn_recency_half_life_days: h, ..*b }))
            .collect();
        results.extend(evaluate(&variants));
        progress(0.95);
        // Stage 3: catalogue-freshness half-lives for the best blend so far.
        let fresh_half_lives: Vec<f32> = match options.freshness_half_life_days {
            Some(h) if h > 0.0 => vec![h as f32],
            Some(_) => Vec::new(),
            None => AUTO_FRESHNESS_HALF_LIVES.to_vec(),
        };
        if let Some(best) = best_result(&results) {
            let variants: Vec<Blend> =
                fresh_half_lives.iter().map(|&h| Blend { freshness_half_life_days: h, ..best.blend }).collect();
            results.extend(evaluate(&variants));
        }
        progress(1.0);
        Ok(results)
    }
}
