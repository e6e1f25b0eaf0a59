//! CSV import on arbitrary bytes: never panics, and the report accounts for every row.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regulars::data::{CsvMapping, CsvOptions, Transactions};

fuzz_target!(|data: &[u8]| {
    let (flags, text) = data.split_first().unwrap_or((&0, &[]));
    let mapping = CsvMapping {
        customer: "c".into(),
        time: "t".into(),
        amount: (flags & 1 != 0).then(|| "a".into()),
        item: (flags & 2 != 0).then(|| "i".into()),
        quantity: (flags & 4 != 0).then(|| "q".into()),
        price: (flags & 8 != 0).then(|| "p".into()),
        invoice: (flags & 16 != 0).then(|| "n".into()),
    };
    let options = CsvOptions {
        delimiter: (flags & 32 != 0).then_some(b';'),
        no_header: false,
        keep_zero_amounts: flags & 64 != 0,
        net_cancellations: flags & 128 != 0,
        max_rows: None,
    };
    if let Ok(tx) = Transactions::from_csv(text, &mapping, &options) {
        let report = tx.report();
        assert_eq!(report.kept + report.dropped.values().sum::<usize>(), report.rows);
        assert_eq!(report.kept, tx.len());
        if let Ok(summary) = tx.summary(Default::default()) {
            assert!(summary.t.iter().chain(&summary.recency).chain(&summary.monetary).all(|v| v.is_finite()));
            let _ = summary.rfm(5);
        }
    }
});
