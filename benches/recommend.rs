//! Recommender speed on Online Retail (the issue-3 split: train before 2011-09-01), natively:
//! ALS training (64 factors, 15 iterations — implicit's setting), item-kNN training, one
//! `recommend` among the ~3,400 trained items, one among 100,000 synthetic items, and
//! `recommend_many` for all test customers; prints the model bytes. Compare with
//! `python3 benches/side_by_side_recommend.py` (implicit 0.7.3, num_threads=1) run on the same
//! machine: `cargo bench --bench recommend`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use regulars::data::{parse_time, CsvOptions, Transactions};
use regulars::recommend::{
    time_split, Algorithm, AlsModel, AlsOptions, ConfidenceScaling, InteractionValue, Interactions,
    ItemKnnModel, Quantization, Recommender, RecommenderOptions, Weighting,
};

fn online_retail_train() -> (Transactions, Vec<(String, Vec<String>)>) {
    let text = common::online_retail_csv();
    let tx = Transactions::from_csv(&text, &common::online_retail_purchases_mapping(), &CsvOptions::default()).expect("import");
    let split = time_split(&tx, parse_time("2011-09-01").unwrap()).unwrap();
    (split.train, split.test)
}

fn benches(c: &mut Criterion) {
    let (train, test) = online_retail_train();
    let m = Interactions::from_transactions(&train, InteractionValue::Lines).unwrap();
    println!("Online Retail train: {} customers x {} items, {} nonzeros; {} test customers", m.customers(), m.items(), m.nnz(), test.len());

    let mut group = c.benchmark_group("recommend");
    group.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    // implicit's ALS setting (64 factors, 15 iterations, 3 CG steps) on the same matrix.
    let als_options = AlsOptions { factors: 64, iterations: 15, regularization: 10.0, alpha: 1.0, scaling: ConfidenceScaling::Log, cg_steps: 3, seed: 1 };
    group.bench_function("als_fit_64f_15it", |b| {
        b.iter(|| AlsModel::fit(&m.by_customer, &m.by_item, &als_options, &mut |_| {}).unwrap())
    });
    group.bench_function("itemknn_bm25_fit", |b| {
        b.iter(|| ItemKnnModel::fit(&m.by_item, m.customers(), Weighting::default(), 50, &mut |_| {}).unwrap())
    });
    group.bench_function("interactions_from_transactions", |b| {
        b.iter(|| Interactions::from_transactions(&train, InteractionValue::Lines).unwrap())
    });

    let als = Recommender::fit(&train, &RecommenderOptions { algorithm: Algorithm::Als, ..Default::default() }, &mut |_| {}).unwrap();
    let default = Recommender::fit(&train, &RecommenderOptions::default(), &mut |_| {}).unwrap();
    for (name, model) in [("als", &als), ("default", &default)] {
        for q in [Quantization::F32, Quantization::F16, Quantization::Int8] {
            println!("model bytes {name} ({}) {q:?}: {}", model.blend().name(), model.to_bytes_with(q).len());
        }
    }
    let customer = test[0].0.clone();
    group.bench_function("recommend_one_als_3400_items", |b| b.iter(|| als.recommend(black_box(&customer), 10, true, &[], None)));
    group.bench_function("recommend_one_default_3400_items", |b| b.iter(|| default.recommend(black_box(&customer), 10, true, &[], None)));
    let customers: Vec<String> = test.iter().map(|t| t.0.clone()).collect();
    group.bench_function("recommend_many_als_all_test_customers", |b| b.iter(|| als.recommend_many(&customers, 10, &mut |_| {})));
    group.bench_function("recommend_many_default_all_test_customers", |b| b.iter(|| default.recommend_many(&customers, 10, &mut |_| {})));
    let full = Recommender::fit(&train, &RecommenderOptions::default(), &mut |_| {}).unwrap();
    group.bench_function("fit_default_auto", |b| {
        b.iter(|| Recommender::fit(&train, &RecommenderOptions::default(), &mut |_| {}).unwrap())
    });
    drop(full);

    // 100,000 items: a synthetic catalogue, ALS only (one customer, k = 10).
    let big = synthetic(100_000, 2_000);
    let big_model = Recommender::fit(&big, &RecommenderOptions { algorithm: Algorithm::Als, iterations: 2, factors: 64, ..Default::default() }, &mut |_| {}).unwrap();
    let big_customer = big_model.customer_ids()[0].clone();
    println!("synthetic model: {} items", big_model.item_ids().len());
    group.bench_function("recommend_one_als_100k_items", |b| b.iter(|| big_model.recommend(black_box(&big_customer), 10, true, &[], None)));
    group.finish();
}

/// `items` items each bought by a few of `customers` customers (deterministic).
fn synthetic(items: usize, customers: usize) -> Transactions {
    let mut rng = regulars::rng::Rng::new(9);
    let mut columns = regulars::data::TransactionColumns::default();
    for i in 0..items {
        for _ in 0..2 {
            columns.customer.push(format!("c{}", rng.below(customers)));
            columns.item.get_or_insert_with(Vec::new).push(format!("i{i}"));
            columns.time.push(rng.below(1_000) as f64 * 86_400_000.0);
        }
    }
    Transactions::from_columns(columns).unwrap()
}

criterion_group!(recommend, benches);
criterion_main!(recommend);
