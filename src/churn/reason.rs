//! A short reason per scored customer ("no purchase for 140 days; usually every 35"), from the
//! quantities the churn model itself reads: the customer's frequency, recency and age, and their
//! usual gap between purchases (recency / frequency, the "time since last purchase / usual gap"
//! feature of the supervised layer, `churn_model::features`). Integer formatting only (float
//! formatting is heavy in wasm); built once per customer, so 100,000 customers cost a few ms.

/// Silence longer than this many usual gaps is worded as the customer having gone quiet.
pub const QUIET_GAPS: f64 = 2.0;

fn days(weeks: f64) -> u64 {
    (weeks * 7.0 + 0.5).max(0.0) as u64
}

/// The reason for one customer of a weekly summary (`frequency` repeat purchases, `recency` and
/// `t` in weeks).
pub fn reason(frequency: f64, recency: f64, t: f64) -> String {
    let silence = days(t - recency);
    if !(frequency > 0.0) {
        // One purchase only: its age is T.
        return format!("one purchase, {} days ago", days(t));
    }
    let gap_weeks = recency / frequency;
    let gap = days(gap_weeks).max(1);
    if t - recency > QUIET_GAPS * gap_weeks {
        format!("no purchase for {silence} days; usually every {gap}")
    } else {
        format!("buys every {gap} days; last {silence} days ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording_follows_the_silence_against_the_usual_gap() {
        // 4 repeat purchases over 20 weeks: every 35 days; silent for 20 weeks = 140 days.
        assert_eq!(reason(4.0, 20.0, 40.0), "no purchase for 140 days; usually every 35");
        assert_eq!(reason(0.0, 0.0, 300.0 / 7.0), "one purchase, 300 days ago");
        // Every 20 days, last 5 days ago.
        assert_eq!(reason(3.0, 60.0 / 7.0, 65.0 / 7.0), "buys every 20 days; last 5 days ago");
    }
}
