//! `reliability(risk, outcome, { bins })`: a reliability diagram and the expected calibration
//! error, so a shop can check on its own data that a risk of 40 % means 40 % churn. Equal-width
//! bins over [0, 1] (bin k holds k/bins ≤ p < (k+1)/bins, the last one p = 1 too); per bin the
//! mean predicted risk, the observed share of outcomes and the count (an empty bin has NaN means
//! and count 0); ECE = Σ_k count_k / N · |predicted_k − observed_k| (Naeini, Cooper & Hauskrecht
//! 2015, "Obtaining well calibrated probabilities using Bayesian binning", eq. for ECE).

use crate::decimal::Decimal;
use crate::error::{Error, Result};

/// The diagram: per-bin means and counts, and the ECE.
#[derive(Debug, Clone, PartialEq)]
pub struct Reliability {
    pub predicted: Vec<f64>,
    pub observed: Vec<f64>,
    pub count: Vec<u32>,
    pub ece: f64,
}

/// Bins allowed (fewer than 2 says nothing; more than 100 leaves most bins near empty).
pub const MIN_BINS: usize = 2;
pub const MAX_BINS: usize = 100;

pub fn reliability(risk: &[f64], outcome: &[bool], bins: usize) -> Result<Reliability> {
    if !(MIN_BINS..=MAX_BINS).contains(&bins) {
        return Err(Error::invalid(format!("bins must be a whole number between 2 and 100, got {bins}")));
    }
    if risk.len() != outcome.len() {
        return Err(Error::invalid(format!("risk has {} values but outcome has {}", risk.len(), outcome.len())));
    }
    if risk.is_empty() {
        return Err(Error::invalid("risk and outcome are empty: nothing to check"));
    }
    let mut sum_predicted = vec![0.0; bins];
    let mut sum_observed = vec![0.0; bins];
    let mut count = vec![0u32; bins];
    for (i, (&p, &y)) in risk.iter().zip(outcome).enumerate() {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::invalid(format!("risk[{i}] must be a number in [0, 1], got {}", Decimal(p))));
        }
        let k = ((p * bins as f64) as usize).min(bins - 1);
        sum_predicted[k] += p;
        sum_observed[k] += y as u8 as f64;
        count[k] += 1;
    }
    let n = risk.len() as f64;
    let mut ece = 0.0;
    let mut predicted = vec![f64::NAN; bins];
    let mut observed = vec![f64::NAN; bins];
    for k in 0..bins {
        if count[k] > 0 {
            let c = count[k] as f64;
            predicted[k] = sum_predicted[k] / c;
            observed[k] = sum_observed[k] / c;
            ece += c / n * (predicted[k] - observed[k]).abs();
        }
    }
    Ok(Reliability { predicted, observed, count, ece })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_and_ece_by_hand() {
        // Two bins: [0, 0.5) holds 0.1, 0.3 (outcomes 0, 1), [0.5, 1] holds 0.5, 1.0 (1, 1).
        let r = reliability(&[0.1, 0.3, 0.5, 1.0], &[false, true, true, true], 2).unwrap();
        assert_eq!(r.count, [2, 2]);
        assert!((r.predicted[0] - 0.2).abs() < 1e-12 && (r.observed[0] - 0.5).abs() < 1e-12);
        assert!((r.predicted[1] - 0.75).abs() < 1e-12 && r.observed[1] == 1.0);
        assert!((r.ece - (0.5 * 0.3 + 0.5 * 0.25)).abs() < 1e-12);
        assert!(reliability(&[0.1], &[true, false], 10).is_err());
        assert!(reliability(&[1.5], &[true], 10).unwrap_err().to_string().contains("risk[0]"));
        assert!(reliability(&[f64::NAN], &[true], 10).is_err());
        assert!(reliability(&[0.5], &[true], 1).unwrap_err().to_string().contains("bins"));
        assert!(reliability(&[0.5], &[true], 101).is_err());
    }
}
