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
//! Model bytes ([`bytes`], layout 2) carry everything scoring needs — each customer's purchases,
//! popularity, the ALS item and customer factors, the item-kNN neighbour lists — so loading only
//! decodes and validates: no fitting code is needed to serve, and f32 bytes load to exactly the
//! fitted model. Layout-1 bytes (regulars 0.1) load in the full build ([`format1`] recomputes what
//! they lack).
//!
//! Files: this one holds the fitted recommender and everything that serves from it (scoring,
//! filters, explanations); [`bytes`] saving and loading; [`options`] what `fit` is told; and, in
//! the full build only, [`scorers`] the fitting of the three scorers, [`auto`] the validation
//! folds of `"auto"`, [`fit`] `Recommender::fit`, which ties them together, [`format1`], and
//! [`factors`] `Recommender::from_factors` (a pure-ALS recommender from outside factors).

#[cfg(feature = "fit")]
mod auto;
mod bytes;
#[cfg(feature = "fit")]
mod factors;
#[cfg(feature = "fit")]
mod fit;
#[cfg(feature = "fit")]
mod format1;
mod options;
#[cfg(feature = "fit")]
mod scorers;

#[cfg(feature = "fit")]
pub use factors::FactorOptions;
pub use options::{Algorithm, RecommenderOptions};

use crate::decimal::{Decimal32, Fixed};
use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::recommend::als::AlsModel;
use crate::recommend::eval::RankingMetrics;
use crate::recommend::interactions::{recency_weight, InteractionValue, Interactions, Sparse};
use crate::recommend::item_knn::ItemKnnModel;
use crate::recommend::popular::PopularModel;
use crate::recommend::simd;
use crate::recommend::topk::{top_k, top_k_of};

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

    #[cfg_attr(not(feature = "fit"), allow(dead_code))] // used by fitting (auto) only
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
            format!(" (half-life {} days)", Decimal32(self.popularity_half_life_days))
        } else {
            String::new()
        };
        let recent = if self.als > 0.0 && self.als_recency_half_life_days > 0.0 {
            format!(", ALS recency half-life {} days", Decimal32(self.als_recency_half_life_days))
        } else {
            String::new()
        };
        let recent = if self.knn > 0.0 && self.knn_recency_half_life_days > 0.0 {
            format!("{recent}, item-kNN recency half-life {} days", Decimal32(self.knn_recency_half_life_days))
        } else {
            recent
        };
        let fresh = if self.freshness_half_life_days > 0.0 {
            format!(", freshness half-life {} days", Decimal32(self.freshness_half_life_days))
        } else {
            String::new()
        };
        if parts.len() == 1 {
            return format!("{}{trend}{fresh}{recent}", parts[0].0);
        }
        let joined = parts.iter().map(|(n, w)| format!("{n} {}", Fixed(*w as f64, 2))).collect::<Vec<_>>().join(" + ");
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

impl Recommender {
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
