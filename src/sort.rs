//! The crate's one sort: the standard library's unstable sort with the comparator passed as
//! `&dyn Fn`, so each element type instantiates the sort once. Every closure type would otherwise
//! get its own 5–10 KB copy in the wasm module. Callers give a total order (tie-breaks
//! included), so results are deterministic and identical on every target.

use std::cmp::Ordering;

pub fn sort_by<T>(values: &mut [T], compare: &dyn Fn(&T, &T) -> Ordering) {
    values.sort_unstable_by(|a, b| compare(a, b));
}
