//! The 64-factor CG row solve with explicit AVX2 intrinsics (see `mod x86` in the parent).

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
