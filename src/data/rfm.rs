//! RFM scores (quantile bins of recency, frequency and monetary value) and the common
//! 11-segment map (Champions … Lost) on the recency score and the mean of the F and M scores.

use crate::data::summary::Summary;
use crate::error::{Error, Result};

/// The 11 segment names, from best to worst.
pub const SEGMENTS: [&str; 11] = [
    "Champions",
    "Loyal Customers",
    "Potential Loyalists",
    "New Customers",
    "Promising",
    "Need Attention",
    "About To Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
    "Lost",
];

/// RFM scores, `1..=bins`, higher is better, and each customer's segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Rfm {
    pub r: Vec<u8>,
    pub f: Vec<u8>,
    pub m: Vec<u8>,
    pub segment: Vec<&'static str>,
}

/// Scores `values` into `bins` quantile bins, 1 = lowest. Ties share a score: a value's score is
/// set by the share of customers strictly below it, so equal values never split across bins.
fn quantile_scores(values: &[f64], bins: usize) -> Vec<u8> {
    let n = values.len();
    let mut sorted: Vec<f64> = values.to_vec();
    crate::sort::sort_by(&mut sorted, &|a, b| a.total_cmp(b));
    values
        .iter()
        .map(|v| {
            let below = sorted.partition_point(|x| x < v);
            let equal = sorted.partition_point(|x| x <= v) - below;
            // Mid-rank of the tie group, as a fraction of n.
            let mid = (below as f64 + equal as f64 / 2.0) / n as f64;
            ((mid * bins as f64).floor() as usize).min(bins - 1) as u8 + 1
        })
        .collect()
}

/// Segment of an (R, FM) pair on the 1..=5 scale. Each row of the grid is a recency score
/// (5 = bought most recently), each column the mean of the F and M scores.
pub fn segment_for_scores(r: u8, fm: u8) -> &'static str {
    const GRID: [[usize; 5]; 5] = [
        // FM:  1   2   3   4   5
        [10, 10, 7, 8, 8], // R = 1
        [9, 9, 7, 7, 8],   // R = 2
        [6, 5, 5, 1, 1],   // R = 3
        [4, 2, 1, 1, 0],   // R = 4
        [3, 2, 2, 0, 0],   // R = 5
    ];
    let r = r.clamp(1, 5) as usize - 1;
    let fm = fm.clamp(1, 5) as usize - 1;
    SEGMENTS[GRID[r][fm]]
}

/// Maps a score on `1..=bins` to the 1..=5 scale of the segment grid.
fn to_five(score: u8, bins: usize) -> u8 {
    if bins == 5 {
        return score;
    }
    (1.0 + ((score as f64 - 0.5) / bins as f64 * 5.0).floor()).clamp(1.0, 5.0) as u8
}

impl Summary {
    /// RFM scores with `bins` quantile bins (2..=10, default 5) and the 11 named segments.
    /// R scores the time since the last purchase (recent is high), F the number of purchases,
    /// M the total spend.
    pub fn rfm(&self, bins: usize) -> Result<Rfm> {
        if !(2..=10).contains(&bins) {
            return Err(Error::invalid(format!("bins must be between 2 and 10, got {bins}")));
        }
        if self.is_empty() {
            return Err(Error::invalid("the summary has no customers"));
        }
        let negative_gap: Vec<f64> = (0..self.len()).map(|i| -self.since_last_purchase(i)).collect();
        let r = quantile_scores(&negative_gap, bins);
        let f = quantile_scores(&self.frequency, bins);
        let m = quantile_scores(&self.total_spend, bins);
        let segment = (0..self.len())
            .map(|i| {
                let fm = ((to_five(f[i], bins) as f64 + to_five(m[i], bins) as f64) / 2.0).round() as u8;
                segment_for_scores(to_five(r[i], bins), fm)
            })
            .collect();
        Ok(Rfm { r, f, m, segment })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_are_balanced_and_ties_stay_together() {
        let values: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let s = quantile_scores(&values, 5);
        for score in 1..=5u8 {
            assert_eq!(s.iter().filter(|&&x| x == score).count(), 20);
        }
        let tied = quantile_scores(&[1.0, 1.0, 1.0, 2.0], 4);
        assert!(tied[0] == tied[1] && tied[1] == tied[2] && tied[3] > tied[0]);
    }

    #[test]
    fn every_segment_is_reachable_and_grid_is_monotone_at_corners() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for fm in 1..=5 {
                seen.insert(segment_for_scores(r, fm));
            }
        }
        assert_eq!(seen.len(), 11);
        assert_eq!(segment_for_scores(5, 5), "Champions");
        assert_eq!(segment_for_scores(1, 1), "Lost");
        assert_eq!(segment_for_scores(1, 5), "Can't Lose Them");
        assert_eq!(segment_for_scores(5, 1), "New Customers");
    }
}
