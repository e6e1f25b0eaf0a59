//! Buy-till-you-die speed: BG/NBD and Pareto/NBD fits on the CDNOW sample, a BG/NBD fit on a
//! million simulated customers, and scoring throughput (P(alive) + expected purchases).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use regulars::churn::simulate::{simulate_bg_nbd, CohortOptions};
use regulars::churn::*;
use regulars::data::Summary;

#[path = "../tests/common/mod.rs"]
mod common;

fn cdnow_summary() -> Summary {
    common::cdnow_sample_summary()
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
