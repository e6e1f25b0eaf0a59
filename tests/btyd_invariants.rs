//! Invariants of the buy-till-you-die models, and their conditional expectations checked
//! against an independent computation: importance sampling from the prior (λ, p) or (λ, μ)
//! with the individual-level likelihood as weight — no hypergeometric function, no closed form.

#![allow(clippy::needless_range_loop)]

use regulars::churn::*;
use regulars::data::{Summary, TimeUnit};
use regulars::rng::Rng;
use regulars::Error;


/// One prior draw's contribution: (likelihood of being alive at T with this history, total
/// likelihood of the history, E[purchases in (T,T+t] | alive], P(no purchase in (T,T+t] | alive)).
type Draw = (f64, f64, f64, f64);

/// Posterior estimates of (P(alive), E[purchases], P(no purchase)) by self-normalised importance sampling.
fn importance(n: usize, seed: u64, mut draw: impl FnMut(&mut Rng) -> Draw) -> (f64, f64, f64) {
    let mut rng = Rng::new(seed);
    let (mut alive, mut total, mut expected, mut quiet) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..n {
        let (l_alive, l_total, e, q) = draw(&mut rng);
        alive += l_alive;
        total += l_total;
        expected += l_alive * e;
        quiet += l_alive * q + (l_total - l_alive);
    }
    (alive / total, expected / total, quiet / total)
}

const CUSTOMERS: [(f64, f64, f64); 6] =
    [(0.0, 0.0, 30.0), (1.0, 5.0, 35.0), (2.0, 30.0, 38.0), (4.0, 10.0, 39.0), (3.0, 25.0, 26.0), (2.0, 3.0, 38.0)];

fn summary_of(rows: &[(f64, f64, f64)]) -> Summary {
    Summary::from_columns(
        None,
        rows.iter().map(|r| r.0).collect(),
        rows.iter().map(|r| r.1).collect(),
        rows.iter().map(|r| r.2).collect(),
        None,
        TimeUnit::Week,
    )
    .unwrap()
}

fn check_against_sampling(model: &dyn TransactionModel, horizon: f64, draw: &dyn Fn(&mut Rng, f64, f64, f64) -> Draw) {
    for (k, &(x, tx, t)) in CUSTOMERS.iter().enumerate() {
        let (alive, expected, quiet) = importance(400_000, 11 + k as u64, |rng| draw(rng, x, tx, t));
        let got_alive = model.probability_alive_one(x, tx, t);
        let got_expected = model.expected_purchases_one(horizon, x, tx, t);
        let got_quiet = model.probability_no_purchase_one(horizon, x, tx, t);
        let name = model.model_name();
        assert!((got_alive - alive).abs() < 0.01, "{name} P(alive) {x},{tx},{t}: {got_alive} vs {alive}");
        assert!(
            (got_expected - expected).abs() < 0.03 * expected.max(0.1),
            "{name} E {x},{tx},{t}: {got_expected} vs {expected}"
        );
        assert!((got_quiet - quiet).abs() < 0.01, "{name} P(none) {x},{tx},{t}: {got_quiet} vs {quiet}");
    }
}

fn check_shapes(model: &dyn TransactionModel, summary: &Summary) {
    let alive = model.probability_alive(summary).unwrap();
    assert!(alive.iter().all(|p| (0.0..=1.0).contains(p)));
    for i in 0..summary.len() {
        let one = model.probability_alive_one(summary.frequency[i], summary.recency[i], summary.t[i]);
        assert!((alive[i] - one).abs() <= 1e-14, "{} vectorised P(alive) differs", model.model_name());
    }
    let mut previous_e = vec![0.0; summary.len()];
    let mut previous_q = vec![1.0; summary.len()];
    for horizon in [0.5, 1.0, 4.0, 13.0, 52.0, 200.0] {
        let e = model.expected_purchases(horizon, summary).unwrap();
        let q = model.probability_no_purchase(horizon, summary).unwrap();
        for i in 0..summary.len() {
            assert!(e[i] > previous_e[i], "{} E not increasing at {horizon}, row {i}", model.model_name());
            // The vectorised path (which shares work between customers) equals the scalar one.
            let one = model.expected_purchases_one(horizon, summary.frequency[i], summary.recency[i], summary.t[i]);
            assert!((e[i] - one).abs() <= 1e-12 * one, "{} vectorised E differs", model.model_name());
            assert!((0.0..=1.0).contains(&q[i]), "{} P(none) out of range", model.model_name());
            assert!(q[i] <= previous_q[i] + 1e-15, "{} P(none) not decreasing", model.model_name());
            // No purchase is at least as likely as being dead.
            assert!(q[i] >= 1.0 - alive[i] - 1e-12);
        }
        previous_e = e;
        previous_q = q;
    }
}

fn bg_nbd() -> BetaGeo {
    BetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }).unwrap()
}

#[test]
fn bg_nbd_predictions_match_importance_sampling() {
    let m = bg_nbd();
    let BetaGeoParams { r, alpha, a, b } = m.params;
    check_against_sampling(&m, 20.0, &|rng, x, tx, t| {
        let lambda = rng.gamma(r, alpha);
        let p = rng.beta(a, b);
        // FHL 2005 eq. (3): alive branch and "dropped out after the last purchase" branch.
        let alive = (1.0 - p).powf(x) * lambda.powf(x) * (-lambda * t).exp();
        let dead = if x > 0.0 { p * (1.0 - p).powf(x - 1.0) * lambda.powf(x) * (-lambda * tx).exp() } else { 0.0 };
        let horizon = 20.0;
        // Alive with (λ, p): purchases until dropout happen at rate λ(1−p)^k... expected count
        // ∫0^t λ P(alive at u) du = (1 − e^{−λpt}) / p; no purchase iff no Poisson event: e^{−λt}.
        (alive, alive + dead, (1.0 - (-lambda * p * horizon).exp()) / p, (-lambda * horizon).exp())
    });
}

#[test]
fn bg_nbd_shapes_and_frequency_zero() {
    let m = bg_nbd();
    let s = summary_of(&CUSTOMERS);
    check_shapes(&m, &s);
    assert_eq!(m.probability_alive_one(0.0, 0.0, 50.0), 1.0);
    // Unconditional E[X(t)] (FHL eq. 9) against a direct sum: the conditional expectation of a
    // customer observed for T = 0 with no repeat purchase is the same quantity.
    let new = m.expected_purchases_new_customer(26.0).unwrap();
    assert!((new - m.expected_purchases_one(26.0, 0.0, 0.0, 0.0)).abs() < 1e-12);
}

#[test]
fn gamma_gamma_expected_spend_is_a_credibility_weighted_mean() {
    let gg = GammaGamma::from_params(GammaGammaParams { p: 6.25, q: 3.74, gamma: 15.44 }).unwrap();
    let population = 6.25 * 15.44 / 2.74;
    for (x, m) in [(1.0, 10.0), (5.0, 80.0), (50.0, 33.0)] {
        let e = gg.expected_spend_one(x, m);
        let weight = 6.25 * x / (6.25 * x + 2.74);
        assert!((e - (weight * m + (1.0 - weight) * population)).abs() < 1e-9);
    }
}

#[test]
fn models_round_trip_through_bytes_and_reject_a_flipped_byte() {
    let s = summary_of(&[(0.0, 0.0, 30.0), (1.0, 5.0, 35.0), (2.0, 30.0, 38.0), (4.0, 10.0, 39.0), (7.0, 36.0, 39.0), (0.0, 0.0, 12.0)]);
    let m = BetaGeo::fit(&s).unwrap();
    let bytes = m.to_bytes();
    let back = BetaGeo::from_bytes(&bytes).unwrap();
    assert_eq!(m.probability_alive(&s).unwrap(), back.probability_alive(&s).unwrap());
    assert_eq!(m.expected_purchases(10.0, &s).unwrap(), back.expected_purchases(10.0, &s).unwrap());
    for i in [0, 5, bytes.len() / 2, bytes.len() - 1] {
        let mut bad = bytes.clone();
        bad[i] ^= 0x10;
        assert!(matches!(BetaGeo::from_bytes(&bad), Err(Error::Corrupt(_))), "byte {i}");
    }
    assert!(BetaGeo::from_bytes(&bytes[..bytes.len() - 3]).is_err());
}

#[test]
fn all_zero_frequency_is_not_identifiable() {
    let s = summary_of(&[(0.0, 0.0, 30.0), (0.0, 0.0, 20.0), (0.0, 0.0, 10.0)]);
    match BetaGeo::fit(&s) {
        Err(Error::NotIdentifiable(message)) => assert!(message.contains("no repeat buyers"), "{message}"),
        other => panic!("expected NotIdentifiable, got {other:?}"),
    }
    let s = Summary::from_columns(None, vec![0.0, 0.0], vec![0.0, 0.0], vec![3.0, 4.0], Some(vec![0.0, 0.0]), TimeUnit::Week).unwrap();
    assert!(matches!(GammaGamma::fit(&s), Err(Error::NotIdentifiable(_))));
}

/// Six customers cannot identify a Pareto/NBD (the likelihood keeps rising as r and α grow
/// together): the fit must still end — it used to sum 2F1 series near z = 1 for minutes — with
/// either a clear error or parameters whose predictions are proper probabilities.
#[test]
fn pareto_nbd_on_a_tiny_cohort_ends_with_sane_predictions() {
    let s = summary_of(&[(0.0, 0.0, 10.0), (1.0, 4.0, 12.0), (3.0, 20.0, 30.0), (2.0, 9.0, 25.0), (0.0, 0.0, 40.0), (5.0, 30.0, 33.0)]);
    match ParetoNbd::fit(&s) {
        Err(Error::NotIdentifiable(_)) => {}
        Err(other) => panic!("expected a fit or NotIdentifiable, got {other}"),
        Ok(model) => {
            for p in model.probability_alive(&s).unwrap() {
                assert!((0.0..=1.0).contains(&p), "P(alive) {p}");
            }
            for e in model.expected_purchases(52.0, &s).unwrap() {
                assert!(e.is_finite() && e >= 0.0, "expected purchases {e}");
            }
        }
    }
}

/// A BG/NBD cohort drawn with this file's own samplers (independent of the crate's simulator).
fn simulated_cohort(n: usize, seed: u64) -> Vec<(f64, f64, f64)> {
    let mut rng = Rng::new(seed);
    let (r, alpha, a, b) = (0.243, 4.414, 0.793, 2.426);
    (0..n)
        .map(|_| {
            let lambda = rng.gamma(r, alpha);
            let p = rng.beta(a, b);
            let t = 27.0 + 12.0 * rng.uniform();
            let (mut clock, mut x, mut last) = (0.0, 0.0, 0.0);
            loop {
                clock += -(1.0 - rng.uniform()).ln() / lambda;
                if clock > t {
                    break;
                }
                x += 1.0;
                last = clock;
                if rng.uniform() < p {
                    break;
                }
            }
            (x, last, t)
        })
        .collect()
}

#[test]
fn extreme_customers_stay_finite() {
    // A very frequent buyer and a huge T next to an ordinary cohort.
    let mut rows = simulated_cohort(1000, 5);
    rows.extend([(500.0, 9990.0, 10_000.0), (0.0, 0.0, 10_000.0), (40.0, 10_000.0, 10_000.0)]);
    let s = summary_of(&rows);
    let m = BetaGeo::fit(&s).expect("fit");
    assert!(m.params.to_array().iter().all(|v| v.is_finite() && *v > 0.0));
    assert!(m.log_likelihood.is_finite());
    for horizon in [1.0, 52.0, 1000.0] {
        let e = m.expected_purchases(horizon, &s).unwrap();
        let q = m.probability_no_purchase(horizon, &s).unwrap();
        assert!(e.iter().all(|v| v.is_finite() && *v >= 0.0), "{e:?}");
        assert!(q.iter().all(|v| (0.0..=1.0).contains(v)));
    }
    // The published model scoring the same extreme rows.
    let published = bg_nbd();
    let n = rows.len();
    let e = published.expected_purchases(52.0, &s).unwrap();
    assert!(e.iter().all(|v| v.is_finite()));
    // 500 purchases in 10000 weeks, the last 10 weeks ago: about 2.6 purchases a year if alive.
    assert!(e[n - 3] > 1.0 && e[n - 3] < 3.0, "{}", e[n - 3]);
}

#[test]
fn tiny_cohorts_fit_or_fail_clearly() {
    let rows = [(500.0, 9990.0, 10_000.0), (0.0, 0.0, 10_000.0), (1.0, 2.0, 40.0), (3.0, 20.0, 39.0), (0.0, 0.0, 35.0)];
    let s = summary_of(&rows);
    match BetaGeo::fit(&s) {
        Ok(m) => assert!(m.params.to_array().iter().all(|v| v.is_finite())),
        Err(Error::NotIdentifiable(message)) => assert!(message.contains("BG/NBD"), "{message}"),
        Err(other) => panic!("unexpected {other:?}"),
    }
    // One customer only: a clear error, never NaN parameters.
    let one = summary_of(&[(2.0, 5.0, 10.0)]);
    match BetaGeo::fit(&one) {
        Ok(m) => assert!(m.params.to_array().iter().all(|v| v.is_finite())),
        Err(e) => assert!(matches!(e, Error::NotIdentifiable(_)), "{e:?}"),
    }
}

fn pareto_nbd() -> ParetoNbd {
    ParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 }).unwrap()
}

fn pareto_draw(p: ParetoNbdParams, horizon: f64) -> impl Fn(&mut Rng, f64, f64, f64) -> Draw {
    move |rng, x, tx, t| {
        let lambda = rng.gamma(p.r, p.alpha);
        let mu = rng.gamma(p.s, p.beta);
        // Individual likelihood (FH 2005 note, eq. 4): alive at T, or dropped out in (tx, T].
        let alive = lambda.powf(x) * (-(lambda + mu) * t).exp();
        let dead = lambda.powf(x) * mu / (lambda + mu) * ((-(lambda + mu) * tx).exp() - (-(lambda + mu) * t).exp());
        let expected = lambda / mu * (1.0 - (-mu * horizon).exp());
        let quiet = mu / (lambda + mu) + lambda / (lambda + mu) * (-(lambda + mu) * horizon).exp();
        (alive, alive + dead, expected, quiet)
    }
}

#[test]
fn pareto_nbd_predictions_match_importance_sampling() {
    let m = pareto_nbd();
    check_against_sampling(&m, 20.0, &pareto_draw(m.params, 20.0));
    // Both branches of the likelihood (alpha >= beta and alpha < beta).
    let swapped = ParetoNbd::from_params(ParetoNbdParams { r: 0.8, alpha: 14.0, s: 1.3, beta: 6.0 }).unwrap();
    check_against_sampling(&swapped, 20.0, &pareto_draw(swapped.params, 20.0));
}

#[test]
fn pareto_nbd_shapes_and_extremes() {
    let m = pareto_nbd();
    check_shapes(&m, &summary_of(&CUSTOMERS));
    let new = m.expected_purchases_new_customer(26.0).unwrap();
    assert!((new - m.expected_purchases_one(26.0, 0.0, 0.0, 0.0)).abs() < 1e-12);
    let mut rows = simulated_cohort(800, 9);
    rows.extend([(500.0, 9990.0, 10_000.0), (0.0, 0.0, 10_000.0)]);
    let s = summary_of(&rows);
    let fitted = ParetoNbd::fit(&s).expect("fit");
    assert!(fitted.log_likelihood.is_finite());
    for horizon in [1.0, 52.0, 1000.0] {
        assert!(fitted.expected_purchases(horizon, &s).unwrap().iter().all(|v| v.is_finite() && *v >= 0.0));
        assert!(fitted.probability_no_purchase(horizon, &s).unwrap().iter().all(|v| (0.0..=1.0).contains(v)));
    }
    let bytes = fitted.to_bytes();
    let back = ParetoNbd::from_bytes(&bytes).unwrap();
    assert_eq!(fitted.probability_alive(&s).unwrap(), back.probability_alive(&s).unwrap());
    let mut bad = bytes.clone();
    bad[bytes.len() / 2] ^= 1;
    assert!(matches!(ParetoNbd::from_bytes(&bad), Err(Error::Corrupt(_))));
    let zeros = summary_of(&[(0.0, 0.0, 30.0), (0.0, 0.0, 20.0)]);
    assert!(matches!(ParetoNbd::fit(&zeros), Err(Error::NotIdentifiable(_))));
}

#[test]
fn mbg_nbd_predictions_match_importance_sampling() {
    let m = ModifiedBetaGeo::from_params(ModifiedBetaGeoParams { r: 0.5, alpha: 6.0, a: 0.9, b: 4.0 }).unwrap();
    let ModifiedBetaGeoParams { r, alpha, a, b } = m.params;
    check_against_sampling(&m, 20.0, &|rng, x, tx, t| {
        let lambda = rng.gamma(r, alpha);
        let p = rng.beta(a, b);
        // Batislam et al. 2007: dropout may follow every purchase, the first one included.
        let alive = (1.0 - p).powf(x + 1.0) * lambda.powf(x) * (-lambda * t).exp();
        let dead = p * (1.0 - p).powf(x) * lambda.powf(x) * (-lambda * tx).exp();
        (alive, alive + dead, (1.0 - (-lambda * p * 20.0).exp()) / p, (-lambda * 20.0).exp())
    });
    check_shapes(&m, &summary_of(&CUSTOMERS));
    assert!(m.probability_alive_one(0.0, 0.0, 30.0) < 1.0);
    let new = m.expected_purchases_new_customer(26.0).unwrap();
    // A new customer is alive only with probability b/(a+b) right after the first purchase.
    let conditional_t0 = m.expected_purchases_one(26.0, 0.0, 0.0, 0.0);
    assert!((new - conditional_t0).abs() < 1e-12, "{new} vs {conditional_t0}");
}

#[test]
fn mbg_nbd_fits_a_cohort_and_round_trips() {
    let mut rows = simulated_cohort(1500, 21);
    rows.push((500.0, 9990.0, 10_000.0));
    let s = summary_of(&rows);
    let m = ModifiedBetaGeo::fit(&s).unwrap();
    assert!(m.log_likelihood.is_finite() && m.params.to_array().iter().all(|v| v.is_finite()));
    let back = ModifiedBetaGeo::from_bytes(&m.to_bytes()).unwrap();
    assert_eq!(m.expected_purchases(13.0, &s).unwrap(), back.expected_purchases(13.0, &s).unwrap());
    assert!(BetaGeo::from_bytes(&m.to_bytes()).is_err(), "kind tag must be checked");
}

#[test]
fn bg_nbd_recovers_simulated_parameters_and_grouping_is_exact() {
    use regulars::churn::simulate::{simulate_bg_nbd, CohortOptions};
    let truth = BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    let s = simulate_bg_nbd(truth, &CohortOptions { customers: 30_000, seed: 7, ..CohortOptions::default() }).unwrap();
    let m = BetaGeo::fit(&s).unwrap();
    let se = m.standard_errors.clone().unwrap();
    for ((got, want), se) in m.params.to_array().iter().zip(truth.to_array()).zip(&se) {
        assert!((got - want).abs() < 4.0 * se, "{got} vs {want} (se {se})");
    }
    // Two copies of every customer: same parameters, twice the log-likelihood.
    let mut doubled = s.clone();
    doubled.frequency.extend_from_slice(&s.frequency);
    doubled.recency.extend_from_slice(&s.recency);
    doubled.t.extend_from_slice(&s.t);
    let m2 = BetaGeo::fit(&doubled).unwrap();
    for (a, b) in m.params.to_array().iter().zip(m2.params.to_array()) {
        assert!((a - b).abs() < 1e-5 * a, "{a} vs {b}");
    }
    assert!((m2.log_likelihood - 2.0 * m.log_likelihood).abs() < 1e-6 * m.log_likelihood.abs());
}

#[test]
fn pareto_nbd_recovers_simulated_parameters() {
    use regulars::churn::simulate::{simulate_pareto_nbd, CohortOptions};
    let truth = ParetoNbdParams { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
    let s = simulate_pareto_nbd(truth, &CohortOptions { customers: 20_000, seed: 8, ..CohortOptions::default() }).unwrap();
    let m = ParetoNbd::fit(&s).unwrap();
    let se = m.standard_errors.clone().unwrap();
    for ((got, want), se) in m.params.to_array().iter().zip(truth.to_array()).zip(&se) {
        assert!((got - want).abs() < 4.0 * se, "{got} vs {want} (se {se})");
    }
}

#[test]
fn clv_matches_importance_sampling_and_telescopes_without_discount() {
    let m = bg_nbd();
    let gg = GammaGamma::from_params(GammaGammaParams { p: 6.25, q: 3.74, gamma: 15.44 }).unwrap();
    let rows = [(0.0, 0.0, 30.0), (2.0, 30.0, 38.0), (4.0, 10.0, 39.0)];
    let mut s = summary_of(&rows);
    s.monetary = vec![0.0, 40.0, 25.0];
    let spend = gg.expected_spend(&s).unwrap();
    // No discounting: CLV = E[purchases in the horizon] × expected spend.
    let flat = customer_lifetime_value(&m, &gg, &s, ClvOptions { horizon: 52.0, discount_rate: 0.0 }).unwrap();
    let e = m.expected_purchases(52.0, &s).unwrap();
    for i in 0..rows.len() {
        assert!((flat[i] - e[i] * spend[i]).abs() < 1e-9 * flat[i]);
    }
    // With discounting, against sampling: for an alive customer with (λ, p) the discounted
    // count is ∫0^H λ e^{−λpu} (1+d)^{−u} du = λ (1 − e^{−kH}) / k with k = λp + ln(1+d).
    let (d, horizon) = (0.01, 52.0);
    let clv = customer_lifetime_value(&m, &gg, &s, ClvOptions { horizon, discount_rate: d }).unwrap();
    let BetaGeoParams { r, alpha, a, b } = m.params;
    for (i, &(x, tx, t)) in rows.iter().enumerate() {
        let (_, discounted_count, _) = importance(400_000, 100 + i as u64, |rng| {
            let lambda = rng.gamma(r, alpha);
            let p = rng.beta(a, b);
            let alive = (1.0 - p).powf(x) * lambda.powf(x) * (-lambda * t).exp();
            let dead = if x > 0.0 { p * (1.0 - p).powf(x - 1.0) * lambda.powf(x) * (-lambda * tx).exp() } else { 0.0 };
            let k = lambda * p + (1.0f64 + d).ln();
            (alive, alive + dead, lambda * (1.0 - (-k * horizon).exp()) / k, 0.0)
        });
        let want = discounted_count * spend[i];
        assert!((clv[i] - want).abs() < 0.03 * want, "row {i}: {} vs {want}", clv[i]);
        assert!(clv[i] < flat[i]);
    }
    assert!(customer_lifetime_value(&m, &gg, &s, ClvOptions { horizon: -1.0, discount_rate: 0.0 }).is_err());
    assert!(customer_lifetime_value(&m, &gg, &s, ClvOptions { horizon: 1.0, discount_rate: f64::NAN }).is_err());
    // Generic over the count model.
    let pareto = pareto_nbd();
    assert!(customer_lifetime_value(&pareto, &gg, &s, ClvOptions { horizon, discount_rate: d }).unwrap().iter().all(|v| *v > 0.0));
}

#[test]
fn a_equal_to_one_and_gamma_gamma_bytes() {
    // a = 1 makes FHL eq. (10) 0/0; the prediction must stay finite and continuous in a.
    let at = |a: f64| {
        let m = BetaGeo::from_params(BetaGeoParams { r: 0.5, alpha: 5.0, a, b: 2.0 }).unwrap();
        m.expected_purchases_one(10.0, 2.0, 20.0, 30.0)
    };
    let (below, exactly, above) = (at(0.999), at(1.0), at(1.001));
    assert!(exactly.is_finite() && exactly > below.min(above) - 1e-6 && exactly < below.max(above) + 1e-6, "{below} {exactly} {above}");
    let gg = GammaGamma::from_params(GammaGammaParams { p: 6.25, q: 3.74, gamma: 15.44 }).unwrap();
    let bytes = gg.to_bytes();
    assert_eq!(GammaGamma::from_bytes(&bytes).unwrap(), gg);
    let mut bad = bytes.clone();
    bad[20] ^= 4;
    assert!(matches!(GammaGamma::from_bytes(&bad), Err(Error::Corrupt(_))));
}
