//! Fitting item-kNN: the weighted item × customer matrix, S = W Wᵀ through shared customers,
//! and the top-K neighbours of each item (see the parent module for the weightings).

use crate::decimal::Decimal32;
use super::{ItemKnnModel, Weighting};
use crate::error::{Error, Result};
use crate::recommend::interactions::Sparse;

fn weighted(by_item: &Sparse, customers: usize, weighting: Weighting) -> Sparse {
    let mut w = by_item.clone();
    match weighting {
        Weighting::Cosine => {
            for i in 0..w.rows() {
                let range = w.offsets[i]..w.offsets[i + 1];
                let norm = w.values[range.clone()].iter().map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt();
                if norm > 0.0 {
                    w.values[range].iter_mut().for_each(|v| *v = (*v as f64 / norm) as f32);
                }
            }
        }
        Weighting::Rp3 { .. } => {
            // Left side: P(u | i), each item row normalised to sum 1.
            for i in 0..w.rows() {
                let range = w.offsets[i]..w.offsets[i + 1];
                let sum: f64 = w.values[range.clone()].iter().map(|v| *v as f64).sum();
                if sum > 0.0 {
                    w.values[range].iter_mut().for_each(|v| *v = (*v as f64 / sum) as f32);
                }
            }
        }
        Weighting::Bm25 { k1, b } => {
            let n_items = w.rows() as f64;
            let mut items_per_customer = vec![0u32; customers];
            for &u in &w.indices {
                items_per_customer[u as usize] += 1;
            }
            let idf: Vec<f64> =
                items_per_customer.iter().map(|&n| n_items.ln() - (n as f64).ln_1p()).collect();
            let lengths: Vec<f64> = (0..w.rows())
                .map(|i| w.values[w.offsets[i]..w.offsets[i + 1]].iter().map(|v| *v as f64).sum())
                .collect();
            let mean_length = lengths.iter().sum::<f64>() / lengths.len().max(1) as f64;
            let (k1, b) = (k1 as f64, b as f64);
            for i in 0..w.rows() {
                let norm = (1.0 - b) + b * lengths[i] / mean_length.max(f64::MIN_POSITIVE);
                for at in w.offsets[i]..w.offsets[i + 1] {
                    let x = w.values[at] as f64;
                    let u = w.indices[at] as usize;
                    w.values[at] = (x * (k1 + 1.0) / (k1 * norm + x) * idf[u]) as f32;
                }
            }
        }
    }
    w
}

impl ItemKnnModel {
    /// Computes S = W Wᵀ row by row through the customers each item shares with others, keeping
    /// the `neighbours` largest positive similarities per item.
    pub fn fit(
        by_item: &Sparse,
        customers: usize,
        weighting: Weighting,
        neighbours: usize,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ItemKnnModel> {
        if neighbours == 0 || neighbours > 10_000 {
            return Err(Error::invalid(format!("neighbours must be between 1 and 10000, got {neighbours}")));
        }
        if let Weighting::Rp3 { beta } = weighting {
            if !(beta.is_finite() && (0.0..=2.0).contains(&beta)) {
                return Err(Error::invalid(format!("RP3beta needs beta in [0, 2], got {beta}", beta = Decimal32(beta))));
            }
        }
        if let Weighting::Bm25 { k1, b } = weighting {
            if !(k1.is_finite() && k1 >= 0.0 && b.is_finite() && (0.0..=1.0).contains(&b)) {
                return Err(Error::invalid(format!("BM25 needs K1 >= 0 and B in [0, 1], got K1 = {k1}, B = {b}", k1 = Decimal32(k1), b = Decimal32(b))));
            }
        }
        let items = by_item.rows();
        let w_items = weighted(by_item, customers, weighting);
        let w_customers = match weighting {
            Weighting::Rp3 { beta } => {
                // Right side: P(j | u) / pop_j^β, each customer row normalised to sum 1.
                let mut right = by_item.transpose(customers);
                let buyers: Vec<f64> = (0..items).map(|i| (by_item.offsets[i + 1] - by_item.offsets[i]) as f64).collect();
                for u in 0..right.rows() {
                    let range = right.offsets[u]..right.offsets[u + 1];
                    let sum: f64 = right.values[range.clone()].iter().map(|v| *v as f64).sum();
                    for at in range {
                        let j = right.indices[at] as usize;
                        right.values[at] = (right.values[at] as f64 / sum / buyers[j].max(1.0).powf(beta as f64)) as f32;
                    }
                }
                right
            }
            _ => w_items.transpose(customers),
        };
        let mut acc = vec![0f32; items];
        let mut seen = vec![false; items];
        let mut touched: Vec<u32> = Vec::new();
        let mut offsets = Vec::with_capacity(items + 1);
        offsets.push(0usize);
        let mut indices = Vec::new();
        let mut values = Vec::new();
        let mut row: Vec<(u32, f32)> = Vec::new();
        let report_every = (items / 20).max(1);
        for i in 0..items {
            let (us, wus) = w_items.row(i);
            for (&u, &wiu) in us.iter().zip(wus) {
                let (js, wjs) = w_customers.row(u as usize);
                for (&j, &wju) in js.iter().zip(wjs) {
                    if !seen[j as usize] {
                        seen[j as usize] = true;
                        touched.push(j);
                    }
                    acc[j as usize] += wiu * wju;
                }
            }
            row.clear();
            for &j in &touched {
                let s = acc[j as usize];
                if j as usize != i && s > 0.0 && s.is_finite() {
                    row.push((j, s));
                }
                acc[j as usize] = 0.0;
                seen[j as usize] = false;
            }
            touched.clear();
            // The K best (ties to the lower index): partial selection, then order by index.
            let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
            if row.len() > neighbours {
                row.select_nth_unstable_by(neighbours - 1, order);
                row.truncate(neighbours);
            }
            crate::sort::sort_by(&mut row, &|a, b| a.0.cmp(&b.0));
            for &(j, s) in &row {
                indices.push(j);
                values.push(s);
            }
            offsets.push(indices.len());
            if (i + 1) % report_every == 0 {
                progress((i + 1) as f64 / items as f64);
            }
        }
        progress(1.0);
        Ok(ItemKnnModel { neighbours: Sparse { offsets, indices, values }, weighting, neighbours_per_item: neighbours })
    }

}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_matches_direct_computation() {
        // 3 items x 4 customers.
        let triplets = vec![(0, 0, 1.0), (0, 1, 2.0), (1, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (2, 0, 1.0)];
        let by_item = Sparse::from_triplets(3, triplets);
        let m = ItemKnnModel::fit(&by_item, 4, Weighting::Cosine, 5, &mut |_| {}).unwrap();
        // items 0 = (1,2,0,0), 1 = (0,1,1,0): cos = 2 / (sqrt5 sqrt2).
        let expected = 2.0 / (5f32.sqrt() * 2f32.sqrt());
        assert!((m.similarity(0, 1) - expected).abs() < 1e-6);
        assert!((m.similarity(1, 0) - expected).abs() < 1e-6);
        assert_eq!(m.similarity(1, 2), 0.0);
        assert_eq!(m.similarity(0, 0), 0.0, "self excluded");
    }
}
