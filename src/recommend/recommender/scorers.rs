//! How `Recommender::fit` fits the scorers of one blend on one interaction matrix (ALS,
//! item-kNN, popularity), within the memory budget, and checks its options. Used by the final fit
//! and by every validation fold of "auto" (full build only).

use crate::decimal::{Decimal, Fixed};
use super::options::RecommenderOptions;
use super::{Blend, Fitted};

use crate::error::{Error, Result};
use crate::recommend::als::{AlsModel, AlsOptions};
use crate::recommend::interactions::{recency_weight, Interactions, Sparse};
use crate::recommend::item_knn::ItemKnnModel;
use crate::recommend::popular::PopularModel;

/// The customer × item matrix ALS (and item-kNN) learns from: counts times the recency weight of
/// the cell's latest purchase (a copy of `history` when the half-life is 0).
pub(super) fn als_matrix(history: &Sparse, ages: &[f32], half_life_days: f32) -> Sparse {
    let mut weighted = history.clone();
    if half_life_days > 0.0 {
        for (v, a) in weighted.values.iter_mut().zip(ages) {
            *v *= recency_weight(*a as f64 * crate::data::DAY_MS, half_life_days as f64) as f32;
        }
    }
    weighted
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
