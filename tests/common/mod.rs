//! Shared test helpers: where the shared data sets live, and loaders for them.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

use regulars::data::{CsvMapping, CsvOptions, Transactions};

/// `../shared/data/<relative>` beside the crate (CI's layout), or `/work/shared/data/<relative>`.
pub fn shared_data(relative: &str) -> PathBuf {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(relative);
    if beside.exists() {
        return beside;
    }
    PathBuf::from("/work/shared/data").join(relative)
}

/// The Online Retail CSV, un-gzipped.
pub fn online_retail_csv() -> Vec<u8> {
    let file = std::fs::File::open(shared_data("online-retail/online_retail.csv.gz")).expect("online retail data");
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(file).read_to_end(&mut text).expect("gunzip");
    text
}

/// The mapping issue 2 names for Online Retail.
pub fn online_retail_mapping() -> CsvMapping {
    CsvMapping {
        customer: "CustomerID".into(),
        time: "InvoiceDate".into(),
        item: Some("StockCode".into()),
        quantity: Some("Quantity".into()),
        price: Some("UnitPrice".into()),
        ..Default::default()
    }
}

pub fn online_retail() -> Transactions {
    Transactions::from_csv(&online_retail_csv(), &online_retail_mapping(), &CsvOptions::default()).expect("import")
}

/// The CDNOW sample (or master) as transactions: customer = sample id (or master id), time =
/// the date's UTC midnight, amount = dollars.
pub fn cdnow(file: &str) -> Transactions {
    let text = std::fs::read(shared_data(&format!("cdnow/{file}"))).expect("cdnow data");
    let master = file.contains("master");
    let mapping = CsvMapping {
        customer: if master { "0" } else { "1" }.into(),
        time: if master { "1" } else { "2" }.into(),
        amount: Some(if master { "3" } else { "4" }.into()),
        ..Default::default()
    };
    let text = if master {
        // Skip the header line.
        let start = text.iter().position(|&b| b == b'\n').unwrap() + 1;
        text[start..].to_vec()
    } else {
        text
    };
    Transactions::from_csv(&text, &mapping, &CsvOptions { delimiter: Some(b' '), no_header: true, keep_zero_amounts: true, ..Default::default() }).expect("cdnow import")
}
