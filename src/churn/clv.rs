//! Customer lifetime value: the discounted expected spend of each customer over a horizon,
//! combining a count model ([`TransactionModel`]) with the Gamma-Gamma spend model
//! (Fader, Hardie & Lee 2005, "RFM and CLV", with the spend model independent of the counts).
//!
//! Units: everything is in the summary's unit. `horizon` is a number of units (weeks for a
//! weekly summary) and `discount_rate` is the rate per unit (a yearly rate of 10 % on a weekly
//! summary is 1.1^(1/52) − 1 ≈ 0.00183). Python's lifetimes mixes months and the summary's unit
//! here; we do not.
//!
//! Method: the horizon is cut into steps of one unit (at most [`MAX_STEPS`] steps; longer
//! horizons use equal steps of horizon / MAX_STEPS). The expected purchases in each step are
//! E[X(t_i)] − E[X(t_{i−1})] from the conditional expectation, discounted at the step's
//! midpoint by (1 + d)^{−(t_{i−1} + t_i)/2}, and multiplied by the Gamma-Gamma expected spend
//! per transaction. The midpoint rule makes the discretisation error O(step² ln²(1+d)), far
//! below the model's own uncertainty.

use crate::decimal::Decimal;
use super::gamma_gamma::GammaGamma;
use super::{check_horizon, check_output, check_summary, TransactionModel};
use crate::data::Summary;
use crate::error::{Error, Result};

/// Most steps used for one customer's CLV.
pub const MAX_STEPS: usize = 1000;

/// Options of [`customer_lifetime_value`], both in the summary's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClvOptions {
    /// Length of the horizon, in units of the summary (e.g. 52 for a year of a weekly summary).
    pub horizon: f64,
    /// Discount rate per unit of the summary (0 = no discounting).
    pub discount_rate: f64,
}

/// Discounted expected spend over the horizon for every customer of the summary, in money.
pub fn customer_lifetime_value(
    model: &dyn TransactionModel,
    spend: &GammaGamma,
    summary: &Summary,
    options: ClvOptions,
) -> Result<Vec<f64>> {
    check_horizon(options.horizon).map_err(|_| {
        Error::invalid(format!("horizon must be a finite number >= 0, got {}", Decimal(options.horizon)))
    })?;
    let d = options.discount_rate;
    if !d.is_finite() || d < 0.0 {
        return Err(Error::invalid(format!("discountRate must be a finite number >= 0, got {d}", d = Decimal(d))));
    }
    check_summary(summary)?;
    let expected_spend = spend.expected_spend(summary)?;
    let steps = (options.horizon.ceil() as usize).clamp(1, MAX_STEPS);
    let step = options.horizon / steps as f64;
    let log_discount = (1.0 + d).ln();
    // Discount factors at the step midpoints, shared by every customer.
    let factors: Vec<f64> = (0..steps).map(|i| (-(i as f64 + 0.5) * step * log_discount).exp()).collect();
    let mut out = Vec::with_capacity(summary.len());
    for i in 0..summary.len() {
        let (x, tx, t) = (summary.frequency[i], summary.recency[i], summary.t[i]);
        let mut previous = 0.0;
        let mut value = 0.0;
        if options.horizon > 0.0 {
            for (k, factor) in factors.iter().enumerate() {
                let cumulative = model.expected_purchases_one((k + 1) as f64 * step, x, tx, t);
                value += (cumulative - previous) * factor;
                previous = cumulative;
            }
        }
        out.push(value * expected_spend[i]);
    }
    check_output(model.model_name(), "customerLifetimeValue", &out)?;
    Ok(out)
}
