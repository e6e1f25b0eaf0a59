//! Implicit-feedback alternating least squares (Hu, Koren & Volinsky 2008, "Collaborative
//! Filtering for Implicit Feedback Datasets"), solved per row by a few conjugate-gradient steps
//! warm-started from the previous iterate (Takács, Pilászy & Tikk 2011, "Applications of the
//! conjugate gradient method for implicit feedback collaborative filtering"), as Python
//! `implicit` does.
//!
//! Model (Hu et al. eq. 3): minimise Σ_{u,i} c_ui (p_ui − x_uᵀ y_i)² + λ (Σ|x_u|² + Σ|y_i|²) with
//! preference p_ui = [r_ui > 0] and confidence c_ui = 1 + α r_ui (linear) or
//! c_ui = 1 + α log(1 + r_ui) (the paper's log scaling, eq. 6 with ε = 1).
//! For fixed Y the row optimum solves (YᵀY + Yᵀ(C_u − I)Y + λI) x_u = Yᵀ C_u p_u (eq. 4), whose
//! left side costs O(f²) to apply thanks to the shared YᵀY — which is what CG exploits.
//!
//! Factors are f32, padded with zeros to a multiple of [`simd::LANES`] (the padding stays zero:
//! its rows and columns of the system are λI with a zero right side).
//!
//! Files: this one holds the fitted model and everything that scores with it (what a serving
//! build ships); [`cg`] the plain conjugate-gradient row solve that folds a basket in; `kernels`
//! (full build) the fast fixed-stride row solves of training; `fit` (full build) the training
//! sweeps, their options and the final user factors.

mod cg;
#[cfg(feature = "fit")]
mod fit;
#[cfg(feature = "fit")]
mod kernels;

#[cfg(feature = "fit")]
pub use fit::AlsOptions;

use crate::recommend::simd;

/// How counts become confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfidenceScaling {
    /// c = 1 + α r (Hu et al. eq. 5).
    Linear,
    /// c = 1 + α log(1 + r) (Hu et al. eq. 6, ε = 1).
    Log,
}

impl ConfidenceScaling {
    pub fn code(self) -> u8 {
        match self {
            ConfidenceScaling::Linear => 0,
            ConfidenceScaling::Log => 1,
        }
    }
    pub fn from_code(c: u8) -> Option<Self> {
        match c {
            0 => Some(ConfidenceScaling::Linear),
            1 => Some(ConfidenceScaling::Log),
            _ => None,
        }
    }
    #[inline]
    pub fn confidence(self, alpha: f32, r: f32) -> f32 {
        match self {
            ConfidenceScaling::Linear => 1.0 + alpha * r,
            ConfidenceScaling::Log => 1.0 + alpha * r.ln_1p(),
        }
    }
}

/// CG steps used to compute user factors from scratch (after training, when loading format-1
/// bytes, and to fold a basket in): enough for the 16–128-dimensional systems to converge to f32
/// precision in practice.
pub const FOLD_IN_CG_STEPS: usize = 12;

/// A fitted ALS model: user and item factors, row-major with `stride` floats per row.
#[derive(Debug, Clone, PartialEq)]
pub struct AlsModel {
    pub factors: usize,
    pub stride: usize,
    pub regularization: f32,
    pub alpha: f32,
    pub scaling: ConfidenceScaling,
    pub user_factors: Vec<f32>,
    pub item_factors: Vec<f32>,
    /// The item factors as scoring panels ([`simd::to_panels`]); derived, not saved.
    pub item_panels: Vec<f32>,
}

impl AlsModel {
    /// Derives the scoring panels from the item factors: after fit and load.
    pub fn prepare_panels(&mut self) {
        self.item_panels = simd::to_panels(&self.item_factors, self.stride, self.factors);
    }

    pub fn items(&self) -> usize {
        self.item_factors.len() / self.stride
    }
    pub fn user(&self, u: usize) -> &[f32] {
        &self.user_factors[u * self.stride..(u + 1) * self.stride]
    }
    pub fn item(&self, i: usize) -> &[f32] {
        &self.item_factors[i * self.stride..(i + 1) * self.stride]
    }

    /// A user vector for an anonymous basket (item indices with counts), solved as a new row
    /// against the item factors — the fold-in of Hu et al. §4 without retraining — by the same
    /// CG solve as training's user factors (the serving build by its plain copy, same bits).
    pub fn fold_in(&self, items: &[u32], values: &[f32]) -> Vec<f32> {
        let mut order: Vec<usize> = (0..items.len()).collect();
        crate::sort::sort_by(&mut order, &|&a, &b| items[a].cmp(&items[b]).then(a.cmp(&b)));
        let mut idx = Vec::with_capacity(items.len());
        let mut val: Vec<f32> = Vec::with_capacity(items.len());
        for k in order {
            if idx.last() == Some(&items[k]) {
                *val.last_mut().expect("a value") += values[k];
            } else {
                idx.push(items[k]);
                val.push(values[k]);
            }
        }
        // The full build solves the row with training's kernels (no second copy of the solver in
        // its module), the serving build with the plain solve: the same bits either way.
        #[cfg(feature = "fit")]
        return self.compute_user_factors(&crate::recommend::interactions::Sparse { offsets: vec![0, idx.len()], indices: idx, values: val });
        #[cfg(not(feature = "fit"))]
        {
            let confidences: Vec<f32> = val.iter().map(|&r| self.scaling.confidence(self.alpha, r)).collect();
            cg::solve_row(&self.item_factors, self.stride, self.regularization, &idx, &confidences, FOLD_IN_CG_STEPS)
        }
    }

    /// Scores of every item for a user vector, into `scores`.
    pub fn score_all(&self, user: &[f32], scores: &mut [f32]) {
        if self.item_panels.is_empty() {
            simd::matvec_rows_dispatch(&self.item_factors, self.stride, user, scores);
        } else {
            simd::panel_scores_dispatch(&self.item_panels, self.factors, user, scores);
        }
    }

    /// Per-past-item contributions to the score of `item` for a user with `history` (item
    /// indices and counts): score = y_iᵀ W⁻¹ Σ_j c_j y_j with W = YᵀY + λI + Yᵀ(C_u − I)Y, so item
    /// j contributes c_j · y_iᵀ W⁻¹ y_j (implicit's `explain`, from Hu et al. §5). Solved in f64
    /// by Cholesky.
    pub fn explain(&self, history: &[u32], values: &[f32], item: usize) -> Vec<f64> {
        let f = self.factors;
        let stride = self.stride;
        let mut w = vec![0f64; f * f];
        for row in self.item_factors.chunks_exact(stride) {
            for a in 0..f {
                for b in 0..f {
                    w[a * f + b] += row[a] as f64 * row[b] as f64;
                }
            }
        }
        for d in 0..f {
            w[d * f + d] += self.regularization as f64;
        }
        let confidences: Vec<f64> =
            values.iter().map(|&r| self.scaling.confidence(self.alpha, r) as f64).collect();
        for (&j, &c) in history.iter().zip(&confidences) {
            let y = self.item(j as usize);
            for a in 0..f {
                for b in 0..f {
                    w[a * f + b] += (c - 1.0) * y[a] as f64 * y[b] as f64;
                }
            }
        }
        let target: Vec<f64> = self.item(item)[..f].iter().map(|v| *v as f64).collect();
        let Some(weighted) = cholesky_solve(&mut w, f, &target) else {
            return vec![0.0; history.len()];
        };
        history
            .iter()
            .zip(&confidences)
            .map(|(&j, &c)| {
                let y = self.item(j as usize);
                c * (0..f).map(|a| weighted[a] * y[a] as f64).sum::<f64>()
            })
            .collect()
    }
}

/// Solves `a x = b` for a symmetric positive-definite `a` (overwritten by its Cholesky factor).
fn cholesky_solve(a: &mut [f64], n: usize, b: &[f64]) -> Option<Vec<f64>> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if !(d > 0.0) {
            return None;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= a[i * n + k] * y[k];
        }
        y[i] /= a[i * n + i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= a[k * n + i] * y[k];
        }
        y[i] /= a[i * n + i];
    }
    Some(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::simd::{dot, padded};
    use crate::rng::Rng;

    /// The CG row solve converges to the exact normal-equation solution (checked by Cholesky).
    #[test]
    fn fold_in_matches_exact_solution() {
        let mut rng = Rng::new(3);
        let (items, f) = (40usize, 8usize);
        let stride = padded(f);
        let mut item_factors = vec![0f32; items * stride];
        for row in item_factors.chunks_exact_mut(stride) {
            for x in row[..f].iter_mut() {
                *x = rng.normal() as f32 * 0.3;
            }
        }
        let model = AlsModel {
            factors: f,
            stride,
            regularization: 0.5,
            alpha: 2.0,
            scaling: ConfidenceScaling::Linear,
            user_factors: vec![],
            item_factors,
            item_panels: vec![],
        };
        let basket = [3u32, 7, 19, 25];
        let counts = [1.0f32, 3.0, 1.0, 2.0];
        let x = model.fold_in(&basket, &counts);
        // Exact: (YᵀY + λI + Σ(c−1) y yᵀ) x = Σ c y.
        let mut w = vec![0f64; f * f];
        for i in 0..items {
            let y = model.item(i);
            for a in 0..f {
                for b in 0..f {
                    w[a * f + b] += y[a] as f64 * y[b] as f64;
                }
            }
        }
        let mut rhs = vec![0f64; f];
        for d in 0..f {
            w[d * f + d] += 0.5;
        }
        for (&j, &r) in basket.iter().zip(&counts) {
            let c = 1.0 + 2.0 * r as f64;
            let y = model.item(j as usize);
            for a in 0..f {
                rhs[a] += c * y[a] as f64;
                for b in 0..f {
                    w[a * f + b] += (c - 1.0) * y[a] as f64 * y[b] as f64;
                }
            }
        }
        let exact = cholesky_solve(&mut w, f, &rhs).unwrap();
        for a in 0..f {
            assert!((x[a] as f64 - exact[a]).abs() < 1e-3, "{a}: {} vs {}", x[a], exact[a]);
        }
        assert!(x[f..].iter().all(|v| *v == 0.0), "padding stays zero");
        // explain's contributions sum to the score.
        let score: f64 = dot(&x, model.item(5)) as f64;
        let total: f64 = model.explain(&basket, &counts, 5).iter().sum();
        assert!((score - total).abs() < 1e-3, "{score} vs {total}");
    }
}
