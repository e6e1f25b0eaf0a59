//! ChurnModel on shops too small or too loyal to identify BG/NBD: the fallback ladder (requested
//! penalizer → 0.01 → 0.1 → no-dropout NBD) fits instead of throwing and says so in `warnings`;
//! the penalizer option shrinks the parameters; warnings survive the model bytes, and bytes
//! written before warnings existed still load.

use regulars::churn::{BetaGeo, BetaGeoOptions, ChurnModel, ChurnOptions, TransactionModel};
use regulars::data::{SummaryOptions, TimeUnit, TransactionColumns, Transactions};

mod common;

use common::DAY_MS;

const START: f64 = 1_577_836_800_000.0; // 2020-01-01T00:00Z

/// `customers` customers, customer i first buying on day i, then every week up to day 364: a
/// shop where nobody has stopped buying.
fn always_buying_shop(customers: usize) -> Transactions {
    let (mut customer, mut time, mut amount) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..customers {
        let mut day = i as f64;
        while day <= 364.0 {
            customer.push(format!("c{i}"));
            time.push(START + day * DAY_MS);
            amount.push(20.0 + (i % 5) as f64);
            day += 7.0;
        }
    }
    Transactions::from_columns(TransactionColumns { customer, time, amount: Some(amount), item: None, quantity: None }).unwrap()
}

fn weekly_summary(tx: &Transactions) -> regulars::data::Summary {
    tx.summary(SummaryOptions { observation_end: None, calibration_end: None, unit: TimeUnit::Week }).unwrap()
}

#[test]
fn always_buying_shop_fits_down_the_ladder_with_warnings() {
    let tx = always_buying_shop(20);
    let summary = weekly_summary(&tx);
    // The shop really defeats the plain fit (otherwise this test would test nothing): it fails or
    // runs a parameter off beyond [1e-6, 1e6].
    if let Ok(plain) = BetaGeo::fit(&summary) {
        assert!(plain.params().iter().any(|(_, v)| *v > 1e6 || *v < 1e-6), "plain BG/NBD fitted: {:?}", plain.params);
    }

    let model = ChurnModel::fit(&tx, ChurnOptions::default()).expect("the ladder should end in a fit");
    assert!(!model.warnings.is_empty());
    assert!(
        model.warnings[0].starts_with("BG/NBD did not converge on 20 customers"),
        "{:?}",
        model.warnings
    );
    assert!(model.warnings.iter().any(|w| w.contains("refitted")), "{:?}", model.warnings);
    // On this shop every penalised BG/NBD runs a → 0 too: the ladder ends at the no-dropout NBD.
    assert!(regulars::churn::no_dropout::is_no_dropout(&model.btyd), "{:?}", model.btyd.params);
    assert!(model.warnings.iter().any(|w| w.contains("refitted without dropout")), "{:?}", model.warnings);
    assert!(
        model.warnings.iter().any(|w| w.contains("only 20 repeat buyers")),
        "{:?}",
        model.warnings
    );
    // Every customer is still buying weekly: alive, about one purchase a week, little risk.
    let scores = model.score(&tx).unwrap();
    for i in 0..scores.customers.len() {
        assert!(scores.probability_alive[i] > 0.99, "{}", scores.probability_alive[i]);
        let per_week = scores.expected_purchases[i] / (90.0 / 7.0);
        assert!((0.8..1.2).contains(&per_week), "{per_week}");
        assert!(scores.risk[i].is_finite() && scores.risk[i] < 0.05, "{}", scores.risk[i]);
        assert!(scores.clv[i].is_finite() && scores.clv[i] > 0.0);
    }
    // The BG/NBD's own diagnostics warnings are among the model's, and nothing is said twice.
    for w in model.btyd.diagnostics.iter().flat_map(|d| &d.warnings) {
        assert!(model.warnings.contains(w), "{w} not in {:?}", model.warnings);
    }
    for (i, w) in model.warnings.iter().enumerate() {
        assert!(!model.warnings[..i].contains(w), "said twice: {w}");
    }
    // The warnings travel with the bytes.
    let back = ChurnModel::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(back.warnings, model.warnings);
    assert_eq!(back, model);
}

#[test]
fn the_ladder_stops_at_the_requested_penalizer_rung() {
    let tx = always_buying_shop(20);
    // A requested penalizer above every rung goes straight to the no-dropout fit with it.
    let model = ChurnModel::fit(&tx, ChurnOptions { penalizer: 0.5, ..Default::default() }).unwrap();
    assert!(model.warnings[0].starts_with("BG/NBD (requested penalizer) did not converge"), "{:?}", model.warnings);
    assert!(model.warnings[0].contains("without dropout"), "{:?}", model.warnings);
    assert_eq!(model.btyd.penalizer, 0.5);
}

#[test]
fn a_shop_without_repeat_buyers_fails_with_a_clear_message() {
    let tx = Transactions::from_columns(TransactionColumns {
        customer: (0..50).map(|i| format!("c{i}")).collect(),
        time: (0..50).map(|i| START + i as f64 * DAY_MS).collect(),
        amount: None,
        item: None,
        quantity: None,
    })
    .unwrap();
    let error = ChurnModel::fit(&tx, ChurnOptions::default()).unwrap_err().to_string();
    assert!(error.contains("no model fits: BG/NBD and NBD did not converge"), "{error}");
    assert!(error.contains("no repeat buyers"), "{error}");
}

#[test]
fn invalid_penalizers_are_errors_naming_the_option() {
    let tx = always_buying_shop(20);
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        let error = ChurnModel::fit(&tx, ChurnOptions { penalizer: bad, ..Default::default() }).unwrap_err().to_string();
        assert!(error.contains("penalizer"), "{error}");
    }
}

/// CDNOW rows up to 1997-09-30 for the first 3,000 customers.
fn cdnow_part() -> Transactions {
    let end = common::yyyymmdd_ms(19970930);
    let rows = common::cdnow_rows("CDNOW_master.txt");
    let kept: Vec<_> = rows.iter().filter(|r| r.0.parse::<usize>().unwrap() <= 3_000 && r.1 <= end).collect();
    common::transactions_of(&kept)
}

fn squared_norm(model: &BetaGeo) -> f64 {
    model.params().iter().map(|(_, v)| v * v).sum()
}

#[test]
fn a_larger_penalizer_shrinks_the_parameters_and_cdnow_stays_silent() {
    let tx = cdnow_part();
    let plain = ChurnModel::fit(&tx, ChurnOptions::default()).unwrap();
    assert!(plain.warnings.is_empty(), "{:?}", plain.warnings);
    let penalised = ChurnModel::fit(&tx, ChurnOptions { penalizer: 0.1, ..Default::default() }).unwrap();
    assert_eq!(penalised.btyd.penalizer, 0.1);
    assert!(squared_norm(&penalised.btyd) < squared_norm(&plain.btyd), "{:?} vs {:?}", penalised.btyd.params, plain.btyd.params);
    // The penalised model is BG/NBD fitted with that penalizer on the same summary.
    let summary = tx.summary(SummaryOptions { observation_end: Some(penalised.observation_end), calibration_end: None, unit: TimeUnit::Week }).unwrap();
    let direct = BetaGeoOptions::default().penalizer(0.1).fit(&summary).unwrap();
    assert_eq!(direct.params, penalised.btyd.params);
    // Σ param² decreases along a ladder of penalizers.
    let mut last = f64::INFINITY;
    for penalizer in [0.0, 0.001, 0.01, 0.1] {
        let norm = squared_norm(&BetaGeoOptions::default().penalizer(penalizer).fit(&summary).unwrap());
        assert!(norm < last, "penalizer {penalizer}: {norm} vs {last}");
        last = norm;
    }
}

#[test]
fn bytes_without_the_warnings_field_still_load() {
    let tx = cdnow_part();
    let model = ChurnModel::fit(&tx, ChurnOptions::default()).unwrap();
    assert!(model.warnings.is_empty());
    let bytes = model.to_bytes();
    // The payload ends with the warnings list, here its empty-length prefix (8 zero bytes): drop
    // it, as the layout before warnings had it.
    assert_eq!(&bytes[bytes.len() - 16..bytes.len() - 8], &[0u8; 8]);
    let old = common::without_trailing(&bytes, 8);
    let loaded = ChurnModel::from_bytes(&old).unwrap();
    assert!(loaded.warnings.is_empty());
    assert_eq!(loaded, model);
    // A damaged warnings field is still rejected.
    let bad = common::without_trailing(&bytes, 3);
    assert!(ChurnModel::from_bytes(&bad).is_err());
}
