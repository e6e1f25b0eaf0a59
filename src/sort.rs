//! The crate's one sort. The standard library's sort is generic over the element type and the
//! comparator, and each instantiation costs 3–8 KB of the wasm module; here the standard sort is
//! instantiated once, on `u32` indices with a `&dyn` comparator, and the elements are then moved
//! into place by following the permutation's cycles. Callers give a total order (tie-breaks
//! included), so results are deterministic and identical on every target.

use std::cmp::Ordering;

/// Sorts `values` by `compare` (not stable: give a total order).
pub fn sort_by<T>(values: &mut [T], compare: &dyn Fn(&T, &T) -> Ordering) {
    let n = values.len();
    if n < 2 {
        return;
    }
    debug_assert!(n <= u32::MAX as usize);
    let mut order: Vec<u32> = (0..n as u32).collect();
    sort_indices(&mut order, &|a, b| compare(&values[a as usize], &values[b as usize]));
    // order[i] is the old position of the element that belongs at i. Walk each cycle once,
    // swapping the element each position needs into it; visited positions point to themselves.
    for start in 0..n {
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == start || from == at {
                break;
            }
            values.swap(at, from);
            at = from;
        }
    }
}

fn sort_indices(order: &mut [u32], compare: &dyn Fn(u32, u32) -> Ordering) {
    order.sort_unstable_by(|a, b| compare(*a, *b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn sorts_like_the_standard_sort() {
        let mut rng = Rng::new(9);
        for n in [0usize, 1, 2, 3, 10, 100, 1000] {
            let values: Vec<(u32, String)> = (0..n).map(|i| ((rng.below(20)) as u32, format!("v{i}"))).collect();
            let mut ours = values.clone();
            sort_by(&mut ours, &|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut reference = values;
            reference.sort();
            assert_eq!(ours, reference);
        }
    }
}
