//! What `Recommender::fit` is told: [`Algorithm`] and [`RecommenderOptions`] (their checks and
//! the fitting they drive are in `scorers`, which only the full build compiles).

use crate::error::{Error, Result};
use crate::recommend::als::ConfidenceScaling;
use crate::recommend::interactions::InteractionValue;
use crate::recommend::item_knn::Weighting;

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

