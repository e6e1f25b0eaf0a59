//! The conjugate-gradient row solves of implicit ALS (Takács, Pilászy & Tikk 2011): the Gramian
//! YᵀY + λI and one CG solve per row of (YᵀY + λI + Yᵀ(C−I)Y) x = YᵀCp, with fixed-stride, AVX2
//! and wasm SIMD variants, each the arithmetic of the plain solve in [`super::cg`] (same bits).
//! Training runs them every sweep and once more for the final user factors (which model bytes
//! since format 2 store); loading format-1 bytes runs them to recompute those. Full build only.

use super::cg::{cg_solve_row, gramian, Scratch};
use super::ConfidenceScaling;
use crate::recommend::interactions::Sparse;
use crate::recommend::simd::{reduce, LANES};

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
mod x86;

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
mod wasm64;

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
pub(super) fn solve_side(
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

pub(super) fn confidences(matrix: &Sparse, scaling: ConfidenceScaling, alpha: f32) -> Vec<f32> {
    matrix.values.iter().map(|&r| scaling.confidence(alpha, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

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

    /// The serving build's fold-in (`cg::solve_row`: plain CG, with the Gramian training uses for
    /// that stride) gives the bits training's solve gives the same row, with and without a
    /// fixed-stride kernel — so both builds fold a basket in identically.
    #[test]
    fn fold_in_solve_matches_the_training_solve_bit_for_bit() {
        for (stride, factors) in [(16usize, 13usize), (64, 64), (64, 50), (24, 20)] {
            let mut rng = Rng::new(stride as u64 + factors as u64);
            let rows = 45;
            let other: Vec<f32> = (0..rows * stride).map(|k| if k % stride < factors { rng.normal() as f32 * 0.2 } else { 0.0 }).collect();
            let indices = vec![2u32, 7, 11, 30, 44];
            let confidences = vec![1.5f32, 2.0, 1.2, 3.0, 1.0];
            let row = Sparse { offsets: vec![0, indices.len()], indices: indices.clone(), values: vec![1.0; indices.len()] };
            let mut trained = vec![0.5f32; stride];
            solve_side(&row, &confidences, &other, &mut trained, stride, 0.7, 12, true);
            let folded = super::super::cg::solve_row(&other, stride, 0.7, &indices, &confidences, 12);
            let same = trained.iter().zip(&folded).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "stride {stride}: {:?} vs {:?}", &trained[..4], &folded[..4]);
        }
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
}
