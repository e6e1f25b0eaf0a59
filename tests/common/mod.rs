//! Shared test helpers: the repository's data sets (`tests/data/`) and loaders for them.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

use regulars::data::{CsvMapping, CsvOptions, Summary, SummaryOptions, TimeUnit, TransactionColumns, Transactions};

pub const DAY_MS: f64 = 86_400_000.0;

/// `tests/data/<relative>` in this repository.
pub fn test_data(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(relative)
}

/// The Online Retail CSV, un-gzipped.
pub fn online_retail_csv() -> Vec<u8> {
    let file = std::fs::File::open(test_data("online-retail/online_retail.csv.gz")).expect("online retail data");
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

/// Issue 3's filter only: customers with an id, positive quantity, not cancelled (the invoice
/// column marks cancellations; no price column, so no price filter).
pub fn online_retail_purchases_mapping() -> CsvMapping {
    CsvMapping { price: None, invoice: Some("InvoiceNo".into()), ..online_retail_mapping() }
}

pub fn online_retail() -> Transactions {
    Transactions::from_csv(&online_retail_csv(), &online_retail_mapping(), &CsvOptions::default()).expect("import")
}

/// The CDNOW sample (or master) as transactions: customer = sample id (or master id), time =
/// the date's UTC midnight, amount = dollars.
pub fn cdnow(file: &str) -> Transactions {
    let text = std::fs::read(test_data(&format!("cdnow/{file}"))).expect("cdnow data");
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

/// Epoch ms of a YYYYMMDD date, counting days month by month from 1970: independent of the
/// crate's own date parsing, which the tests check.
pub fn yyyymmdd_ms(yyyymmdd: i64) -> f64 {
    let (y, m, d) = (yyyymmdd / 10_000, (yyyymmdd / 100) % 100, yyyymmdd % 100);
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut days = 0;
    for year in 1970..y {
        days += if leap(year) { 366 } else { 365 };
    }
    for month in 1..m {
        days += month_days[(month - 1) as usize] + if month == 2 && leap(y) { 1 } else { 0 };
    }
    (days + d - 1) as f64 * DAY_MS
}

/// (customer, time ms, dollars) rows of a CDNOW file, read here without the crate's importer:
/// the sample's customer is its sample id, the master's its customer id.
pub fn cdnow_rows(file: &str) -> Vec<(String, f64, f64)> {
    let text = std::fs::read_to_string(test_data(&format!("cdnow/{file}"))).expect("cdnow data");
    let master = file.contains("master");
    text.lines()
        .skip(if master { 1 } else { 0 })
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (customer, date, dollars) = if master { (f[0], f[1], f[3]) } else { (f[1], f[2], f[4]) };
            (customer.to_string(), yyyymmdd_ms(date.parse().unwrap()), dollars.parse().unwrap())
        })
        .collect()
}

/// Transactions of the given CDNOW rows.
pub fn transactions_of(rows: &[&(String, f64, f64)]) -> Transactions {
    Transactions::from_columns(TransactionColumns {
        customer: rows.iter().map(|r| r.0.clone()).collect(),
        time: rows.iter().map(|r| r.1).collect(),
        amount: Some(rows.iter().map(|r| r.2).collect()),
        item: None,
        quantity: None,
    })
    .unwrap()
}

/// The CDNOW sample's calibration summary in the papers' conventions (to 1997-09-30, weeks).
pub fn cdnow_sample_summary() -> Summary {
    let rows = cdnow_rows("CDNOW_sample.txt");
    let tx = transactions_of(&rows.iter().collect::<Vec<_>>());
    let calibration_end = yyyymmdd_ms(19970930);
    tx.summary(SummaryOptions { observation_end: None, calibration_end: Some(calibration_end), unit: TimeUnit::Week }).unwrap()
}

/// Model bytes with the last `cut` payload bytes removed, length and checksum fixed (layout: magic
/// 4 | version 2 | kind 4 | payload length 8 | payload | checksum 8): the layout before a trailing
/// field existed, or a damaged one.
pub fn without_trailing(bytes: &[u8], cut: usize) -> Vec<u8> {
    let payload = &bytes[18..bytes.len() - 8 - cut];
    let mut old = bytes[..10].to_vec();
    old.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    old.extend_from_slice(payload);
    let checksum = regulars::codec::fnv1a64(&old);
    old.extend_from_slice(&checksum.to_le_bytes());
    old
}
