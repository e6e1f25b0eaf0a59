//! Acceptance of issue 3 on Online Retail (run in release: `cargo test --release --test
//! recommend_online_retail`): train on purchases before 2011-09-01 (customers with an id,
//! positive quantity, not cancelled); test = for each training customer the items first bought on
//! or after that date. implicit 0.7.3 on this split: recall@10 0.115 (ALS, 64 factors, 15
//! iterations), 0.112 (BM25 item-kNN), 0.052 (popularity), in implicit's definition
//! (`ranking_metrics_at_k`'s "precision" = Σ hits / Σ min(k, |test|), our `recall_capped`).
//! The default ("auto") recommender must reach 0.125. On this exact split (same filters and test
//! set as `benches/side_by_side_recommend.py`) implicit 0.7.3 measures 0.1171 (ALS) and 0.1174
//! (BM25), a little above the figures; each named scorer here must match its implicit
//! counterpart within 2 %, and the default must clear 0.125 for other ALS seeds too (on average;
//! each seed at least 0.123).
mod common;

use regulars::data::{parse_time, CsvMapping, CsvOptions, Transactions};
use regulars::recommend::{evaluate, time_split, Algorithm, Quantization, RankingMetrics, Recommender, RecommenderOptions, TimeSplit};

fn purchases() -> Transactions {
    // The filter only: an id, positive quantity, not cancelled (no price filter).
    let mapping = CsvMapping {
        customer: "CustomerID".into(),
        time: "InvoiceDate".into(),
        item: Some("StockCode".into()),
        quantity: Some("Quantity".into()),
        invoice: Some("InvoiceNo".into()),
        ..Default::default()
    };
    Transactions::from_csv(&common::online_retail_csv(), &mapping, &CsvOptions::default()).expect("import")
}

fn split() -> TimeSplit {
    time_split(&purchases(), parse_time("2011-09-01").unwrap()).unwrap()
}

fn metrics(model: &Recommender, split: &TimeSplit) -> RankingMetrics {
    evaluate(&split.test, 10, model.item_ids().len(), |c| {
        Ok(model.recommend(c, 10, true, &[], None).into_iter().map(|p| p.0).collect())
    })
    .unwrap()
}

fn report(name: &str, m: &RankingMetrics) {
    println!(
        "{name:28} recall@10 (implicit) {:.4}  precision@10 {:.4}  recall@10 (mean) {:.4}  ndcg@10 {:.4}  coverage {:.3}  ({} customers)",
        m.recall_capped, m.precision, m.recall, m.ndcg, m.coverage, m.customers
    );
}

#[test]
fn default_recommender_beats_implicit_on_online_retail() {
    let split = split();
    let train_customers = split.train.customer_row_ranges().iter().filter(|r| !r.is_empty()).count();
    assert!(split.test.len() > 1500, "{} test customers of {train_customers}", split.test.len());
    let model = Recommender::fit(&split.train, &RecommenderOptions::default(), &mut |_| {}).unwrap();
    let m = metrics(&model, &split);
    report(&format!("default ({})", model.blend().name()), &m);
    // implicit 0.7.3 on this split (benches/side_by_side_recommend.py): ALS 0.1171, BM25 0.1174,
    // popularity 0.0561.
    let implicit = [(Algorithm::Als, 0.1171), (Algorithm::ItemKnn, 0.1174), (Algorithm::Popular, 0.0561)];
    for (algorithm, theirs) in implicit {
        let options = RecommenderOptions { algorithm, ..Default::default() };
        let single = Recommender::fit(&split.train, &options, &mut |_| {}).unwrap();
        let ours = metrics(&single, &split);
        report(&format!("{algorithm:?} (implicit {theirs})"), &ours);
        assert!(ours.recall_capped >= 0.98 * theirs, "{algorithm:?}: {:.4} vs implicit {theirs}", ours.recall_capped);
    }
    // The quality cost of smaller model bytes.
    for q in [Quantization::F16, Quantization::Int8] {
        let bytes = model.to_bytes_with(q);
        let loaded = Recommender::from_bytes(&bytes).unwrap();
        report(&format!("default {q:?} ({} bytes)", bytes.len()), &metrics(&loaded, &split));
    }
    println!("default F32 bytes: {}", model.to_bytes().len());
    assert!(m.recall_capped >= 0.125, "recall@10 {:.4} < 0.125", m.recall_capped);
    assert!(model.to_bytes().len() <= 2_000_000, "model bytes {}", model.to_bytes().len());
}

/// The margin must not hang on one lucky seed: with a single validation fold "auto" picked
/// different weights per ALS seed and ranged 0.1221–0.1258 over seeds 42, 1, 2, 3. Every seed
/// must clear implicit's best (0.1174) with room, and the seeds' mean the acceptance floor.
#[test]
fn default_recommender_is_robust_to_the_seed() {
    let split = split();
    let mut total = 0.0;
    let seeds = [1u64, 2, 3];
    for seed in seeds {
        let options = RecommenderOptions { seed, ..Default::default() };
        let model = Recommender::fit(&split.train, &options, &mut |_| {}).unwrap();
        let m = metrics(&model, &split);
        report(&format!("seed {seed} ({})", model.blend().name()), &m);
        assert!(m.recall_capped >= 0.123, "seed {seed}: recall@10 {:.4} < 0.123", m.recall_capped);
        total += m.recall_capped;
    }
    let mean = total / seeds.len() as f64;
    assert!(mean >= 0.125, "mean recall@10 over seeds {mean:.4} < 0.125");
}

/// Exploration (not an acceptance check): `RX_SWEEP=1 cargo test --release --test
/// recommend_online_retail sweep -- --nocapture`.
#[test]
fn sweep() {
    if std::env::var("RX_SWEEP").is_err() {
        return;
    }
    let split = split();
    let spec = std::env::var("RX_SWEEP").unwrap();
    for line in spec.split(';') {
        let mut o = RecommenderOptions::default();
        for kv in line.split(',') {
            let mut it = kv.split('=');
            let (k, v) = (it.next().unwrap().trim(), it.next().unwrap_or("").trim());
            match k {
                "alg" => o.algorithm = Algorithm::parse(v).unwrap(),
                "hl" => o.als_recency_half_life_days = Some(v.parse().unwrap()),
                "seed" => o.seed = v.parse().unwrap(),
                "reg" => o.regularization = v.parse().unwrap(),
                "alpha" => o.alpha = v.parse().unwrap(),
                "f" => o.factors = v.parse().unwrap(),
                "it" => o.iterations = v.parse().unwrap(),
                "nb" => o.neighbours = v.parse().unwrap(),
                "lin" => o.scaling = regulars::recommend::ConfidenceScaling::Linear,
                "rp3" => o.weighting = regulars::recommend::Weighting::Rp3 { beta: v.parse().unwrap() },
                "cos" => o.weighting = regulars::recommend::Weighting::Cosine,
                "bin" => o.value = regulars::recommend::InteractionValue::Binary,
                "fhl" => o.freshness_half_life_days = Some(v.parse().unwrap()),
                "phl" => o.popularity_half_life_days = Some(v.parse().unwrap()),
                _ => {}
            }
        }
        let t = std::time::Instant::now();
        let model = match line.split(',').find_map(|kv| kv.trim().strip_prefix("blend=")) {
            Some(b) => {
                let w: Vec<f32> = b.split(':').map(|x| x.parse().unwrap()).collect();
                let blend = regulars::recommend::Blend {
                    als: w[0],
                    knn: w[1],
                    popular: w[2],
                    popularity_half_life_days: 0.0,
                    freshness_half_life_days: w[3],
                    als_recency_half_life_days: w[4],
                };
                Recommender::fit_with_blend(&split.train, &o, blend, &mut |_| {}).unwrap()
            }
            None => Recommender::fit(&split.train, &o, &mut |_| {}).unwrap(),
        };
        let fit = t.elapsed().as_secs_f64();
        if std::env::var("RX_VAL").is_ok() {
            let mut v: Vec<_> = model.validation().to_vec();
            v.sort_by(|a, b| b.metrics.recall_capped.total_cmp(&a.metrics.recall_capped));
            for r in v.iter().take(15) {
                let fixed = Recommender::fit_with_blend(&split.train, &o, r.blend, &mut |_| {}).unwrap();
                println!("   val {:.4} test {:.4} {}", r.metrics.recall_capped, metrics(&fixed, &split).recall_capped, r.blend.name());
            }
        }
        let best_val = model.validation().iter().map(|v| v.metrics.recall_capped).fold(0.0, f64::max);
        report(&format!("{line} [{}] fit {fit:.2}s val {best_val:.4}", model.blend().name()), &metrics(&model, &split));
    }
}
