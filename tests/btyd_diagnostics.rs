//! `diagnostics` of the fitted BTYD and Gamma-Gamma models (src/churn/diagnostics.rs): silent on
//! CDNOW, each warning firing on a shop built to trigger it (the trigger checked here from the
//! shop's own construction or the fitted numbers, not from the warning code), kept in the model
//! bytes, and absent (`None`) for bytes saved before diagnostics existed.

use regulars::churn::simulate::{simulate_bg_nbd, simulate_pareto_nbd, CohortOptions};
use regulars::churn::*;
use regulars::data::{Summary, TimeUnit};

mod common;

fn has(warnings: &[String], text: &str) -> bool {
    warnings.iter().any(|w| w.contains(text))
}

/// Diagnostics with no warnings take 1 (converged) + 4 (iterations) + 8 (gradient norm) + 8
/// (empty list) bytes.
const EMPTY_DIAGNOSTICS_BYTES: usize = 21;

fn check_clean(name: &str, d: &Option<Diagnostics>) {
    let d = d.as_ref().unwrap_or_else(|| panic!("{name}: no diagnostics"));
    assert!(d.converged, "{name}: {d:?}");
    assert!(d.iterations >= 1, "{name}: {d:?}");
    assert!(d.gradient_norm < 1e-6, "{name}: {d:?}");
    assert!(d.warnings.is_empty(), "{name}: {:?}", d.warnings);
}

#[test]
fn cdnow_fits_converge_without_warnings_and_keep_their_diagnostics_in_the_bytes() {
    let s = common::cdnow_sample_summary();
    let bg = BetaGeo::fit(&s).unwrap();
    check_clean("BG/NBD", &bg.diagnostics);
    let back = BetaGeo::from_bytes(&bg.to_bytes()).unwrap();
    assert_eq!(back, bg);
    let old = BetaGeo::from_bytes(&common::without_trailing(&bg.to_bytes(), EMPTY_DIAGNOSTICS_BYTES)).unwrap();
    assert_eq!(old.diagnostics, None);
    assert_eq!(old.params, bg.params);

    let mbg = ModifiedBetaGeo::fit(&s).unwrap();
    check_clean("MBG/NBD", &mbg.diagnostics);
    assert_eq!(ModifiedBetaGeo::from_bytes(&mbg.to_bytes()).unwrap(), mbg);
    assert_eq!(ModifiedBetaGeo::from_bytes(&common::without_trailing(&mbg.to_bytes(), EMPTY_DIAGNOSTICS_BYTES)).unwrap().diagnostics, None);

    let pnbd = ParetoNbd::fit(&s).unwrap();
    check_clean("Pareto/NBD", &pnbd.diagnostics);
    assert_eq!(ParetoNbd::from_bytes(&pnbd.to_bytes()).unwrap(), pnbd);
    assert_eq!(ParetoNbd::from_bytes(&common::without_trailing(&pnbd.to_bytes(), EMPTY_DIAGNOSTICS_BYTES)).unwrap().diagnostics, None);

    let gg = GammaGamma::fit(&s).unwrap();
    check_clean("Gamma-Gamma", &gg.diagnostics);
    assert_eq!(GammaGamma::from_bytes(&gg.to_bytes()).unwrap(), gg);
    assert_eq!(GammaGamma::from_bytes(&common::without_trailing(&gg.to_bytes(), EMPTY_DIAGNOSTICS_BYTES)).unwrap().diagnostics, None);

    // A damaged diagnostics field is rejected, not misread.
    assert!(BetaGeo::from_bytes(&common::without_trailing(&bg.to_bytes(), 3)).is_err());
    // Models from parameters have none.
    assert_eq!(BetaGeo::from_params(bg.params).unwrap().diagnostics, None);
}

#[test]
fn dropout_not_identified_on_a_shop_where_nobody_drops_out() {
    // Pareto/NBD with a mean dropout rate s/β = 1e-12 per week: no one drops out in 39 weeks.
    let s = simulate_pareto_nbd(ParetoNbdParams { r: 2.0, alpha: 4.0, s: 1e-6, beta: 1e6 }, &CohortOptions { customers: 500, seed: 3, ..CohortOptions::default() }).unwrap();
    let bg = BetaGeo::fit(&s).unwrap();
    let w = &bg.diagnostics.as_ref().unwrap().warnings;
    assert!(has(w, "BG/NBD: dropout not identified"), "{w:?}");
    let p = bg.params;
    assert!(p.a < 1e-3 || p.a / (p.a + p.b) < 1e-3, "{p:?}");
    let w = ModifiedBetaGeo::fit(&s).unwrap().diagnostics.unwrap().warnings;
    assert!(has(&w, "MBG/NBD: dropout not identified"), "{w:?}");
    let pnbd = ParetoNbd::fit(&s).unwrap();
    let w = &pnbd.diagnostics.as_ref().unwrap().warnings;
    assert!(has(w, "Pareto/NBD: dropout not identified"), "{w:?}");
    // The flat direction leaves no positive-definite information matrix.
    assert!(bg.standard_errors.is_none() && has(&bg.diagnostics.unwrap().warnings, "flat likelihood: the information matrix"));
}

#[test]
fn parameter_at_a_bound_on_identical_always_buying_customers() {
    // 40 customers, each buying every week for 30 weeks: the purchase rates have no spread, so
    // the gamma's shape r (and α with it) run off to ∞.
    let f = vec![30.0; 40];
    let s = Summary::from_columns(None, f.clone(), f.clone(), f, None, TimeUnit::Week).unwrap();
    let bg = BetaGeo::fit(&s).unwrap();
    assert!(bg.params.r > 1e6, "{:?}", bg.params);
    let w = bg.diagnostics.unwrap().warnings;
    assert!(has(&w, "BG/NBD: parameter r is at a bound (heading for ∞)"), "{w:?}");
}

#[test]
fn few_repeat_buyers_and_flat_likelihood_on_a_tiny_shop() {
    let truth = BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    let s = simulate_bg_nbd(truth, &CohortOptions { customers: 40, seed: 1, ..CohortOptions::default() }).unwrap();
    let repeat = s.frequency.iter().filter(|x| **x > 0.0).count();
    assert!(repeat < 30);
    let bg = BetaGeo::fit(&s).unwrap();
    let w = bg.diagnostics.as_ref().unwrap().warnings.clone();
    assert!(has(&w, &format!("only {repeat} repeat buyers (< 30)")), "{w:?}");
    // a and b are barely constrained: standard errors far beyond the estimates.
    let se = bg.standard_errors.clone().unwrap();
    assert!(se[2] > 10.0 * bg.params.a, "{se:?} {:?}", bg.params);
    assert!(has(&w, "BG/NBD: flat likelihood: the standard error of a is over 10×"), "{w:?}");
    // The Pareto/NBD fit on this shop does not converge, and says so.
    let pnbd = ParetoNbd::fit(&s).unwrap();
    let d = pnbd.diagnostics.unwrap();
    assert!(!d.converged && has(&d.warnings, "before converging"), "{d:?}");

    // Gamma-Gamma on the first 25 repeat buyers of CDNOW.
    let cd = common::cdnow_sample_summary();
    let rows: Vec<usize> = (0..cd.len()).filter(|&i| cd.frequency[i] > 0.0).take(25).collect();
    let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let small = Summary::from_columns(None, pick(&cd.frequency), pick(&cd.recency), pick(&cd.t), Some(pick(&cd.monetary)), TimeUnit::Week).unwrap();
    let w = GammaGamma::fit(&small).unwrap().diagnostics.unwrap().warnings;
    assert!(has(&w, "only 25 repeat buyers (< 30)"), "{w:?}");
}
