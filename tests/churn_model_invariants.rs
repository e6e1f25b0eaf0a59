//! ChurnModel invariants: risk is a finite probability, fits are deterministic for a seed, short
//! or small histories fall back cleanly to the BTYD probability, bad options are errors, and
//! model bytes round-trip and reject corruption.


use regulars::churn::{ChurnModel, ChurnOptions, RiskMethod, TransactionModel};
use regulars::data::{Summary, SummaryOptions, TimeUnit, TransactionColumns, Transactions};
use regulars::Error;

mod common;

use common::DAY_MS;

fn ms(yyyymmdd: i64) -> f64 {
    common::yyyymmdd_ms(yyyymmdd)
}

/// CDNOW master rows up to `end` (inclusive), for the first `customers` customer ids.
fn cdnow(end: i64, customers: usize) -> Transactions {
    let rows = common::cdnow_rows("CDNOW_master.txt");
    let kept: Vec<_> = rows.iter().filter(|r| r.0.parse::<usize>().unwrap() <= customers && r.1 <= ms(end)).collect();
    common::transactions_of(&kept)
}

fn options(horizon: f64, end: i64, seed: u64) -> ChurnOptions {
    ChurnOptions { horizon, observation_end: Some(ms(end)), seed, ..Default::default() }
}

#[test]
fn scores_are_finite_probabilities_and_aligned() {
    let tx = cdnow(19970930, 5_000);
    let model = ChurnModel::fit(&tx, options(90.0, 19970930, 1)).unwrap();
    assert_eq!(model.method, RiskMethod::Supervised, "{:?}", model.validation);
    let s = model.score(&tx).unwrap();
    let n = s.customers.len();
    assert_eq!(n, tx.customer_count());
    for column in [&s.risk, &s.probability_alive, &s.expected_purchases, &s.clv] {
        assert_eq!(column.len(), n);
        assert!(column.iter().all(|v| v.is_finite() && *v >= 0.0));
    }
    assert!(s.risk.iter().all(|r| *r <= 1.0));
    assert!(s.probability_alive.iter().all(|p| *p <= 1.0));
    assert_eq!(s.segment.len(), n);
    assert!(s.segment.iter().all(|g| regulars::data::SEGMENTS.contains(&g.as_str())));
    // P(alive) and expected purchases are the BTYD model's own.
    let summary = tx.summary(SummaryOptions { observation_end: Some(ms(19970930)), calibration_end: None, unit: TimeUnit::Week }).unwrap();
    let alive = model.btyd.probability_alive(&summary).unwrap();
    assert_eq!(alive, s.probability_alive);
    // More risk for a customer gone quiet than for an otherwise identical one who just bought.
    let quiet = Summary::from_columns(None, vec![3.0, 3.0], vec![2.0, 30.0], vec![30.0, 30.0], Some(vec![20.0, 20.0]), TimeUnit::Week).unwrap();
    let r = model.score_summary(&quiet).unwrap().risk;
    assert!(r[0] > r[1], "{r:?}");
}

#[test]
fn reasons_name_one_purchase_and_a_long_silence() {
    let tx = cdnow(19970930, 2_000);
    let model = ChurnModel::fit(&tx, options(90.0, 19970930, 1)).unwrap();
    let scores = model.score(&tx).unwrap();
    assert_eq!(scores.reason.len(), scores.customers.len());
    // In days, summarised again here: the reason's numbers are whole days of this summary.
    let days = tx.summary(SummaryOptions { observation_end: Some(ms(19970930)), calibration_end: None, unit: TimeUnit::Day }).unwrap();
    let (mut quiet, mut once) = (0, 0);
    for (i, customer) in scores.customers.iter().enumerate() {
        let j = days.index_of(customer).unwrap();
        let (x, tx_days, t_days) = (days.frequency[j], days.recency[j], days.t[j]);
        let reason = &scores.reason[i];
        assert!(!reason.contains('.') && !reason.contains('\n'), "{reason}");
        if x == 0.0 {
            once += 1;
            assert_eq!(reason, &format!("one purchase, {} days ago", t_days.round()), "{customer}");
        } else if t_days - tx_days >= 5.0 * tx_days / x {
            quiet += 1;
            let silence = (t_days - tx_days).round();
            assert!(reason.starts_with(&format!("no purchase for {silence} days; usually every ")), "{customer}: {reason}");
        }
    }
    assert!(once > 100 && quiet > 20, "{once} {quiet}");
    let by_hand = Summary::from_columns(None, vec![3.0, 0.0], vec![2.0, 0.0], vec![30.0, 10.0], Some(vec![20.0, 0.0]), TimeUnit::Week).unwrap();
    let r = model.score_summary(&by_hand).unwrap().reason;
    assert_eq!(r, ["no purchase for 196 days; usually every 5", "one purchase, 70 days ago"]);
}

#[test]
fn same_seed_same_model_and_bytes_round_trip() {
    let tx = cdnow(19970930, 3_000);
    let a = ChurnModel::fit(&tx, options(120.0, 19970930, 7)).unwrap();
    let b = ChurnModel::fit(&tx, options(120.0, 19970930, 7)).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    assert_eq!(a.score(&tx).unwrap(), b.score(&tx).unwrap());

    let bytes = a.to_bytes();
    let back = ChurnModel::from_bytes(&bytes).unwrap();
    assert_eq!(back, a);
    assert_eq!(back.score(&tx).unwrap(), a.score(&tx).unwrap());
    for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
        assert!(ChurnModel::from_bytes(&bytes[..cut]).is_err());
    }
    let mut altered = bytes.clone();
    altered[bytes.len() / 2] ^= 0x40;
    assert!(matches!(ChurnModel::from_bytes(&altered), Err(Error::Corrupt(_))));
}

#[test]
fn short_history_falls_back_to_the_btyd_probability() {
    // 20 days of history: no room for an internal split.
    let tx = cdnow(19970120, 23_570);
    let model = ChurnModel::fit(&tx, options(90.0, 19970120, 0)).unwrap();
    assert_eq!(model.method, RiskMethod::Btyd);
    assert!(model.validation.fallback_reason.as_deref().unwrap().contains("too short"));
    let s = model.score(&tx).unwrap();
    let summary = tx.summary(SummaryOptions { observation_end: Some(ms(19970120)), calibration_end: None, unit: TimeUnit::Week }).unwrap();
    let p0 = model.btyd.probability_no_purchase(90.0 / 7.0, &summary).unwrap();
    assert_eq!(s.risk, p0);

    // Long enough, but too few customers for the layer.
    let tx = cdnow(19970930, 150);
    let model = ChurnModel::fit(&tx, options(90.0, 19970930, 0)).unwrap();
    assert_eq!(model.method, RiskMethod::Btyd);
    assert!(model.score(&tx).unwrap().risk.iter().all(|r| r.is_finite() && (0.0..=1.0).contains(r)));
}

#[test]
fn bad_options_and_input_are_errors() {
    let tx = cdnow(19970930, 300);
    for horizon in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        let err = ChurnModel::fit(&tx, ChurnOptions { horizon, ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("horizon"), "{err}");
    }
    let err = ChurnModel::fit(&tx, ChurnOptions { observation_end: Some(f64::NAN), ..Default::default() }).unwrap_err();
    assert!(err.to_string().contains("observationEnd"), "{err}");
    let err = ChurnModel::fit(&tx, ChurnOptions { observation_end: Some(ms(19960101)), ..Default::default() }).unwrap_err();
    assert!(err.to_string().contains("observationEnd"), "{err}");
    // Empty transactions cannot even be built; an empty summary cannot be scored.
    assert!(Transactions::from_columns(TransactionColumns::default()).is_err());
    let model = ChurnModel::fit(&tx, ChurnOptions::default()).unwrap();
    let empty = Summary {
        customers: vec![],
        frequency: vec![],
        recency: vec![],
        t: vec![],
        monetary: vec![],
        total_spend: vec![],
        holdout: None,
        unit: TimeUnit::Day,
    };
    assert!(model.score_summary(&empty).is_err());
    // No repeat buyer at all: the BTYD cannot be identified, and that is said, not NaN.
    let one_time = Transactions::from_columns(TransactionColumns {
        customer: vec!["a".into(), "b".into()],
        time: vec![0.0, DAY_MS],
        amount: Some(vec![1.0, 2.0]),
        ..Default::default()
    })
    .unwrap();
    assert!(matches!(ChurnModel::fit(&one_time, ChurnOptions::default()), Err(Error::NotIdentifiable(_))));
}

#[test]
fn clv_is_expected_purchases_times_expected_spend_without_discounting() {
    let tx = cdnow(19970930, 3_000);
    let options = ChurnOptions { clv_horizon: 182.0, annual_discount_rate: 0.0, ..options(90.0, 19970930, 3) };
    let model = ChurnModel::fit(&tx, options).unwrap();
    let scores = model.score(&tx).unwrap();
    let summary = tx.summary(SummaryOptions { observation_end: Some(ms(19970930)), calibration_end: None, unit: TimeUnit::Week }).unwrap();
    let purchases = model.btyd.expected_purchases(26.0, &summary).unwrap();
    let spend = model.spend.as_ref().expect("Gamma-Gamma fits on CDNOW").expected_spend(&summary).unwrap();
    for i in 0..summary.len() {
        let expected = purchases[i] * spend[i];
        assert!((scores.clv[i] - expected).abs() <= 1e-6 * expected.max(1.0), "{i}: {} vs {expected}", scores.clv[i]);
    }
    // Discounting lowers every value; the default (10 % a year over 365 days) is positive and finite.
    let discounted = ChurnModel::fit(&tx, ChurnOptions { annual_discount_rate: 0.5, ..options }).unwrap().score(&tx).unwrap().clv;
    assert!(discounted.iter().zip(&scores.clv).all(|(d, u)| *d <= *u && *d >= 0.0));
    assert!(discounted.iter().zip(&scores.clv).any(|(d, u)| *d < *u));
    for bad in [-1.0, f64::NAN] {
        assert!(ChurnModel::fit(&tx, ChurnOptions { annual_discount_rate: bad, ..options }).is_err());
        assert!(ChurnModel::fit(&tx, ChurnOptions { clv_horizon: bad, ..options }).is_err());
    }
}
