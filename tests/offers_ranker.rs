//! OfferRanker invariants, errors, saving and determinism (fast; run in every build).

use regulars::offers::simulator::{Simulator, SimulatorConfig};
use regulars::offers::{evaluate, Context, Eligibility, LoggedRow, OfferRanker, OfferSpec, RankerOptions};
use regulars::Error;

fn catalogue() -> Vec<OfferSpec> {
    vec![
        OfferSpec::new("p10", "percent_off", Some(10.0)),
        OfferSpec::new("p25", "percent_off", Some(25.0)).with_eligibility(Eligibility {
            min_risk: Some(0.5),
            ..Default::default()
        }),
        OfferSpec::new("points", "bonus_points", Some(8.0)),
        OfferSpec::new("gift", "gift", Some(15.0)).with_cost(6.0).with_eligibility(Eligibility {
            segments: Some(vec!["Champions".into(), "Loyal Customers".into()]),
            min_clv: Some(200.0),
            ..Default::default()
        }),
        OfferSpec::new("ship", "free_shipping", Some(5.0)).with_eligibility(Eligibility {
            max_risk: Some(0.8),
            ..Default::default()
        }),
    ]
}

fn ranker(seed: u64) -> OfferRanker {
    OfferRanker::new(RankerOptions { offers: catalogue(), margin: Some(25.0), seed, capacity: 50, ..Default::default() })
        .unwrap()
}

fn contexts(n: usize, seed: u64) -> Vec<Context> {
    let mut sim = Simulator::new(SimulatorConfig::standard(seed)).unwrap();
    (0..n).map(|_| sim.draw_customer().context).collect()
}

#[test]
fn probabilities_sum_to_one_over_eligible_offers_only_and_none_is_always_there() {
    let mut r = ranker(1);
    for (i, c) in contexts(2000, 3).iter().enumerate() {
        let ranking = r.rank(c).unwrap();
        let total: f64 = ranking.ranking.iter().map(|o| o.probability).sum();
        assert!((total - 1.0).abs() < 1e-12, "sum {total}");
        assert!(ranking.ranking.iter().all(|o| o.probability > 0.0 && o.probability <= 1.0));
        assert!(ranking.ranking.iter().any(|o| o.offer == "none"));
        for o in &ranking.ranking {
            let eligible = match o.offer.as_str() {
                "p25" => c.risk >= 0.5,
                "gift" => {
                    matches!(c.segment.as_deref(), Some("Champions") | Some("Loyal Customers")) && c.clv >= 200.0
                }
                "ship" => c.risk <= 0.8,
                _ => true,
            };
            assert!(eligible, "{} shown to {c:?}", o.offer);
            assert!(o.expected_value.is_finite() && !o.reason.is_empty());
        }
        let none = ranking.ranking.iter().find(|o| o.offer == "none").unwrap();
        assert_eq!(none.expected_value, 0.0);
        if i % 2 == 0 {
            r.reward(&ranking.event_id, if c.risk < 0.5 { 10.0 } else { 0.0 }).unwrap();
        }
    }
}

#[test]
fn reward_errors_are_clear() {
    let mut r = ranker(2);
    let c = Context::new(0.4, 100.0).with_segment("Champions");
    let first = r.rank(&c).unwrap().event_id;
    assert_eq!(r.reward("nope", 1.0).unwrap_err().to_string(), "unknown event 'nope'");
    assert_eq!(r.reward(&first, f64::NAN).unwrap_err().to_string(), "reward is NaN");
    assert!(r.reward(&first, f64::INFINITY).is_err());
    r.reward(&first, 3.0).unwrap();
    let again = r.reward(&first, 3.0).unwrap_err().to_string();
    assert!(again.contains("already rewarded"), "{again}");
    // An id from another ranker (other seed) is unknown here.
    let mut other = ranker(3);
    let foreign = other.rank(&c).unwrap().event_id;
    assert!(matches!(r.reward(&foreign, 1.0), Err(Error::Unknown { .. })));
    // Events expire after `capacity` (50) later events.
    let old = r.rank(&c).unwrap().event_id;
    for _ in 0..50 {
        r.rank(&c).unwrap();
    }
    assert_eq!(r.reward(&old, 1.0).unwrap_err().to_string(), format!("unknown event '{old}'"));
    let recent = r.rank(&c).unwrap().event_id;
    let huge = r.reward(&recent, 1e300).unwrap_err().to_string();
    assert!(huge.contains("reward must be between"), "{huge}");
    r.reward(&recent, 1.0).unwrap();
    assert!(r.rank(&Context::new(0.5, 1e300)).unwrap_err().to_string().contains("clv must be at most"));
    let after = r.rank(&c).unwrap();
    assert!(after.ranking.iter().all(|o| o.probability.is_finite() && o.expected_value.is_finite()));
}

#[test]
fn context_and_option_errors_are_clear() {
    let mut r = ranker(4);
    let msg = |e: Error| e.to_string();
    assert_eq!(msg(r.rank(&Context::new(f64::NAN, 1.0)).unwrap_err()), "context.risk is NaN");
    assert!(msg(r.rank(&Context::new(1.5, 1.0)).unwrap_err()).contains("between 0 and 1"));
    assert!(msg(r.rank(&Context::new(0.5, -1.0)).unwrap_err()).contains("clv is negative"));
    assert!(msg(r.rank(&Context::new(0.5, 1.0).with_feature("x", f64::NAN)).unwrap_err()).contains("features.x is NaN"));
    let mut no_id = OfferSpec::new("x", "gift", Some(1.0));
    no_id.id = None;
    let e = OfferRanker::new(RankerOptions { offers: vec![no_id], ..Default::default() }).unwrap_err();
    assert_eq!(e.to_string(), "offers[0] has no id");
    let e = OfferRanker::new(RankerOptions {
        offers: vec![OfferSpec::new("a", "gift", Some(1.0)), OfferSpec::new("a", "cashback", Some(5.0))],
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("duplicate id 'a'"), "{e}");
    let e = OfferRanker::new(RankerOptions { offers: catalogue(), exploration: 1.5, ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("exploration"), "{e}");
    let e = OfferRanker::new(RankerOptions { offers: catalogue(), margin: Some(f64::NAN), ..Default::default() }).unwrap_err();
    assert_eq!(e.to_string(), "margin is NaN");
}

#[test]
fn a_margin_of_at_most_one_is_read_as_the_margin_rate() {
    let options = |margin: Option<f64>, margin_rate: f64| RankerOptions {
        offers: catalogue(),
        margin,
        margin_rate,
        seed: 9,
        ..Default::default()
    };
    // "margin: 0.35" and "marginRate: 0.35" rank, learn and save alike …
    let mut as_margin = OfferRanker::new(options(Some(0.35), 0.3)).unwrap();
    let mut as_rate = OfferRanker::new(options(None, 0.35)).unwrap();
    let mut as_money = OfferRanker::new(options(Some(35.0), 0.3)).unwrap();
    let mut money_differs = false;
    for (i, c) in contexts(200, 5).iter().enumerate() {
        let (a, b, m) = (as_margin.rank(c).unwrap(), as_rate.rank(c).unwrap(), as_money.rank(c).unwrap());
        assert_eq!(a, b);
        money_differs |= a.ranking.iter().zip(&m.ranking).any(|(x, y)| x.expected_value != y.expected_value);
        let reward = (i % 7) as f64 * 3.0;
        for (r, e) in [(&mut as_margin, &a), (&mut as_rate, &b), (&mut as_money, &m)] {
            r.reward(&e.event_id, reward).unwrap();
        }
    }
    assert_eq!(as_margin.to_bytes(), as_rate.to_bytes());
    // … unlike a margin in money, so the comparison above can fail.
    assert!(money_differs);
    // A share in `margin` and a different, non-default `marginRate` contradict each other.
    let e = OfferRanker::new(options(Some(0.35), 0.4)).unwrap_err();
    assert!(e.to_string().contains("margin 0.35 reads as a share") && e.to_string().contains("marginRate 0.4"), "{e}");
    assert!(OfferRanker::new(options(Some(0.4), 0.4)).is_ok());
}

#[test]
fn evaluate_errors_are_clear_and_it_has_no_side_effects() {
    let mut r = ranker(5);
    for c in contexts(300, 9) {
        let e = r.rank(&c).unwrap().event_id;
        r.reward(&e, 5.0 * c.risk).unwrap();
    }
    let row = |p: f64, offer: &str| LoggedRow {
        context: Context::new(0.5, 100.0),
        offer: offer.to_string(),
        probability: p,
        reward: 1.0,
    };
    let before = r.to_bytes();
    let ok = evaluate(&[row(0.5, "p10"), row(0.5, "none")], &r).unwrap();
    assert!(ok.ips.is_finite() && ok.snips.is_finite() && ok.dr.is_finite());
    assert_eq!(r.to_bytes(), before, "evaluate changed the ranker");
    let err = |log: &[LoggedRow]| evaluate(log, &r).unwrap_err().to_string();
    assert_eq!(err(&[]), "log is empty");
    assert!(err(&[row(0.5, "p10"), row(0.0, "p10")]).contains("log[1].probability must be in (0, 1], got 0"));
    assert!(err(&[row(1.5, "p10")]).contains("log[0].probability must be in (0, 1], got 1.5"));
    assert_eq!(err(&[row(f64::NAN, "p10")]), "log[0].probability is NaN");
    assert!(err(&[row(0.5, "coupon")]).contains("unknown offer 'coupon'"));
    let mut bad = row(0.5, "p10");
    bad.reward = f64::NAN;
    assert_eq!(err(&[bad]), "log[0].reward is NaN");
}

#[test]
fn ips_of_the_logging_policy_on_its_own_log_is_the_mean_reward() {
    // An independent check of the estimator: when target == logger, every weight is 1.
    let r = ranker(6);
    let log: Vec<LoggedRow> = contexts(500, 10)
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let probs = r.probabilities(&c).unwrap();
            let (offer, p) = probs[i % probs.len()];
            LoggedRow {
                context: c,
                offer: r.catalogue().offers()[offer].id.clone(),
                probability: p,
                reward: (i % 7) as f64,
            }
        })
        .collect();
    let e = evaluate(&log, &r).unwrap();
    let mean = log.iter().map(|l| l.reward).sum::<f64>() / log.len() as f64;
    assert!((e.ips - mean).abs() < 1e-9 && (e.snips - mean).abs() < 1e-9, "{e:?} vs {mean}");
}

#[test]
fn saved_rankers_continue_identically_and_same_seed_gives_same_bytes() {
    let mut a = ranker(7);
    let mut b = ranker(7);
    let cs = contexts(400, 11);
    let mut pending = Vec::new();
    for (i, c) in cs[..200].iter().enumerate() {
        let ea = a.rank(c).unwrap();
        let eb = b.rank(c).unwrap();
        assert_eq!(ea, eb);
        if i % 3 == 0 {
            a.reward(&ea.event_id, c.clv / 10.0).unwrap();
            b.reward(&eb.event_id, c.clv / 10.0).unwrap();
        } else {
            pending.push(ea.event_id);
        }
    }
    let bytes = a.to_bytes();
    assert_eq!(bytes, b.to_bytes(), "same seed, same inputs: same bytes");
    assert_ne!(bytes, ranker(8).to_bytes());
    let mut loaded = OfferRanker::from_bytes(&bytes).unwrap();
    assert_eq!(loaded, a);
    assert_eq!(loaded.to_bytes(), bytes);
    // A pending event saved with the model can be rewarded after loading.
    let last = pending.last().unwrap().clone();
    a.reward(&last, 4.0).unwrap();
    loaded.reward(&last, 4.0).unwrap();
    for c in &cs[200..] {
        let x = a.rank(c).unwrap();
        let y = loaded.rank(c).unwrap();
        assert_eq!(x, y);
        a.reward(&x.event_id, 2.0 * c.risk).unwrap();
        loaded.reward(&y.event_id, 2.0 * c.risk).unwrap();
    }
    assert_eq!(a.to_bytes(), loaded.to_bytes());
}

#[test]
fn damaged_bytes_are_rejected() {
    let mut r = ranker(9);
    for c in contexts(50, 12) {
        let e = r.rank(&c).unwrap().event_id;
        r.reward(&e, 1.0).unwrap();
    }
    let bytes = r.to_bytes();
    for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
        assert!(OfferRanker::from_bytes(&bytes[..cut]).is_err());
    }
    for i in (0..bytes.len()).step_by(97) {
        let mut altered = bytes.clone();
        altered[i] ^= 0x10;
        assert!(OfferRanker::from_bytes(&altered).is_err(), "byte {i}");
    }
}
