//! The 64-factor CG row solve with wasm SIMD128 intrinsics (see `mod wasm64` in the parent).

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
