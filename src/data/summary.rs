//! Per-customer RFM summaries in the buy-till-you-die conventions (Fader, Hardie & Lee 2005;
//! the same as lifetimes and CLVTools): purchases on one UTC day are one transaction;
//! `frequency` = repeat transactions; `recency` = age at the last purchase measured from the first;
//! `T` = age at the end of the period; `monetary` = mean spend of the repeat transactions.

use crate::decimal::Decimal;
use crate::data::time::DAY_MS;
use crate::data::transactions::Transactions;
use crate::error::{check_finite, check_non_negative, Error, Result};

/// The unit of `recency`, `T` and every model horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Day,
    Week,
}

impl TimeUnit {
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "day" => Ok(TimeUnit::Day),
            "week" => Ok(TimeUnit::Week),
            other => Err(Error::invalid(format!("unit must be \"day\" or \"week\", got \"{other}\""))),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
        }
    }
}

/// Options of [`Transactions::summary`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummaryOptions {
    /// Epoch ms, inclusive; defaults to the last transaction's time.
    pub observation_end: Option<f64>,
    /// Epoch ms, inclusive; when given, the summary covers the calibration period and the
    /// holdout columns count what happens after it up to `observation_end`.
    pub calibration_end: Option<f64>,
    pub unit: TimeUnit,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions { observation_end: None, calibration_end: None, unit: TimeUnit::Day }
    }
}

/// What happened after the calibration period.
#[derive(Debug, Clone, PartialEq)]
pub struct Holdout {
    /// Transactions (distinct days) in the holdout period.
    pub frequency: Vec<f64>,
    /// Mean spend of those transactions (0 when none).
    pub monetary: Vec<f64>,
    /// Length of the holdout period in the summary's unit.
    pub duration: f64,
}

/// One row per customer with at least one transaction in the (calibration) period.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub customers: Vec<String>,
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    pub t: Vec<f64>,
    pub monetary: Vec<f64>,
    /// Total spend in the period, first purchase included (for RFM's M); derived from
    /// `monetary * frequency` when the summary was given as columns.
    pub total_spend: Vec<f64>,
    pub holdout: Option<Holdout>,
    pub unit: TimeUnit,
}

impl Summary {
    pub fn len(&self) -> usize {
        self.frequency.len()
    }
    pub fn is_empty(&self) -> bool {
        self.frequency.is_empty()
    }

    /// A summary from caller columns, validated: finite, non-negative, `recency <= T`,
    /// integral frequency, `recency == 0` when `frequency == 0`.
    pub fn from_columns(
        customers: Option<Vec<String>>,
        frequency: Vec<f64>,
        recency: Vec<f64>,
        t: Vec<f64>,
        monetary: Option<Vec<f64>>,
        unit: TimeUnit,
    ) -> Result<Self> {
        let n = frequency.len();
        if n == 0 {
            return Err(Error::invalid("frequency is empty: no customers given"));
        }
        for (name, len) in [("recency", recency.len()), ("T", t.len())]
            .into_iter()
            .chain(monetary.as_ref().map(|m| ("monetary", m.len())))
            .chain(customers.as_ref().map(|c| ("customer", c.len())))
        {
            if len != n {
                return Err(Error::invalid(format!(
                    "column lengths differ: frequency has {n} values, {name} has {len}"
                )));
            }
        }
        check_non_negative("frequency", &frequency)?;
        check_non_negative("recency", &recency)?;
        check_non_negative("T", &t)?;
        for i in 0..n {
            if frequency[i].fract() != 0.0 {
                return Err(Error::invalid(format!(
                    "frequency[{i}] must be a whole number of repeat purchases, got {}",
                    Decimal(frequency[i])
                )));
            }
            if recency[i] > t[i] {
                return Err(Error::invalid(format!(
                    "recency[{i}] ({}) is greater than T[{i}] ({})",
                    Decimal(recency[i]),
                    Decimal(t[i])
                )));
            }
            if frequency[i] == 0.0 && recency[i] != 0.0 {
                return Err(Error::invalid(format!(
                    "recency[{i}] must be 0 when frequency[{i}] is 0, got {}",
                    Decimal(recency[i])
                )));
            }
        }
        let monetary = match monetary {
            Some(m) => {
                check_non_negative("monetary", &m)?;
                m
            }
            None => vec![0.0; n],
        };
        let customers = match customers {
            Some(c) => c,
            None => (0..n).map(|i| i.to_string()).collect(),
        };
        let total_spend = monetary.iter().zip(&frequency).map(|(m, f)| m * f).collect();
        Ok(Summary { customers, frequency, recency, t, monetary, total_spend, holdout: None, unit })
    }

    /// Index of a customer id, or an "unknown customer" error.
    pub fn index_of(&self, customer: &str) -> Result<usize> {
        self.customers
            .iter()
            .position(|c| c == customer)
            .ok_or_else(|| Error::unknown("customer", customer))
    }

    /// Time since the last purchase, `T - recency`, in the summary's unit.
    pub fn since_last_purchase(&self, i: usize) -> f64 {
        self.t[i] - self.recency[i]
    }
}

impl Transactions {
    /// Per-customer summary; see the module docs for the conventions.
    pub fn summary(&self, options: SummaryOptions) -> Result<Summary> {
        let (first_time, last_time) = self.time_range();
        let observation_end = match options.observation_end {
            Some(t) => {
                if !t.is_finite() {
                    return Err(Error::invalid(format!("observationEnd must be a finite time, got {t}", t = Decimal(t))));
                }
                t
            }
            None => last_time,
        };
        if let Some(cal) = options.calibration_end {
            if !cal.is_finite() {
                return Err(Error::invalid(format!("calibrationEnd must be a finite time, got {cal}", cal = Decimal(cal))));
            }
            if cal > observation_end {
                return Err(Error::invalid("calibrationEnd must not be after observationEnd"));
            }
        }
        let period_end = options.calibration_end.unwrap_or(observation_end);
        if period_end < first_time {
            return Err(Error::invalid(
                "the period ends before the first transaction: no customer has a purchase in it",
            ));
        }
        let unit_ms = options.unit.days() * DAY_MS;
        let day_of = |t: f64| (t / DAY_MS).floor();
        let amounts = self.amount();

        let mut s = Summary {
            customers: Vec::new(),
            frequency: Vec::new(),
            recency: Vec::new(),
            t: Vec::new(),
            monetary: Vec::new(),
            total_spend: Vec::new(),
            holdout: None,
            unit: options.unit,
        };
        let mut holdout_frequency = Vec::new();
        let mut holdout_monetary = Vec::new();
        let times = self.time();
        for range in self.customer_row_ranges() {
            let customer = self.customer()[range.start] as usize;
            // Merge same-day rows into (day, spend) transactions, split by period.
            let mut days: Vec<(f64, f64)> = Vec::new();
            let mut holdout_days: Vec<(f64, f64)> = Vec::new();
            for row in range {
                let t = times[row];
                if t > observation_end {
                    continue;
                }
                let target = if t <= period_end { &mut days } else { &mut holdout_days };
                let day = day_of(t);
                let spend = amounts.map_or(0.0, |a| a[row]);
                match target.last_mut() {
                    Some((d, total)) if *d == day => *total += spend,
                    _ => target.push((day, spend)),
                }
            }
            let Some(&(first_day, first_spend)) = days.first() else { continue };
            let (last_day, _) = *days.last().unwrap();
            let repeat_count = (days.len() - 1) as f64;
            let repeat_spend: f64 = days[1..].iter().map(|(_, s)| s).sum();
            s.customers.push(self.customer_ids()[customer].clone());
            s.frequency.push(repeat_count);
            s.recency.push((last_day - first_day) * DAY_MS / unit_ms);
            s.t.push((period_end - first_day * DAY_MS) / unit_ms);
            s.monetary.push(if repeat_count > 0.0 { repeat_spend / repeat_count } else { 0.0 });
            s.total_spend.push(first_spend + repeat_spend);
            let holdout_spend: f64 = holdout_days.iter().map(|(_, s)| s).sum();
            holdout_frequency.push(holdout_days.len() as f64);
            holdout_monetary.push(if holdout_days.is_empty() { 0.0 } else { holdout_spend / holdout_days.len() as f64 });
        }
        if let Some(cal) = options.calibration_end {
            s.holdout = Some(Holdout {
                frequency: holdout_frequency,
                monetary: holdout_monetary,
                duration: (observation_end - cal) / unit_ms,
            });
        }
        check_finite("T", &s.t)?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::transactions::TransactionColumns;

    const D: f64 = DAY_MS;

    #[test]
    fn conventions() {
        // Customer a: day 0 (two rows, merged), day 3, day 10; customer b: day 5 only.
        let tx = Transactions::from_columns(TransactionColumns {
            customer: ["a", "a", "b", "a", "a"].map(String::from).to_vec(),
            time: vec![0.0, 0.5 * D, 5.0 * D, 3.0 * D + 100.0, 10.0 * D],
            amount: Some(vec![1.0, 2.0, 7.0, 4.0, 6.0]),
            item: None,
            quantity: None,
        })
        .unwrap();
        let s = tx
            .summary(SummaryOptions { calibration_end: Some(7.0 * D), observation_end: Some(14.0 * D), unit: TimeUnit::Day })
            .unwrap();
        assert_eq!(s.customers, vec!["a", "b"]);
        assert_eq!(s.frequency, vec![1.0, 0.0]);
        assert_eq!(s.recency, vec![3.0, 0.0]);
        assert_eq!(s.t, vec![7.0, 2.0]);
        assert_eq!(s.monetary, vec![4.0, 0.0]);
        assert_eq!(s.total_spend, vec![7.0, 7.0]);
        let h = s.holdout.unwrap();
        assert_eq!(h.frequency, vec![1.0, 0.0]);
        assert_eq!(h.monetary, vec![6.0, 0.0]);
        assert_eq!(h.duration, 7.0);
    }

    #[test]
    fn from_columns_rejects_inconsistent_rows() {
        let err = Summary::from_columns(None, vec![1.0], vec![5.0], vec![4.0], None, TimeUnit::Day).unwrap_err();
        assert!(err.to_string().contains("recency[0]"), "{err}");
        let err = Summary::from_columns(None, vec![0.0], vec![1.0], vec![4.0], None, TimeUnit::Day).unwrap_err();
        assert!(err.to_string().contains("must be 0"), "{err}");
        let err = Summary::from_columns(None, vec![f64::NAN], vec![1.0], vec![4.0], None, TimeUnit::Day).unwrap_err();
        assert_eq!(err.to_string(), "frequency[0] is NaN");
    }
}
