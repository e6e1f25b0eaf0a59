//! Popularity: items ranked by how many distinct customers bought them. The cold-start fallback
//! for customers the model has never seen, and a prior that other scorers can be blended with.

use crate::recommend::interactions::Interactions;

/// Distinct buyers per item.
#[derive(Debug, Clone, PartialEq)]
pub struct PopularModel {
    pub buyers: Vec<f32>,
}

impl PopularModel {
    /// Distinct buyers per item, weighted by recency with the given half-life (0: none), see
    /// [`Interactions::popularity`].
    pub fn fit(m: &Interactions, half_life_days: f64) -> PopularModel {
        PopularModel { buyers: m.popularity(half_life_days) }
    }

    pub fn score_all(&self, scores: &mut [f32]) {
        scores.copy_from_slice(&self.buyers);
    }
}
