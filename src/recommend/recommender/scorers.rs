//! What `Recommender::fit` is told ([`Algorithm`], [`RecommenderOptions`]) and how it fits the
//! scorers of one blend on one interaction matrix (ALS, item-kNN, popularity), within the
//! memory budget. Used by the final fit and by every validation fold of "auto".
// Fitting helpers (options → scorers, memory check) live here beside the scorer types; the
// serving build (no `fit` feature) never calls them. Moving them to fit.rs is left to do.
#![cfg_attr(not(feature = "fit"), allow(dead_code))]

use crate::decimal::{Decimal, Fixed};
use super::{als_matrix, Blend, Fitted};

use crate::error::{Error, Result};
use crate::recommend::als::{AlsModel, AlsOptions, ConfidenceScaling};
use crate::recommend::interactions::{InteractionValue, Interactions};
use crate::recommend::item_knn::{ItemKnnModel, Weighting};
use crate::recommend::popular::PopularModel;

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
    pub(super) fn als_options(&self) -> AlsOptions {
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
    pub(super) fn validate(&self) -> Result<()> {
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

/// Whole days since each customer last bought each item (cells of `by_customer`): rounded down
/// so that the model bytes can carry them exactly (one varint each).
pub(super) fn whole_ages(m: &Interactions) -> Vec<f32> {
    m.last_age_days.iter().map(|a| a.max(0.0).floor().min(16_000_000.0)).collect()
}

pub(super) fn fit_scorers(
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

/// Refuses a fit whose model would not fit the memory budget: ALS factors for customers and
/// items, the kNN neighbour lists, and the interaction matrix in both orientations (a lower
/// bound; "auto" briefly holds a second set during validation).
pub(super) fn check_memory(m: &Interactions, options: &RecommenderOptions) -> Result<()> {
    crate::error::check_scalar("maxMemoryMb", options.max_memory_mb, 1.0, 1e7)?;
    let stride = crate::recommend::simd::padded(options.factors);
    let factors = (m.customers() + m.items()) as f64 * stride as f64 * 4.0;
    let neighbours = m.items() as f64 * options.neighbours as f64 * 8.0;
    let matrix = m.nnz() as f64 * 16.0;
    let needed_mb = (factors + neighbours + matrix) / (1024.0 * 1024.0);
    if needed_mb > options.max_memory_mb {
        return Err(Error::Limit(format!(
            "the recommender would need about {} MB for {} customers x {} items with {} factors, more than options.maxMemoryMb ({}); raise it, or use fewer factors or neighbours",
            Fixed(needed_mb, 0),
            m.customers(),
            m.items(),
            options.factors,
            Decimal(options.max_memory_mb)
        )));
    }
    Ok(())
}
