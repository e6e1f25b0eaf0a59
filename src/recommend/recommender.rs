//! The recommender facade of the JS API (`Recommender.fit`, `recommend`, `recommendMany`,
//! `recommendForItems`, `similarItems`, `explain`, `toBytes` / `fromBytes`).
//!
//! A fitted recommender scores items with a [`Blend`] of up to three scorers — implicit ALS, item
//! kNN and popularity. Each scorer's scores for a customer are divided by that customer's largest
//! score of the scorer (so the three are on a common 0..1 scale) and summed with the blend
//! weights. `"als"`, `"itemknn"` and `"popular"` are the pure blends (1, 0, 0) etc.; `"auto"`
//! (the default) validates on two folds of the training data — every customer's latest order held
//! out, and the last 90 days held out (see [`Recommender::validate_blends`]) — and picks the
//! weights (the pure scorers are among the candidates), the ALS and item-kNN recency and the
//! catalogue freshness that recommend the held-out new items best on average, then refits on
//! everything.
//! The choice and every candidate's validation score are kept in [`Recommender::validation`].
//!
//! Model bytes carry the item factors (ALS), the neighbour lists (kNN) and each customer's
//! purchases; user factors and popularity are recomputed on load by the same deterministic code
//! that produced them at fit time, so a loaded model recommends exactly like the fitted one and
//! the bytes stay small (Online Retail: see the bench).

use std::collections::{HashMap, HashSet};

use crate::codec::{Reader, Writer};
use crate::data::Transactions;
use crate::error::{Error, Result};
use crate::recommend::als::{AlsModel, AlsOptions, ConfidenceScaling};
use crate::recommend::eval::{time_split, MetricsAccumulator, RankingMetrics, TimeSplit};
use crate::recommend::interactions::{recency_weight, InteractionValue, Interactions, Sparse};
use crate::recommend::item_knn::{ItemKnnModel, Weighting};
use crate::recommend::popular::PopularModel;
use crate::recommend::quantize::{self, Quantization};
use crate::recommend::simd;
use crate::recommend::topk::{top_k, top_k_of};

/// Which scorer to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Als,
    ItemKnn,
    Popular,
    /// Pick the scorer or blend by a validation split of the training data (the default).
    Auto,
}

impl Algorithm {
    pub fn parse(name: &str) -> Result<Algorithm> {
        match name {
            "als" => Ok(Algorithm::Als),
            "itemknn" => Ok(Algorithm::ItemKnn),
            "popular" => Ok(Algorithm::Popular),
            "auto" => Ok(Algorithm::Auto),
            other => Err(Error::invalid(format!(
                "algorithm must be \"als\", \"itemknn\", \"popular\" or \"auto\", got \"{other}\""
            ))),
        }
    }
}

/// Weights of the three scorers (non-negative, summing to 1), and the recency half-life of the
/// popularity scorer (0: plain distinct buyers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Blend {
    pub als: f32,
    pub knn: f32,
    pub popular: f32,
    pub popularity_half_life_days: f32,
    /// Catalogue freshness: every score is damped by [`recency_weight`] of the days since the
    /// item last sold, with this half-life (0: off). Shops retire products; an item nobody has
    /// bought for months is unlikely to be bought next.
    pub freshness_half_life_days: f32,
    /// ALS recency half-life in days (see [`RecommenderOptions::als_recency_half_life_days`]).
    pub als_recency_half_life_days: f32,
    /// Item-kNN recency half-life in days (see [`RecommenderOptions::knn_recency_half_life_days`]).
    pub knn_recency_half_life_days: f32,
}

impl Blend {
    pub const ALS: Blend = Blend { als: 1.0, knn: 0.0, popular: 0.0, popularity_half_life_days: 0.0, freshness_half_life_days: 0.0, als_recency_half_life_days: 0.0, knn_recency_half_life_days: 0.0 };
    pub const KNN: Blend = Blend { als: 0.0, knn: 1.0, popular: 0.0, popularity_half_life_days: 0.0, freshness_half_life_days: 0.0, als_recency_half_life_days: 0.0, knn_recency_half_life_days: 0.0 };
    pub const POPULAR: Blend = Blend { als: 0.0, knn: 0.0, popular: 1.0, popularity_half_life_days: 0.0, freshness_half_life_days: 0.0, als_recency_half_life_days: 0.0, knn_recency_half_life_days: 0.0 };

    fn new(als: f32, knn: f32, popular: f32, popularity_half_life_days: f32) -> Blend {
        let total = als + knn + popular;
        Blend {
            als: als / total,
            knn: knn / total,
            popular: popular / total,
            popularity_half_life_days,
            freshness_half_life_days: 0.0,
            als_recency_half_life_days: 0.0,
            knn_recency_half_life_days: 0.0,
        }
    }
    /// A readable name: "als", "itemknn", "popular" or e.g. "als 0.50 + itemknn 0.40 + popular 0.10".
    pub fn name(&self) -> String {
        let parts: Vec<(&str, f32)> = [("als", self.als), ("itemknn", self.knn), ("popular", self.popular)]
            .into_iter()
            .filter(|p| p.1 > 0.0)
            .collect();
        let trend = if self.popular > 0.0 && self.popularity_half_life_days > 0.0 {
            format!(" (half-life {} days)", self.popularity_half_life_days)
        } else {
            String::new()
        };
        let recent = if self.als > 0.0 && self.als_recency_half_life_days > 0.0 {
            format!(", ALS recency half-life {} days", self.als_recency_half_life_days)
        } else {
            String::new()
        };
        let recent = if self.knn > 0.0 && self.knn_recency_half_life_days > 0.0 {
            format!("{recent}, item-kNN recency half-life {} days", self.knn_recency_half_life_days)
        } else {
            recent
        };
        let fresh = if self.freshness_half_life_days > 0.0 {
            format!(", freshness half-life {} days", self.freshness_half_life_days)
        } else {
            String::new()
        };
        if parts.len() == 1 {
            return format!("{}{trend}{fresh}{recent}", parts[0].0);
        }
        let joined = parts.iter().map(|(n, w)| format!("{n} {w:.2}")).collect::<Vec<_>>().join(" + ");
        format!("{joined}{trend}{fresh}{recent}")
    }
    /// Whether a scorer learns from recency-weighted counts (the model then keeps the ages).
    fn uses_ages(&self) -> bool {
        (self.als > 0.0 && self.als_recency_half_life_days > 0.0) || (self.knn > 0.0 && self.knn_recency_half_life_days > 0.0)
    }
    fn components(&self) -> usize {
        [self.als, self.knn, self.popular].iter().filter(|w| **w > 0.0).count()
    }
}

/// Hyper-parameters of [`Recommender::fit`]; `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct RecommenderOptions {
    pub algorithm: Algorithm,
    /// ALS latent factors (64).
    pub factors: usize,
    /// ALS sweeps (15).
    pub iterations: usize,
    /// ALS L2 regularisation λ (10).
    pub regularization: f64,
    /// ALS confidence weight α (1).
    pub alpha: f64,
    /// ALS confidence scaling (log: c = 1 + α ln(1 + r)).
    pub scaling: ConfidenceScaling,
    /// Neighbours kept per item by item-kNN (50).
    pub neighbours: usize,
    /// Item-kNN weighting (BM25, K1 = 1.2, B = 0.75).
    pub weighting: Weighting,
    /// What a (customer, item) cell counts (order lines).
    pub value: InteractionValue,
    /// ALS recency: each (customer, item) count is weighted by [`recency_weight`] of the days
    /// since that customer last bought that item, with this half-life, so ALS learns current
    /// tastes. `None`: "auto" picks off or 60 days by validation; "als" uses off.
    pub als_recency_half_life_days: Option<f64>,
    /// Item-kNN recency: the item-item similarities are computed from the same recency-weighted
    /// counts as ALS's (see `als_recency_half_life_days`), so recent co-purchases (this season's
    /// lines bought together) count more than old ones. `None`: "auto" picks off or 60 days by
    /// validation; "itemknn" uses off.
    pub knn_recency_half_life_days: Option<f64>,
    /// Recency half-life of the popularity scorer in days ("trending"); `None` or 0: plain
    /// distinct buyers.
    pub popularity_half_life_days: Option<f64>,
    /// Catalogue-freshness half-life in days (see [`Blend::freshness_half_life_days`]). 0: off.
    /// `None`: "auto" picks among off, 90, 180 and 365 days by validation; a named algorithm
    /// uses off. With "auto", a given half-life is kept only if it validates better than off.
    pub freshness_half_life_days: Option<f64>,
    pub seed: u64,
    /// Memory budget of the fit in MiB (512): a data set whose factors, neighbour lists and
    /// interaction matrix would need more is refused with a clear error instead of exhausting a
    /// worker's memory. Raise it for big catalogues on big machines.
    pub max_memory_mb: f64,
}

impl Default for RecommenderOptions {
    fn default() -> Self {
        RecommenderOptions {
            algorithm: Algorithm::Auto,
            factors: 64,
            iterations: 15,
            regularization: 10.0,
            alpha: 1.0,
            scaling: ConfidenceScaling::Log,
            neighbours: 50,
            weighting: Weighting::default(),
            value: InteractionValue::Lines,
            als_recency_half_life_days: None,
            knn_recency_half_life_days: None,
            popularity_half_life_days: None,
            freshness_half_life_days: None,
            seed: 42,
            max_memory_mb: 512.0,
        }
    }
}

impl RecommenderOptions {
    fn als_options(&self) -> AlsOptions {
        AlsOptions {
            factors: self.factors,
            iterations: self.iterations,
            regularization: self.regularization as f32,
            alpha: self.alpha as f32,
            scaling: self.scaling,
            cg_steps: 3,
            seed: self.seed,
        }
    }
    fn validate(&self) -> Result<()> {
        self.als_options().validate()?;
        crate::error::check_scalar("regularization", self.regularization, 0.0, 1e6)?;
        crate::error::check_scalar("alpha", self.alpha, 0.0, 1e6)?;
        if let Some(h) = self.als_recency_half_life_days {
            crate::error::check_scalar("alsRecencyHalfLifeDays", h, 0.0, 1e6)?;
        }
        if let Some(h) = self.knn_recency_half_life_days {
            crate::error::check_scalar("knnRecencyHalfLifeDays", h, 0.0, 1e6)?;
        }
        if let Some(h) = self.popularity_half_life_days {
            crate::error::check_scalar("popularityHalfLifeDays", h, 0.0, 1e6)?;
        }
        if let Some(h) = self.freshness_half_life_days {
            crate::error::check_scalar("freshnessHalfLifeDays", h, 0.0, 1e6)?;
        }
        if self.neighbours == 0 || self.neighbours > 10_000 {
            return Err(Error::invalid(format!("neighbours must be between 1 and 10000, got {}", self.neighbours)));
        }
        Ok(())
    }
}

/// One candidate's score on the validation split of `"auto"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationResult {
    pub blend: Blend,
    pub metrics: RankingMetrics,
}

/// Top-k lists for many customers (`recommendMany`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecommendMany {
    pub customers: Vec<String>,
    pub items: Vec<Vec<String>>,
    pub scores: Vec<Vec<f32>>,
}

/// [`RecommendMany`] packed as item indices (see [`Recommender::recommend_many_indices`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecommendManyIndices {
    pub counts: Vec<u32>,
    pub items: Vec<u32>,
    pub scores: Vec<f32>,
}

/// A fitted recommender.
#[derive(Debug, Clone)]
pub struct Recommender {
    customer_ids: Vec<String>,
    item_ids: Vec<String>,
    customer_index: HashMap<String, u32>,
    item_index: HashMap<String, u32>,
    value: InteractionValue,
    history: Sparse,
    popular: PopularModel,
    als: Option<AlsModel>,
    knn: Option<ItemKnnModel>,
    blend: Blend,
    /// Days since each item last sold, at fit time.
    item_age_days: Vec<f32>,
    /// Per item freshness weight (empty when the blend's freshness half-life is 0).
    freshness: Vec<f32>,
    /// Whole days since each history cell's latest purchase (empty without ALS or kNN recency).
    als_ages: Vec<f32>,
    validation: Vec<ValidationResult>,
}

/// Whole days since each customer last bought each item (cells of `by_customer`): rounded down
/// so that the model bytes can carry them exactly (one varint each).
fn whole_ages(m: &Interactions) -> Vec<f32> {
    m.last_age_days.iter().map(|a| a.max(0.0).floor().min(16_000_000.0)).collect()
}

/// The customer × item matrix ALS (and item-kNN) learns from: counts times the recency weight of
/// the cell's latest purchase (a copy of `history` when the half-life is 0).
fn als_matrix(history: &Sparse, ages: &[f32], half_life_days: f32) -> Sparse {
    let mut weighted = history.clone();
    if half_life_days > 0.0 {
        for (v, a) in weighted.values.iter_mut().zip(ages) {
            *v *= recency_weight(*a as f64 * crate::data::DAY_MS, half_life_days as f64) as f32;
        }
    }
    weighted
}

/// Freshness weights of items with the given ages (empty when the half-life is 0).
fn freshness_weights(item_age_days: &[f32], half_life_days: f32) -> Vec<f32> {
    if !(half_life_days > 0.0) {
        return Vec::new();
    }
    item_age_days
        .iter()
        .map(|&a| recency_weight(a as f64 * crate::data::DAY_MS, half_life_days as f64) as f32)
        .collect()
}

/// Damps scores by the freshness weights w in (0, 1]: positive scores shrink (s·w), negative
/// ones move further down (s·(2 − w)), so a stale item never gains rank.
#[inline(never)]
fn apply_freshness(scores: &mut [f32], weights: &[f32]) {
    if weights.is_empty() {
        return;
    }
    for (s, &w) in scores.iter_mut().zip(weights) {
        *s *= if *s > 0.0 { w } else { 2.0 - w };
    }
}

/// Scorers fitted on one interaction matrix.
struct Fitted {
    als: Option<AlsModel>,
    knn: Option<ItemKnnModel>,
    popular: PopularModel,
}

fn fit_scorers(
    m: &Interactions,
    options: &RecommenderOptions,
    blend: Blend,
    progress: &mut dyn FnMut(f64),
) -> Result<Fitted> {
    let (als, knn) = (blend.als > 0.0, blend.knn > 0.0);
    let popular = PopularModel::fit(m, blend.popularity_half_life_days as f64);
    let share_als = if als { if knn { 0.8 } else { 1.0 } } else { 0.0 };
    let als = if als {
        let h = blend.als_recency_half_life_days;
        let model = if h > 0.0 {
            let by_customer = als_matrix(&m.by_customer, &whole_ages(m), h);
            let by_item = by_customer.transpose(m.items());
            AlsModel::fit(&by_customer, &by_item, &options.als_options(), &mut |f| progress(f * share_als))?
        } else {
            AlsModel::fit(&m.by_customer, &m.by_item, &options.als_options(), &mut |f| progress(f * share_als))?
        };
        Some(model)
    } else {
        None
    };
    let knn = if knn {
        let h = blend.knn_recency_half_life_days;
        let weighted;
        let by_item = if h > 0.0 {
            weighted = als_matrix(&m.by_customer, &whole_ages(m), h).transpose(m.items());
            &weighted
        } else {
            &m.by_item
        };
        Some(ItemKnnModel::fit(by_item, m.customers(), options.weighting, options.neighbours, &mut |f| {
            progress(share_als + f * (1.0 - share_als))
        })?)
    } else {
        None
    };
    progress(1.0);
    Ok(Fitted { als, knn, popular })
}

/// Per-customer scores of the three scorers, each scaled to a maximum of 1 (see module docs).
struct ScoreParts {
    als: Vec<f32>,
    knn: Vec<f32>,
    /// 1 / the largest raw score of each scorer for this customer (0 when all are <= 0).
    als_scale: f32,
    knn_scale: f32,
}

fn inverse_max(values: &[f32]) -> f32 {
    let max = values.iter().cloned().fold(0f32, f32::max);
    if max > 0.0 && max.is_finite() {
        1.0 / max
    } else {
        0.0
    }
}

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
fn best_result(results: &[ValidationResult]) -> Option<&ValidationResult> {
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

/// Refuses a fit whose model would not fit the memory budget: ALS factors for customers and
/// items, the kNN neighbour lists, and the interaction matrix in both orientations (a lower
/// bound; "auto" briefly holds a second set during validation).
fn check_memory(m: &Interactions, options: &RecommenderOptions) -> Result<()> {
    crate::error::check_scalar("maxMemoryMb", options.max_memory_mb, 1.0, 1e7)?;
    let stride = crate::recommend::simd::padded(options.factors);
    let factors = (m.customers() + m.items()) as f64 * stride as f64 * 4.0;
    let neighbours = m.items() as f64 * options.neighbours as f64 * 8.0;
    let matrix = m.nnz() as f64 * 16.0;
    let needed_mb = (factors + neighbours + matrix) / (1024.0 * 1024.0);
    if needed_mb > options.max_memory_mb {
        return Err(Error::Limit(format!(
            "the recommender would need about {needed_mb:.0} MB for {} customers x {} items with {} factors, more than options.maxMemoryMb ({}); raise it, or use fewer factors or neighbours",
            m.customers(),
            m.items(),
            options.factors,
            options.max_memory_mb
        )));
    }
    Ok(())
}

/// Ranks for validation: `k` items per customer excluding history.
const VALIDATION_K: usize = 10;

impl Recommender {
    /// Fits on transactions (rows with an item; see [`Interactions`]). `progress` gets fractions
    /// in [0, 1].
    pub fn fit(
        tx: &Transactions,
        options: &RecommenderOptions,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Recommender> {
        options.validate()?;
        let m = Interactions::from_transactions(tx, options.value)?;
        check_memory(&m, options)?;
        let fixed_half_life = options.popularity_half_life_days.unwrap_or(0.0) as f32;
        let fixed_freshness = options.freshness_half_life_days.unwrap_or(0.0) as f32;
        let fixed_als_recency = options.als_recency_half_life_days.unwrap_or(0.0) as f32;
        let fixed_knn_recency = options.knn_recency_half_life_days.unwrap_or(0.0) as f32;
        let named = |b: Blend| Blend {
            popularity_half_life_days: fixed_half_life,
            freshness_half_life_days: fixed_freshness,
            als_recency_half_life_days: fixed_als_recency,
            knn_recency_half_life_days: fixed_knn_recency,
            ..b
        };
        let (blend, validation, share) = match options.algorithm {
            Algorithm::Als => (named(Blend::ALS), Vec::new(), 0.0),
            Algorithm::ItemKnn => (named(Blend::KNN), Vec::new(), 0.0),
            Algorithm::Popular => (named(Blend::POPULAR), Vec::new(), 0.0),
            Algorithm::Auto => {
                let results = Self::validate_blends(tx, options, &mut |f| progress(f * 0.5))?;
                match best_result(&results) {
                    Some(best) => (best.blend, results.clone(), 0.5),
                    // Too little data to validate: item-kNN needs no tuning and degrades gently.
                    None => (Blend::new(0.0, 0.85, 0.15, fixed_half_life), results, 0.0),
                }
            }
        };
        let fitted = fit_scorers(&m, options, blend, &mut |f| progress(share + f * (1.0 - share)))?;
        let item_age_days = m.item_last_age_days();
        let ages = whole_ages(&m);
        Ok(Self::assemble(m, options.value, fitted, blend, validation, item_age_days, ages))
    }

    /// Fits the scorers of a given blend (no validation): for callers that pick their own mix.
    pub fn fit_with_blend(
        tx: &Transactions,
        options: &RecommenderOptions,
        blend: Blend,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Recommender> {
        options.validate()?;
        let weights = [blend.als, blend.knn, blend.popular];
        let halves = [blend.popularity_half_life_days, blend.freshness_half_life_days];
        if weights.iter().chain(&halves).any(|w| !(w.is_finite() && *w >= 0.0)) || weights.iter().sum::<f32>() <= 0.0 {
            return Err(Error::invalid("blend weights and half-lives must be finite, >= 0, with a positive weight"));
        }
        // (The ALS recency half-life is read before `Blend::new`, which resets it.)
        let als_recency = blend.als_recency_half_life_days;
        if !(als_recency.is_finite() && als_recency >= 0.0) {
            return Err(Error::invalid("the ALS recency half-life must be finite and >= 0"));
        }
        let knn_recency = blend.knn_recency_half_life_days;
        if !(knn_recency.is_finite() && knn_recency >= 0.0) {
            return Err(Error::invalid("the item-kNN recency half-life must be finite and >= 0"));
        }
        let blend = Blend::new(blend.als, blend.knn, blend.popular, blend.popularity_half_life_days);
        let blend = Blend {
            freshness_half_life_days: halves[1],
            als_recency_half_life_days: als_recency,
            knn_recency_half_life_days: knn_recency,
            ..blend
        };
        let m = Interactions::from_transactions(tx, options.value)?;
        check_memory(&m, options)?;
        let fitted = fit_scorers(&m, options, blend, progress)?;
        let item_age_days = m.item_last_age_days();
        let ages = whole_ages(&m);
        Ok(Self::assemble(m, options.value, fitted, blend, Vec::new(), item_age_days, ages))
    }

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

    fn assemble(
        m: Interactions,
        value: InteractionValue,
        fitted: Fitted,
        blend: Blend,
        validation: Vec<ValidationResult>,
        item_age_days: Vec<f32>,
        als_ages: Vec<f32>,
    ) -> Recommender {
        let als_ages = if blend.uses_ages() { als_ages } else { Vec::new() };
        let customer_index = m.customer_ids.iter().enumerate().map(|(i, c)| (c.clone(), i as u32)).collect();
        let item_index = m.item_ids.iter().enumerate().map(|(i, c)| (c.clone(), i as u32)).collect();
        let freshness = freshness_weights(&item_age_days, blend.freshness_half_life_days);
        Recommender {
            item_age_days,
            freshness,
            als_ages,
            customer_ids: m.customer_ids,
            item_ids: m.item_ids,
            customer_index,
            item_index,
            value,
            history: m.by_customer,
            popular: fitted.popular,
            als: fitted.als,
            knn: fitted.knn,
            blend,
            validation,
        }
    }

    /// The blend in use.
    pub fn blend(&self) -> Blend {
        self.blend
    }
    /// What "auto" measured for each candidate (empty for a named algorithm).
    pub fn validation(&self) -> &[ValidationResult] {
        &self.validation
    }
    pub fn customer_ids(&self) -> &[String] {
        &self.customer_ids
    }
    pub fn item_ids(&self) -> &[String] {
        &self.item_ids
    }
    pub fn als(&self) -> Option<&AlsModel> {
        self.als.as_ref()
    }

    fn fitted(&self) -> FittedRef<'_> {
        FittedRef { r: self }
    }

    /// Scores of all items for a known customer or a basket history.
    fn score(&self, user: Option<&[f32]>, history: (&[u32], &[f32]), out: &mut [f32]) {
        let f = self.fitted();
        f.score(user, history, out)
    }

    /// Resolves the filters to item indices.
    fn filters(&self, exclude: &[String], candidates: Option<&[String]>) -> (HashSet<u32>, Option<Vec<u32>>) {
        let excluded: HashSet<u32> = exclude.iter().filter_map(|e| self.item_index.get(e).copied()).collect();
        let candidates = candidates.map(|c| c.iter().filter_map(|e| self.item_index.get(e).copied()).collect());
        (excluded, candidates)
    }

    fn pick(
        &self,
        scores: &[f32],
        k: usize,
        history: Option<&[u32]>,
        excluded: &HashSet<u32>,
        candidates: Option<&[u32]>,
    ) -> Vec<(String, f32)> {
        let allowed = |i: u32| {
            !excluded.contains(&i) && history.map_or(true, |h| h.binary_search(&i).is_err())
        };
        let top = match candidates {
            Some(c) => top_k_of(scores, c, k, allowed),
            None => top_k(scores, k, allowed),
        };
        top.into_iter().map(|(i, s)| (self.item_ids[i as usize].clone(), s)).collect()
    }

    /// Top `k` items for a customer, best first. An unknown customer gets popular items.
    /// `exclude_purchased` drops what the customer bought; `exclude` drops listed items;
    /// `candidates` restricts to listed items (e.g. in stock). Unknown item ids in the lists are
    /// ignored.
    pub fn recommend(
        &self,
        customer: &str,
        k: usize,
        exclude_purchased: bool,
        exclude: &[String],
        candidates: Option<&[String]>,
    ) -> Vec<(String, f32)> {
        let (excluded, candidates) = self.filters(exclude, candidates);
        let mut scores = vec![0f32; self.item_ids.len()];
        match self.customer_index.get(customer) {
            Some(&u) => {
                let u = u as usize;
                let history = self.history.row(u);
                let user = self.als.as_ref().map(|a| a.user(u));
                self.score(user, history, &mut scores);
                let hist = if exclude_purchased { Some(history.0) } else { None };
                self.pick(&scores, k, hist, &excluded, candidates.as_deref())
            }
            None => {
                self.popular.score_all(&mut scores);
                self.pick(&scores, k, None, &excluded, candidates.as_deref())
            }
        }
    }

    /// `recommend` (purchased items excluded) for many customers; `progress` gets fractions.
    pub fn recommend_many(&self, customers: &[String], k: usize, progress: &mut dyn FnMut(f64)) -> RecommendMany {
        let packed = self.recommend_many_indices(customers, k, progress);
        let mut out = RecommendMany {
            customers: customers.to_vec(),
            items: Vec::with_capacity(customers.len()),
            scores: Vec::with_capacity(customers.len()),
        };
        let mut at = 0;
        for &n in &packed.counts {
            let range = at..at + n as usize;
            out.items.push(packed.items[range.clone()].iter().map(|&i| self.item_ids[i as usize].clone()).collect());
            out.scores.push(packed.scores[range].to_vec());
            at += n as usize;
        }
        out
    }

    /// [`Recommender::recommend_many`] as item indices (into [`Recommender::item_ids`]), packed:
    /// customer c's list is the next `counts[c]` entries of `items` and `scores` — one buffer
    /// each for the whole batch, cheap to hand across the wasm boundary.
    pub fn recommend_many_indices(&self, customers: &[String], k: usize, progress: &mut dyn FnMut(f64)) -> RecommendManyIndices {
        let mut out = RecommendManyIndices {
            counts: Vec::with_capacity(customers.len()),
            items: Vec::with_capacity(customers.len() * k.min(self.item_ids.len())),
            scores: Vec::with_capacity(customers.len() * k.min(self.item_ids.len())),
        };
        let items = self.item_ids.len();
        let mut scores = vec![0f32; items];
        let mut popular_list: Option<Vec<(u32, f32)>> = None;
        let every = (customers.len() / 100).max(1);
        // Pure ALS: known customers are scored BLOCK at a time (each item factor loaded once per
        // block), then filtered one by one; the scores are the same as `score`'s, bit for bit.
        let block_als = match &self.als {
            Some(als) if self.blend.components() == 1 && self.blend.als > 0.0 && items > 0 && !als.item_panels.is_empty() => {
                Some(als)
            }
            _ => None,
        };
        let mut block_scores = vec![0f32; if block_als.is_some() { simd::BLOCK * items } else { 0 }];
        for (b, chunk) in customers.chunks(simd::BLOCK).enumerate() {
            let found: Vec<Option<usize>> =
                chunk.iter().map(|c| self.customer_index.get(c.as_str()).map(|&u| u as usize)).collect();
            let blocked = match (block_als, &found[..]) {
                (Some(als), &[Some(u0), Some(u1), Some(u2), Some(u3)]) => {
                    let users = [als.user(u0), als.user(u1), als.user(u2), als.user(u3)];
                    simd::panel_scores_block_dispatch(&als.item_panels, als.factors, users, &mut block_scores);
                    true
                }
                _ => false,
            };
            for (j, &found) in found.iter().enumerate() {
                let n = b * simd::BLOCK + j;
                let owned;
                let list: &[(u32, f32)] = match found {
                    Some(u) => {
                        let history = self.history.row(u);
                        let row = if blocked {
                            let row = &mut block_scores[j * items..(j + 1) * items];
                            apply_freshness(row, &self.freshness);
                            &*row
                        } else {
                            self.score(self.als.as_ref().map(|a| a.user(u)), history, &mut scores);
                            &scores
                        };
                        owned = top_k(row, k, |i| history.0.binary_search(&i).is_err());
                        &owned
                    }
                    None => popular_list.get_or_insert_with(|| {
                        self.popular.score_all(&mut scores);
                        top_k(&scores, k, |_| true)
                    }),
                };
                out.counts.push(list.len() as u32);
                out.items.extend(list.iter().map(|p| p.0));
                out.scores.extend(list.iter().map(|p| p.1));
                if (n + 1) % every == 0 {
                    progress((n + 1) as f64 / customers.len() as f64);
                }
            }
        }
        progress(1.0);
        out
    }

    /// Items for an anonymous basket (item ids; repeats count), folded in without retraining:
    /// ALS solves a user vector for the basket, item-kNN sums the basket items' neighbours. The
    /// basket's own items are not recommended; unknown ids are ignored; an empty or all-unknown
    /// basket gets popular items.
    pub fn recommend_for_items(&self, items: &[String], k: usize) -> Vec<(String, f32)> {
        let known: Vec<u32> = items.iter().filter_map(|i| self.item_index.get(i).copied()).collect();
        let excluded = HashSet::new();
        let mut scores = vec![0f32; self.item_ids.len()];
        if known.is_empty() {
            self.popular.score_all(&mut scores);
            return self.pick(&scores, k, None, &excluded, None);
        }
        let mut counts: Vec<(u32, f32)> = Vec::new();
        let mut sorted = known;
        crate::sort::sort_by(&mut sorted, &|a, b| a.cmp(b));
        for i in sorted {
            match counts.last_mut() {
                Some(last) if last.0 == i => last.1 += 1.0,
                _ => counts.push((i, 1.0)),
            }
        }
        if self.value == InteractionValue::Binary {
            counts.iter_mut().for_each(|c| c.1 = 1.0);
        }
        let idx: Vec<u32> = counts.iter().map(|c| c.0).collect();
        let val: Vec<f32> = counts.iter().map(|c| c.1).collect();
        let user = self.als.as_ref().map(|a| a.fold_in(&idx, &val));
        self.score(user.as_deref(), (&idx, &val), &mut scores);
        self.pick(&scores, k, Some(&idx), &excluded, None)
    }

    /// Items most like `item` ("customers also bought"): kNN similarity when the blend uses
    /// item-kNN, otherwise the cosine of ALS item factors, otherwise popular items.
    pub fn similar_items(&self, item: &str, k: usize) -> Result<Vec<(String, f32)>> {
        let &i = self.item_index.get(item).ok_or_else(|| Error::unknown("item", item))?;
        let n = self.item_ids.len();
        let mut scores = vec![0f32; n];
        if let (Some(knn), true) = (&self.knn, self.blend.knn > 0.0) {
            knn.score_into(&[i], &[1.0], &mut scores);
            // Neighbour lists are short: top up with ALS or popularity, ranked below them.
            let knn_max = scores.iter().cloned().fold(0f32, f32::max);
            if let Some(als) = &self.als {
                let cos = self.als_cosines(als, i as usize);
                let scale = inverse_max(&cos);
                for (s, c) in scores.iter_mut().zip(cos) {
                    *s = *s / knn_max.max(f32::MIN_POSITIVE) * self.blend.knn + c * scale * self.blend.als;
                }
            }
        } else if let Some(als) = &self.als {
            scores = self.als_cosines(als, i as usize);
        } else {
            self.popular.score_all(&mut scores);
        }
        let excluded: HashSet<u32> = [i].into_iter().collect();
        Ok(self.pick(&scores, k, None, &excluded, None))
    }

    fn als_cosines(&self, als: &AlsModel, i: usize) -> Vec<f32> {
        let n = self.item_ids.len();
        let mut dots = vec![0f32; n];
        als.score_all(als.item(i), &mut dots);
        let norm_i = simd::dot(als.item(i), als.item(i)).sqrt().max(f32::MIN_POSITIVE);
        for (j, d) in dots.iter_mut().enumerate() {
            let norm_j = simd::dot(als.item(j), als.item(j)).sqrt().max(f32::MIN_POSITIVE);
            *d /= norm_i * norm_j;
        }
        dots
    }

    /// Which past purchases of `customer` drove the score of `item`, largest first: for ALS
    /// implicit's per-item contribution (see [`AlsModel::explain`]), for item-kNN r_uj · s(j, i),
    /// weighted as in the blend (the popularity share is not attributable to a past item and is
    /// left out). An unknown customer has no purchases: empty. An unknown item is an error.
    pub fn explain(&self, customer: &str, item: &str) -> Result<Vec<(String, f64)>> {
        let &i = self.item_index.get(item).ok_or_else(|| Error::unknown("item", item))?;
        let Some(&u) = self.customer_index.get(customer) else { return Ok(Vec::new()) };
        let (history, values) = self.history.row(u as usize);
        let mut contributions = vec![0f64; history.len()];
        let single = self.blend.components() == 1;
        let fitted = self.fitted();
        let parts = fitted.parts(u as usize, (history, values));
        if let (Some(als), true) = (&self.als, self.blend.als > 0.0) {
            let weight = if single { 1.0 } else { (self.blend.als * parts.als_scale) as f64 };
            // ALS learnt from recency-weighted counts; explain with the same values.
            let start = self.history.offsets[u as usize];
            let als_values: Vec<f32> = match self.als_ages.get(start..start + values.len()) {
                Some(ages) if self.blend.als_recency_half_life_days > 0.0 => {
                    let h = self.blend.als_recency_half_life_days as f64;
                    values
                        .iter()
                        .zip(ages)
                        .map(|(v, a)| v * recency_weight(*a as f64 * crate::data::DAY_MS, h) as f32)
                        .collect()
                }
                _ => values.to_vec(),
            };
            for (c, a) in contributions.iter_mut().zip(als.explain(history, &als_values, i as usize)) {
                *c += weight * a;
            }
        }
        if let (Some(knn), true) = (&self.knn, self.blend.knn > 0.0) {
            let weight = if single { 1.0 } else { (self.blend.knn * parts.knn_scale) as f64 };
            for ((c, &j), &r) in contributions.iter_mut().zip(history).zip(values) {
                *c += weight * (r * knn.similarity(j as usize, i)) as f64;
            }
        }
        let mut out: Vec<(String, f64)> = history
            .iter()
            .zip(contributions)
            .filter(|(_, c)| *c != 0.0)
            .map(|(&j, c)| (self.item_ids[j as usize].clone(), c))
            .collect();
        crate::sort::sort_by(&mut out, &|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// Model bytes with f32 item factors.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with(Quantization::F32)
    }

    /// Model bytes with item factors and neighbour similarities stored as f32, f16, or int8
    /// (one f32 scale per row) — smaller for the edge at a measured quality cost.
    pub fn to_bytes_with(&self, quantization: Quantization) -> Vec<u8> {
        let mut w = Writer::new(b"RECO");
        w.put_u8(self.value.code());
        w.put_f32(self.blend.als);
        w.put_f32(self.blend.knn);
        w.put_f32(self.blend.popular);
        w.put_f32(self.blend.popularity_half_life_days);
        w.put_f32(self.blend.freshness_half_life_days);
        w.put_f32(self.blend.als_recency_half_life_days);
        w.put_f32(self.blend.knn_recency_half_life_days);
        w.put_strs(&self.customer_ids);
        w.put_strs(&self.item_ids);
        w.put_bytes(&quantize::encode_sparse_pattern(&self.history));
        quantize::put_counts(&mut w, &self.history.values);
        w.put_f32s(&self.popular.buyers);
        w.put_f32s(&self.item_age_days);
        if self.blend.uses_ages() {
            quantize::put_whole(&mut w, &self.als_ages);
        }
        match &self.als {
            Some(als) => {
                w.put_bool(true);
                w.put_u32(als.factors as u32);
                w.put_f32(als.regularization);
                w.put_f32(als.alpha);
                w.put_u8(als.scaling.code());
                quantize::put_rows(&mut w, &als.item_factors, als.stride, als.factors, quantization);
            }
            None => w.put_bool(false),
        }
        // Neighbour lists are recomputed on load from the purchases (deterministic, and much
        // smaller than storing them): only the parameters are stored.
        match &self.knn {
            Some(knn) => {
                w.put_bool(true);
                let (code, a, b) = knn.weighting.encode();
                w.put_u8(code);
                w.put_f32(a);
                w.put_f32(b);
                w.put_u32(knn.neighbours_per_item as u32);
            }
            None => w.put_bool(false),
        }
        w.finish()
    }

    /// Reads [`Recommender::to_bytes`] output; every length, index and value is validated.
    pub fn from_bytes(bytes: &[u8]) -> Result<Recommender> {
        let mut r = Reader::open(bytes, b"RECO")?;
        let value = InteractionValue::from_code(r.get_u8()?).ok_or_else(|| Error::corrupt("unknown interaction value"))?;
        let blend = Blend {
            als: r.get_f32()?,
            knn: r.get_f32()?,
            popular: r.get_f32()?,
            popularity_half_life_days: r.get_f32()?,
            freshness_half_life_days: r.get_f32()?,
            als_recency_half_life_days: r.get_f32()?,
            knn_recency_half_life_days: r.get_f32()?,
        };
        let half_lives = [
            blend.popularity_half_life_days,
            blend.freshness_half_life_days,
            blend.als_recency_half_life_days,
            blend.knn_recency_half_life_days,
        ];
        if half_lives.iter().any(|h| !(h.is_finite() && *h >= 0.0)) {
            return Err(Error::corrupt("a half-life is invalid"));
        }
        let weights = [blend.als, blend.knn, blend.popular];
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || (weights.iter().sum::<f32>() - 1.0).abs() > 1e-3 {
            return Err(Error::corrupt("blend weights are invalid"));
        }
        let customer_ids = r.get_strs()?;
        let item_ids = r.get_strs()?;
        let pattern = r.get_bytes()?;
        let mut history = quantize::decode_sparse_pattern(&pattern, customer_ids.len(), item_ids.len())?;
        history.values = quantize::get_values(&mut r, history.nnz())?;
        if history.values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(Error::corrupt("an interaction value is not a positive number"));
        }
        let buyers = r.get_f32s()?;
        if buyers.len() != item_ids.len() || buyers.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::corrupt("popularity is invalid"));
        }
        let item_age_days = r.get_f32s()?;
        if item_age_days.len() != item_ids.len() || item_age_days.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::corrupt("item ages are invalid"));
        }
        let als_ages = if blend.uses_ages() {
            quantize::get_whole(&mut r, history.nnz())?
        } else {
            Vec::new()
        };
        let by_item = history.transpose(item_ids.len());
        if (0..by_item.rows()).any(|i| by_item.offsets[i] == by_item.offsets[i + 1]) {
            return Err(Error::corrupt("an item has no purchases"));
        }
        let als = if r.get_bool()? {
            let factors = r.get_u32()? as usize;
            let regularization = r.get_f32()?;
            let alpha = r.get_f32()?;
            let scaling = ConfidenceScaling::from_code(r.get_u8()?).ok_or_else(|| Error::corrupt("unknown confidence scaling"))?;
            if factors == 0 || factors > 1024 || !(regularization.is_finite() && regularization >= 0.0) || !(alpha.is_finite() && alpha >= 0.0) {
                return Err(Error::corrupt("ALS parameters are invalid"));
            }
            let stride = simd::padded(factors);
            let item_factors = quantize::get_rows(&mut r, item_ids.len(), stride, factors)?;
            let mut model = AlsModel {
                factors,
                stride,
                regularization,
                alpha,
                scaling,
                user_factors: Vec::new(),
                item_factors,
                item_panels: Vec::new(),
            };
            model.prepare_with(&als_matrix(&history, &als_ages, blend.als_recency_half_life_days));
            Some(model)
        } else {
            None
        };
        let knn = if r.get_bool()? {
            let code = r.get_u8()?;
            let (a, b) = (r.get_f32()?, r.get_f32()?);
            let weighting = Weighting::decode(code, a, b).ok_or_else(|| Error::corrupt("unknown item-kNN weighting"))?;
            let neighbours = r.get_u32()? as usize;
            // Recomputed from the same (recency-weighted) counts as at fit time.
            let h = blend.knn_recency_half_life_days;
            let weighted = if h > 0.0 { Some(als_matrix(&history, &als_ages, h).transpose(item_ids.len())) } else { None };
            let knn = ItemKnnModel::fit(weighted.as_ref().unwrap_or(&by_item), customer_ids.len(), weighting, neighbours, &mut |_| {})
                .map_err(|e| Error::corrupt(format!("item-kNN parameters are invalid: {e}")))?;
            Some(knn)
        } else {
            None
        };
        r.finish()?;
        if (blend.als > 0.0 && als.is_none()) || (blend.knn > 0.0 && knn.is_none()) {
            return Err(Error::corrupt("the blend uses a scorer the bytes do not hold"));
        }
        let last_age_days = vec![0.0; history.nnz()];
        let m = Interactions { customer_ids, item_ids, by_customer: history, by_item, last_age_days };
        let mut seen = HashSet::new();
        if !m.customer_ids.iter().all(|c| seen.insert(c.as_str())) {
            return Err(Error::corrupt("duplicate customer id"));
        }
        let mut seen = HashSet::new();
        if !m.item_ids.iter().all(|c| seen.insert(c.as_str())) {
            return Err(Error::corrupt("duplicate item id"));
        }
        let popular = PopularModel { buyers };
        Ok(Self::assemble(m, value, Fitted { als, knn, popular }, blend, Vec::new(), item_age_days, als_ages))
    }
}

/// Borrowed view that reuses [`Fitted`]'s scoring on a [`Recommender`].
struct FittedRef<'a> {
    r: &'a Recommender,
}

impl FittedRef<'_> {
    fn as_fitted(&self) -> FittedView<'_> {
        FittedView { als: self.r.als.as_ref(), knn: self.r.knn.as_ref() }
    }
    fn parts(&self, u: usize, history: (&[u32], &[f32])) -> ScoreParts {
        let user = self.r.als.as_ref().map(|a| a.user(u));
        self.as_fitted().parts(user, history, self.r.item_ids.len(), self.r.blend)
    }
    fn score(&self, user: Option<&[f32]>, history: (&[u32], &[f32]), out: &mut [f32]) {
        self.score_raw(user, history, out);
        apply_freshness(out, &self.r.freshness);
    }

    fn score_raw(&self, user: Option<&[f32]>, history: (&[u32], &[f32]), out: &mut [f32]) {
        let view = self.as_fitted();
        let blend = self.r.blend;
        // Fast path: pure ALS scores straight into `out`.
        if blend.components() == 1 && blend.als > 0.0 {
            if let (Some(als), Some(user)) = (view.als, user) {
                als.score_all(user, out);
                return;
            }
        }
        if blend.components() == 1 && blend.knn > 0.0 {
            if let Some(knn) = view.knn {
                out.iter_mut().for_each(|o| *o = 0.0);
                knn.score_into(history.0, history.1, out);
                return;
            }
        }
        let parts = view.parts(user, history, self.r.item_ids.len(), blend);
        let buyers = &self.r.popular.buyers;
        view.combine(&parts, blend, buyers, inverse_max(buyers), out);
    }
}

/// [`Fitted`] by reference.
struct FittedView<'a> {
    als: Option<&'a AlsModel>,
    knn: Option<&'a ItemKnnModel>,
}

impl FittedView<'_> {
    fn parts(&self, user: Option<&[f32]>, history: (&[u32], &[f32]), items: usize, blend: Blend) -> ScoreParts {
        let mut parts = ScoreParts { als: Vec::new(), knn: Vec::new(), als_scale: 0.0, knn_scale: 0.0 };
        if blend.als > 0.0 {
            if let (Some(als), Some(user)) = (self.als, user) {
                parts.als = vec![0f32; items];
                als.score_all(user, &mut parts.als);
                parts.als_scale = inverse_max(&parts.als);
            }
        }
        if blend.knn > 0.0 {
            if let Some(knn) = self.knn {
                parts.knn = vec![0f32; items];
                knn.score_into(history.0, history.1, &mut parts.knn);
                parts.knn_scale = inverse_max(&parts.knn);
            }
        }
        parts
    }
    /// Blended scores into `out`. A single scorer keeps its raw scores (same ranking, and the
    /// numbers mean what the scorer means).
    fn combine(&self, parts: &ScoreParts, blend: Blend, popularity: &[f32], pop_scale: f32, out: &mut [f32]) {
        if blend.components() == 1 {
            if blend.als > 0.0 && !parts.als.is_empty() {
                out.copy_from_slice(&parts.als);
            } else if blend.knn > 0.0 && !parts.knn.is_empty() {
                out.copy_from_slice(&parts.knn);
            } else {
                out.copy_from_slice(popularity);
            }
            return;
        }
        let wa = blend.als * parts.als_scale;
        let wk = blend.knn * parts.knn_scale;
        let wp = blend.popular * pop_scale;
        out.iter_mut().for_each(|o| *o = 0.0);
        if wa > 0.0 {
            simd::axpy(wa, &parts.als, out);
        }
        if wk > 0.0 {
            simd::axpy(wk, &parts.knn, out);
        }
        if wp > 0.0 {
            simd::axpy(wp, popularity, out);
        }
    }
}
