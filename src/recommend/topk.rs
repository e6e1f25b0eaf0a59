//! Top-k selection over a score vector with filters, in one pass: a small sorted buffer of the
//! best k so far and a threshold test that rejects most items with one comparison. Ties break by
//! the lower item index, so results are deterministic.

/// True when (score a, index a) ranks before (score b, index b).
#[inline]
fn better(sa: f32, ia: u32, sb: f32, ib: u32) -> bool {
    sa > sb || (sa == sb && ia < ib)
}

/// The k best `(index, score)` pairs of `scores` for which `allowed(index)` holds, best first.
/// NaN scores are skipped.
pub fn top_k(scores: &[f32], k: usize, mut allowed: impl FnMut(u32) -> bool) -> Vec<(u32, f32)> {
    let mut best: Vec<(u32, f32)> = Vec::with_capacity(k + 1);
    if k == 0 {
        return best;
    }
    let mut threshold = f32::NEG_INFINITY;
    // Once k are kept, most blocks of scores hold nothing above the k-th: one branch-free test
    // per block (vectorised) skips them.
    const BLOCK: usize = 8;
    for (b, block) in scores.chunks(BLOCK).enumerate() {
        if best.len() == k && !block.iter().fold(false, |any, &s| any | (s > threshold)) {
            continue;
        }
        for (j, &s) in block.iter().enumerate() {
            let i = (b * BLOCK + j) as u32;
            if best.len() == k && !(s > threshold) {
                // Equal scores with a lower index would rank better, but indices rise, so a
                // later equal score never beats the current k-th.
                continue;
            }
            if s.is_nan() || !allowed(i) {
                continue;
            }
            let at = best.partition_point(|&(bi, bs)| better(bs, bi, s, i));
            best.insert(at, (i, s));
            if best.len() > k {
                best.pop();
            }
            if best.len() == k {
                threshold = best[k - 1].1;
            }
        }
    }
    best
}

/// Like [`top_k`] but only over the listed candidate indices.
pub fn top_k_of(
    scores: &[f32],
    candidates: &[u32],
    k: usize,
    mut allowed: impl FnMut(u32) -> bool,
) -> Vec<(u32, f32)> {
    let mut best: Vec<(u32, f32)> = Vec::with_capacity(k + 1);
    if k == 0 {
        return best;
    }
    for &i in candidates {
        let s = scores[i as usize];
        if s.is_nan() || !allowed(i) || best.iter().any(|b| b.0 == i) {
            continue;
        }
        if best.len() == k && !better(s, i, best[k - 1].1, best[k - 1].0) {
            continue;
        }
        let at = best.partition_point(|&(bi, bs)| better(bs, bi, s, i));
        best.insert(at, (i, s));
        if best.len() > k {
            best.pop();
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_full_sort() {
        let mut rng = crate::rng::Rng::new(5);
        let scores: Vec<f32> = (0..500).map(|_| (rng.below(50)) as f32).collect();
        let got = top_k(&scores, 17, |i| i % 3 != 0);
        let mut all: Vec<(u32, f32)> =
            scores.iter().enumerate().filter(|(i, _)| i % 3 != 0).map(|(i, s)| (i as u32, *s)).collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        assert_eq!(got, all[..17].to_vec());
        let cands: Vec<u32> = (0..500).rev().collect();
        assert_eq!(top_k_of(&scores, &cands, 17, |i| i % 3 != 0), all[..17].to_vec());
    }
}
