//! Dense f32 kernels for the recommenders (dot product, axpy, scaled sums), written so that LLVM
//! auto-vectorises them for wasm `simd128`, SSE2 and AVX2 alike while staying plain, safe Rust
//! that compiles on every target (the scalar path is the same code).
//!
//! Determinism: a dot product accumulates into [`LANES`] independent partial sums and reduces
//! them in a fixed pairwise order, so the floating-point result does not depend on the vector
//! width the compiler picks (and Rust never fuses a multiply and an add on its own). Hence the
//! same model bytes natively, in wasm, with or without AVX2.
//!
//! Factor vectors are padded with zeros to a multiple of [`LANES`] ([`padded`]), so the hot loops
//! have no remainder.

/// Width of the fixed accumulator bank: 16 f32 = one AVX-512, two AVX2, four SSE/simd128 vectors.
pub const LANES: usize = 16;

/// `n` rounded up to a multiple of [`LANES`].
pub fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

#[inline(always)]
pub(crate) fn reduce(acc: [f32; LANES]) -> f32 {
    // Fixed pairwise tree: 16 -> 8 -> 4 -> 2 -> 1.
    let mut a = acc;
    let mut width = LANES / 2;
    while width > 0 {
        for l in 0..width {
            a[l] += a[l + width];
        }
        width /= 2;
    }
    a[0]
}

/// Dot product of two equally long slices; lengths that are not a multiple of [`LANES`] finish
/// with a scalar tail (added after the lane reduction, in order).
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; LANES];
    let chunks = n / LANES;
    for (ca, cb) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += ca[l] * cb[l];
        }
    }
    let mut sum = reduce(acc);
    for i in chunks * LANES..n {
        sum += a[i] * b[i];
    }
    sum
}

/// [`dot`] for fixed-length arrays: the same lanes and reduction order (so the same result), but
/// fully unrolled with the accumulators in registers.
#[inline(always)]
pub fn dot_n<const S: usize>(a: &[f32; S], b: &[f32; S]) -> f32 {
    let mut acc = [0f32; LANES];
    let mut c = 0;
    while c + LANES <= S {
        for l in 0..LANES {
            acc[l] += a[c + l] * b[c + l];
        }
        c += LANES;
    }
    let mut sum = reduce(acc);
    for i in c..S {
        sum += a[i] * b[i];
    }
    sum
}

/// [`axpy`] for fixed-length arrays.
#[inline(always)]
pub fn axpy_n<const S: usize>(alpha: f32, x: &[f32; S], y: &mut [f32; S]) {
    for i in 0..S {
        y[i] += alpha * x[i];
    }
}

/// `y += alpha * x`.
#[inline(always)]
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * *xi;
    }
}

/// `y = x + beta * y` (the CG direction update).
#[inline(always)]
pub fn xpby(x: &[f32], beta: f32, y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = *xi + beta * *yi;
    }
}

/// `out = a · v` for a symmetric row-major `n × n` matrix `a`, computed as Σ_j v_j a[j, :] —
/// vertical multiply-adds only (no horizontal reductions), each output element summed in the
/// fixed order j = 0, 1, …
#[inline(always)]
pub fn symv(a: &[f32], v: &[f32], out: &mut [f32]) {
    let n = v.len();
    out.iter_mut().for_each(|o| *o = 0.0);
    for (row, &vj) in a.chunks_exact(n).zip(v) {
        axpy(vj, row, out);
    }
}

/// `scores[i] = dot(matrix row i, v)` for rows of `stride` floats.
#[inline(always)]
pub fn matvec_rows(matrix: &[f32], stride: usize, v: &[f32], scores: &mut [f32]) {
    for (row, s) in matrix.chunks_exact(stride).zip(scores.iter_mut()) {
        *s = dot(row, v);
    }
}

/// Defines `$name`, which runs the `#[inline(always)]` function `$body` compiled with AVX2 when the
/// CPU has it (x86-64 only; detected once per call, which costs a load and a branch), otherwise
/// as compiled for the baseline (SSE2, wasm simd128, or scalar). The kernels above are
/// `#[inline(always)]`, so inside `$body` they vectorise 8 wide under AVX2. The arithmetic is the
/// same either way (no FMA), so results are bit-identical.
#[macro_export]
#[doc(hidden)]
macro_rules! simd_dispatch {
    ($vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? => $body:path) => {
        #[allow(clippy::too_many_arguments)]
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[allow(clippy::too_many_arguments)]
                #[target_feature(enable = "avx2")]
                unsafe fn with_avx2($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2, checked just above.
                    return unsafe { with_avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}

/// Items per panel of [`to_panels`].
pub const PANEL: usize = 32;

/// Factor rows (`stride` floats, the first `factors` used) re-laid as panels of [`PANEL`] items:
/// panel p holds, for each dimension d, the d-th factor of items p·PANEL .. p·PANEL + PANEL
/// (zeros past the last item). Scoring then runs down the dimensions with PANEL independent
/// sums — vertical multiply-adds only, no per-item horizontal reduction.
pub fn to_panels(rows: &[f32], stride: usize, factors: usize) -> Vec<f32> {
    let items = rows.len() / stride;
    let panels = items.div_ceil(PANEL);
    let mut out = vec![0f32; panels * factors * PANEL];
    for i in 0..items {
        let (p, l) = (i / PANEL, i % PANEL);
        for d in 0..factors {
            out[(p * factors + d) * PANEL + l] = rows[i * stride + d];
        }
    }
    out
}

/// `scores[i] = Σ_d user[d] · factor(i, d)` from [`to_panels`] output. The dimensions are summed
/// as two interleaved halves (even and odd d) added at the end — two independent dependency
/// chains — in a fixed order, so results are identical on every target.
#[inline(always)]
pub fn panel_scores(panels: &[f32], factors: usize, user: &[f32], scores: &mut [f32]) {
    let items = scores.len();
    if factors == 0 {
        scores.iter_mut().for_each(|s| *s = 0.0);
        return;
    }
    let user = &user[..factors];
    for (p, panel) in panels.chunks_exact(factors * PANEL).enumerate() {
        let mut even = [0f32; PANEL];
        let mut odd = [0f32; PANEL];
        let mut columns = panel.chunks_exact(2 * PANEL);
        let mut d = 0;
        for pair in &mut columns {
            let (x0, x1) = (user[d], user[d + 1]);
            for l in 0..PANEL {
                even[l] += x0 * pair[l];
                odd[l] += x1 * pair[PANEL + l];
            }
            d += 2;
        }
        let rest = columns.remainder();
        if !rest.is_empty() {
            let x0 = user[d];
            for l in 0..PANEL {
                even[l] += x0 * rest[l];
            }
        }
        let start = p * PANEL;
        if start >= items {
            break;
        }
        let n = (items - start).min(PANEL);
        for l in 0..n {
            scores[start + l] = even[l] + odd[l];
        }
    }
}

#[inline(always)]
fn panel_scores_inline(panels: &[f32], factors: usize, user: &[f32], scores: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return panel_scores_wasm(panels, factors, user, scores);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    panel_scores(panels, factors, user, scores)
}

/// [`panel_scores`] in explicit wasm `simd128`, lane for lane the same arithmetic (so the same
/// scores), but half a panel (16 items) at a time: the 8 even/odd sums then fit a wasm engine's
/// 16 vector registers next to the loads, where a whole panel's 16 sums would spill.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn panel_scores_wasm(panels: &[f32], factors: usize, user: &[f32], scores: &mut [f32]) {
    use core::arch::wasm32::*;
    const HALF: usize = PANEL / 2;
    let items = scores.len();
    let Some(user) = user.get(..factors) else { return panel_scores(panels, factors, user, scores) };
    if factors == 0 {
        scores.iter_mut().for_each(|s| *s = 0.0);
        return;
    }
    let load = |column: &[f32; PANEL], at: usize| -> v128 {
        // SAFETY: callers pass at ∈ {0, 4, …, 28}: 16 bytes inside the 32-float column.
        unsafe { v128_load(column.as_ptr().add(at & (PANEL - 4)) as *const v128) }
    };
    for (p, panel) in panels.chunks_exact(factors * PANEL).enumerate() {
        let start = p * PANEL;
        if start >= items {
            break;
        }
        let mut out = [0f32; PANEL];
        for half in 0..2 {
            let base = half * HALF;
            let mut even = [f32x4_splat(0.0); 4];
            let mut odd = [f32x4_splat(0.0); 4];
            let mut columns = panel.chunks_exact(PANEL);
            let mut d = 0;
            while d + 2 <= factors {
                let (Some(c0), Some(c1)) = (columns.next(), columns.next()) else { break };
                let (Ok(c0), Ok(c1)) = (<&[f32; PANEL]>::try_from(c0), <&[f32; PANEL]>::try_from(c1)) else { break };
                let (x0, x1) = (f32x4_splat(user[d]), f32x4_splat(user[d + 1]));
                for t in 0..4 {
                    even[t] = f32x4_add(even[t], f32x4_mul(x0, load(c0, base + 4 * t)));
                    odd[t] = f32x4_add(odd[t], f32x4_mul(x1, load(c1, base + 4 * t)));
                }
                d += 2;
            }
            if d < factors {
                if let Some(Ok(c0)) = columns.next().map(<&[f32; PANEL]>::try_from) {
                    let x0 = f32x4_splat(user[d]);
                    for t in 0..4 {
                        even[t] = f32x4_add(even[t], f32x4_mul(x0, load(c0, base + 4 * t)));
                    }
                }
            }
            for t in 0..4 {
                let sum = f32x4_add(even[t], odd[t]);
                let at = base + 4 * t;
                out[at] = f32x4_extract_lane::<0>(sum);
                out[at + 1] = f32x4_extract_lane::<1>(sum);
                out[at + 2] = f32x4_extract_lane::<2>(sum);
                out[at + 3] = f32x4_extract_lane::<3>(sum);
            }
        }
        let n = (items - start).min(PANEL);
        scores[start..start + n].copy_from_slice(&out[..n]);
    }
}

/// [`panel_scores`] for [`BLOCK`] users at once: `scores` holds one row of `scores.len() / BLOCK`
/// items per user. Natively one user after the other; in wasm each column of item factors is
/// loaded once for all the users (the single-user kernel is load-bound there). Every score is
/// summed exactly as in [`panel_scores`], so the results are the same bit for bit.
#[inline(always)]
fn panel_scores_block_inline(panels: &[f32], factors: usize, users: [&[f32]; BLOCK], scores: &mut [f32]) {
    let items = scores.len() / BLOCK;
    if items == 0 {
        return;
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if factors > 0
        && factors % 2 == 0
        && panels.len() >= items.div_ceil(PANEL) * factors * PANEL
        && users.iter().all(|u| u.len() >= factors)
    {
        return panel_scores_block_wasm(panels, factors, users, scores, items);
    }
    for (user, row) in users.iter().zip(scores.chunks_exact_mut(items)) {
        panel_scores_dispatch(panels, factors, user, row);
    }
}

/// Users scored together by [`panel_scores_block_dispatch`].
pub const BLOCK: usize = 4;

/// The wasm body of [`panel_scores_block_inline`] for an even number of factors: per 4 items,
/// 4 users × even/odd sums (8 vectors), the two item columns of a dimension pair loaded once.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn panel_scores_block_wasm(panels: &[f32], factors: usize, users: [&[f32]; BLOCK], scores: &mut [f32], items: usize) {
    use core::arch::wasm32::*;
    for (p, panel) in panels.chunks_exact(factors * PANEL).enumerate() {
        let start = p * PANEL;
        if start >= items {
            break;
        }
        let mut out = [[0f32; PANEL]; BLOCK];
        for t in (0..PANEL).step_by(4) {
            let mut even = [f32x4_splat(0.0); BLOCK];
            let mut odd = [f32x4_splat(0.0); BLOCK];
            for d in (0..factors).step_by(2) {
                // SAFETY: d + 1 < factors (even) and t + 4 <= PANEL, so both columns lie inside
                // the panel of factors · PANEL floats; every user holds at least `factors` floats
                // (both checked by the caller).
                unsafe {
                    let c0 = v128_load(panel.as_ptr().add(d * PANEL + t) as *const v128);
                    let c1 = v128_load(panel.as_ptr().add((d + 1) * PANEL + t) as *const v128);
                    for u in 0..BLOCK {
                        let x0 = v128_load32_splat(users[u].as_ptr().add(d) as *const u32);
                        let x1 = v128_load32_splat(users[u].as_ptr().add(d + 1) as *const u32);
                        even[u] = f32x4_add(even[u], f32x4_mul(x0, c0));
                        odd[u] = f32x4_add(odd[u], f32x4_mul(x1, c1));
                    }
                }
            }
            for u in 0..BLOCK {
                // SAFETY: t + 4 <= PANEL floats of out[u].
                unsafe { v128_store(out[u].as_mut_ptr().add(t) as *mut v128, f32x4_add(even[u], odd[u])) };
            }
        }
        let n = (items - start).min(PANEL);
        for (u, row) in out.iter().enumerate() {
            scores[u * items + start..u * items + start + n].copy_from_slice(&row[..n]);
        }
    }
}

simd_dispatch!(pub fn panel_scores_block_dispatch(panels: &[f32], factors: usize, users: [&[f32]; BLOCK], scores: &mut [f32]) => panel_scores_block_inline);

simd_dispatch!(pub fn panel_scores_dispatch(panels: &[f32], factors: usize, user: &[f32], scores: &mut [f32]) => panel_scores_inline);

#[inline(always)]
fn matvec_rows_n<const S: usize>(matrix: &[f32], v: &[f32], scores: &mut [f32]) {
    let Ok(v) = <&[f32; S]>::try_from(v) else { return matvec_rows(matrix, S, v, scores) };
    for (row, s) in matrix.chunks_exact(S).zip(scores.iter_mut()) {
        if let Ok(row) = <&[f32; S]>::try_from(row) {
            *s = dot_n(row, v);
        }
    }
}

#[inline(always)]
fn matvec_rows_inline(matrix: &[f32], stride: usize, v: &[f32], scores: &mut [f32]) {
    match stride {
        #[cfg(not(target_arch = "wasm32"))]
        16 => matvec_rows_n::<16>(matrix, v, scores),
        #[cfg(not(target_arch = "wasm32"))]
        32 => matvec_rows_n::<32>(matrix, v, scores),
        #[cfg(not(target_arch = "wasm32"))]
        48 => matvec_rows_n::<48>(matrix, v, scores),
        64 => matvec_rows_n::<64>(matrix, v, scores),
        #[cfg(not(target_arch = "wasm32"))]
        96 => matvec_rows_n::<96>(matrix, v, scores),
        #[cfg(not(target_arch = "wasm32"))]
        128 => matvec_rows_n::<128>(matrix, v, scores),
        _ => matvec_rows(matrix, stride, v, scores),
    }
}

simd_dispatch!(pub fn matvec_rows_dispatch(matrix: &[f32], stride: usize, v: &[f32], scores: &mut [f32]) => matvec_rows_inline);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_f64_reference() {
        let a: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..37).map(|i| (i as f32 * 0.11).cos()).collect();
        let reference: f64 = a.iter().zip(&b).map(|(x, y)| *x as f64 * *y as f64).sum();
        assert!((dot(&a, &b) as f64 - reference).abs() < 1e-5);
        let mut y = b.clone();
        axpy(2.0, &a, &mut y);
        assert!((y[5] - (b[5] + 2.0 * a[5])).abs() < 1e-7);
        assert_eq!(padded(1), 16);
        assert_eq!(padded(64), 64);
    }

    #[test]
    fn panel_scores_match_dot_products() {
        let (items, factors, stride) = (45usize, 5usize, 16usize);
        let rows: Vec<f32> = (0..items * stride).map(|i| if i % stride < factors { (i as f32 * 0.7).sin() } else { 0.0 }).collect();
        let user: Vec<f32> = (0..stride).map(|d| if d < factors { d as f32 - 2.0 } else { 0.0 }).collect();
        let panels = to_panels(&rows, stride, factors);
        let mut scores = vec![0f32; items];
        panel_scores_dispatch(&panels, factors, &user, &mut scores);
        for i in 0..items {
            let expected = dot(&rows[i * stride..(i + 1) * stride], &user);
            assert!((scores[i] - expected).abs() < 1e-5, "{i}");
        }
    }
}
