//! Acceptance: the buy-till-you-die models reproduce the published CDNOW-sample results
//! (Fader, Hardie & Lee 2005; Fader & Hardie 2013) from the raw transaction log.

use regulars::churn::*;
use regulars::data::Summary;

mod common;

fn cdnow_summary() -> Summary {
    common::cdnow_sample_summary()
}

fn close(got: f64, want: f64, relative: f64) -> bool {
    (got - want).abs() <= relative * want.abs()
}

#[test]
fn summary_matches_the_published_conventions() {
    let s = cdnow_summary();
    assert_eq!(s.len(), 2357);
    let repeat = s.frequency.iter().filter(|x| **x > 0.0).count();
    assert_eq!(repeat, 946);
    // Customer 0001 first bought on 1997-01-01: T = 272 days = 38.857 weeks.
    let i = s.index_of("0001").unwrap();
    assert!((s.t[i] - 38.857).abs() < 1e-3, "T = {}", s.t[i]);
}

#[test]
fn bg_nbd_reproduces_fader_hardie_lee_2005() {
    let s = cdnow_summary();
    let m = BetaGeo::fit(&s).unwrap();
    let p = m.params;
    for (name, got, want) in [("r", p.r, 0.243), ("alpha", p.alpha, 4.414), ("a", p.a, 0.793), ("b", p.b, 2.426)] {
        assert!(close(got, want, 0.005), "{name}: {got} vs {want}");
    }
    assert!((m.log_likelihood - -9582.4).abs() < 0.5, "ll {}", m.log_likelihood);
    let se = m.standard_errors.clone().expect("standard errors");
    assert!(se.iter().zip(p.to_array()).all(|(s, v)| *s > 0.0 && *s < v), "{se:?}");
    // The L2 penalizer shrinks the parameters (lifetimes' convention) and costs likelihood.
    let penalised = BetaGeoOptions::default().penalizer(0.01).fit(&s).unwrap();
    let sum_sq = |v: [f64; 4]| v.iter().map(|x| x * x).sum::<f64>();
    assert!(sum_sq(penalised.params.to_array()) < sum_sq(p.to_array()));
    assert!(penalised.log_likelihood < m.log_likelihood);
}

#[test]
fn gamma_gamma_reproduces_fader_hardie_2013() {
    let s = cdnow_summary();
    let gg = GammaGamma::fit(&s).unwrap();
    assert_eq!(gg.customers, 946.0);
    let p = gg.params;
    for (name, got, want) in [("p", p.p, 6.25), ("q", p.q, 3.74), ("gamma", p.gamma, 15.44)] {
        assert!(close(got, want, 0.005), "{name}: {got} vs {want}");
    }
    // E[M] for a customer without history is the population mean pγ/(q−1).
    let spend = gg.expected_spend(&s).unwrap();
    let i = s.frequency.iter().position(|x| *x == 0.0).unwrap();
    assert!((spend[i] - p.p * p.gamma / (p.q - 1.0)).abs() < 1e-9);
}

#[test]
fn pareto_nbd_reproduces_fader_hardie_lee_2005() {
    let s = cdnow_summary();
    let m = ParetoNbd::fit(&s).unwrap();
    let p = m.params;
    for (name, got, want) in [("r", p.r, 0.553), ("alpha", p.alpha, 10.578), ("s", p.s, 0.606), ("beta", p.beta, 11.669)] {
        assert!(close(got, want, 0.005), "{name}: {got} vs {want}");
    }
    assert!((m.log_likelihood - -9595.0).abs() < 0.5, "ll {}", m.log_likelihood);
    let se = m.standard_errors.clone().expect("standard errors");
    assert!(se.iter().all(|s| *s > 0.0 && s.is_finite()), "{se:?}");
}
