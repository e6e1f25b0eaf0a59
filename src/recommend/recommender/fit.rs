//! `Recommender::fit` (a named algorithm, or "auto" validated first) and
//! `Recommender::fit_with_blend` (a given mix, no validation).

use super::auto::best_result;
use super::options::{Algorithm, RecommenderOptions};
use super::scorers::{check_memory, fit_scorers, whole_ages};
use super::{Blend, Recommender};

use crate::data::Transactions;
use crate::error::{Error, Result};
use crate::recommend::interactions::Interactions;

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
}
