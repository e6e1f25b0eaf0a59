//! Import of the real data sets: every row accounted for, and the drops the data README promises.
mod common;

use regulars::data::{SummaryOptions, TimeUnit};

#[test]
fn online_retail_report_accounts_for_every_row() {
    let tx = common::online_retail();
    let r = tx.report();
    // The data README: 541,909 invoice lines.
    assert_eq!(r.rows, 541_909);
    assert_eq!(r.kept + r.dropped.values().sum::<usize>(), r.rows);
    // About a quarter are guest lines; cancellations have negative quantities.
    let guests = r.dropped["missing customer"];
    assert!((100_000..160_000).contains(&guests), "{guests}");
    assert!(r.dropped["cancellation"] > 5_000);
    assert!(r.dropped.contains_key("non-positive amount"));
    // About 4,370 identified customers; about 4,000 products.
    assert!((4_300..4_400).contains(&tx.customer_count()), "{}", tx.customer_count());
    assert!((3_500..4_100).contains(&tx.item_count()), "{}", tx.item_count());
    assert!(tx.amount().unwrap().iter().all(|a| *a > 0.0));
}

#[test]
fn cdnow_sample_summary_matches_the_papers_conventions() {
    let tx = common::cdnow("CDNOW_sample.txt");
    assert_eq!(tx.len(), 6_919);
    assert_eq!(tx.customer_count(), 2_357);
    let end = regulars::data::parse_time("1997-09-30").unwrap();
    let s = tx.summary(SummaryOptions { calibration_end: Some(end), observation_end: None, unit: TimeUnit::Week }).unwrap();
    assert_eq!(s.len(), 2_357);
    // 946 repeat buyers in calibration (Fader & Hardie 2013).
    assert_eq!(s.frequency.iter().filter(|f| **f > 0.0).count(), 946);
    // A 1997-01-01 first buyer has T = 272 / 7 = 38.857 weeks.
    let max_t = s.t.iter().cloned().fold(0.0, f64::max);
    assert!((max_t - 272.0 / 7.0).abs() < 1e-9, "{max_t}");
}
