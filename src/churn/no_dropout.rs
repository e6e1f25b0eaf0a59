//! The no-dropout purchase model (NBD: Poisson purchases, λ ~ Gamma(r, α), every customer alive
//! for ever), fitted as the a → 0 limit of BG/NBD: the last rung of `ChurnModel`'s fallback when
//! a shop is too small or too loyal for BG/NBD to identify a dropout process (e.g. every customer
//! still buying every week, where the BG/NBD fit runs a → 0, and r, α → ∞ without a penalizer).
//!
//! Why a BG/NBD at a → 0 is the NBD: p ~ Beta(a, b) tends to the point mass at p = 0 as a → 0 for
//! any b, so nobody drops out. The formulas agree: P(alive) = 1/(1 + a/(b+x−1)·…) → 1, and
//! FHL 2005 eq. (10) with a = 0 uses 2F1(A, B; B−1; z) = (1−z)^{−A} (1 + A z/((B−1)(1−z))), which
//! turns the bracket times (a+b+x−1)/(a−1) into (r+x) t/(α+T), the NBD's conditional expectation.
//! The model is stored as a `BetaGeo` with a = [`NO_DROPOUT_A`] (1e-300: the limit to machine
//! precision, and still a positive parameter for the model-bytes reader) and b = [`NO_DROPOUT_B`]
//! (any b > 1 gives the same numbers; 2 keeps the cancellation in the bracket mild).
//!
//! The fit maximises the NBD likelihood (FHL 2005 eq. 3 with the survival branch only, i.e.
//! Ehrenberg's NBD): ℓ = Σ lnΓ(r+x) − lnΓ(r) + r ln α − (r+x) ln(α+T), minus the same L2 penalty
//! as the other fits, `penalizer · (r² + α²)` on the mean negative log-likelihood — needed on a
//! shop whose customers all buy at the same rate, where the gamma's variance goes to 0
//! (r, α → ∞ with r/α fixed) and plain maximum likelihood has no finite optimum.

use super::bg_nbd::{BetaGeo, BetaGeoParams};
use super::optimize::{self, Objective, Settings};
use super::special::{digamma, ln_gamma, trigamma};
use super::{check_fit_input, check_fitted, Grouped};
use crate::data::Summary;
use crate::error::Result;

/// The a of a no-dropout BG/NBD (module docs).
pub const NO_DROPOUT_A: f64 = 1e-300;
/// The b of a no-dropout BG/NBD (module docs).
pub const NO_DROPOUT_B: f64 = 2.0;

/// Whether a BG/NBD is the no-dropout model of this module.
pub fn is_no_dropout(model: &BetaGeo) -> bool {
    model.params.a <= NO_DROPOUT_A
}

struct NbdObjective<'a> {
    data: &'a Grouped,
    penalizer: f64,
}

impl NbdObjective<'_> {
    /// Total log-likelihood with its gradient and Hessian in (r, α).
    fn total_with_hessian(&self, r: f64, alpha: f64) -> (f64, [f64; 2], [[f64; 2]; 2]) {
        let g = self.data;
        let (lg_r, dg_r, tg_r, ln_alpha) = (ln_gamma(r), digamma(r), trigamma(r), alpha.ln());
        let mut total = 0.0;
        let mut grad = [0.0; 2];
        let mut h = [[0.0; 2]; 2];
        for (&x, &w) in g.distinct_x.iter().zip(&g.distinct_weight) {
            total += w * (ln_gamma(r + x) - lg_r + r * ln_alpha);
            grad[0] += w * (digamma(r + x) - dg_r + ln_alpha);
            grad[1] += w * r / alpha;
            h[0][0] += w * (trigamma(r + x) - tg_r);
            h[0][1] += w / alpha;
            h[1][1] -= w * r / (alpha * alpha);
        }
        for i in 0..g.x.len() {
            let (w, rx) = (g.weight[i], r + g.x[i]);
            let inv = 1.0 / (alpha + g.t[i]);
            total -= w * rx * (alpha + g.t[i]).ln();
            grad[0] -= w * (alpha + g.t[i]).ln();
            grad[1] -= w * rx * inv;
            h[0][1] -= w * inv;
            h[1][1] += w * rx * inv * inv;
        }
        h[1][0] = h[0][1];
        (total, grad, h)
    }
}

impl Objective for NbdObjective<'_> {
    fn dimension(&self) -> usize {
        2
    }
    fn has_gradient(&self) -> bool {
        true
    }
    fn value(&self, theta: &[f64], gradient: Option<&mut [f64]>) -> f64 {
        let mut g = [0.0; 2];
        let mut h = [0.0; 4];
        let v = self.value_gradient_hessian(theta, &mut g, &mut h).unwrap_or(f64::NAN);
        if let Some(out) = gradient {
            out.copy_from_slice(&g);
        }
        v
    }
    fn value_gradient_hessian(&self, theta: &[f64], gradient: &mut [f64], hessian: &mut [f64]) -> Option<f64> {
        let p = [theta[0].exp(), theta[1].exp()];
        if p.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Some(f64::NAN);
        }
        let n = self.data.total_weight;
        let (ll, ll_gradient, ll_hessian) = self.total_with_hessian(p[0], p[1]);
        optimize::log_parameter_derivatives(&p, &ll_gradient, &ll_hessian, n, self.penalizer, gradient, hessian);
        Some(-ll / n + self.penalizer * (p[0] * p[0] + p[1] * p[1]))
    }
}

/// Fits the no-dropout model (module docs) with the given penalizer.
pub fn fit_no_dropout(summary: &Summary, penalizer: f64) -> Result<BetaGeo> {
    let model = "NBD (no dropout)";
    let data = Grouped::from_summary(summary)?;
    check_fit_input(model, &data, penalizer)?;
    let objective = NbdObjective { data: &data, penalizer };
    let mean_t = data.t.iter().zip(&data.weight).map(|(t, w)| t * w).sum::<f64>() / data.total_weight;
    let scale = (mean_t.max(1e-6) / 8.0).ln();
    let starts = vec![vec![0.0, 0.0], vec![(0.3f64).ln(), scale], vec![(2.0f64).ln(), scale + 2.0]];
    let best = optimize::minimize(&objective, &starts, &Settings::default(), model)?;
    let (r, alpha) = (best.theta[0].exp(), best.theta[1].exp());
    let (log_likelihood, _, _) = objective.total_with_hessian(r, alpha);
    check_fitted(model, &["r", "alpha"], &[r, alpha], log_likelihood)?;
    Ok(BetaGeo {
        params: BetaGeoParams { r, alpha, a: NO_DROPOUT_A, b: NO_DROPOUT_B },
        log_likelihood,
        standard_errors: None,
        penalizer,
        customers: data.total_weight,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::churn::TransactionModel;

    /// The stored BG/NBD at a = 1e-300 gives the NBD's own closed forms (an independent
    /// computation): P(alive) = 1 and E[purchases in t] = (r+x) t / (α+T).
    #[test]
    fn limit_matches_the_nbd_closed_forms() {
        let model = BetaGeo::from_params(BetaGeoParams { r: 0.7, alpha: 3.0, a: NO_DROPOUT_A, b: NO_DROPOUT_B }).unwrap();
        for (x, tx, t) in [(0.0, 0.0, 10.0), (3.0, 8.0, 30.0), (40.0, 50.0, 52.0), (2.0, 1.0, 60.0)] {
            assert!((model.probability_alive_one(x, tx, t) - 1.0).abs() < 1e-12);
            for horizon in [1.0, 13.0, 52.0] {
                let want = (0.7 + x) * horizon / (3.0 + t);
                let got = model.expected_purchases_one(horizon, x, tx, t);
                assert!((got - want).abs() < 1e-9 * want, "{x} {t} {horizon}: {got} vs {want}");
            }
        }
    }

    /// The analytic gradient against central differences of the value.
    #[test]
    fn gradient_matches_differences() {
        let s = Summary::from_columns(None, vec![0.0, 1.0, 3.0, 7.0], vec![0.0, 5.0, 20.0, 30.0], vec![10.0, 30.0, 35.0, 31.0], None, crate::data::TimeUnit::Week).unwrap();
        let data = Grouped::from_summary(&s).unwrap();
        let objective = NbdObjective { data: &data, penalizer: 0.1 };
        let theta = [(0.4f64).ln(), (3.0f64).ln()];
        let mut g = [0.0; 2];
        objective.value(&theta, Some(&mut g));
        for i in 0..2 {
            let (mut up, mut down) = (theta, theta);
            up[i] += 1e-6;
            down[i] -= 1e-6;
            let numeric = (objective.value(&up, None) - objective.value(&down, None)) / 2e-6;
            assert!((numeric - g[i]).abs() < 1e-6, "{i}: {numeric} vs {}", g[i]);
        }
    }
}
