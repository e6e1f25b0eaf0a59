//! The plain conjugate-gradient row solve of implicit ALS (Takács, Pilászy & Tikk 2011), for any
//! stride: a few CG steps on (YᵀY + λI + Yᵀ(C−I)Y) x = YᵀCp (Hu et al. eq. 4). The serving build
//! folds an anonymous basket in with it ([`super::AlsModel::fold_in`]); training's fixed-stride,
//! AVX2 and wasm SIMD kernels (`kernels`, full build only, which the full build also folds in
//! with) compute the same bits faster, and tests there check that they do.

use crate::recommend::simd::{axpy, dot, symv, xpby};

/// Scratch vectors of one CG solve.
pub(super) struct Scratch {
    pub(super) r: Vec<f32>,
    pub(super) p: Vec<f32>,
    pub(super) ap: Vec<f32>,
}

/// A few CG steps on row `x` of the system (YᵀY + λI + Yᵀ(C−I)Y) x = YᵀCp, warm-started at x.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn cg_solve_row(
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

/// YᵀY + λI over `rows` rows of `stride` floats (the padded part gets λ on the diagonal too).
pub(super) fn gramian(factors: &[f32], stride: usize, regularization: f32) -> Vec<f32> {
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

/// YᵀY + λI in f32, each entry summed over the rows in order from zero, skipping rows whose
/// factor `a` is zero in row `a` (the padding): the definition the fixed-stride Gramian of
/// training (`kernels::gramian_n`) is tested to match bit for bit. Only the upper triangle is
/// summed and then mirrored: the products are commutative, and a skipped row only ever adds a
/// zero to a sum that is never −0, so the lower triangle would hold the same bits.
#[cfg_attr(feature = "fit", allow(dead_code))]
fn gramian_f32(factors: &[f32], stride: usize, regularization: f32) -> Vec<f32> {
    let mut g = vec![0f32; stride * stride];
    for row in factors.chunks_exact(stride) {
        for a in 0..stride {
            let ra = row[a];
            if ra != 0.0 {
                for (gb, rb) in g[a * stride + a..(a + 1) * stride].iter_mut().zip(&row[a..]) {
                    *gb += ra * *rb;
                }
            }
        }
    }
    for a in 0..stride {
        for b in 0..a {
            g[a * stride + b] = g[b * stride + a];
        }
        g[a * stride + a] += regularization;
    }
    g
}

/// Whether training (`kernels::solve_side`) has a fixed-stride kernel, with its f32 Gramian, for
/// this stride on this target; other strides take its any-stride path with the f64 [`gramian`].
fn has_fixed_kernel(stride: usize) -> bool {
    if cfg!(target_arch = "wasm32") {
        stride == 64
    } else {
        matches!(stride, 16 | 32 | 48 | 64 | 96 | 128)
    }
}

/// One row solved from zero against the fixed `other` side (rows of `stride` floats): `indices`
/// and `confidences` are the row's items and c_ui. The same bits as training's solve of that row
/// (the full build folds in with that one and does not carry this copy; a test in `kernels`
/// compares the two).
#[cfg_attr(feature = "fit", allow(dead_code))]
pub(super) fn solve_row(other: &[f32], stride: usize, regularization: f32, indices: &[u32], confidences: &[f32], steps: usize) -> Vec<f32> {
    let yty = if has_fixed_kernel(stride) { gramian_f32(other, stride, regularization) } else { gramian(other, stride, regularization) };
    let mut x = vec![0f32; stride];
    let mut scratch = Scratch { r: vec![0.0; stride], p: vec![0.0; stride], ap: vec![0.0; stride] };
    cg_solve_row(&yty, other, stride, indices, confidences, &mut x, steps, &mut scratch);
    x
}
