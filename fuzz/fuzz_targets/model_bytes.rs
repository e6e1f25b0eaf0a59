//! Every `from_bytes` on arbitrary bytes: rejected with an error or accepted as a model whose
//! predictions are finite; never a panic or a huge allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regulars::churn::{BetaGeo, GammaGamma, TransactionModel};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = BetaGeo::from_bytes(data) {
        let _ = m.probability_alive_one(2.0, 3.0, 5.0);
    }
    let _ = GammaGamma::from_bytes(data);
});
