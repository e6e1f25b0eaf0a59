//! Off-policy evaluation: estimate what a policy (an [`OfferRanker`] as it is now) would earn per
//! customer, from rows logged under another policy, without showing it to anyone.
//!
//! With logged rows (x_i, a_i, p_i, r_i), target probabilities π(a | x) and importance weights
//! w_i = π(a_i | x_i) / p_i (Dudík, Langford & Li 2011, "Doubly robust policy evaluation and
//! learning", eqs. 1–3):
//! - IPS   = (1/n) Σ w_i r_i — unbiased when the logged probabilities are right;
//! - SNIPS = Σ w_i r_i / Σ w_i — self-normalised (Swaminathan & Joachims 2015): a little bias,
//!   much less variance;
//! - DR    = (1/n) Σ [ Σ_a π(a | x_i) q̂(x_i, a) + w_i (r_i − q̂(x_i, a_i)) ] — unbiased if either
//!   the probabilities or the reward model q̂ is right, and lower variance when q̂ is good.
//!
//! The reward model q̂ is fitted on the log itself, not taken from the target policy (whose model
//! was trained on other data and may be biased): the same ridge regressions the ranker learns with
//! (the policy's prior as their mean), with 2-fold cross-fitting — rows of even index are
//! predicted by the model fitted on odd rows and vice versa — so no row's own noise leaks into its
//! prediction (Chernozhukov et al. 2018).
//!
//! The target probabilities come from [`OfferRanker::probabilities`]: deterministic, consuming no
//! randomness and creating no events.

use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::offers::bandit::OfferRanker;
use crate::offers::context::Context;
use crate::offers::value::{FeatureMap, LinearValueModel, PriorEstimate, PriorInputs};

/// One logged decision.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRow {
    pub context: Context,
    /// The offer that was shown.
    pub offer: String,
    /// The probability the logging policy had of showing it.
    pub probability: f64,
    pub reward: f64,
}

/// Estimates of the target policy's mean reward per decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OffPolicyEstimate {
    pub ips: f64,
    pub snips: f64,
    pub dr: f64,
}

/// Estimates `policy`'s value on `log` by IPS, SNIPS and doubly robust.
pub fn evaluate(log: &[LoggedRow], policy: &OfferRanker) -> Result<OffPolicyEstimate> {
    if log.is_empty() {
        return Err(Error::invalid("log is empty"));
    }
    let catalogue = policy.catalogue();
    let k = catalogue.len();
    let mut logged = Vec::with_capacity(log.len());
    for (i, row) in log.iter().enumerate() {
        row.context.validate(&format!("log[{i}].context"))?;
        let p = row.probability;
        if p.is_nan() {
            return Err(Error::invalid(format!("log[{i}].probability is NaN")));
        }
        if p <= 0.0 || p > 1.0 {
            return Err(Error::invalid(format!("log[{i}].probability must be in (0, 1], got {p}", p = Decimal(p))));
        }
        if row.reward.is_nan() {
            return Err(Error::invalid(format!("log[{i}].reward is NaN")));
        }
        if !row.reward.is_finite() {
            return Err(Error::invalid(format!("log[{i}].reward must be finite, got {}", Decimal(row.reward))));
        }
        let a = catalogue
            .index_of(&row.offer)
            .ok_or_else(|| Error::invalid(format!("log[{i}].offer: unknown offer '{}'", row.offer)))?;
        logged.push(a);
    }

    // Reward model: features and targets as in the ranker, fitted per fold.
    let economics = *policy.economics();
    let scale = economics.money_scale();
    let mut map = FeatureMap::default();
    for row in log {
        map.learn_names(&row.context);
    }
    let dim = map.dim();
    let mut shared = Vec::with_capacity(dim);
    let scales = map.offer_penalty_scales();
    let mut folds = [LinearValueModel::new(k, scales.clone()), LinearValueModel::new(k, scales)];
    // estimates[i * k + a]: the prior's view of offer a in row i.
    let none = catalogue.none_index();
    let mut estimates: Vec<PriorEstimate> = Vec::with_capacity(log.len() * k);
    for (i, row) in log.iter().enumerate() {
        let inputs = PriorInputs::new(&row.context, &economics);
        estimates.extend(catalogue.offers().iter().map(|o| inputs.estimate(o)));
        map.shared_features(&row.context, &economics, &mut shared);
        let a = logged[i];
        let e = &estimates[i * k + a];
        FeatureMap::set_offer_features(&mut shared, e, row.context.risk, a == none, scale);
        // Row i trains the fold that predicts the other rows' parity.
        folds[1 - i % 2].accumulate(a, &shared, row.reward / scale - e.expected_reward / scale);
    }
    for f in &mut folds {
        f.finish_batch()?;
    }

    let n = log.len() as f64;
    let (mut ips, mut weighted, mut weights, mut dr) = (0.0, 0.0, 0.0, 0.0);
    for (i, row) in log.iter().enumerate() {
        let model = &folds[i % 2];
        map.shared_features(&row.context, &economics, &mut shared);
        let risk = row.context.risk;
        let row_estimates = &estimates[i * k..(i + 1) * k];
        let mut predict = |a: usize| {
            let e = &row_estimates[a];
            FeatureMap::set_offer_features(&mut shared, e, risk, a == none, scale);
            (e.expected_reward / scale + model.correction(a, &shared)) * scale
        };
        let target = policy.probabilities(&row.context)?;
        let mut direct = 0.0;
        let mut target_p = 0.0;
        for &(a, p) in &target {
            direct += p * predict(a);
            if a == logged[i] {
                target_p = p;
            }
        }
        let w = target_p / row.probability;
        ips += w * row.reward;
        weighted += w * row.reward;
        weights += w;
        dr += direct + w * (row.reward - predict(logged[i]));
    }
    if weights.is_nan() || weights <= 0.0 {
        return Err(Error::invalid(
            "log: the policy never shows any of the logged offers, so this log cannot evaluate it",
        ));
    }
    let estimate = OffPolicyEstimate { ips: ips / n, snips: weighted / weights, dr: dr / n };
    if !(estimate.ips.is_finite() && estimate.snips.is_finite() && estimate.dr.is_finite()) {
        return Err(Error::invalid("log: the estimates overflow (rewards or weights too large)"));
    }
    Ok(estimate)
}
