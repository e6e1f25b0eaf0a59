//! Columnar transactions, sorted by customer then time, with the import report.
//!
//! Constructors are strict ([`Transactions::from_columns`] rejects the first bad value with its
//! index) while the CSV importer is lenient per row and counts what it drops; both end here.

use crate::decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

use crate::error::{check_finite, check_non_negative, Error, Result};

/// Caps that keep a worker from exhausting memory; callers can raise them.
pub const DEFAULT_MAX_ROWS: usize = 50_000_000;

/// What an import kept and dropped, by reason: `kept + sum(dropped) == rows`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    pub rows: usize,
    pub kept: usize,
    pub dropped: BTreeMap<String, usize>,
}

impl ImportReport {
    pub fn drop_row(&mut self, reason: &str) {
        *self.dropped.entry(reason.to_string()).or_insert(0) += 1;
    }
}

/// Columns as they come from the caller, before validation and sorting.
#[derive(Debug, Clone, Default)]
pub struct TransactionColumns {
    pub customer: Vec<String>,
    /// Epoch milliseconds.
    pub time: Vec<f64>,
    pub amount: Option<Vec<f64>>,
    pub item: Option<Vec<String>>,
    pub quantity: Option<Vec<f64>>,
}

/// A shop's order lines: one row per (customer, time, item) with optional amount and quantity.
/// Rows are sorted by customer index, then time, then original order, and
/// customer and item ids are interned in order of first appearance.
#[derive(Debug, Clone, PartialEq)]
pub struct Transactions {
    customer_ids: Vec<String>,
    item_ids: Vec<String>,
    customer: Vec<u32>,
    time: Vec<f64>,
    amount: Option<Vec<f64>>,
    item: Option<Vec<u32>>,
    quantity: Option<Vec<f64>>,
    report: ImportReport,
}

/// Interns ids in order of first appearance; customer ids are made canonical
/// ([`crate::data::canonical_id`]) so "17850.0" and "17850" are one customer everywhere.
fn intern(values: &[String], what: &str, canonical: bool) -> Result<(Vec<String>, Vec<u32>)> {
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut ids = Vec::new();
    let mut codes = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let v = if canonical { crate::data::canonical_id(v) } else { v.trim() };
        if v.is_empty() {
            return Err(Error::invalid(format!("{what}[{i}] is empty")));
        }
        let next = ids.len() as u32;
        let code = *index.entry(v).or_insert_with(|| {
            ids.push(v.to_string());
            next
        });
        codes.push(code);
    }
    Ok((ids, codes))
}

impl Transactions {
    /// Validates and sorts caller columns. Every problem is an error naming the column and row.
    pub fn from_columns(columns: TransactionColumns) -> Result<Self> {
        Self::from_columns_with_max_rows(columns, DEFAULT_MAX_ROWS)
    }

    /// [`Transactions::from_columns`] with a row cap other than [`DEFAULT_MAX_ROWS`].
    pub fn from_columns_with_max_rows(columns: TransactionColumns, max_rows: usize) -> Result<Self> {
        let n = columns.customer.len();
        if n == 0 {
            return Err(Error::invalid("customer is empty: no transactions given"));
        }
        if n > max_rows {
            return Err(Error::Limit(format!("{n} rows is more than the {max_rows} allowed (raise options.maxRows)")));
        }
        let check_len = |name: &str, len: usize| -> Result<()> {
            if len != n {
                Err(Error::invalid(format!(
                    "column lengths differ: customer has {n} values, {name} has {len}"
                )))
            } else {
                Ok(())
            }
        };
        check_len("time", columns.time.len())?;
        check_finite("time", &columns.time)?;
        if let Some(a) = &columns.amount {
            check_len("amount", a.len())?;
            check_non_negative("amount", a)?;
        }
        if let Some(q) = &columns.quantity {
            check_len("quantity", q.len())?;
            check_finite("quantity", q)?;
            if let Some(i) = q.iter().position(|v| *v <= 0.0) {
                return Err(Error::invalid(format!("quantity[{i}] must be positive, got {}", Decimal(q[i]))));
            }
        }
        if let Some(items) = &columns.item {
            check_len("item", items.len())?;
        }
        let (customer_ids, customer) = intern(&columns.customer, "customer", true)?;
        let (item_ids, item) = match &columns.item {
            Some(items) => {
                let (ids, codes) = intern(items, "item", false)?;
                (ids, Some(codes))
            }
            None => (Vec::new(), None),
        };
        let report = ImportReport { rows: n, kept: n, dropped: BTreeMap::new() };
        Ok(Self::sorted(customer_ids, item_ids, customer, columns.time, columns.amount, item, columns.quantity, report))
    }

    /// Builds from already-validated, interned columns (the CSV importer's path) and sorts.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn sorted(
        customer_ids: Vec<String>,
        item_ids: Vec<String>,
        customer: Vec<u32>,
        time: Vec<f64>,
        amount: Option<Vec<f64>>,
        item: Option<Vec<u32>>,
        quantity: Option<Vec<f64>>,
        report: ImportReport,
    ) -> Self {
        let mut order: Vec<u32> = (0..customer.len() as u32).collect();
        crate::sort::sort_by(&mut order, &|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            customer[a].cmp(&customer[b]).then(time[a].total_cmp(&time[b])).then(a.cmp(&b))
        });
        let permute_f64 = |v: &[f64]| order.iter().map(|&i| v[i as usize]).collect::<Vec<_>>();
        let permute_u32 = |v: &[u32]| order.iter().map(|&i| v[i as usize]).collect::<Vec<_>>();
        Transactions {
            customer_ids,
            item_ids,
            customer: permute_u32(&customer),
            time: permute_f64(&time),
            amount: amount.as_deref().map(permute_f64),
            item: item.as_deref().map(permute_u32),
            quantity: quantity.as_deref().map(permute_f64),
            report,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customer.len()
    }
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }
    pub fn customer_count(&self) -> usize {
        self.customer_ids.len()
    }
    pub fn item_count(&self) -> usize {
        self.item_ids.len()
    }
    /// Distinct customer ids; `customer()[row]` indexes into this.
    pub fn customer_ids(&self) -> &[String] {
        &self.customer_ids
    }
    /// Distinct item ids; `item()[row]` indexes into this.
    pub fn item_ids(&self) -> &[String] {
        &self.item_ids
    }
    /// Customer index of each row (rows sorted by customer, then time).
    pub fn customer(&self) -> &[u32] {
        &self.customer
    }
    /// Epoch milliseconds of each row.
    pub fn time(&self) -> &[f64] {
        &self.time
    }
    /// Amount (money) of each row, when given.
    pub fn amount(&self) -> Option<&[f64]> {
        self.amount.as_deref()
    }
    /// Item index of each row, when given.
    pub fn item(&self) -> Option<&[u32]> {
        self.item.as_deref()
    }
    /// Quantity of each row, when given.
    pub fn quantity(&self) -> Option<&[f64]> {
        self.quantity.as_deref()
    }
    pub fn report(&self) -> &ImportReport {
        &self.report
    }
    /// Row ranges of each customer: `rows_of(c)` is a contiguous range since rows are sorted.
    pub fn customer_row_ranges(&self) -> Vec<std::ops::Range<usize>> {
        let mut ranges = Vec::with_capacity(self.customer_ids.len());
        let mut start = 0;
        for row in 1..=self.customer.len() {
            if row == self.customer.len() || self.customer[row] != self.customer[start] {
                ranges.push(start..row);
                start = row;
            }
        }
        ranges
    }
    /// The earliest and latest transaction time.
    pub fn time_range(&self) -> (f64, f64) {
        let min = self.time.iter().cloned().fold(f64::INFINITY, f64::min);
        let max = self.time.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        (min, max)
    }
    /// Keeps the rows for which `keep(row)` holds (e.g. a time split); ids stay interned as before
    /// so customer and item indices remain valid.
    pub fn filter_rows(&self, keep: impl Fn(usize) -> bool) -> Transactions {
        let rows: Vec<usize> = (0..self.len()).filter(|&r| keep(r)).collect();
        let pick_f64 = |v: &[f64]| rows.iter().map(|&r| v[r]).collect::<Vec<_>>();
        let pick_u32 = |v: &[u32]| rows.iter().map(|&r| v[r]).collect::<Vec<_>>();
        Transactions {
            customer_ids: self.customer_ids.clone(),
            item_ids: self.item_ids.clone(),
            customer: pick_u32(&self.customer),
            time: pick_f64(&self.time),
            amount: self.amount.as_deref().map(pick_f64),
            item: self.item.as_deref().map(pick_u32),
            quantity: self.quantity.as_deref().map(pick_f64),
            report: ImportReport { rows: rows.len(), kept: rows.len(), dropped: BTreeMap::new() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> TransactionColumns {
        TransactionColumns {
            customer: vec!["b".into(), "a".into(), "b".into()],
            time: vec![3.0, 2.0, 1.0],
            amount: Some(vec![1.0, 2.0, 3.0]),
            item: Some(vec!["x".into(), "y".into(), "x".into()]),
            quantity: None,
        }
    }

    #[test]
    fn sorts_by_customer_then_time() {
        let tx = Transactions::from_columns(cols()).unwrap();
        assert_eq!(tx.customer_ids(), &["b".to_string(), "a".to_string()]);
        assert_eq!(tx.customer(), &[0, 0, 1]);
        assert_eq!(tx.time(), &[1.0, 3.0, 2.0]);
        assert_eq!(tx.amount().unwrap(), &[3.0, 1.0, 2.0]);
        assert_eq!(tx.customer_row_ranges(), vec![0..2, 2..3]);
    }

    #[test]
    fn bad_values_are_named() {
        let mut c = cols();
        c.amount = Some(vec![1.0, f64::NAN, 3.0]);
        assert_eq!(Transactions::from_columns(c).unwrap_err().to_string(), "amount[1] is NaN");
        let mut c = cols();
        c.amount = Some(vec![1.0, 2.0, -3.0]);
        assert!(Transactions::from_columns(c).unwrap_err().to_string().contains("amount[2] is negative"));
        let mut c = cols();
        c.time = vec![1.0, f64::INFINITY, 2.0];
        assert_eq!(Transactions::from_columns(c).unwrap_err().to_string(), "time[1] is Infinity");
        let mut c = cols();
        c.time.pop();
        assert!(Transactions::from_columns(c).unwrap_err().to_string().contains("lengths differ"));
        assert!(Transactions::from_columns(TransactionColumns::default()).is_err());
    }
}
