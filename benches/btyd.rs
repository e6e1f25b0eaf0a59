//! Buy-till-you-die speed: BG/NBD and Pareto/NBD fits on the CDNOW sample, a BG/NBD fit on a
//! million simulated customers, and scoring throughput (P(alive) + expected purchases).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use regulars::churn::simulate::{simulate_bg_nbd, CohortOptions};
use regulars::churn::*;
use regulars::data::{Summary, SummaryOptions, TimeUnit, TransactionColumns, Transactions};

const DAY_MS: f64 = 86_400_000.0;

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn cdnow_summary() -> Summary {
    let local = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/cdnow/CDNOW_sample.txt");
    let path = if local.exists() { local } else { "/work/shared/data/cdnow/CDNOW_sample.txt".into() };
    let text = std::fs::read_to_string(path).expect("CDNOW sample");
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
    tx.summary(SummaryOptions { observation_end: None, calibration_end: Some(calibration_end), unit: TimeUnit::Week }).unwrap()
}

fn fits(c: &mut Criterion) {
    let s = cdnow_summary();
    let mut group = c.benchmark_group("cdnow_sample");
    group.bench_function("bg_nbd_fit", |b| b.iter(|| BetaGeo::fit(&s).unwrap()));
    group.bench_function("pareto_nbd_fit", |b| b.iter(|| ParetoNbd::fit(&s).unwrap()));
    group.bench_function("mbg_nbd_fit", |b| b.iter(|| ModifiedBetaGeo::fit(&s).unwrap()));
    group.bench_function("gamma_gamma_fit", |b| b.iter(|| GammaGamma::fit(&s).unwrap()));
    group.finish();
}

fn million(c: &mut Criterion) {
    let truth = BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    let s = simulate_bg_nbd(truth, &CohortOptions { customers: 1_000_000, seed: 42, ..CohortOptions::default() }).unwrap();
    let model = BetaGeo::from_params(truth).unwrap();
    let mut group = c.benchmark_group("one_million_customers");
    group.sample_size(10);
    group.bench_function("bg_nbd_fit", |b| b.iter(|| BetaGeo::fit(&s).unwrap()));
    group.throughput(Throughput::Elements(s.len() as u64));
    group.bench_function("bg_nbd_score_alive_and_expected_13", |b| {
        b.iter(|| {
            let alive = model.probability_alive(&s).unwrap();
            let expected = model.expected_purchases(13.0, &s).unwrap();
            (alive, expected)
        })
    });
    let pareto = ParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 }).unwrap();
    group.bench_function("pareto_nbd_score_alive_and_expected_13", |b| {
        b.iter(|| {
            let alive = pareto.probability_alive(&s).unwrap();
            let expected = pareto.expected_purchases(13.0, &s).unwrap();
            (alive, expected)
        })
    });
    group.finish();
}

criterion_group!(benches, fits, million);
criterion_main!(benches);
