//! Behaviour of the recommender facade on small synthetic shops: fallbacks, filters, errors,
//! model bytes, determinism, basket fold-in and explanations.

use std::collections::HashSet;

use regulars::data::{TransactionColumns, Transactions};
use regulars::recommend::{Algorithm, Quantization, Recommender, RecommenderOptions};
use regulars::rng::Rng;
use regulars::Error;

/// 240 customers in 4 taste groups of 30 items each; each customer buys 4–12 lines, mostly from
/// their group, over 300 days.
fn shop() -> Transactions {
    let mut rng = Rng::new(11);
    let mut c = TransactionColumns::default();
    let mut items = Vec::new();
    let mut quantity = Vec::new();
    for customer in 0..240 {
        let group = customer % 4;
        let lines = 4 + rng.below(9);
        for _ in 0..lines {
            let item = if rng.uniform() < 0.85 { group * 30 + rng.below(30) } else { rng.below(120) };
            c.customer.push(format!("c{customer}"));
            c.time.push(rng.below(300) as f64 * 86_400_000.0);
            items.push(format!("i{item}"));
            quantity.push(1.0 + rng.below(3) as f64);
        }
    }
    c.item = Some(items);
    c.quantity = Some(quantity);
    Transactions::from_columns(c).unwrap()
}

fn options(algorithm: Algorithm) -> RecommenderOptions {
    RecommenderOptions { algorithm, factors: 16, iterations: 8, ..Default::default() }
}

fn purchases_of(tx: &Transactions, customer: &str) -> Vec<String> {
    let c = tx.customer_ids().iter().position(|id| id == customer).unwrap() as u32;
    let items = tx.item().unwrap();
    (0..tx.len()).filter(|&r| tx.customer()[r] == c).map(|r| tx.item_ids()[items[r] as usize].clone()).collect()
}

#[test]
fn unknown_customer_gets_the_most_bought_items() {
    let tx = shop();
    // Independent count of distinct buyers per item.
    let items = tx.item().unwrap();
    let mut buyers: Vec<HashSet<u32>> = vec![HashSet::new(); tx.item_count()];
    for r in 0..tx.len() {
        buyers[items[r] as usize].insert(tx.customer()[r]);
    }
    let max = buyers.iter().map(|b| b.len()).max().unwrap();
    for algorithm in [Algorithm::Als, Algorithm::ItemKnn, Algorithm::Auto] {
        let model = Recommender::fit(&tx, &options(algorithm), &mut |_| {}).unwrap();
        let recs = model.recommend("nobody", 5, true, &[], None);
        assert_eq!(recs.len(), 5);
        let top = tx.item_ids().iter().position(|i| *i == recs[0].0).unwrap();
        assert_eq!(buyers[top].len(), max, "{algorithm:?}: first is a most-bought item");
        for pair in recs.windows(2) {
            assert!(pair[0].1 >= pair[1].1);
        }
    }
}

#[test]
fn unknown_item_is_an_error_and_known_items_have_neighbours() {
    let tx = shop();
    for algorithm in [Algorithm::Als, Algorithm::ItemKnn, Algorithm::Popular, Algorithm::Auto] {
        let model = Recommender::fit(&tx, &options(algorithm), &mut |_| {}).unwrap();
        match model.similar_items("no-such-item", 5) {
            Err(Error::Unknown { kind, id }) => {
                assert_eq!(kind, "item");
                assert_eq!(id, "no-such-item");
            }
            other => panic!("{algorithm:?}: expected an unknown-item error, got {other:?}"),
        }
        let similar = model.similar_items("i3", 5).unwrap();
        assert_eq!(similar.len(), 5);
        assert!(similar.iter().all(|s| s.0 != "i3"), "an item is not similar to itself");
        if algorithm != Algorithm::Popular {
            // Items of the same taste group (i0..i29) dominate.
            let same = similar.iter().filter(|s| s.0[1..].parse::<usize>().unwrap() < 30).count();
            assert!(same >= 4, "{algorithm:?}: {similar:?}");
        }
        assert!(model.explain("c0", "no-such-item").is_err());
    }
}

#[test]
fn filters_are_respected() {
    let tx = shop();
    for algorithm in [Algorithm::Als, Algorithm::ItemKnn, Algorithm::Popular, Algorithm::Auto] {
        let model = Recommender::fit(&tx, &options(algorithm), &mut |_| {}).unwrap();
        for customer in ["c0", "c1", "c77", "c239"] {
            let bought: HashSet<String> = purchases_of(&tx, customer).into_iter().collect();
            let recs = model.recommend(customer, 20, true, &[], None);
            assert_eq!(recs.len(), 20);
            assert!(recs.iter().all(|r| !bought.contains(&r.0)), "{algorithm:?} {customer}: purchased item returned");
            // Excluding the first five moves them out.
            let exclude: Vec<String> = recs[..5].iter().map(|r| r.0.clone()).collect();
            let again = model.recommend(customer, 20, true, &exclude, None);
            assert!(again.iter().all(|r| !exclude.contains(&r.0) && !bought.contains(&r.0)));
            // Candidates: only listed items (and never purchased ones when excluded).
            let candidates: Vec<String> = (0..120).step_by(7).map(|i| format!("i{i}")).chain(["unknown".to_string()]).collect();
            let picked = model.recommend(customer, 10, true, &[], Some(&candidates));
            assert!(!picked.is_empty());
            assert!(picked.iter().all(|r| candidates.contains(&r.0) && !bought.contains(&r.0)));
            let allowed = candidates.iter().filter(|c| *c != "unknown" && !bought.contains(*c)).count();
            assert_eq!(picked.len(), allowed.min(10));
            // Without the purchase filter, purchased items may come back.
            let all = model.recommend(customer, 120, false, &[], None);
            assert_eq!(all.len(), 120);
        }
    }
}

#[test]
fn model_bytes_round_trip_and_reject_damage() {
    let tx = shop();
    for algorithm in [Algorithm::Als, Algorithm::ItemKnn, Algorithm::Popular, Algorithm::Auto] {
        let model = Recommender::fit(&tx, &options(algorithm), &mut |_| {}).unwrap();
        // f32 bytes load bit for bit as fitted (the default encodings are checked within their
        // bounds in tests/recommend_bytes.rs).
        let bytes = model.to_bytes_with(Quantization::F32);
        let loaded = Recommender::from_bytes(&bytes).unwrap();
        for customer in ["c0", "c5", "nobody"] {
            assert_eq!(model.recommend(customer, 10, true, &[], None), loaded.recommend(customer, 10, true, &[], None));
        }
        assert_eq!(loaded.to_bytes_with(Quantization::F32), bytes, "{algorithm:?}: re-saving gives the same bytes");
        let default = model.to_bytes();
        assert!(Recommender::from_bytes(&default).is_ok());
        for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            assert!(Recommender::from_bytes(&bytes[..cut]).is_err(), "truncated at {cut}");
        }
        for at in (0..bytes.len()).step_by(bytes.len() / 97 + 1) {
            let mut altered = bytes.clone();
            altered[at] ^= 0x10;
            assert!(Recommender::from_bytes(&altered).is_err(), "altered byte {at}");
        }
        // Quantised bytes are smaller and still load.
        if algorithm == Algorithm::Als {
            let f16 = model.to_bytes_with(Quantization::F16);
            let int8 = model.to_bytes_with(Quantization::Int8);
            assert!(f16.len() < bytes.len() && int8.len() < f16.len());
            for q in [f16, int8] {
                let m = Recommender::from_bytes(&q).unwrap();
                let a: HashSet<String> = model.recommend("c0", 10, true, &[], None).into_iter().map(|r| r.0).collect();
                let b: HashSet<String> = m.recommend("c0", 10, true, &[], None).into_iter().map(|r| r.0).collect();
                assert!(a.intersection(&b).count() >= 7, "quantised top-10 stays close");
            }
        }
    }
}

#[test]
fn als_recency_weighting_survives_the_round_trip() {
    let tx = shop();
    let options = RecommenderOptions { als_recency_half_life_days: Some(60.0), ..options(Algorithm::Als) };
    let model = Recommender::fit(&tx, &options, &mut |_| {}).unwrap();
    assert_eq!(model.blend().als_recency_half_life_days, 60.0);
    let plain = Recommender::fit(&tx, &self::options(Algorithm::Als), &mut |_| {}).unwrap();
    assert_ne!(model.recommend("c0", 10, true, &[], None), plain.recommend("c0", 10, true, &[], None));
    let loaded = Recommender::from_bytes(&model.to_bytes_with(Quantization::F32)).unwrap();
    for customer in ["c0", "c17", "c200"] {
        let recs = model.recommend(customer, 10, true, &[], None);
        assert_eq!(recs, loaded.recommend(customer, 10, true, &[], None));
        let (item, score) = &recs[0];
        let total: f64 = model.explain(customer, item).unwrap().iter().map(|p| p.1).sum();
        assert!((total - *score as f64).abs() < 2e-3 * (1.0 + score.abs() as f64), "{total} vs {score}");
    }
}

#[test]
fn same_seed_same_bytes_and_progress_reaches_one() {
    let tx = shop();
    for algorithm in [Algorithm::Als, Algorithm::Auto] {
        let mut seen = Vec::new();
        let a = Recommender::fit(&tx, &options(algorithm), &mut |f| seen.push(f)).unwrap();
        let b = Recommender::fit(&tx, &options(algorithm), &mut |_| {}).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress is monotone");
        assert_eq!(seen.last(), Some(&1.0));
        let c = Recommender::fit(&tx, &RecommenderOptions { seed: 7, ..options(Algorithm::Als) }, &mut |_| {}).unwrap();
        if algorithm == Algorithm::Als {
            assert_ne!(a.to_bytes(), c.to_bytes(), "another seed, another start");
        }
    }
}

#[test]
fn basket_of_a_customers_purchases_matches_their_recommendations() {
    let tx = shop();
    let model = Recommender::fit(&tx, &options(Algorithm::Als), &mut |_| {}).unwrap();
    for customer in ["c0", "c1", "c2", "c3", "c100"] {
        // One entry per order line: the same counts the model was trained on.
        let basket = purchases_of(&tx, customer);
        let own = model.recommend(customer, 10, true, &[], None);
        let folded = model.recommend_for_items(&basket, 10);
        let a: Vec<&String> = own.iter().map(|r| &r.0).collect();
        let b: Vec<&String> = folded.iter().map(|r| &r.0).collect();
        assert_eq!(a, b, "{customer}");
    }
    // Unknown items are ignored; an all-unknown basket gets popular items.
    assert_eq!(model.recommend_for_items(&["zzz".to_string()], 5), model.recommend("nobody", 5, true, &[], None));
    let knn = Recommender::fit(&tx, &options(Algorithm::ItemKnn), &mut |_| {}).unwrap();
    let basket = vec!["i1".to_string(), "i2".to_string()];
    let recs = knn.recommend_for_items(&basket, 10);
    assert!(recs.iter().all(|r| !basket.contains(&r.0)));
    let same = recs.iter().filter(|s| s.0[1..].parse::<usize>().unwrap() < 30).count();
    assert!(same >= 8, "{recs:?}");
}

#[test]
fn explanations_add_up_to_the_score() {
    let tx = shop();
    let model = Recommender::fit(&tx, &options(Algorithm::Als), &mut |_| {}).unwrap();
    let recs = model.recommend("c4", 3, true, &[], None);
    for (item, score) in &recs {
        let parts = model.explain("c4", item).unwrap();
        let total: f64 = parts.iter().map(|p| p.1).sum();
        assert!((total - *score as f64).abs() < 2e-3 * (1.0 + score.abs() as f64), "{item}: {total} vs {score}");
        assert!(parts.windows(2).all(|w| w[0].1 >= w[1].1));
    }
    let knn = Recommender::fit(&tx, &options(Algorithm::ItemKnn), &mut |_| {}).unwrap();
    for (item, score) in knn.recommend("c4", 3, true, &[], None) {
        let total: f64 = knn.explain("c4", &item).unwrap().iter().map(|p| p.1).sum();
        assert!((total - score as f64).abs() < 1e-4 * (1.0 + score as f64), "{item}: {total} vs {score}");
    }
    assert!(model.explain("nobody", "i1").unwrap().is_empty());
}

#[test]
fn recommend_many_matches_one_by_one() {
    let tx = shop();
    let model = Recommender::fit(&tx, &options(Algorithm::Auto), &mut |_| {}).unwrap();
    let customers: Vec<String> = ["c0", "nobody", "c9"].iter().map(|s| s.to_string()).collect();
    let mut fractions = Vec::new();
    let many = model.recommend_many(&customers, 5, &mut |f| fractions.push(f));
    assert_eq!(fractions.last(), Some(&1.0));
    for (n, c) in customers.iter().enumerate() {
        let one = model.recommend(c, 5, true, &[], None);
        assert_eq!(many.items[n], one.iter().map(|r| r.0.clone()).collect::<Vec<_>>());
        assert_eq!(many.scores[n], one.iter().map(|r| r.1).collect::<Vec<_>>());
    }
}

/// Pure ALS batches score known customers several at a time: every list and score must still
/// equal the one-by-one `recommend`, with unknown customers breaking up the blocks and with an
/// odd number of factors.
#[test]
fn als_recommend_many_matches_one_by_one() {
    let tx = shop();
    let mut customers: Vec<String> = tx.customer_ids().to_vec();
    customers.insert(5, "nobody".into());
    customers.insert(13, "nobody either".into());
    for factors in [16, 15] {
        let o = RecommenderOptions { factors, ..options(Algorithm::Als) };
        let model = Recommender::fit(&tx, &o, &mut |_| {}).unwrap();
        let many = model.recommend_many(&customers, 7, &mut |_| {});
        for (n, c) in customers.iter().enumerate() {
            let one = model.recommend(c, 7, true, &[], None);
            assert_eq!(many.items[n], one.iter().map(|r| r.0.clone()).collect::<Vec<_>>(), "{c}");
            assert_eq!(many.scores[n], one.iter().map(|r| r.1).collect::<Vec<_>>(), "{c}");
        }
    }
}

#[test]
fn bad_options_and_data_are_errors() {
    let tx = shop();
    let bad = [
        RecommenderOptions { factors: 0, ..Default::default() },
        RecommenderOptions { regularization: f64::NAN, ..Default::default() },
        RecommenderOptions { alpha: -1.0, ..Default::default() },
        RecommenderOptions { neighbours: 0, ..Default::default() },
    ];
    for o in bad {
        assert!(matches!(Recommender::fit(&tx, &o, &mut |_| {}), Err(Error::InvalidArgument(_))), "{o:?}");
    }
    let no_items = Transactions::from_columns(TransactionColumns {
        customer: vec!["a".into()],
        time: vec![0.0],
        ..Default::default()
    })
    .unwrap();
    assert!(Recommender::fit(&no_items, &RecommenderOptions::default(), &mut |_| {}).is_err());
    assert!(Algorithm::parse("magic").is_err());
}

#[test]
fn fit_with_blend_keeps_the_als_recency_half_life() {
    // `fit_with_blend` used to drop the ALS recency half-life (normalising the weights reset it).
    let tx = shop();
    let blend = regulars::recommend::Blend {
        als: 2.0,
        knn: 1.0,
        popular: 1.0,
        popularity_half_life_days: 0.0,
        freshness_half_life_days: 90.0,
        als_recency_half_life_days: 60.0,
        knn_recency_half_life_days: 30.0,
    };
    let model = Recommender::fit_with_blend(&tx, &options(Algorithm::Auto), blend, &mut |_| {}).unwrap();
    let b = model.blend();
    assert_eq!((b.als_recency_half_life_days, b.freshness_half_life_days, b.knn_recency_half_life_days), (60.0, 90.0, 30.0));
    assert!((b.als - 0.5).abs() < 1e-6 && (b.knn - 0.25).abs() < 1e-6 && (b.popular - 0.25).abs() < 1e-6);
    let bad = regulars::recommend::Blend { als_recency_half_life_days: f32::NAN, ..blend };
    assert!(Recommender::fit_with_blend(&tx, &options(Algorithm::Auto), bad, &mut |_| {}).is_err());
    let bad = regulars::recommend::Blend { knn_recency_half_life_days: -1.0, ..blend };
    assert!(Recommender::fit_with_blend(&tx, &options(Algorithm::Auto), bad, &mut |_| {}).is_err());
    // Bytes keep the kNN recency and its neighbour lists (fitted on the weighted counts): the
    // loaded model recommends exactly as the fitted one.
    let loaded = Recommender::from_bytes(&model.to_bytes_with(Quantization::F32)).unwrap();
    assert_eq!(loaded.blend(), model.blend());
    for c in model.customer_ids().iter().take(20) {
        assert_eq!(loaded.recommend(c, 10, true, &[], None), model.recommend(c, 10, true, &[], None));
    }
}

#[test]
fn auto_validates_on_both_folds_and_tries_freshness() {
    let tx = shop();
    let model = Recommender::fit(&tx, &options(Algorithm::Auto), &mut |_| {}).unwrap();
    let v = model.validation();
    assert!(!v.is_empty());
    // Freshness candidates are scored (off is among the stage-1 candidates).
    assert!(v.iter().any(|r| r.blend.freshness_half_life_days > 0.0));
    assert!(v.iter().any(|r| r.blend.freshness_half_life_days == 0.0));
    // The chosen blend is the best validated one.
    let best = v.iter().map(|r| r.metrics.recall_capped).fold(f64::MIN, f64::max);
    let chosen = v.iter().find(|r| r.blend == model.blend()).expect("the chosen blend was validated");
    assert_eq!(chosen.metrics.recall_capped, best);
    // An explicit 0 turns the freshness search off.
    let off = RecommenderOptions { freshness_half_life_days: Some(0.0), ..options(Algorithm::Auto) };
    let model = Recommender::fit(&tx, &off, &mut |_| {}).unwrap();
    assert!(model.validation().iter().all(|r| r.blend.freshness_half_life_days == 0.0));
}
