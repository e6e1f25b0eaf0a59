//! Fits a recommender natively on an Online Retail-shaped CSV and writes its `to_bytes` to a file:
//! the native half of the check that native and wasm builds train bit-identical models
//! (tests/js/native_wasm.test.mjs fits the same through the package and compares the bytes).
//!
//! Usage: `cargo run --release --example model_bytes -- <csv> <algorithm> <seed> <out>`

#[path = "../tests/common/mod.rs"]
mod common;

use regulars::data::{CsvMapping, CsvOptions, Transactions};
use regulars::recommend::recommender::{Algorithm, Recommender, RecommenderOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 4 {
        eprintln!("usage: model_bytes <csv> <algorithm> <seed> <out>");
        std::process::exit(2);
    }
    let run = || -> regulars::Result<Vec<u8>> {
        let bytes = std::fs::read(&args[0]).map_err(|e| regulars::Error::invalid(format!("{}: {e}", args[0])))?;
        // The same mapping as the Node test's import (tests/js/helpers.mjs, with the invoice).
        let mapping = CsvMapping { invoice: Some("InvoiceNo".into()), ..common::online_retail_mapping() };
        let tx = Transactions::from_csv(&bytes, &mapping, &CsvOptions::default())?;
        let seed = args[2].parse().map_err(|_| regulars::Error::invalid(format!("seed '{}' is not a number", args[2])))?;
        let options = RecommenderOptions { algorithm: Algorithm::parse(&args[1])?, seed, ..RecommenderOptions::default() };
        Ok(Recommender::fit(&tx, &options, &mut |_| {})?.to_bytes())
    };
    match run().and_then(|model| {
        std::fs::write(&args[3], model).map_err(|e| regulars::Error::invalid(format!("{}: {e}", args[3])))
    }) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("model_bytes: {e}");
            std::process::exit(1);
        }
    }
}
