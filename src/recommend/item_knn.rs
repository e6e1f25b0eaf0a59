//! Item-based nearest neighbours (Sarwar et al. 2001; Deshpande & Karypis 2004): item–item
//! similarities from co-purchases, the top-K neighbours of each item kept sparsely, and a
//! customer's score for item j = Σ_{i bought} r_ui · s(i, j).
//!
//! Weightings of the item × customer matrix X before the similarity S = W Wᵀ:
//! - cosine: each item row scaled to unit length;
//! - BM25 (Robertson & Zaragoza 2009, as used by implicit's `BM25Recommender`): items are the
//!   "documents" and customers the "terms": w_iu = x_iu (K1 + 1) / (K1 · L_i + x_iu) · idf_u with
//!   L_i = (1 − B) + B · |x_i| / mean |x| (the item's length normalised by the average) and
//!   idf_u = ln N − ln(1 + n_u) (N items, n_u the items customer u bought): a customer who buys
//!   everything says little about any two items being alike.
//!
//! Files: this one holds the fitted model (the neighbour lists, which model bytes store since
//! format 2) and its scoring; `fit` (full build only) computes the lists.

use crate::recommend::interactions::Sparse;

#[cfg(feature = "fit")]
mod fit;

/// Item-row weighting before the dot-product similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Weighting {
    Cosine,
    Bm25 { k1: f32, b: f32 },
    /// RP3beta (Paudel, Christoffel, Newell & Bernstein 2017): the probability of a two-step
    /// random walk item → customer → item, s(i, j) = Σ_u P(u | i) P(j | u) / pop_j^β, which
    /// damps the pull of best-sellers by β.
    Rp3 { beta: f32 },
}

impl Weighting {
    /// (code, two parameters) for model bytes.
    pub fn encode(self) -> (u8, f32, f32) {
        match self {
            Weighting::Cosine => (0, 0.0, 0.0),
            Weighting::Bm25 { k1, b } => (1, k1, b),
            Weighting::Rp3 { beta } => (2, beta, 0.0),
        }
    }
    pub fn decode(code: u8, a: f32, b: f32) -> Option<Weighting> {
        match code {
            0 => Some(Weighting::Cosine),
            1 => Some(Weighting::Bm25 { k1: a, b }),
            2 => Some(Weighting::Rp3 { beta: a }),
            _ => None,
        }
    }
}

impl Default for Weighting {
    fn default() -> Self {
        Weighting::Bm25 { k1: 1.2, b: 0.75 }
    }
}

/// Top-K neighbours per item (rows: items; excludes the item itself), sparse.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemKnnModel {
    pub neighbours: Sparse,
    pub weighting: Weighting,
    pub neighbours_per_item: usize,
}

impl ItemKnnModel {
    /// scores[j] += Σ_i value_i · s(i, j) over the given (item, value) history.
    pub fn score_into(&self, history: &[u32], values: &[f32], scores: &mut [f32]) {
        for (&i, &r) in history.iter().zip(values) {
            let (js, ss) = self.neighbours.row(i as usize);
            for (&j, &s) in js.iter().zip(ss) {
                scores[j as usize] += r * s;
            }
        }
    }

    /// s(i, j), or 0 when j is not among i's neighbours.
    pub fn similarity(&self, i: usize, j: u32) -> f32 {
        let (js, ss) = self.neighbours.row(i);
        match js.binary_search(&j) {
            Ok(at) => ss[at],
            Err(_) => 0.0,
        }
    }
}
