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

use regulars::data::{parse_time, CsvOptions, Transactions};
use regulars::recommend::{evaluate, time_split, Algorithm, Quantization, RankingMetrics, Recommender, RecommenderOptions, TimeSplit};

fn purchases() -> Transactions {
    Transactions::from_csv(&common::online_retail_csv(), &common::online_retail_purchases_mapping(), &CsvOptions::default())
        .expect("import")
}

fn split() -> TimeSplit {
    split_at("2011-09-01", "all")
}

/// Customers kept by a survey subset, a stand-in for "another shop" (the same subsets as
/// `benches/side_by_side_recommend.py --subset`): "all", "even" / "odd" numeric CustomerID, or
/// "uk" / "nonuk" by the country of the customer's first row in the file.
fn subset_filter(subset: &str) -> Box<dyn Fn(&str) -> bool> {
    let numeric = |id: &str| id.trim().parse::<f64>().map(|v| v as i64).unwrap_or(-1);
    match subset {
        "all" => Box::new(|_| true),
        "even" => Box::new(move |id| numeric(id) % 2 == 0),
        "odd" => Box::new(move |id| numeric(id) % 2 == 1),
        "uk" | "nonuk" => {
            // Country and CustomerID are the last two columns (descriptions may hold quoted commas).
            let text = String::from_utf8(common::online_retail_csv()).unwrap();
            let mut first_country: std::collections::HashMap<i64, bool> = Default::default();
            for line in text.lines().skip(1) {
                let mut fields = line.trim_end().rsplitn(3, ',');
                let (country, id) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""));
                if !id.is_empty() {
                    first_country.entry(numeric(id)).or_insert(country == "United Kingdom");
                }
            }
            let want_uk = subset == "uk";
            Box::new(move |id| first_country.get(&numeric(id)) == Some(&want_uk))
        }
        other => panic!("unknown subset {other}"),
    }
}

/// The split at another date, on a subset of the customers (see [`subset_filter`]).
fn split_at(date: &str, subset: &str) -> TimeSplit {
    let all = purchases();
    let keep = subset_filter(subset);
    let kept: Vec<bool> = all.customer_ids().iter().map(|c| keep(c)).collect();
    let customer = all.customer();
    let tx = all.filter_rows(|r| kept[customer[r] as usize]);
    time_split(&tx, parse_time(date).unwrap()).unwrap()
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
    let bytes = model.to_bytes();
    let loaded = Recommender::from_bytes(&bytes).unwrap();
    report(&format!("default bytes ({} bytes)", bytes.len()), &metrics(&loaded, &split));
    println!("F32 bytes: {}", model.to_bytes_with(Quantization::F32).len());
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

/// Survey (not an acceptance check; numbers in the README): on several split dates and customer
/// subsets, recall@10 of the default beside our ALS and BM25 item-kNN (whose numbers should track
/// implicit's from `benches/side_by_side_recommend.py --split D --subset S`, same test sets).
/// `cargo test --release --test recommend_online_retail survey -- --ignored --nocapture`;
/// RX_SPLITS="2011-08-01,2011-09-01" and RX_SUBSETS="all,even" narrow it.
#[test]
#[ignore]
fn survey() {
    let list = |var: &str, default: &str| -> Vec<String> {
        std::env::var(var).unwrap_or_else(|_| default.into()).split(',').map(|s| s.trim().to_string()).collect()
    };
    let dates = list("RX_SPLITS", "2011-06-01,2011-07-01,2011-08-01,2011-09-01,2011-10-01");
    let subsets = list("RX_SUBSETS", "all,even,odd,nonuk,uk");
    let named = std::env::var("RX_NAMED").map(|v| v != "0").unwrap_or(true);
    for subset in &subsets {
        for date in &dates {
            let split = split_at(date, subset);
            let t = std::time::Instant::now();
            let model = Recommender::fit(&split.train, &RecommenderOptions::default(), &mut |_| {}).unwrap();
            let fit = t.elapsed().as_secs_f64();
            let default = metrics(&model, &split).recall_capped;
            let mut line = format!("SURVEY {subset:6} {date}  customers {:5}  default {default:.4}", split.test.len());
            if named {
                for algorithm in [Algorithm::Als, Algorithm::ItemKnn] {
                    let options = RecommenderOptions { algorithm, ..Default::default() };
                    let single = Recommender::fit(&split.train, &options, &mut |_| {}).unwrap();
                    line += &format!("  {algorithm:?} {:.4}", metrics(&single, &split).recall_capped);
                }
            }
            println!("{line}  fit {fit:.1}s  [{}]", model.blend().name());
        }
    }
}

/// Exploration (not an acceptance check): `RX_SWEEP=1 cargo test --release --test
/// recommend_online_retail sweep -- --nocapture`.
#[test]
fn sweep() {
    if std::env::var("RX_SWEEP").is_err() {
        return;
    }
    let split = split_at(
        &std::env::var("RX_SPLIT").unwrap_or_else(|_| "2011-09-01".into()),
        &std::env::var("RX_SUBSET").unwrap_or_else(|_| "all".into()),
    );
    let spec = std::env::var("RX_SWEEP").unwrap();
    for line in spec.split(';') {
        let mut o = RecommenderOptions::default();
        for kv in line.split(',') {
            let mut it = kv.split('=');
            let (k, v) = (it.next().unwrap().trim(), it.next().unwrap_or("").trim());
            match k {
                "alg" => o.algorithm = Algorithm::parse(v).unwrap(),
                "hl" => o.als_recency_half_life_days = Some(v.parse().unwrap()),
                "khl" => o.knn_recency_half_life_days = Some(v.parse().unwrap()),
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
                    knn_recency_half_life_days: w.get(5).copied().unwrap_or(0.0),
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
