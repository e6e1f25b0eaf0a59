//! Acceptance: the buy-till-you-die models reproduce the published CDNOW-sample results
//! (Fader, Hardie & Lee 2005; Fader & Hardie 2013) from the raw transaction log.

use regulars::churn::*;
use regulars::data::{Summary, SummaryOptions, TimeUnit, TransactionColumns, Transactions};

const DAY_MS: f64 = 86_400_000.0;

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn data_path(relative: &str) -> std::path::PathBuf {
    let local = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(relative);
    if local.exists() {
        local
    } else {
        std::path::Path::new("/work/shared/data").join(relative)
    }
}

fn cdnow_summary() -> Summary {
    let text = std::fs::read_to_string(data_path("cdnow/CDNOW_sample.txt")).expect("CDNOW sample");
    let mut columns = TransactionColumns::default();
    let (mut customer, mut time, mut amount) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let date = f[2];
        let days = days_from_civil(date[0..4].parse().unwrap(), date[4..6].parse().unwrap(), date[6..8].parse().unwrap());
        customer.push(f[1].to_string());
        time.push(days as f64 * DAY_MS);
        amount.push(f[4].parse::<f64>().unwrap());
    }
    columns.customer = customer;
    columns.time = time;
    columns.amount = Some(amount);
    let tx = Transactions::from_columns(columns).unwrap();
    let calibration_end = days_from_civil(1997, 9, 30) as f64 * DAY_MS;
    tx.summary(SummaryOptions {
        observation_end: None,
        calibration_end: Some(calibration_end),
        unit: TimeUnit::Week,
    })
    .unwrap()
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
