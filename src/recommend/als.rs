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

use crate::error::{Error, Result};
use crate::recommend::interactions::Sparse;
use crate::recommend::simd::{self, axpy, dot, padded, symv, xpby};
use crate::rng::Rng;

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

/// ALS hyper-parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct AlsOptions {
    pub factors: usize,
    pub iterations: usize,
    pub regularization: f32,
    pub alpha: f32,
    pub scaling: ConfidenceScaling,
    /// CG steps per row and sweep (implicit uses 3).
    pub cg_steps: usize,
    pub seed: u64,
}

impl Default for AlsOptions {
    fn default() -> Self {
        AlsOptions {
            factors: 64,
            iterations: 15,
            regularization: 10.0,
            alpha: 1.0,
            scaling: ConfidenceScaling::Log,
            cg_steps: 3,
            seed: 42,
        }
    }
}

impl AlsOptions {
    pub fn validate(&self) -> Result<()> {
        if self.factors == 0 || self.factors > 1024 {
            return Err(Error::invalid(format!("factors must be between 1 and 1024, got {}", self.factors)));
        }
        if self.iterations > 1000 {
            return Err(Error::invalid(format!("iterations must be at most 1000, got {}", self.iterations)));
        }
        if !(self.regularization.is_finite() && self.regularization >= 0.0) {
            return Err(Error::invalid(format!(
                "regularization must be a finite number >= 0, got {}",
                self.regularization
            )));
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::invalid(format!("alpha must be a finite number >= 0, got {}", self.alpha)));
        }
        if self.cg_steps == 0 || self.cg_steps > 64 {
            return Err(Error::invalid(format!("cg_steps must be between 1 and 64, got {}", self.cg_steps)));
        }
        Ok(())
    }
}

/// CG steps used to (re)compute user factors from scratch after training and after loading:
/// enough for the 16–128-dimensional systems to converge to f32 precision in practice.
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

/// YᵀY + λI over `rows` rows of `stride` floats (the padded part gets λ on the diagonal too).
fn gramian(factors: &[f32], stride: usize, regularization: f32) -> Vec<f32> {
    // Accumulate the upper triangle in f64 (accurate and symmetric by construction; O(n f²/2),
    // not the hot loop), then mirror.
    let mut g = vec![0f64; stride * stride];
    for row in factors.chunks_exact(stride) {
        for a in 0..stride {
            let ra = row[a] as f64;
            if ra == 0.0 {
                continue;
            }
            let g_row = &mut g[a * stride + a..(a + 1) * stride];
            for (gb, rb) in g_row.iter_mut().zip(&row[a..]) {
                *gb += ra * *rb as f64;
            }
        }
    }
    for a in 0..stride {
        for b in 0..a {
            g[a * stride + b] = g[b * stride + a];
        }
        g[a * stride + a] += regularization as f64;
    }
    g.into_iter().map(|v| v as f32).collect()
}

/// Scratch vectors of one CG solve.
struct Scratch {
    r: Vec<f32>,
    p: Vec<f32>,
    ap: Vec<f32>,
}

/// A few CG steps on row `x` of the system (YᵀY + λI + Yᵀ(C−I)Y) x = YᵀCp, warm-started at x.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn cg_solve_row(
    yty: &[f32],
    other: &[f32],
    stride: usize,
    indices: &[u32],
    confidences: &[f32],
    x: &mut [f32],
    steps: usize,
    s: &mut Scratch,
) {
    let Scratch { r, p, ap } = s;
    // r = b − A x, b = Σ c_i y_i, A x = (YᵀY+λI) x + Σ (c_i − 1)(y_i·x) y_i.
    symv(yty, x, r);
    r.iter_mut().for_each(|v| *v = -*v);
    for (&i, &c) in indices.iter().zip(confidences) {
        let y = &other[i as usize * stride..(i as usize + 1) * stride];
        let w = c - (c - 1.0) * dot(y, x);
        axpy(w, y, r);
    }
    p.copy_from_slice(r);
    let mut rs_old = dot(r, r);
    if rs_old < 1e-20 {
        return;
    }
    for _ in 0..steps {
        symv(yty, p, ap);
        for (&i, &c) in indices.iter().zip(confidences) {
            let y = &other[i as usize * stride..(i as usize + 1) * stride];
            let w = (c - 1.0) * dot(y, p);
            axpy(w, y, ap);
        }
        let p_ap = dot(p, ap);
        if !(p_ap > 0.0) {
            break;
        }
        let step = rs_old / p_ap;
        axpy(step, p, x);
        axpy(-step, ap, r);
        let rs_new = dot(r, r);
        if rs_new < 1e-20 {
            break;
        }
        xpby(r, rs_new / rs_old, p);
        rs_old = rs_new;
    }
}

/// [`cg_solve_row`] for a fixed stride `S`: the same arithmetic in the same order (so the same
/// bits), with the vectors held in registers and the loops unrolled.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn cg_solve_row_n<const S: usize>(
    yty: &[[f32; S]],
    other: &[f32],
    indices: &[u32],
    confidences: &[f32],
    x_out: &mut [f32; S],
    steps: usize,
) {
    use crate::recommend::simd::{axpy_n, dot_n};
    let item = |i: u32| -> &[f32; S] {
        let start = i as usize * S;
        <&[f32; S]>::try_from(&other[start..start + S]).unwrap_or(&[0.0; S])
    };
    let symv_n = |v: &[f32; S], out: &mut [f32; S]| {
        *out = [0.0; S];
        for (row, &vj) in yty.iter().zip(v.iter()) {
            axpy_n(vj, row, out);
        }
    };
    let mut x = *x_out;
    let mut r = [0f32; S];
    symv_n(&x, &mut r);
    for v in r.iter_mut() {
        *v = -*v;
    }
    for (&i, &c) in indices.iter().zip(confidences) {
        let y = item(i);
        let w = c - (c - 1.0) * dot_n(y, &x);
        axpy_n(w, y, &mut r);
    }
    let mut p = r;
    let mut rs_old = dot_n(&r, &r);
    if rs_old < 1e-20 {
        return;
    }
    let mut ap = [0f32; S];
    for _ in 0..steps {
        symv_n(&p, &mut ap);
        for (&i, &c) in indices.iter().zip(confidences) {
            let y = item(i);
            let w = (c - 1.0) * dot_n(y, &p);
            axpy_n(w, y, &mut ap);
        }
        let p_ap = dot_n(&p, &ap);
        if !(p_ap > 0.0) {
            break;
        }
        let step = rs_old / p_ap;
        axpy_n(step, &p, &mut x);
        axpy_n(-step, &ap, &mut r);
        let rs_new = dot_n(&r, &r);
        if rs_new < 1e-20 {
            break;
        }
        let beta = rs_new / rs_old;
        for k in 0..S {
            p[k] = r[k] + beta * p[k];
        }
        rs_old = rs_new;
    }
    *x_out = x;
}

/// YᵀY + λI for a fixed stride, accumulated in f32 with vector multiply-adds (row by row, so in a
/// fixed order).
#[inline(always)]
fn gramian_n<const S: usize>(factors: &[f32], regularization: f32) -> Vec<[f32; S]> {
    use crate::recommend::simd::axpy_n;
    let mut g = vec![[0f32; S]; S];
    for row in factors.chunks_exact(S) {
        let Ok(row) = <&[f32; S]>::try_from(row) else { continue };
        for (a, g_row) in g.iter_mut().enumerate() {
            if row[a] != 0.0 {
                axpy_n(row[a], row, g_row);
            }
        }
    }
    for (a, g_row) in g.iter_mut().enumerate() {
        g_row[a] += regularization;
    }
    g
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn solve_rows_n<const S: usize>(
    matrix: &Sparse,
    confidences: &[f32],
    other: &[f32],
    this: &mut [f32],
    regularization: f32,
    steps: usize,
    from_zero: bool,
) {
    let yty = gramian_n::<S>(other, regularization);
    for (row, x) in this.chunks_exact_mut(S).enumerate() {
        let Ok(x) = <&mut [f32; S]>::try_from(x) else { continue };
        if from_zero {
            *x = [0.0; S];
        }
        let range = matrix.offsets[row]..matrix.offsets[row + 1];
        cg_solve_row_n::<S>(&yty, other, &matrix.indices[range.clone()], &confidences[range], x, steps);
    }
}

/// Every row of `this` (rows of `matrix`) solved by CG against the fixed `other` side; common
/// strides take the unrolled fixed-size path.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn solve_rows(
    matrix: &Sparse,
    confidences: &[f32],
    other: &[f32],
    this: &mut [f32],
    stride: usize,
    regularization: f32,
    steps: usize,
    from_zero: bool,
) {
    // Fixed-stride kernels let the compiler keep a row in registers; in wasm only the default
    // (64 factors) gets one, since each copy costs ~8 KB of the module's size budget.
    match stride {
        #[cfg(not(target_arch = "wasm32"))]
        16 => solve_rows_n::<16>(matrix, confidences, other, this, regularization, steps, from_zero),
        #[cfg(not(target_arch = "wasm32"))]
        32 => solve_rows_n::<32>(matrix, confidences, other, this, regularization, steps, from_zero),
        #[cfg(not(target_arch = "wasm32"))]
        48 => solve_rows_n::<48>(matrix, confidences, other, this, regularization, steps, from_zero),
        64 => solve_rows_n::<64>(matrix, confidences, other, this, regularization, steps, from_zero),
        #[cfg(not(target_arch = "wasm32"))]
        96 => solve_rows_n::<96>(matrix, confidences, other, this, regularization, steps, from_zero),
        #[cfg(not(target_arch = "wasm32"))]
        128 => solve_rows_n::<128>(matrix, confidences, other, this, regularization, steps, from_zero),
        _ => {
            let yty = gramian(other, stride, regularization);
            solve_rows_dynamic(matrix, confidences, other, this, stride, &yty, steps, from_zero)
        }
    }
}

/// Any stride.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn solve_rows_dynamic(
    matrix: &Sparse,
    confidences: &[f32],
    other: &[f32],
    this: &mut [f32],
    stride: usize,
    yty: &[f32],
    steps: usize,
    from_zero: bool,
) {
    let mut scratch = Scratch { r: vec![0.0; stride], p: vec![0.0; stride], ap: vec![0.0; stride] };
    for (row, x) in this.chunks_exact_mut(stride).enumerate() {
        if from_zero {
            x.iter_mut().for_each(|v| *v = 0.0);
        }
        let range = matrix.offsets[row]..matrix.offsets[row + 1];
        cg_solve_row(yty, other, stride, &matrix.indices[range.clone()], &confidences[range], x, steps, &mut scratch);
    }
}

crate::simd_dispatch!(fn solve_rows_dispatch(
    matrix: &Sparse,
    confidences: &[f32],
    other: &[f32],
    this: &mut [f32],
    stride: usize,
    regularization: f32,
    steps: usize,
    from_zero: bool,
) => solve_rows);

/// One half-sweep: solve every row of `this` (rows of `matrix`) against the fixed `other` side.
#[allow(clippy::too_many_arguments)]
fn solve_side(
    matrix: &Sparse,
    confidences: &[f32],
    other: &[f32],
    this: &mut [f32],
    stride: usize,
    regularization: f32,
    steps: usize,
    from_zero: bool,
) {
    solve_rows_dispatch(matrix, confidences, other, this, stride, regularization, steps, from_zero);
}

fn confidences(matrix: &Sparse, scaling: ConfidenceScaling, alpha: f32) -> Vec<f32> {
    matrix.values.iter().map(|&r| scaling.confidence(alpha, r)).collect()
}

impl AlsModel {
    /// Fits on the customer × item matrix (CSR) and its transpose (CSC); `progress` gets the
    /// fraction done after every iteration.
    pub fn fit(
        by_customer: &Sparse,
        by_item: &Sparse,
        options: &AlsOptions,
        progress: &mut dyn FnMut(f64),
    ) -> Result<AlsModel> {
        options.validate()?;
        let stride = padded(options.factors);
        let (users, items) = (by_customer.rows(), by_item.rows());
        let mut rng = Rng::new(options.seed);
        // Small positive random start (as implicit: uniform [0, 0.01)); the padding stays zero.
        let mut init = |rows: usize| {
            let mut v = vec![0f32; rows * stride];
            for row in v.chunks_exact_mut(stride) {
                for x in row[..options.factors].iter_mut() {
                    *x = (rng.uniform() * 0.01) as f32;
                }
            }
            v
        };
        let mut user_factors = init(users);
        let mut item_factors = init(items);
        let user_conf = confidences(by_customer, options.scaling, options.alpha);
        let item_conf = confidences(by_item, options.scaling, options.alpha);
        for it in 0..options.iterations {
            solve_side(by_customer, &user_conf, &item_factors, &mut user_factors, stride, options.regularization, options.cg_steps, false);
            solve_side(by_item, &item_conf, &user_factors, &mut item_factors, stride, options.regularization, options.cg_steps, false);
            progress((it + 1) as f64 / options.iterations.max(1) as f64);
        }
        if options.iterations == 0 {
            progress(1.0);
        }
        if item_factors.iter().any(|v| !v.is_finite()) {
            return Err(Error::NotIdentifiable(
                "ALS diverged (non-finite factors); raise regularization".into(),
            ));
        }
        let mut model = AlsModel {
            factors: options.factors,
            stride,
            regularization: options.regularization,
            alpha: options.alpha,
            scaling: options.scaling,
            user_factors: Vec::new(),
            item_factors,
            item_panels: Vec::new(),
        };
        model.prepare_with(by_customer);
        Ok(model)
    }

    /// User factors solved from scratch against the item factors, deterministically. Run at the
    /// end of training and again after loading, so saved models need not carry user factors and
    /// a loaded model recommends exactly as the trained one did.
    pub fn compute_user_factors(&self, by_customer: &Sparse) -> Vec<f32> {
        let mut user_factors = vec![0f32; by_customer.rows() * self.stride];
        let conf = confidences(by_customer, self.scaling, self.alpha);
        solve_side(
            by_customer,
            &conf,
            &self.item_factors,
            &mut user_factors,
            self.stride,
            self.regularization,
            FOLD_IN_CG_STEPS,
            true,
        );
        user_factors
    }

    /// Derives user factors (from the purchases) and the scoring panels: after fit and load.
    pub fn prepare_with(&mut self, by_customer: &Sparse) {
        self.user_factors = self.compute_user_factors(by_customer);
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
    /// against the item factors — the fold-in of Hu et al. §4 without retraining.
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
        let row = Sparse { offsets: vec![0, idx.len()], indices: idx, values: val };
        self.compute_user_factors(&row)
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
