//! Acceptance of issue 2 on the full CDNOW cohort: fit on the transactions up to 1997-09-30
//! only, horizon 273 days (to 1998-06-30); `risk` must rank who makes no purchase in the horizon
//! with AUC >= 0.77 and be calibrated (ECE <= 0.03 over 10 equal-width bins). Labels, AUC and ECE
//! are computed here, independently of the crate.

use std::collections::HashSet;

use regulars::churn::{ChurnModel, ChurnOptions, RiskMethod};

mod common;

use common::{transactions_of as transactions, yyyymmdd_ms, DAY_MS};

fn master_rows() -> Vec<(String, f64, f64)> {
    common::cdnow_rows("CDNOW_master.txt")
}

/// AUC of `score` for the positive class by the rank-sum formula, ties at mid-rank.
fn rank_sum_auc(score: &[f64], positive: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..score.len()).collect();
    idx.sort_by(|a, b| score[*a].partial_cmp(&score[*b]).unwrap());
    let mut ranks = vec![0.0; score.len()];
    let mut start = 0;
    while start < idx.len() {
        let mut end = start;
        while end + 1 < idx.len() && score[idx[end + 1]] == score[idx[start]] {
            end += 1;
        }
        for k in start..=end {
            ranks[idx[k]] = (start + end + 2) as f64 / 2.0;
        }
        start = end + 1;
    }
    let n1 = positive.iter().filter(|p| **p).count() as f64;
    let n0 = score.len() as f64 - n1;
    let r1: f64 = ranks.iter().zip(positive).filter(|(_, p)| **p).map(|(r, _)| r).sum();
    (r1 - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

/// Expected calibration error over 10 equal-width bins of the predicted probability.
fn ece(p: &[f64], y: &[bool]) -> f64 {
    let mut count = [0.0; 10];
    let mut sum_p = [0.0; 10];
    let mut sum_y = [0.0; 10];
    for (pi, yi) in p.iter().zip(y) {
        let b = ((pi * 10.0) as usize).min(9);
        count[b] += 1.0;
        sum_p[b] += pi;
        sum_y[b] += if *yi { 1.0 } else { 0.0 };
    }
    let n = p.len() as f64;
    (0..10).filter(|&b| count[b] > 0.0).map(|b| count[b] / n * ((sum_p[b] - sum_y[b]) / count[b]).abs()).sum()
}

#[test]
fn cdnow_master_risk_ranks_and_is_calibrated() {
    let rows = master_rows();
    assert_eq!(rows.len(), 69_659);
    let calibration_end = yyyymmdd_ms(19970930);
    let horizon_end = yyyymmdd_ms(19980630);
    let horizon_days = (horizon_end - calibration_end) / DAY_MS;
    assert_eq!(horizon_days, 273.0);

    // The model sees only the calibration period.
    let calibration: Vec<&(String, f64, f64)> = rows.iter().filter(|r| r.1 <= calibration_end).collect();
    let tx = transactions(&calibration);
    let model = ChurnModel::fit(
        &tx,
        ChurnOptions { horizon: horizon_days, observation_end: Some(calibration_end), seed: 42, ..Default::default() },
    )
    .unwrap();
    // CDNOW identifies the model: no fallback, no identification warning (issue 13).
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
    let scores = model.score(&tx).unwrap();
    assert_eq!(scores.customers.len(), 23_570);

    let bought_in_horizon: HashSet<&str> = rows
        .iter()
        .filter(|r| r.1 > calibration_end && r.1 <= horizon_end)
        .map(|r| r.0.as_str())
        .collect();
    let no_purchase: Vec<bool> = scores.customers.iter().map(|c| !bought_in_horizon.contains(c.as_str())).collect();

    let auc = rank_sum_auc(&scores.risk, &no_purchase);
    let calibration_error = ece(&scores.risk, &no_purchase);
    let btyd_p0 = {
        use regulars::churn::TransactionModel;
        let s = tx
            .summary(regulars::data::SummaryOptions {
                observation_end: Some(calibration_end),
                calibration_end: None,
                unit: regulars::data::TimeUnit::Week,
            })
            .unwrap();
        model.btyd.probability_no_purchase(horizon_days / 7.0, &s).unwrap()
    };
    eprintln!(
        "CDNOW master: method {:?}, AUC {auc:.4}, ECE {calibration_error:.4}; BG/NBD alone AUC {:.4}, ECE {:.4}; validation {:?}",
        model.method,
        rank_sum_auc(&btyd_p0, &no_purchase),
        ece(&btyd_p0, &no_purchase),
        model.validation
    );
    assert_eq!(model.method, RiskMethod::Supervised);
    assert!(auc >= 0.77, "AUC {auc}");
    assert!(calibration_error <= 0.03, "ECE {calibration_error}");
    assert!(scores.risk.iter().all(|r| r.is_finite() && (0.0..=1.0).contains(r)));
}

/// The same acceptance when the model is handed the whole log and told where the history ends
/// (it must ignore the later rows), with the end given as the last millisecond of the day, and
/// when scoring a day-unit summary instead of the transactions.
#[test]
fn cdnow_master_ignores_rows_after_observation_end() {
    let rows = master_rows();
    let calibration_end = yyyymmdd_ms(19970930);
    let horizon_end = yyyymmdd_ms(19980630);
    let all: Vec<&(String, f64, f64)> = rows.iter().collect();
    let tx = transactions(&all);
    let bought_in_horizon: HashSet<&str> = rows
        .iter()
        .filter(|r| r.1 > calibration_end && r.1 <= horizon_end)
        .map(|r| r.0.as_str())
        .collect();
    for end in [calibration_end, calibration_end + DAY_MS - 1.0] {
        let model = ChurnModel::fit(&tx, ChurnOptions { horizon: 273.0, observation_end: Some(end), seed: 1, ..Default::default() }).unwrap();
        let day_summary = tx
            .summary(regulars::data::SummaryOptions {
                observation_end: Some(end),
                calibration_end: None,
                unit: regulars::data::TimeUnit::Day,
            })
            .unwrap();
        for scores in [model.score(&tx).unwrap(), model.score_summary(&day_summary).unwrap()] {
            let no_purchase: Vec<bool> =
                scores.customers.iter().map(|c| !bought_in_horizon.contains(c.as_str())).collect();
            let auc = rank_sum_auc(&scores.risk, &no_purchase);
            let calibration_error = ece(&scores.risk, &no_purchase);
            eprintln!("end {end}: AUC {auc:.4}, ECE {calibration_error:.4}");
            assert!(auc >= 0.77 && calibration_error <= 0.03, "AUC {auc}, ECE {calibration_error}");
        }
    }
}
