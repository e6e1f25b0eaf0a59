//! Churn and customer value: special functions, optimiser, BG/NBD, MBG/NBD, Pareto/NBD, NBD (no dropout), Gamma-Gamma, CLV, ChurnModel.
//!
//! Every count model implements [`TransactionModel`] (P(alive), conditional expected purchases,
//! P(no purchase), parameters, log-likelihood), so the CLV and the churn layer are generic over
//! them. Fitting groups identical `(frequency, recency, T)` rows first, so the cost of a fit
//! grows with the number of distinct rows, not customers.

// `!(x > 0.0)` is deliberate throughout: it is true for NaN as well, which is the point.
// Index loops mirror the papers' sums over customers and parameters.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

pub mod bg_nbd;
pub mod clv;
pub mod diagnostics;
pub mod gamma_gamma;
pub mod logistic;
pub mod mbg_nbd;
pub mod no_dropout;
pub mod optimize;
pub mod pareto_nbd;
pub mod reason;
#[cfg(feature = "fit")]
pub mod reliability;
#[cfg(feature = "fit")]
pub mod simulate;
pub mod special;

pub use bg_nbd::{BetaGeo, BetaGeoOptions, BetaGeoParams};
pub use diagnostics::Diagnostics;
pub use clv::{customer_lifetime_value, ClvOptions};
pub use gamma_gamma::{GammaGamma, GammaGammaOptions, GammaGammaParams};
pub use mbg_nbd::{ModifiedBetaGeo, ModifiedBetaGeoOptions, ModifiedBetaGeoParams};
pub use pareto_nbd::{ParetoNbd, ParetoNbdOptions, ParetoNbdParams};

use crate::decimal::{Decimal, Scientific};
use crate::data::Summary;
use crate::error::{Error, Result};

/// What every buy-till-you-die count model offers. The per-customer `*_one` methods take
/// `frequency` (repeat purchases), `recency` and `T` in the summary's unit; the provided
/// vectorised methods validate the summary and check every output is finite.
pub trait TransactionModel {
    /// "BG/NBD", "MBG/NBD", "Pareto/NBD".
    fn model_name(&self) -> &'static str;
    /// Parameters as (name, value) pairs in the papers' order.
    fn params(&self) -> Vec<(&'static str, f64)>;
    /// Total log-likelihood over the fitted customers (papers' convention, unpenalised).
    fn log_likelihood(&self) -> f64;
    /// P(alive at T | frequency, recency, T).
    fn probability_alive_one(&self, frequency: f64, recency: f64, t: f64) -> f64;
    /// E[purchases in (T, T + horizon] | frequency, recency, T).
    fn expected_purchases_one(&self, horizon: f64, frequency: f64, recency: f64, t: f64) -> f64;
    /// P(no purchase in (T, T + horizon] | frequency, recency, T).
    fn probability_no_purchase_one(&self, horizon: f64, frequency: f64, recency: f64, t: f64) -> f64;

    fn probability_alive(&self, summary: &Summary) -> Result<Vec<f64>> {
        check_summary(summary)?;
        let out: Vec<f64> = (0..summary.len())
            .map(|i| self.probability_alive_one(summary.frequency[i], summary.recency[i], summary.t[i]))
            .collect();
        check_output(self.model_name(), "probabilityAlive", &out)?;
        Ok(out)
    }

    fn expected_purchases(&self, horizon: f64, summary: &Summary) -> Result<Vec<f64>> {
        check_horizon(horizon)?;
        check_summary(summary)?;
        let out: Vec<f64> = (0..summary.len())
            .map(|i| self.expected_purchases_one(horizon, summary.frequency[i], summary.recency[i], summary.t[i]))
            .collect();
        check_output(self.model_name(), "expectedPurchases", &out)?;
        Ok(out)
    }

    fn probability_no_purchase(&self, horizon: f64, summary: &Summary) -> Result<Vec<f64>> {
        check_horizon(horizon)?;
        check_summary(summary)?;
        let out: Vec<f64> = (0..summary.len())
            .map(|i| self.probability_no_purchase_one(horizon, summary.frequency[i], summary.recency[i], summary.t[i]))
            .collect();
        check_output(self.model_name(), "probabilityNoPurchase", &out)?;
        Ok(out)
    }
}

pub(crate) fn check_horizon(horizon: f64) -> Result<()> {
    if !horizon.is_finite() || horizon < 0.0 {
        return Err(Error::invalid(format!("t must be a finite number >= 0, got {horizon}", horizon = Decimal(horizon))));
    }
    Ok(())
}

/// Validates a summary that may have been assembled by hand: equal lengths, finite,
/// non-negative, recency <= T.
pub(crate) fn check_summary(summary: &Summary) -> Result<()> {
    let n = summary.frequency.len();
    if summary.recency.len() != n || summary.t.len() != n {
        return Err(Error::invalid(format!(
            "summary columns differ in length: frequency {n}, recency {}, T {}",
            summary.recency.len(),
            summary.t.len()
        )));
    }
    crate::error::check_non_negative("frequency", &summary.frequency)?;
    crate::error::check_non_negative("recency", &summary.recency)?;
    crate::error::check_non_negative("T", &summary.t)?;
    for i in 0..n {
        if summary.recency[i] > summary.t[i] * (1.0 + 1e-12) {
            return Err(Error::invalid(format!(
                "recency[{i}] ({}) is greater than T[{i}] ({})",
                Decimal(summary.recency[i]), Decimal(summary.t[i])
            )));
        }
    }
    Ok(())
}

pub(crate) fn check_output(model: &str, what: &str, values: &[f64]) -> Result<()> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::NotIdentifiable(format!(
            "{model} {what} is not finite for customer {i} (the fitted parameters are too extreme for this customer)"
        )));
    }
    Ok(())
}

/// Identical `(frequency, recency, T)` rows merged, with their counts as weights. Rows are
/// sorted by frequency, so the terms of a likelihood that depend on frequency alone are
/// computed once per distinct frequency (`x_index` points into `distinct_x`).
#[derive(Debug, Clone)]
pub(crate) struct Grouped {
    pub x: Vec<f64>,
    pub tx: Vec<f64>,
    pub t: Vec<f64>,
    pub weight: Vec<f64>,
    pub x_index: Vec<u32>,
    /// Index of each row's T in `distinct_t`, and of its recency in `distinct_tx`.
    pub t_index: Vec<u32>,
    pub tx_index: Vec<u32>,
    pub distinct_x: Vec<f64>,
    pub distinct_weight: Vec<f64>,
    pub distinct_t: Vec<f64>,
    pub distinct_tx: Vec<f64>,
    pub total_weight: f64,
    /// Weight of the rows with frequency > 0.
    pub repeat_weight: f64,
}

impl Grouped {
    pub fn from_summary(summary: &Summary) -> Result<Self> {
        check_summary(summary)?;
        if summary.is_empty() {
            return Err(Error::invalid("the summary is empty: no customers to fit"));
        }
        // Sort the row keys and merge runs (faster than hashing for a million rows).
        let sorted: Vec<[u64; 3]> = (0..summary.len())
            .map(|i| {
                let x = summary.frequency[i];
                // recency is meaningless without repeat purchases; normalise it so such rows merge.
                let tx = if x > 0.0 { summary.recency[i] } else { 0.0 };
                // +0.0 so that -0.0 and 0.0 merge; non-negative floats sort like their bits.
                [(x + 0.0).to_bits(), (tx + 0.0).to_bits(), (summary.t[i] + 0.0).to_bits()]
            })
            .collect();
        let sorted = radix_sorted(sorted);
        let mut keys: Vec<([u64; 3], u32)> = Vec::new();
        for key in sorted {
            match keys.last_mut() {
                Some((last, count)) if *last == key => *count += 1,
                _ => keys.push((key, 1)),
            }
        }
        let mut g = Grouped {
            x: Vec::with_capacity(keys.len()),
            tx: Vec::with_capacity(keys.len()),
            t: Vec::with_capacity(keys.len()),
            weight: Vec::with_capacity(keys.len()),
            x_index: Vec::with_capacity(keys.len()),
            t_index: Vec::with_capacity(keys.len()),
            tx_index: Vec::with_capacity(keys.len()),
            distinct_x: Vec::new(),
            distinct_weight: Vec::new(),
            distinct_t: Vec::new(),
            distinct_tx: Vec::new(),
            total_weight: summary.len() as f64,
            repeat_weight: 0.0,
        };
        for (key, count) in keys {
            let (x, tx, t) = (f64::from_bits(key[0]), f64::from_bits(key[1]), f64::from_bits(key[2]));
            if g.distinct_x.last() != Some(&x) {
                g.distinct_x.push(x);
                g.distinct_weight.push(0.0);
            }
            *g.distinct_weight.last_mut().unwrap() += count as f64;
            if x > 0.0 {
                g.repeat_weight += count as f64;
            }
            g.x.push(x);
            g.tx.push(tx);
            g.t.push(t);
            g.weight.push(count as f64);
            g.x_index.push((g.distinct_x.len() - 1) as u32);
        }
        // Distinct T and recency values (few on a day grid): ln(α + T) is computed once per value.
        let distinct = |values: &[f64]| {
            let mut v = values.to_vec();
            crate::sort::sort_by(&mut v, &|a, b| a.total_cmp(b));
            v.dedup();
            v
        };
        g.distinct_t = distinct(&g.t);
        g.distinct_tx = distinct(&g.tx);
        for i in 0..g.x.len() {
            g.t_index.push(g.distinct_t.binary_search_by(|v| v.total_cmp(&g.t[i])).unwrap_or(0) as u32);
            g.tx_index.push(g.distinct_tx.binary_search_by(|v| v.total_cmp(&g.tx[i])).unwrap_or(0) as u32);
        }
        Ok(g)
    }
}

/// `keys` in ascending lexicographic order, by a least-significant-digit radix sort: one stable
/// counting pass per byte, from the last word's lowest byte to the first word's highest,
/// skipping the bytes every key shares (most of an f64's exponent, and all of it on a day
/// grid). No comparisons: several times faster than a comparison sort for the fits' keys.
fn radix_sorted(mut keys: Vec<[u64; 3]>) -> Vec<[u64; 3]> {
    let mut buffer = keys.clone();
    for word in (0..3).rev() {
        for byte in 0..8 {
            let shift = 8 * byte;
            let mut counts = [0usize; 256];
            for key in &keys {
                counts[((key[word] >> shift) & 0xff) as usize] += 1;
            }
            if counts.contains(&keys.len()) {
                continue;
            }
            let mut start = 0;
            for count in counts.iter_mut() {
                let c = *count;
                *count = start;
                start += c;
            }
            for key in &keys {
                let digit = ((key[word] >> shift) & 0xff) as usize;
                buffer[counts[digit]] = *key;
                counts[digit] += 1;
            }
            std::mem::swap(&mut keys, &mut buffer);
        }
    }
    keys
}

/// A small hasher for keys made of f64 bit patterns (std's SipHash is several times slower,
/// and these keys come from the caller's own data). SplitMix64's finaliser spreads every input
/// bit into the low bits that pick the bucket.
#[derive(Default, Clone, Copy)]
pub(crate) struct BitsHasher(u64);

impl std::hash::Hasher for BitsHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(23) ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl std::hash::BuildHasher for BitsHasher {
    type Hasher = BitsHasher;
    fn build_hasher(&self) -> BitsHasher {
        BitsHasher(0)
    }
}

/// The checks shared by every count-model fit: a finite penalizer, some repeat buyers, and
/// not only customers observed for no time at all.
pub(crate) fn check_fit_input(model: &str, grouped: &Grouped, penalizer: f64) -> Result<()> {
    if !penalizer.is_finite() || penalizer < 0.0 {
        return Err(Error::invalid(format!("penalizer must be a finite number >= 0, got {penalizer}", penalizer = Decimal(penalizer))));
    }
    if grouped.repeat_weight == 0.0 {
        return Err(Error::NotIdentifiable(format!(
            "{model}: no repeat buyers (every customer has frequency 0), so the purchase and dropout rates cannot be told apart"
        )));
    }
    if grouped.t.iter().all(|t| *t == 0.0) {
        return Err(Error::NotIdentifiable(format!("{model}: every customer has T = 0 (no observation time)")));
    }
    Ok(())
}

/// Fails with a clear message when a fitted parameter ran off to 0 or infinity (the likelihood
/// is flat in that direction: the data cannot identify the model).
pub(crate) fn check_fitted(model: &str, names: &[&str], values: &[f64], log_likelihood: f64) -> Result<()> {
    for (name, v) in names.iter().zip(values) {
        if !v.is_finite() || *v <= 0.0 || v.ln().abs() > 23.0 {
            return Err(Error::NotIdentifiable(format!(
                "{model}: parameter {name} diverged to {v}; the data cannot identify the model (too few customers or repeat purchases?)",
                v = Scientific(*v)
            )));
        }
    }
    if !log_likelihood.is_finite() {
        return Err(Error::NotIdentifiable(format!("{model}: the log-likelihood at the optimum is not finite")));
    }
    Ok(())
}

/// Reads back the standard errors written by [`write_standard_errors`].
pub(crate) fn read_standard_errors(reader: &mut crate::codec::Reader, n: usize) -> Result<Option<Vec<f64>>> {
    if !reader.get_bool()? {
        return Ok(None);
    }
    let se = reader.get_f64s()?;
    if se.len() != n || se.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return Err(Error::corrupt("standard errors are malformed"));
    }
    Ok(Some(se))
}

pub(crate) fn write_standard_errors(writer: &mut crate::codec::Writer, se: &Option<Vec<f64>>) {
    writer.put_bool(se.is_some());
    if let Some(se) = se {
        writer.put_f64s(se);
    }
}

/// Reads `n` parameters that must be finite and positive.
pub(crate) fn read_positive_params(reader: &mut crate::codec::Reader, n: usize) -> Result<Vec<f64>> {
    let params = reader.get_f64s()?;
    if params.len() != n || params.iter().any(|v| !v.is_finite() || *v <= 0.0) {
        return Err(Error::corrupt(format!("expected {n} finite positive parameters")));
    }
    Ok(params)
}

pub mod churn_model;
pub use churn_model::{ChurnModel, ChurnOptions, ChurnScores, ChurnValidation, RiskMethod, SupervisedLayer};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_matches_the_standard_sort() {
        let mut rng = crate::rng::Rng::new(4);
        for n in [0usize, 1, 2, 7, 300, 5000] {
            // Day-grid-like keys with many ties, and arbitrary bit patterns.
            let keys: Vec<[u64; 3]> = (0..n)
                .map(|i| {
                    if i % 2 == 0 {
                        [(rng.below(5) as f64).to_bits(), (rng.below(40) as f64 / 7.0).to_bits(), (rng.below(90) as f64 / 7.0).to_bits()]
                    } else {
                        [rng.below(3) as u64, (rng.uniform() * 1e18) as u64, u64::MAX - rng.below(2) as u64]
                    }
                })
                .collect();
            let mut want = keys.clone();
            want.sort();
            assert_eq!(radix_sorted(keys), want, "n = {n}");
        }
    }
}
