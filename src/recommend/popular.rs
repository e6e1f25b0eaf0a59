//! Popularity: items ranked by how many distinct customers bought them. The cold-start fallback
//! for customers the model has never seen, and a prior that other scorers can be blended with.

use crate::recommend::interactions::Sparse;

/// Distinct buyers per item.
#[derive(Debug, Clone, PartialEq)]
pub struct PopularModel {
    pub buyers: Vec<f32>,
}

impl PopularModel {
    /// From the item × customer matrix (CSC of the interactions): the row length is the number
    /// of distinct buyers.
    pub fn fit(by_item: &Sparse) -> PopularModel {
        let buyers = (0..by_item.rows())
            .map(|i| (by_item.offsets[i + 1] - by_item.offsets[i]) as f32)
            .collect();
        PopularModel { buyers }
    }

    pub fn score_all(&self, scores: &mut [f32]) {
        scores.copy_from_slice(&self.buyers);
    }
}
