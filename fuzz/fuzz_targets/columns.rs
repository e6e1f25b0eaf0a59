//! The columnar constructors and summaries on arbitrary values (NaN, infinities, negative,
//! huge, mismatched lengths): an error or a finite result, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regulars::data::{Summary, SummaryOptions, TimeUnit, TransactionColumns, Transactions};

fn floats(bytes: &[u8]) -> Vec<f64> {
    bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let n = (data[0] % 16) as usize;
    let rest = &data[4..];
    let values = floats(rest);
    let take = |offset: usize, len: usize| -> Vec<f64> { values.iter().cycle().skip(offset).take(len).cloned().collect() };
    if values.is_empty() {
        return;
    }
    let customer: Vec<String> = (0..n).map(|i| format!("c{}", rest.get(i).copied().unwrap_or(0) % 4)).collect();
    let columns = TransactionColumns {
        customer,
        time: take(0, n + (data[1] % 2) as usize),
        amount: (data[2] & 1 != 0).then(|| take(1, n)),
        item: (data[2] & 2 != 0).then(|| (0..n).map(|i| format!("i{}", i % 3)).collect()),
        quantity: (data[2] & 4 != 0).then(|| take(2, n)),
    };
    if let Ok(tx) = Transactions::from_columns(columns) {
        let options = SummaryOptions {
            observation_end: (data[3] & 1 != 0).then(|| take(3, 1)[0]),
            calibration_end: (data[3] & 2 != 0).then(|| take(4, 1)[0]),
            unit: if data[3] & 4 != 0 { TimeUnit::Week } else { TimeUnit::Day },
        };
        if let Ok(s) = tx.summary(options) {
            assert!(s.t.iter().all(|v| v.is_finite()));
        }
    }
    let _ = Summary::from_columns(None, take(0, n), take(1, n), take(2, n), Some(take(3, n)), TimeUnit::Day)
        .map(|s| s.rfm(5));
});
