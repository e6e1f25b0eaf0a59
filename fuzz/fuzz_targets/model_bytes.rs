//! Every `from_bytes` on arbitrary bytes: rejected with an error or accepted as a model whose
//! predictions are finite; never a panic or a huge allocation. The first byte picks the model,
//! so the fuzzer can grow inputs that pass each format's header and checksum.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regulars::churn::{BetaGeo, ChurnModel, GammaGamma, ModifiedBetaGeo, ParetoNbd, TransactionModel};
use regulars::offers::{Context, OfferRanker};
use regulars::recommend::Recommender;

fn check(model: &dyn TransactionModel) {
    for v in [
        model.probability_alive_one(2.0, 3.0, 5.0),
        model.expected_purchases_one(4.0, 2.0, 3.0, 5.0),
        model.probability_no_purchase_one(4.0, 2.0, 3.0, 5.0),
    ] {
        assert!(!v.is_nan(), "NaN from a model that loaded");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((which, bytes)) = data.split_first() else { return };
    match which % 7 {
        0 => {
            if let Ok(m) = BetaGeo::from_bytes(bytes) {
                check(&m);
            }
        }
        1 => {
            if let Ok(m) = ModifiedBetaGeo::from_bytes(bytes) {
                check(&m);
            }
        }
        2 => {
            if let Ok(m) = ParetoNbd::from_bytes(bytes) {
                check(&m);
            }
        }
        3 => {
            if let Ok(gg) = GammaGamma::from_bytes(bytes) {
                assert!(!gg.expected_spend_one(3.0, 20.0).is_nan());
            }
        }
        4 => {
            let _ = ChurnModel::from_bytes(bytes);
        }
        5 => {
            if let Ok(rec) = Recommender::from_bytes(bytes) {
                let _ = rec.recommend("x", 5, true, &[], None);
            }
        }
        _ => {
            if let Ok(mut ranker) = OfferRanker::from_bytes(bytes) {
                if let Ok(ranking) = ranker.rank(&Context::new(0.5, 100.0)) {
                    let total: f64 = ranking.ranking.iter().map(|r| r.probability).sum();
                    assert!((total - 1.0).abs() < 1e-6);
                }
            }
        }
    }
});
