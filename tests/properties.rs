//! Property tests of the invariants every model and import must keep, on random inputs.
use proptest::prelude::*;

use regulars::churn::{
    customer_lifetime_value, BetaGeo, BetaGeoParams, ClvOptions, GammaGamma, GammaGammaParams, ParetoNbd, ParetoNbdParams,
    TransactionModel,
};
use regulars::data::{Summary, SummaryOptions, TimeUnit, TransactionColumns, Transactions, DAY_MS};

fn transactions() -> impl Strategy<Value = TransactionColumns> {
    prop::collection::vec((0u8..20, 0u32..400, 0.0f64..500.0), 1..200).prop_map(|rows| TransactionColumns {
        customer: rows.iter().map(|r| format!("c{}", r.0)).collect(),
        time: rows.iter().map(|r| r.1 as f64 * DAY_MS + 3_600_000.0 * (r.1 % 24) as f64).collect(),
        amount: Some(rows.iter().map(|r| r.2).collect()),
        item: None,
        quantity: None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn summaries_keep_the_btyd_conventions(columns in transactions(), split in 0u32..400) {
        let tx = Transactions::from_columns(columns.clone()).unwrap();
        let calibration_end = split as f64 * DAY_MS;
        let options = SummaryOptions { calibration_end: Some(calibration_end), observation_end: Some(400.0 * DAY_MS), unit: TimeUnit::Week };
        let Ok(s) = tx.summary(options) else { return Ok(()) };
        let holdout = s.holdout.as_ref().unwrap();
        let mut repeat_and_holdout = 0.0;
        for i in 0..s.len() {
            prop_assert!(s.recency[i] >= 0.0 && s.recency[i] <= s.t[i]);
            prop_assert_eq!(s.frequency[i].fract(), 0.0);
            prop_assert!(s.monetary[i] >= 0.0);
            if s.frequency[i] == 0.0 { prop_assert_eq!(s.recency[i], 0.0); }
            repeat_and_holdout += s.frequency[i] + 1.0 + holdout.frequency[i];
        }
        // Every distinct (customer, day) up to the end is one transaction somewhere in the summary,
        // for the customers who bought in the calibration period.
        let mut days = std::collections::BTreeSet::new();
        let first: std::collections::HashMap<_, _> = s.customers.iter().map(|c| (c.clone(), ())).collect();
        for (i, c) in columns.customer.iter().enumerate() {
            if first.contains_key(c) { days.insert((c.clone(), (columns.time[i] / DAY_MS).floor() as i64)); }
        }
        prop_assert_eq!(repeat_and_holdout as usize, days.len());
        let rfm = s.rfm(5).unwrap();
        prop_assert!(rfm.r.iter().chain(&rfm.f).chain(&rfm.m).all(|x| (1..=5).contains(x)));
    }

    #[test]
    fn bg_nbd_predictions_keep_their_invariants(
        r in 0.05f64..5.0, alpha in 0.5f64..50.0, a in 0.05f64..5.0, b in 0.05f64..10.0,
        x in 0u32..60, t_total in 0.5f64..200.0, share in 0.0f64..1.0, gap in 0.0f64..50.0,
    ) {
        let m = BetaGeo::from_params(BetaGeoParams { r, alpha, a, b }).unwrap();
        let x = x as f64;
        let recency = if x > 0.0 { t_total * share } else { 0.0 };
        let alive = m.probability_alive_one(x, recency, t_total);
        prop_assert!((0.0..=1.0).contains(&alive));
        // P(alive) does not increase as the time since the last purchase grows.
        let later = m.probability_alive_one(x, recency, t_total + gap);
        prop_assert!(later <= alive + 1e-12);
        let mut previous_expected = 0.0;
        let mut previous_none = 1.0;
        for horizon in [0.0, 1.0, 5.0, 20.0, 100.0] {
            let e = m.expected_purchases_one(horizon, x, recency, t_total);
            let none = m.probability_no_purchase_one(horizon, x, recency, t_total);
            prop_assert!(e >= previous_expected - 1e-12 && e.is_finite());
            prop_assert!((0.0..=1.0).contains(&none) && none <= previous_none + 1e-12);
            previous_expected = e;
            previous_none = none;
        }
    }

    #[test]
    fn summary_from_columns_accepts_only_consistent_rows(f in 0u32..5, rec in 0.0f64..10.0, t in 0.0f64..10.0) {
        let result = Summary::from_columns(None, vec![f as f64], vec![rec], vec![t], None, TimeUnit::Day);
        let consistent = rec <= t && (f > 0 || rec == 0.0);
        prop_assert_eq!(result.is_ok(), consistent);
    }

    #[test]
    fn pareto_nbd_predictions_keep_their_invariants(
        r in 0.05f64..5.0, alpha in 0.5f64..50.0, s in 0.05f64..5.0, beta in 0.5f64..50.0,
        x in 0u32..40, t_total in 0.5f64..150.0, share in 0.0f64..1.0, gap in 0.0f64..50.0,
    ) {
        let m = ParetoNbd::from_params(ParetoNbdParams { r, alpha, s, beta }).unwrap();
        let x = x as f64;
        let recency = if x > 0.0 { t_total * share } else { 0.0 };
        let alive = m.probability_alive_one(x, recency, t_total);
        prop_assert!((0.0..=1.0).contains(&alive));
        prop_assert!(m.probability_alive_one(x, recency, t_total + gap) <= alive + 1e-9);
        let near = m.expected_purchases_one(5.0, x, recency, t_total);
        let far = m.expected_purchases_one(50.0, x, recency, t_total);
        prop_assert!(near >= 0.0 && far >= near - 1e-12);
        let none = m.probability_no_purchase_one(10.0, x, recency, t_total);
        prop_assert!((0.0..=1.0).contains(&none));
    }

    #[test]
    fn clv_falls_as_the_discount_rate_rises(
        frequency in prop::collection::vec(0u32..20, 1..30), rate in 0.0f64..0.05, extra in 0.0001f64..0.05,
    ) {
        let n = frequency.len();
        let f: Vec<f64> = frequency.iter().map(|&v| v as f64).collect();
        let recency: Vec<f64> = f.iter().map(|&v| if v > 0.0 { 20.0 + v } else { 0.0 }).collect();
        let summary = regulars::data::Summary::from_columns(None, f.clone(), recency, vec![60.0; n], Some(vec![25.0; n]), TimeUnit::Week).unwrap();
        let model = BetaGeo::from_params(BetaGeoParams { r: 0.24, alpha: 4.4, a: 0.79, b: 2.4 }).unwrap();
        let spend = GammaGamma::from_params(GammaGammaParams { p: 6.25, q: 3.74, gamma: 15.44 }).unwrap();
        let low = customer_lifetime_value(&model, &spend, &summary, ClvOptions { horizon: 52.0, discount_rate: rate }).unwrap();
        let high = customer_lifetime_value(&model, &spend, &summary, ClvOptions { horizon: 52.0, discount_rate: rate + extra }).unwrap();
        for (l, h) in low.iter().zip(&high) {
            prop_assert!(*h < *l && *h >= 0.0);
        }
    }
}
