//! Shop-level retention measures from the retention literature: customer retention rate per
//! period, repeat-purchase rate, and the revenue share of the top 20 % of customers.

use crate::decimal::Decimal;
use crate::data::time::DAY_MS;
use crate::data::transactions::Transactions;
use crate::error::{Error, Result};

/// One period of the customer retention rate, CRR = (E − N) / S × 100.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionPeriod {
    /// Epoch ms of the period's start (inclusive) and end (exclusive).
    pub start: f64,
    pub end: f64,
    /// S: customers active (bought at least once) before the period who are counted at its start.
    pub customers_at_start: usize,
    /// N: customers whose first purchase falls in the period.
    pub new_customers: usize,
    /// E: customers at the period's end (those at the start still counted, plus new ones).
    pub customers_at_end: usize,
    /// (E − N) / S × 100; `None` when S is 0.
    pub retention_rate: Option<f64>,
}

/// Shop-level measures.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopMeasures {
    /// Share of customers with more than one purchase day.
    pub repeat_purchase_rate: f64,
    /// Share of revenue brought by the top 20 % of customers by spend (the 80/20 check).
    pub top20_revenue_share: f64,
}

impl Transactions {
    /// Repeat-purchase rate and the 80/20 revenue share.
    pub fn shop_measures(&self) -> ShopMeasures {
        let mut repeaters = 0usize;
        let mut spend: Vec<f64> = Vec::with_capacity(self.customer_count());
        for range in self.customer_row_ranges() {
            let first_day = (self.time()[range.start] / DAY_MS).floor();
            let last_day = (self.time()[range.end - 1] / DAY_MS).floor();
            if last_day > first_day {
                repeaters += 1;
            }
            spend.push(self.amount().map_or(0.0, |a| a[range].iter().sum()));
        }
        crate::sort::sort_by(&mut spend, &|a, b| b.total_cmp(a));
        let total: f64 = spend.iter().sum();
        let top = ((spend.len() as f64) * 0.2).ceil() as usize;
        let top_spend: f64 = spend[..top].iter().sum();
        ShopMeasures {
            repeat_purchase_rate: repeaters as f64 / spend.len().max(1) as f64,
            top20_revenue_share: if total > 0.0 { top_spend / total } else { 0.0 },
        }
    }

    /// Customer retention rate per complete period of `period_days`, starting at the first
    /// transaction's day (a last, partial period would read as churn, so it is left out). A customer counts at a period's start when they bought in the `period_days` before it
    /// (an active customer); at its end when they bought during it or counted at its start and
    /// bought again within the following period — so E − N is who was kept.
    pub fn retention_rates(&self, period_days: f64) -> Result<Vec<RetentionPeriod>> {
        if !(period_days.is_finite() && period_days >= 1.0) {
            return Err(Error::invalid(format!("period must be at least 1 day, got {period_days}", period_days = Decimal(period_days))));
        }
        let period_ms = period_days * DAY_MS;
        let (first, last) = self.time_range();
        let origin = (first / DAY_MS).floor() * DAY_MS;
        let data_end = ((last / DAY_MS).floor() + 1.0) * DAY_MS;
        let complete = ((data_end - origin) / period_ms).floor() as usize;
        // Rows of a trailing partial period still count as activity in it (index `complete`).
        let periods = complete + 1;
        // active[p][c]: customer c bought in period p; first_period[c].
        let mut active = vec![vec![false; self.customer_count()]; periods];
        let mut first_period = vec![usize::MAX; self.customer_count()];
        for (row, &c) in self.customer().iter().enumerate() {
            let p = ((self.time()[row] - origin) / period_ms).floor() as usize;
            active[p][c as usize] = true;
            first_period[c as usize] = first_period[c as usize].min(p);
        }
        let mut out = Vec::new();
        for p in 1..complete {
            let mut s = 0;
            let mut n = 0;
            let mut e = 0;
            for c in 0..self.customer_count() {
                let at_start = active[p - 1][c];
                let is_new = first_period[c] == p;
                if at_start {
                    s += 1;
                }
                if is_new {
                    n += 1;
                }
                if is_new || (at_start && active[p][c]) {
                    e += 1;
                }
            }
            out.push(RetentionPeriod {
                start: origin + p as f64 * period_ms,
                end: origin + (p + 1) as f64 * period_ms,
                customers_at_start: s,
                new_customers: n,
                customers_at_end: e,
                retention_rate: if s > 0 { Some((e - n) as f64 / s as f64 * 100.0) } else { None },
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::transactions::TransactionColumns;

    #[test]
    fn retention_rate_by_hand() {
        // Periods of 10 days. A buys in periods 0 and 1, B in 0, C first in 1, D first in 2 (day 29).
        let day = DAY_MS;
        let tx = Transactions::from_columns(TransactionColumns {
            customer: ["A", "A", "B", "C", "D"].map(String::from).to_vec(),
            time: vec![0.0, 12.0 * day, 3.0 * day, 15.0 * day, 29.0 * day],
            amount: Some(vec![10.0, 10.0, 10.0, 10.0, 60.0]),
            ..Default::default()
        })
        .unwrap();
        let periods = tx.retention_rates(10.0).unwrap();
        assert_eq!(periods.len(), 2);
        // Period 1: S = {A, B}, N = {C}, E = {A, C}: (2 − 1) / 2 = 50 %.
        assert_eq!((periods[0].customers_at_start, periods[0].new_customers, periods[0].customers_at_end), (2, 1, 2));
        assert_eq!(periods[0].retention_rate, Some(50.0));
        // Period 2: S = {A, C}, N = {D}, E = {D}: 0 %.
        assert_eq!(periods[1].retention_rate, Some(0.0));
        let m = tx.shop_measures();
        assert_eq!(m.repeat_purchase_rate, 0.25);
        // Top 20 % of 4 customers rounds up to 1: D's 60 of 100.
        assert_eq!(m.top20_revenue_share, 0.6);
    }
}
