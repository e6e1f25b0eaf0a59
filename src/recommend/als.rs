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
use crate::recommend::simd::{self, axpy, dot, padded, reduce, symv, xpby, LANES};
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

/// Output columns per pass of [`symv_n`]: enough independent sums to hide the add latency, few
/// enough to stay in registers (wasm engines have 16 vector registers on x86-64; AVX2 has 16
/// ymm, twice as wide).
#[cfg(target_arch = "wasm32")]
const SYMV_BLOCK: usize = 32;
#[cfg(not(target_arch = "wasm32"))]
const SYMV_BLOCK: usize = 64;

/// Columns `c .. c + B` of `out = a · v` (a symmetric, rows `a[j]`): Σ_j v_j a[j, :] summed in
/// the fixed order j = 0, 1, … from zero — the same arithmetic as [`simd::symv`], with the `B`
/// partial sums held in registers while the rows stream by.
#[inline(always)]
fn symv_block<const S: usize, const B: usize>(a: &[[f32; S]], v: &[f32; S], out: &mut [f32; S], c: usize) {
    let mut acc = [0f32; B];
    for (row, &vj) in a.iter().zip(v.iter()) {
        let Some(row) = row.get(c..c + B) else { return };
        for t in 0..B {
            acc[t] += vj * row[t];
        }
    }
    if let Some(o) = out.get_mut(c..c + B) {
        o.copy_from_slice(&acc);
    }
}

/// `out = a · v` for a symmetric `S × S` matrix (`S` a multiple of [`simd::LANES`]).
#[inline(always)]
fn symv_n<const S: usize>(a: &[[f32; S]], v: &[f32; S], out: &mut [f32; S]) {
    let mut c = 0;
    while c + SYMV_BLOCK <= S {
        symv_block::<S, SYMV_BLOCK>(a, v, out, c);
        c += SYMV_BLOCK;
    }
    while c + 2 * LANES <= S {
        symv_block::<S, { 2 * LANES }>(a, v, out, c);
        c += 2 * LANES;
    }
    while c + LANES <= S {
        symv_block::<S, LANES>(a, v, out, c);
        c += LANES;
    }
}

/// `(a · v, b · v)`: two [`simd::dot_n`]s sharing the loads of `v` (same lanes, same order, so
/// the same results as two separate calls).
#[inline(always)]
fn dot2_n<const S: usize>(v: &[f32; S], a: &[f32; S], b: &[f32; S]) -> (f32, f32) {
    let (mut acc_a, mut acc_b) = ([0f32; LANES], [0f32; LANES]);
    let mut c = 0;
    while c + LANES <= S {
        for l in 0..LANES {
            acc_a[l] += a[c + l] * v[c + l];
            acc_b[l] += b[c + l] * v[c + l];
        }
        c += LANES;
    }
    let (mut sa, mut sb) = (reduce(acc_a), reduce(acc_b));
    for i in c..S {
        sa += a[i] * v[i];
        sb += b[i] * v[i];
    }
    (sa, sb)
}

/// `y += wa · a; y += wb · b` in one pass over `y` (each element updated in that order, so the
/// same results as two [`simd::axpy_n`]s).
#[inline(always)]
fn axpy2_n<const S: usize>(wa: f32, a: &[f32; S], wb: f32, b: &[f32; S], y: &mut [f32; S]) {
    for k in 0..S {
        y[k] = (y[k] + wa * a[k]) + wb * b[k];
    }
}

/// `out += Σ_k weight(k, y_k · v) · y_k` over the rows `y_k` of `other` listed in `indices`, in
/// order: the sparse part Yᵀ(C−I)Y v (or the right side) of a CG row solve. Rows go two at a
/// time so each load of `v` and `out` serves two of them; the results are those of the plain
/// one-row-at-a-time loop.
#[inline(always)]
fn sparse_update<const S: usize>(
    other: &[f32],
    indices: &[u32],
    confidences: &[f32],
    v: &[f32; S],
    out: &mut [f32; S],
    weight: impl Fn(f32, f32) -> f32,
) {
    use crate::recommend::simd::{axpy_n, dot_n};
    let item = |i: u32| -> &[f32; S] {
        let start = i as usize * S;
        other.get(start..start + S).and_then(|s| <&[f32; S]>::try_from(s).ok()).unwrap_or(&[0.0; S])
    };
    let n = indices.len().min(confidences.len());
    let mut k = 0;
    while k + 2 <= n {
        let (ya, yb) = (item(indices[k]), item(indices[k + 1]));
        let (da, db) = dot2_n(v, ya, yb);
        axpy2_n(weight(confidences[k], da), ya, weight(confidences[k + 1], db), yb, out);
        k += 2;
    }
    if k < n {
        let y = item(indices[k]);
        axpy_n(weight(confidences[k], dot_n(y, v)), y, out);
    }
}

/// The CG row solve's kernels in explicit x86-64 AVX2, lane for lane the arithmetic of the
/// portable ones (so the same bits; a test checks the whole solve against the plain one):
/// - the sparse part (64 factors) four item rows at a time: the dot products of four rows with
///   `v` share each load of `v` and reduce together (packed shuffles instead of four lane trees,
///   the same pairwise order as [`simd::reduce`]), and `out` is loaded and stored once per four
///   rows, updated row after row as in [`sparse_update`];
/// - YᵀY·v with its 64 column sums held in registers, summed over the rows in order as in
///   [`symv_n`];
/// - the whole 64-factor row solve as one function of its own ([`x86::cg_solve_row64`]).
#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;

    /// Four dot products `ys[i] · v` (64 floats each), each as [`crate::recommend::simd::dot_n`]
    /// computes it.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn dot4(v: *const f32, ys: [*const f32; 4]) -> [f32; 4] {
        // Lanes 0–7 and 8–15 of each row's 16-lane accumulator.
        let zero = _mm256_setzero_ps();
        let mut lo = [zero; 4];
        let mut hi = [zero; 4];
        for c in 0..4 {
            let v_lo = _mm256_loadu_ps(v.add(16 * c));
            let v_hi = _mm256_loadu_ps(v.add(16 * c + 8));
            for i in 0..4 {
                lo[i] = _mm256_add_ps(lo[i], _mm256_mul_ps(_mm256_loadu_ps(ys[i].add(16 * c)), v_lo));
                hi[i] = _mm256_add_ps(hi[i], _mm256_mul_ps(_mm256_loadu_ps(ys[i].add(16 * c + 8)), v_hi));
            }
        }
        // 16 → 8: a[l] + a[l + 8].
        let t: [__m256; 4] = core::array::from_fn(|i| _mm256_add_ps(lo[i], hi[i]));
        // 8 → 4: a[l] + a[l + 4], rows 0|1 and 2|3 packed in the two 128-bit halves.
        let s01 = _mm256_add_ps(_mm256_permute2f128_ps::<0x20>(t[0], t[1]), _mm256_permute2f128_ps::<0x31>(t[0], t[1]));
        let s23 = _mm256_add_ps(_mm256_permute2f128_ps::<0x20>(t[2], t[3]), _mm256_permute2f128_ps::<0x31>(t[2], t[3]));
        // 4 → 2: a[l] + a[l + 2]; per half [row0 a0, row0 a1, row2 a0, row2 a1] (rows 1, 3 in the high half).
        let z = _mm256_add_ps(_mm256_shuffle_ps::<0b01_00_01_00>(s01, s23), _mm256_shuffle_ps::<0b11_10_11_10>(s01, s23));
        // 2 → 1: a0 + a1; per half [row0, row2, ·, ·] and [row1, row3, ·, ·].
        let w = _mm256_add_ps(_mm256_shuffle_ps::<0b10_00_10_00>(z, z), _mm256_shuffle_ps::<0b11_01_11_01>(z, z));
        let mut lanes = [0f32; 8];
        _mm256_storeu_ps(lanes.as_mut_ptr(), w);
        [lanes[0], lanes[4], lanes[1], lanes[5]]
    }

    /// `out += w₀ y₀; …; out += w₃ y₃`, each element updated in that order.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn axpy4(w: [f32; 4], ys: [*const f32; 4], out: *mut f32) {
        let w: [__m256; 4] = core::array::from_fn(|i| _mm256_set1_ps(w[i]));
        for k in 0..8 {
            let mut o = _mm256_loadu_ps(out.add(8 * k));
            for i in 0..4 {
                o = _mm256_add_ps(o, _mm256_mul_ps(w[i], _mm256_loadu_ps(ys[i].add(8 * k))));
            }
            _mm256_storeu_ps(out.add(8 * k), o);
        }
    }

    /// `out = a · v` for a symmetric `S × S` matrix, `S` a multiple of 64, as
    /// [`super::symv_n`] sums it: every output element over j = 0, 1, … from zero, 64 columns at
    /// a time with their sums in eight registers. (The portable kernel, auto-vectorised, runs
    /// about 3× slower: its sums do not stay in registers.)
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn symv<const S: usize>(a: &[[f32; S]], v: &[f32; S], out: &mut [f32; S]) {
        debug_assert!(S % 64 == 0);
        for c in (0..S / 64 * 64).step_by(64) {
            let mut acc = [_mm256_setzero_ps(); 8];
            for (row, &vj) in a.iter().zip(v.iter()) {
                let vj = _mm256_set1_ps(vj);
                let row = row[c..c + 64].as_ptr();
                for (t, slot) in acc.iter_mut().enumerate() {
                    *slot = _mm256_add_ps(*slot, _mm256_mul_ps(vj, _mm256_loadu_ps(row.add(8 * t))));
                }
            }
            for (t, slot) in acc.iter().enumerate() {
                _mm256_storeu_ps(out[c..c + 64].as_mut_ptr().add(8 * t), *slot);
            }
        }
    }

    /// [`super::cg_solve_row_n`] for 64 factors with the AVX2 kernels, not inlined (see
    /// [`super::cg_solve_row_for`]).
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    pub unsafe fn cg_solve_row64(yty: &[[f32; 64]], other: &[f32], indices: &[u32], confidences: &[f32], x: &mut [f32; 64], steps: usize) {
        super::cg_solve_row_n::<64, true>(yty, other, indices, confidences, x, steps)
    }

    /// See [`super::sparse_update`] (for 64 floats per row); rows past a multiple of four go to it.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn sparse_update64(
        other: &[f32],
        indices: &[u32],
        confidences: &[f32],
        v: &[f32; 64],
        out: &mut [f32; 64],
        weight: impl Fn(f32, f32) -> f32,
    ) {
        let n = indices.len().min(confidences.len());
        let rows = other.len() / 64;
        let mut k = 0;
        while k + 4 <= n {
            let at: [usize; 4] = core::array::from_fn(|i| indices[k + i] as usize);
            if at.iter().any(|&i| i >= rows) {
                break;
            }
            // SAFETY: every index is below `rows`, so each 64-float row lies inside `other`.
            let ys: [*const f32; 4] = at.map(|i| other.as_ptr().add(64 * i));
            let d = dot4(v.as_ptr(), ys);
            let w: [f32; 4] = core::array::from_fn(|i| weight(confidences[k + i], d[i]));
            axpy4(w, ys, out.as_mut_ptr());
            k += 4;
        }
        super::sparse_update(other, &indices[k..n], &confidences[k..n], v, out, weight);
    }
}

/// [`sparse_update`], by the explicit AVX2 kernel for 64 floats per row when `AVX2` (callers
/// pass it only where the CPU has AVX2).
#[inline(always)]
fn sparse_update_n<const S: usize, const AVX2: bool>(
    other: &[f32],
    indices: &[u32],
    confidences: &[f32],
    v: &[f32; S],
    out: &mut [f32; S],
    weight: impl Fn(f32, f32) -> f32,
) {
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        if let (Ok(v), Ok(out)) = (<&[f32; 64]>::try_from(&v[..]), <&mut [f32; 64]>::try_from(&mut out[..])) {
            // SAFETY: AVX2 is true only in code compiled for and run on CPUs with AVX2.
            return unsafe { x86::sparse_update64(other, indices, confidences, v, out, weight) };
        }
    }
    sparse_update(other, indices, confidences, v, out, weight)
}

/// [`symv_n`], by the explicit AVX2 kernel for strides that are multiples of 64 when `AVX2`
/// (callers pass it only where the CPU has AVX2).
#[inline(always)]
fn symv_n_for<const S: usize, const AVX2: bool>(a: &[[f32; S]], v: &[f32; S], out: &mut [f32; S]) {
    #[cfg(target_arch = "x86_64")]
    if AVX2 && S % 64 == 0 {
        // SAFETY: AVX2 is true only in code compiled for and run on CPUs with AVX2.
        return unsafe { x86::symv(a, v, out) };
    }
    symv_n(a, v, out)
}

/// [`cg_solve_row`] for a fixed stride `S`: the same arithmetic in the same order (so the same
/// bits), restructured for speed: the YᵀY product by column blocks, the sparse part two rows at
/// a time, and the x, r and r·r updates in one pass.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn cg_solve_row_n<const S: usize, const AVX2: bool>(
    yty: &[[f32; S]],
    other: &[f32],
    indices: &[u32],
    confidences: &[f32],
    x_out: &mut [f32; S],
    steps: usize,
) {
    use crate::recommend::simd::dot_n;
    let mut x = *x_out;
    let mut r = [0f32; S];
    symv_n_for::<S, AVX2>(yty, &x, &mut r);
    for v in r.iter_mut() {
        *v = -*v;
    }
    sparse_update_n::<S, AVX2>(other, indices, confidences, &x, &mut r, |c, d| c - (c - 1.0) * d);
    let mut p = r;
    let mut rs_old = dot_n(&r, &r);
    if rs_old < 1e-20 {
        return;
    }
    let mut ap = [0f32; S];
    for _ in 0..steps {
        symv_n_for::<S, AVX2>(yty, &p, &mut ap);
        sparse_update_n::<S, AVX2>(other, indices, confidences, &p, &mut ap, |c, d| (c - 1.0) * d);
        let p_ap = dot_n(&p, &ap);
        if !(p_ap > 0.0) {
            break;
        }
        let step = rs_old / p_ap;
        // x += step p; r += −step ap; r·r — one pass, each element and lane in dot_n's order.
        let mut acc = [0f32; LANES];
        let mut c = 0;
        while c + LANES <= S {
            for l in 0..LANES {
                let k = c + l;
                x[k] += step * p[k];
                r[k] += -step * ap[k];
                acc[l] += r[k] * r[k];
            }
            c += LANES;
        }
        let mut rs_new = reduce(acc);
        for k in c..S {
            x[k] += step * p[k];
            r[k] += -step * ap[k];
            rs_new += r[k] * r[k];
        }
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

/// [`cg_solve_row_n`]; with `AVX2` and 64 factors through [`x86::cg_solve_row64`], a function of
/// its own: inlined into the big per-side loop the solve's vectors crowd the registers (the
/// symv sums spill to the stack).
#[inline(always)]
fn cg_solve_row_for<const S: usize, const AVX2: bool>(
    yty: &[[f32; S]],
    other: &[f32],
    indices: &[u32],
    confidences: &[f32],
    x: &mut [f32; S],
    steps: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if AVX2 && S == 64 {
        // SAFETY: S == 64, so [f32; S] is [f32; 64] (the casts only restate the type).
        let (yty64, x64) = unsafe {
            (core::slice::from_raw_parts(yty.as_ptr() as *const [f32; 64], yty.len()), &mut *(x as *mut [f32; S] as *mut [f32; 64]))
        };
        // SAFETY: AVX2 is true only in code compiled for and run on CPUs with AVX2.
        return unsafe { x86::cg_solve_row64(yty64, other, indices, confidences, x64, steps) };
    }
    cg_solve_row_n::<S, AVX2>(yty, other, indices, confidences, x, steps)
}

/// The 64-factor CG row solve in explicit wasm `simd128`: the arithmetic of [`cg_solve_row_n`]
/// lane for lane and in the same order (so the same bits as natively), written so that a wasm
/// engine, which has 16 vector registers, keeps at most about a dozen values live: vectors live
/// in memory and stream through registers a block at a time, dot products reduce with shuffles
/// instead of sixteen lane extractions.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm64 {
    use core::arch::wasm32::*;

    /// Output vectors per pass of [`symv`] (6, 6 and 4): six independent sums are enough to
    /// keep the adds busy, and V8, with 16 vector registers, spilled some of eight.
    const SYMV_A: usize = 6;
    /// Item rows per pass of the sparse part.
    const SPARSE_ROWS: usize = 2;

    /// 64 floats, aligned for v128 loads.
    #[derive(Clone, Copy)]
    #[repr(C, align(16))]
    pub struct Vector(pub [f32; 64]);

    #[inline(always)]
    fn ld(v: &[f32; 64], k: usize) -> v128 {
        debug_assert!(k < 16);
        // SAFETY: k < 16, so the 16 bytes at 4k floats lie inside the 64-float array (wasm loads
        // need no alignment).
        unsafe { v128_load(v.as_ptr().add(4 * (k & 15)) as *const v128) }
    }
    #[inline(always)]
    fn st(v: &mut [f32; 64], k: usize, x: v128) {
        // SAFETY: as in `ld`.
        unsafe { v128_store(v.as_mut_ptr().add(4 * (k & 15)) as *mut v128, x) }
    }
    #[inline(always)]
    fn madd(acc: v128, a: v128, b: v128) -> v128 {
        f32x4_add(acc, f32x4_mul(a, b))
    }
    /// `simd::reduce` of the 16 lanes held as four vectors (lanes 0–3, 4–7, 8–11, 12–15).
    #[inline(always)]
    fn reduce(a: [v128; 4]) -> f32 {
        let s = f32x4_add(f32x4_add(a[0], a[2]), f32x4_add(a[1], a[3]));
        let t = f32x4_add(s, i32x4_shuffle::<2, 3, 2, 3>(s, s));
        f32x4_extract_lane::<0>(t) + f32x4_extract_lane::<1>(t)
    }
    #[inline(always)]
    pub fn dot(a: &[f32; 64], b: &[f32; 64]) -> f32 {
        let mut acc = [f32x4_splat(0.0); 4];
        for c in 0..4 {
            for (j, slot) in acc.iter_mut().enumerate() {
                *slot = madd(*slot, ld(a, 4 * c + j), ld(b, 4 * c + j));
            }
        }
        reduce(acc)
    }
    /// `out += Σ_i weight(c_i, ys[i] · v) · ys[i]` for `R` rows: each dot product as [`dot`]
    /// sums it, then `out` updated row after row, element by element (`out += w_i · ys[i]`).
    /// Written as loops over `blocks` (4) blocks of 16 floats, a count the compiler does not
    /// know: unrolled, LLVM loads each item row once for both passes and V8 then spills the 16
    /// loaded vectors to the stack; as loops, each iteration keeps few vectors live.
    #[inline(always)]
    fn update_rows<const R: usize>(
        v: &[f32; 64],
        ys: [&[f32; 64]; R],
        confidences: &[f32],
        out: &mut [f32; 64],
        weight: &impl Fn(f32, f32) -> f32,
        blocks: usize,
    ) {
        let mut acc = [[f32x4_splat(0.0); 4]; R];
        for c in 0..blocks {
            for j in 0..4 {
                let vk = ld(v, 4 * c + j);
                for (acc_i, y) in acc.iter_mut().zip(ys) {
                    acc_i[j] = madd(acc_i[j], ld(y, 4 * c + j), vk);
                }
            }
        }
        let w: [v128; R] = core::array::from_fn(|i| f32x4_splat(weight(confidences[i], reduce(acc[i]))));
        for c in 0..blocks {
            for j in 0..4 {
                let k = 4 * c + j;
                let mut o = ld(out, k);
                for (wi, y) in w.iter().zip(ys) {
                    o = f32x4_add(o, f32x4_mul(*wi, ld(y, k)));
                }
                st(out, k, o);
            }
        }
    }
    /// `out = a · v`, 24, 24 and 16 output columns at a time, each summed over j = 0, 1, … from
    /// zero.
    #[inline(always)]
    fn symv(a: &[[f32; 64]], v: &[f32; 64], out: &mut [f32; 64]) {
        symv_columns::<SYMV_A>(a, v, out, 0);
        symv_columns::<SYMV_A>(a, v, out, SYMV_A);
        symv_columns::<{ 16 - 2 * SYMV_A }>(a, v, out, 2 * SYMV_A);
    }
    /// Vectors `first .. first + B` of `out = a · v`, each summed over j = 0, 1, … from zero.
    #[inline(always)]
    fn symv_columns<const B: usize>(a: &[[f32; 64]], v: &[f32; 64], out: &mut [f32; 64], first: usize) {
        let mut acc = [f32x4_splat(0.0); B];
        for (row, &vj) in a.iter().zip(v.iter()) {
            let vj = f32x4_splat(vj);
            for (t, slot) in acc.iter_mut().enumerate() {
                *slot = f32x4_add(*slot, f32x4_mul(vj, ld(row, first + t)));
            }
        }
        for (t, slot) in acc.iter().enumerate() {
            st(out, first + t, *slot);
        }
    }
    #[inline(always)]
    fn sparse_update(
        other: &[f32],
        indices: &[u32],
        confidences: &[f32],
        v: &[f32; 64],
        out: &mut [f32; 64],
        weight: impl Fn(f32, f32) -> f32,
    ) {
        let item = |i: u32| -> &[f32; 64] {
            let start = i as usize * 64;
            other.get(start..start + 64).and_then(|s| <&[f32; 64]>::try_from(s).ok()).unwrap_or(&[0.0; 64])
        };
        let n = indices.len().min(confidences.len());
        let blocks = core::hint::black_box(4);
        let group = |k: usize| -> [&[f32; 64]; SPARSE_ROWS] { core::array::from_fn(|i| item(indices[k + i])) };
        let mut k = 0;
        if k + SPARSE_ROWS <= n {
            // Pipelined: the dot products of the next group are summed in the same pass as the
            // update of `out` by the current one, so the two chains overlap instead of each
            // group waiting for its own dot products (the last pass sums a spare group again).
            let mut ys = group(k);
            let mut acc = [[f32x4_splat(0.0); 4]; SPARSE_ROWS];
            for c in 0..blocks {
                for j in 0..4 {
                    let vk = ld(v, 4 * c + j);
                    for (acc_i, y) in acc.iter_mut().zip(ys) {
                        acc_i[j] = madd(acc_i[j], ld(y, 4 * c + j), vk);
                    }
                }
            }
            while k + SPARSE_ROWS <= n {
                let w: [v128; SPARSE_ROWS] = core::array::from_fn(|i| f32x4_splat(weight(confidences[k + i], reduce(acc[i]))));
                let next = if k + 2 * SPARSE_ROWS <= n { group(k + SPARSE_ROWS) } else { ys };
                acc = [[f32x4_splat(0.0); 4]; SPARSE_ROWS];
                for c in 0..blocks {
                    for j in 0..4 {
                        let kk = 4 * c + j;
                        let vk = ld(v, kk);
                        for (acc_i, y) in acc.iter_mut().zip(next) {
                            acc_i[j] = madd(acc_i[j], ld(y, kk), vk);
                        }
                        let mut o = ld(out, kk);
                        for (wi, y) in w.iter().zip(ys) {
                            o = f32x4_add(o, f32x4_mul(*wi, ld(y, kk)));
                        }
                        st(out, kk, o);
                    }
                }
                ys = next;
                k += SPARSE_ROWS;
            }
        }
        while k < n {
            update_rows(v, [item(indices[k])], &confidences[k..], out, &weight, blocks);
            k += 1;
        }
    }

    /// See [`super::cg_solve_row_n`].
    #[inline(always)]
    pub fn cg_solve_row(
        yty: &[[f32; 64]],
        other: &[f32],
        indices: &[u32],
        confidences: &[f32],
        x: &mut Vector,
        steps: usize,
        r: &mut Vector,
        p: &mut Vector,
        ap: &mut Vector,
    ) {
        let (x, r, p, ap) = (&mut x.0, &mut r.0, &mut p.0, &mut ap.0);
        symv(yty, x, r);
        for k in 0..16 {
            st(r, k, f32x4_neg(ld(r, k)));
        }
        sparse_update(other, indices, confidences, x, r, |c, d| c - (c - 1.0) * d);
        *p = *r;
        let mut rs_old = dot(r, r);
        if rs_old < 1e-20 {
            return;
        }
        for _ in 0..steps {
            symv(yty, p, ap);
            sparse_update(other, indices, confidences, p, ap, |c, d| (c - 1.0) * d);
            let p_ap = dot(p, ap);
            if !(p_ap > 0.0) {
                break;
            }
            let step = rs_old / p_ap;
            let (up, down) = (f32x4_splat(step), f32x4_splat(-step));
            let mut acc = [f32x4_splat(0.0); 4];
            for c in 0..4 {
                for (j, slot) in acc.iter_mut().enumerate() {
                    let k = 4 * c + j;
                    st(x, k, f32x4_add(ld(x, k), f32x4_mul(up, ld(p, k))));
                    let rk = f32x4_add(ld(r, k), f32x4_mul(down, ld(ap, k)));
                    st(r, k, rk);
                    *slot = madd(*slot, rk, rk);
                }
            }
            let rs_new = reduce(acc);
            if rs_new < 1e-20 {
                break;
            }
            let beta = f32x4_splat(rs_new / rs_old);
            for k in 0..16 {
                st(p, k, f32x4_add(ld(r, k), f32x4_mul(beta, ld(p, k))));
            }
            rs_old = rs_new;
        }
    }
}

/// `g_row[from..] += w · row[from..]`, nothing when `w` is zero.
#[inline(always)]
fn add_scaled_row<const S: usize>(g_row: &mut [f32; S], w: f32, row: &[f32; S], from: usize) {
    if w != 0.0 {
        for b in from..S {
            g_row[b] += w * row[b];
        }
    }
}

/// YᵀY + λI for a fixed stride, accumulated in f32 with vector multiply-adds, each entry summed
/// over the rows in order, skipping rows whose factor `a` is zero (the padding): g[a][b] =
/// (… (0 + y₀[a] y₀[b]) + y₁[a] y₁[b] …). Only the upper triangle is summed (the lower one holds
/// the same sums, products being commutative) and mirrored; rows go four at a time so each
/// entry is loaded and stored once per four rows.
#[inline(always)]
fn gramian_n<const S: usize>(factors: &[f32], regularization: f32) -> Vec<[f32; S]> {
    let mut g = vec![[0f32; S]; S];
    let rows: Vec<&[f32; S]> = factors.chunks_exact(S).filter_map(|row| <&[f32; S]>::try_from(row).ok()).collect();
    // Row a of g from column a rounded down to 8 on, so the loops run on whole vectors.
    let from = |a: usize| a & !7;
    let mut blocks = rows.chunks_exact(4);
    for block in &mut blocks {
        let [r0, r1, r2, r3] = [block[0], block[1], block[2], block[3]];
        for (a, g_row) in g.iter_mut().enumerate() {
            let w = [r0[a], r1[a], r2[a], r3[a]];
            if w.iter().all(|&x| x != 0.0) {
                for b in from(a)..S {
                    g_row[b] = (((g_row[b] + w[0] * r0[b]) + w[1] * r1[b]) + w[2] * r2[b]) + w[3] * r3[b];
                }
            } else {
                for (&wi, ri) in w.iter().zip(block) {
                    add_scaled_row(g_row, wi, ri, from(a));
                }
            }
        }
    }
    for row in blocks.remainder() {
        for (a, g_row) in g.iter_mut().enumerate() {
            add_scaled_row(g_row, row[a], row, from(a));
        }
    }
    for a in 0..S {
        let (above, from_a) = g.split_at_mut(a);
        for (b, row_b) in above.iter().enumerate() {
            from_a[0][b] = row_b[a];
        }
        from_a[0][a] += regularization;
    }
    g
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn solve_rows_n<const S: usize, const AVX2: bool>(
    matrix: &Sparse,
    confidences: &[f32],
    other: &[f32],
    this: &mut [f32],
    regularization: f32,
    steps: usize,
    from_zero: bool,
) {
    let yty = gramian_n::<S>(other, regularization);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if S == 64 {
        let yty64: Vec<[f32; 64]> =
            yty.iter().filter_map(|row| <[f32; 64]>::try_from(&row[..]).ok()).collect();
        let zero = wasm64::Vector([0.0; 64]);
        let (mut x, mut r, mut p, mut ap) = (zero, zero, zero, zero);
        for (row, out) in this.chunks_exact_mut(64).enumerate() {
            let Ok(out) = <&mut [f32; 64]>::try_from(out) else { continue };
            x.0 = if from_zero { [0.0; 64] } else { *out };
            let range = matrix.offsets[row]..matrix.offsets[row + 1];
            wasm64::cg_solve_row(&yty64, other, &matrix.indices[range.clone()], &confidences[range], &mut x, steps, &mut r, &mut p, &mut ap);
            *out = x.0;
        }
        return;
    }
    for (row, x) in this.chunks_exact_mut(S).enumerate() {
        let Ok(x) = <&mut [f32; S]>::try_from(x) else { continue };
        if from_zero {
            *x = [0.0; S];
        }
        let range = matrix.offsets[row]..matrix.offsets[row + 1];
        cg_solve_row_for::<S, AVX2>(&yty, other, &matrix.indices[range.clone()], &confidences[range], x, steps);
    }
}

/// Every row of `this` (rows of `matrix`) solved by CG against the fixed `other` side; common
/// strides take the unrolled fixed-size path.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn solve_rows<const AVX2: bool>(
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
        16 => solve_rows_n::<16, AVX2>(matrix, confidences, other, this, regularization, steps, from_zero),
        #[cfg(not(target_arch = "wasm32"))]
        32 => solve_rows_n::<32, AVX2>(matrix, confidences, other, this, regularization, steps, from_zero),
        #[cfg(not(target_arch = "wasm32"))]
        48 => solve_rows_n::<48, AVX2>(matrix, confidences, other, this, regularization, steps, from_zero),
        64 => solve_rows_n::<64, AVX2>(matrix, confidences, other, this, regularization, steps, from_zero),
        #[cfg(not(target_arch = "wasm32"))]
        96 => solve_rows_n::<96, AVX2>(matrix, confidences, other, this, regularization, steps, from_zero),
        #[cfg(not(target_arch = "wasm32"))]
        128 => solve_rows_n::<128, AVX2>(matrix, confidences, other, this, regularization, steps, from_zero),
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

/// One half-sweep: solve every row of `this` (rows of `matrix`) against the fixed `other` side
/// ([`solve_rows`]), with the explicit AVX2 kernels when the CPU has AVX2 (x86-64), else portable.
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
    #[cfg(target_arch = "x86_64")]
    {
        #[allow(clippy::too_many_arguments)]
        #[target_feature(enable = "avx2")]
        unsafe fn with_avx2(
            matrix: &Sparse,
            confidences: &[f32],
            other: &[f32],
            this: &mut [f32],
            stride: usize,
            regularization: f32,
            steps: usize,
            from_zero: bool,
        ) {
            solve_rows::<true>(matrix, confidences, other, this, stride, regularization, steps, from_zero)
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { with_avx2(matrix, confidences, other, this, stride, regularization, steps, from_zero) };
        }
    }
    solve_rows::<false>(matrix, confidences, other, this, stride, regularization, steps, from_zero)
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

    /// The fixed-stride CG kernel (restructured for speed) gives bit-identical results to the
    /// plain any-stride one it stands in for.
    #[test]
    fn fixed_stride_solve_matches_plain_solve_bit_for_bit() {
        fn check<const S: usize>(rows: usize, seed: u64) {
            let mut rng = Rng::new(seed);
            let other: Vec<f32> = (0..rows * S).map(|_| rng.normal() as f32 * 0.2).collect();
            let yty = gramian(&other, S, 0.7);
            let yty_rows: Vec<[f32; S]> = yty.chunks_exact(S).map(|r| <[f32; S]>::try_from(r).unwrap()).collect();
            for n in [0usize, 1, 2, 5, 8, 13, 30] {
                let mut indices: Vec<u32> = (0..rows as u32).collect();
                rng.shuffle(&mut indices);
                indices.truncate(n);
                indices.sort();
                let confidences: Vec<f32> = (0..n).map(|_| 1.0 + rng.uniform() as f32 * 3.0).collect();
                let start: Vec<f32> = (0..S).map(|_| rng.uniform() as f32 * 0.01).collect();
                let mut plain = start.clone();
                let mut scratch = Scratch { r: vec![0.0; S], p: vec![0.0; S], ap: vec![0.0; S] };
                cg_solve_row(&yty, &other, S, &indices, &confidences, &mut plain, 3, &mut scratch);
                let mut fixed = <[f32; S]>::try_from(&start[..]).unwrap();
                cg_solve_row_n::<S, false>(&yty_rows, &other, &indices, &confidences, &mut fixed, 3);
                let same = plain.iter().zip(&fixed).all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "stride {S}, {n} items: {:?} vs {:?}", &plain[..4], &fixed[..4]);
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2") {
                    #[target_feature(enable = "avx2")]
                    unsafe fn solve_avx2<const S: usize>(yty: &[[f32; S]], other: &[f32], indices: &[u32], confidences: &[f32], x: &mut [f32; S]) {
                        cg_solve_row_for::<S, true>(yty, other, indices, confidences, x, 3);
                    }
                    let mut explicit = <[f32; S]>::try_from(&start[..]).unwrap();
                    // SAFETY: AVX2 detected just above.
                    unsafe { solve_avx2::<S>(&yty_rows, &other, &indices, &confidences, &mut explicit) };
                    let same = plain.iter().zip(&explicit).all(|(a, b)| a.to_bits() == b.to_bits());
                    assert!(same, "AVX2, stride {S}, {n} items: {:?} vs {:?}", &plain[..4], &explicit[..4]);
                }
            }
        }
        check::<16>(30, 1);
        check::<48>(30, 2);
        check::<64>(40, 3);
        check::<128>(20, 4);
    }

    /// The fixed-stride Gramian (upper triangle, four rows at a time) holds exactly the sums of
    /// the plain definition: every entry accumulated row after row, rows with a zero factor `a`
    /// skipped in row `a`.
    #[test]
    fn fixed_stride_gramian_matches_row_by_row_sums_bit_for_bit() {
        fn check<const S: usize>(rows: usize, factors: usize, seed: u64) {
            let mut rng = Rng::new(seed);
            let mut y: Vec<f32> = (0..rows * S).map(|k| if k % S < factors { rng.normal() as f32 } else { 0.0 }).collect();
            // Some exact zeros inside the factors too.
            for k in (0..y.len()).step_by(7) {
                y[k] = 0.0;
            }
            let mut plain = vec![0f32; S * S];
            for row in y.chunks_exact(S) {
                for a in 0..S {
                    if row[a] != 0.0 {
                        for b in 0..S {
                            plain[a * S + b] += row[a] * row[b];
                        }
                    }
                }
            }
            for a in 0..S {
                plain[a * S + a] += 0.25;
            }
            let fixed = gramian_n::<S>(&y, 0.25);
            for a in 0..S {
                for b in 0..S {
                    assert_eq!(fixed[a][b].to_bits(), plain[a * S + b].to_bits(), "S {S}, rows {rows}: [{a}][{b}]");
                }
            }
        }
        check::<16>(7, 13, 1);
        check::<64>(41, 64, 2);
        check::<64>(40, 50, 3);
        check::<128>(9, 100, 4);
    }

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

