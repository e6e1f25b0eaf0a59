//! The no-dropout purchase model (NBD: Poisson purchases, λ ~ Gamma(r, α), every customer alive
//! for ever), as the a → 0 limit of BG/NBD: the last rung of `ChurnModel`'s fallback when a shop
//! is too small or too loyal for BG/NBD to identify a dropout process (e.g. every customer still
//! buying every week, where the BG/NBD fit runs a → 0, and r, α → ∞ without a penalizer).
//!
//! Why a BG/NBD at a → 0 is the NBD: p ~ Beta(a, b) tends to the point mass at p = 0 as a → 0 for
//! any b, so nobody drops out. The formulas agree: P(alive) = 1/(1 + a/(b+x−1)·…) → 1, and
//! FHL 2005 eq. (10) with a = 0 uses 2F1(A, B; B−1; z) = (1−z)^{−A} (1 + A z/((B−1)(1−z))), which
//! turns the bracket times (a+b+x−1)/(a−1) into (r+x) t/(α+T), the NBD's conditional expectation.
//! The model is stored as a `BetaGeo` with a = [`NO_DROPOUT_A`] (1e-300: the limit to machine
//! precision, and still a positive parameter for the model-bytes reader) and b = [`NO_DROPOUT_B`]
//! (any b > 1 gives the same numbers; 2 keeps the cancellation in the bracket mild).
//!
//! The fit: the penalised BG/NBD fit (`-ll/N + penalizer · Σ param²`) run to where it goes when
//! the data show no dropout, a → 0. There the BG/NBD log-likelihood (FHL 2005 eq. 6) tends to the
//! NBD's, lnΓ(r+x) − lnΓ(r) + r ln α − (r+x) ln(α+T) per customer (the beta term A2 → 0 and the
//! dropout term e^{A4} ∝ a → 0), so the (r, α) it reaches are the penalised NBD estimates; b is
//! then irrelevant. The penalty keeps r, α finite on a shop whose customers all buy at the same
//! rate (the gamma's variance → 0). The fit fails (no model) unless a really went to 0
//! (< 1e-6) with r and α inside [1e-6, 1e6]: any other failure is not the no-dropout case.

use super::bg_nbd::{fit_beta_geometric_checked, BetaGeo, BetaGeoParams};
use crate::data::Summary;
use crate::error::{Error, Result};

/// The a of a no-dropout BG/NBD (module docs).
pub const NO_DROPOUT_A: f64 = 1e-300;
/// The b of a no-dropout BG/NBD (module docs).
pub const NO_DROPOUT_B: f64 = 2.0;

/// Whether a BG/NBD is the no-dropout model of this module.
pub fn is_no_dropout(model: &BetaGeo) -> bool {
    model.params.a <= NO_DROPOUT_A
}

/// Fits the no-dropout model (module docs) with the given penalizer.
pub fn fit_no_dropout(summary: &Summary, penalizer: f64) -> Result<BetaGeo> {
    let fit = fit_beta_geometric_checked(summary, penalizer, 0, "NBD (no dropout)", false)?;
    let p = &fit.params;
    let bounded = |v: f64| (1e-6..=1e6).contains(&v);
    if !(p[2] < 1e-6 && bounded(p[0]) && bounded(p[1]) && fit.log_likelihood.is_finite()) {
        return Err(Error::NotIdentifiable("NBD: purchase rate not identified".into()));
    }
    Ok(BetaGeo {
        params: BetaGeoParams { r: p[0], alpha: p[1], a: NO_DROPOUT_A, b: NO_DROPOUT_B },
        log_likelihood: fit.log_likelihood,
        standard_errors: None,
        penalizer,
        customers: fit.customers,
        // The optimiser's report of the BG/NBD fit that ran to a → 0; of its warnings only the
        // repeat-buyer count still applies (a at its bound, no dropout, a flat likelihood in a
        // and b are what this model is: `ChurnModel` says it fell back to it).
        diagnostics: fit.diagnostics.map(|mut d| {
            d.warnings.retain(|w| w.starts_with("only "));
            d
        }),
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

    /// On a shop with no dropout, (r, α) are the stationary point of the penalised NBD objective:
    /// its gradient, written out here from the NBD likelihood (independent of the BG/NBD code),
    /// vanishes there.
    #[test]
    fn estimates_are_the_penalised_nbd_optimum() {
        use crate::churn::special::digamma;
        // 20 customers buying every week for 30 to 49 weeks: no one has stopped.
        let n = 20;
        let frequency: Vec<f64> = (0..n).map(|i| 30.0 + i as f64).collect();
        let s = Summary::from_columns(None, frequency.clone(), frequency.clone(), frequency.clone(), None, crate::data::TimeUnit::Week).unwrap();
        let penalizer = 0.1;
        let model = fit_no_dropout(&s, penalizer).unwrap();
        let (r, alpha) = (model.params.r, model.params.alpha);
        let (mut d_r, mut d_alpha) = (0.0, 0.0);
        for &x in &frequency {
            d_r += digamma(r + x) - digamma(r) + alpha.ln() - (alpha + x).ln();
            d_alpha += r / alpha - (r + x) / (alpha + x);
        }
        // d/dp of −ll/N + penalizer p².
        let g_r = -d_r / n as f64 + 2.0 * penalizer * r;
        let g_alpha = -d_alpha / n as f64 + 2.0 * penalizer * alpha;
        assert!(g_r.abs() < 1e-4 && g_alpha.abs() < 1e-4, "r {r} α {alpha}: gradient {g_r} {g_alpha}");
    }
}
