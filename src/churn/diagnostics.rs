//! Fit diagnostics of the BTYD and Gamma-Gamma models (`m.diagnostics`): whether the optimiser
//! met its own convergence criterion ([`super::optimize`]), how many iterations it took, the
//! gradient norm at the optimum, and plain-words warnings about what the data could not pin down.
//!
//! The warnings are decided once, at fit time, where the data are at hand (repeat buyers, the
//! observation length), and stored with the model (a trailing optional field of its bytes), so
//! the serve build reads them without any of the fitting code. A model built from parameters, or
//! loaded from bytes saved before diagnostics existed, has none (`None`; `null` in JS).
//!
//! Warnings (each tested on a shop built to trigger it, silent on CDNOW: tests/btyd_diagnostics.rs):
//! - dropout not identified: BG/NBD, MBG/NBD a < 1e-3 or a/(a+b) < 1e-3 (the mean dropout
//!   probability per purchase); Pareto/NBD s < 1e-2 or β/s > 1000 × the mean observation time T
//!   (mean dropout rate s/β so small that hardly anyone drops out within the data) — P(alive) ≈ 1;
//! - a parameter at a bound: outside [1e-6, 1e6] ([`BOUND`], the bound beyond which `ChurnModel`'s
//!   fallback ladder counts a BG/NBD fit as run off). Not |ln p| > 20 (e^±20, the Newton box of
//!   `optimize`): on shops that send a parameter to ∞ the optimiser's flat-valley stop leaves it
//!   near 1e8 (|ln p| ≈ 18–19.8 on the always-buying shops of tests/btyd_diagnostics.rs), and
//!   beyond |ln p| = 23 the fit fails outright, so a warning at 20 would almost never fire;
//! - fewer than [`MIN_REPEAT_BUYERS`] repeat buyers;
//! - flat likelihood: no standard errors (the information matrix is not positive definite), or one
//!   that is not finite or over 10× its parameter.
//! - the optimiser stopped before its convergence criterion.
//! Numbers in warnings use integer formatting (float formatting is heavy in wasm).

use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};

/// Fewer repeat buyers than this gets a warning (the same threshold as `ChurnModel`'s).
pub const MIN_REPEAT_BUYERS: usize = 30;

/// A fitted parameter outside [1/BOUND, BOUND] is "at a bound" (module docs).
pub const BOUND: f64 = 1e6;

/// What the optimiser reported and what the fit could not pin down.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics {
    /// The optimiser met its own criterion (every gradient component small, see `optimize`).
    pub converged: bool,
    pub iterations: u32,
    /// Euclidean norm of the gradient of the minimised objective (mean penalised negative
    /// log-likelihood per customer) with respect to the log-parameters, at the optimum.
    pub gradient_norm: f64,
    pub warnings: Vec<String>,
}

impl Diagnostics {
    /// Appends the diagnostics to model bytes: trailing and optional, so bytes written before
    /// they existed (which end before this) still load, with `None`.
    pub(crate) fn write(diagnostics: &Option<Diagnostics>, w: &mut Writer) {
        if let Some(d) = diagnostics {
            w.put_bool(d.converged);
            w.put_u32(d.iterations);
            w.put_f64(d.gradient_norm);
            w.put_strs(&d.warnings);
        }
    }

    /// Reads what [`Diagnostics::write`] wrote, `None` when the bytes end here.
    pub(crate) fn read(r: &mut Reader) -> Result<Option<Diagnostics>> {
        if r.remaining() == 0 {
            return Ok(None);
        }
        let converged = r.get_bool()?;
        let iterations = r.get_u32()?;
        let gradient_norm = r.get_f64()?;
        if !(gradient_norm >= 0.0) {
            return Err(Error::corrupt("diagnostics: gradient norm must be >= 0"));
        }
        let warnings = r.get_strs()?;
        Ok(Some(Diagnostics { converged, iterations, gradient_norm, warnings }))
    }
}

/// The diagnostics of a fit (module docs). `names`/`params` in the papers' order, `dropout` the
/// model's dropout-identification test (already decided), `repeat_buyers` the fitted customers
/// with a repeat purchase (`None` for Gamma-Gamma, fitted on repeat buyers only: then `customers`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn diagnose(
    model: &str,
    minimum: &super::optimize::Minimum,
    gradient_norm: f64,
    names: &[&str],
    params: &[f64],
    standard_errors: &Option<Vec<f64>>,
    dropout_not_identified: Option<&str>,
    repeat_buyers: f64,
) -> Diagnostics {
    let mut warnings = Vec::new();
    if let Some(which) = dropout_not_identified {
        // The same words as ChurnModel's own warning for BG/NBD, so the two merge.
        warnings.push(format!("{model}: dropout not identified ({which}): P(alive) ≈ 1"));
    }
    for (name, v) in names.iter().zip(params) {
        if !(1.0 / BOUND..=BOUND).contains(v) {
            let side = if *v < 1.0 { "0" } else { "∞" };
            warnings.push(format!("{model}: parameter {name} is at a bound (heading for {side}): the data do not determine it"));
        }
    }
    let repeat = repeat_buyers as usize;
    if repeat < MIN_REPEAT_BUYERS {
        warnings.push(format!("only {repeat} repeat buyers (< 30): rates poorly determined"));
    }
    match standard_errors {
        None => warnings.push(format!("{model}: flat likelihood: the information matrix is not positive definite (no standard errors)")),
        Some(se) => {
            for ((name, v), s) in names.iter().zip(params).zip(se) {
                if !(s.is_finite() && *s <= 10.0 * v) {
                    warnings.push(format!("{model}: flat likelihood: the standard error of {name} is over 10× its value"));
                }
            }
        }
    }
    if !minimum.converged {
        warnings.push(format!("{model}: the optimiser stopped after {} iterations before converging", minimum.iterations));
    }
    Diagnostics { converged: minimum.converged, iterations: minimum.iterations as u32, gradient_norm, warnings }
}
