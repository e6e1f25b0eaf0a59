//! CSV import: lenient per row, strict per file. A bad row (no customer, unparsable date or
//! number, cancellation, non-positive amount) is dropped and counted in the report by reason;
//! a missing column or an unreadable file is an error. Quoted fields (RFC 4180) are supported,
//! the delimiter is detected from the header (comma, semicolon, tab) unless given. Text that is
//! not UTF-8 (a Latin-1 spreadsheet export) is read with replacement characters, not rejected.

use std::collections::HashMap;

use crate::data::time::parse_time;
use crate::data::transactions::{ImportReport, Transactions, DEFAULT_MAX_ROWS};
use crate::error::{Error, Result};

/// Which header names hold which field. `amount = quantity * price` when both are mapped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvMapping {
    pub customer: String,
    pub time: String,
    pub amount: Option<String>,
    pub item: Option<String>,
    pub quantity: Option<String>,
    pub price: Option<String>,
    /// An invoice number column; invoices starting with `C` are cancellations (Online Retail).
    pub invoice: Option<String>,
}

/// Parsing options beyond the mapping.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvOptions {
    /// Field delimiter; detected from the header line when `None`. `' '` means runs of spaces
    /// or tabs (the CDNOW files).
    pub delimiter: Option<u8>,
    /// When false, the file has no header and the mapping names columns by 0-based position.
    pub no_header: bool,
    /// Keep rows whose amount is exactly 0 (a free order is still a purchase event, as in the
    /// CDNOW logs); by default they are dropped with the negative ones as "non-positive amount".
    pub keep_zero_amounts: bool,
    /// Net each cancellation (needs item and quantity columns) against the same customer's
    /// latest earlier purchases of that item: their quantity and amount shrink, and a line
    /// cancelled in full is dropped as "cancelled by a later return". Off by default, so that
    /// rows are kept exactly as the shop's file has them.
    pub net_cancellations: bool,
    /// Most data rows read before the import is refused; `None`: [`DEFAULT_MAX_ROWS`].
    pub max_rows: Option<usize>,
}

/// Spreadsheet exports turn numeric ids into floats ("17850.0"); the canonical id drops the
/// ".0" so that the same customer is one id whichever way it was written.
pub fn canonical_id(id: &str) -> &str {
    let id = id.trim();
    match id.strip_suffix(".0") {
        Some(head) if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => id,
    }
}

/// Splits CSV text into records of field ranges, honouring quotes. Fields are unquoted into
/// `scratch` only when they contain quotes.
struct Records<'a> {
    text: &'a [u8],
    position: usize,
    delimiter: u8,
    whitespace: bool,
}

impl<'a> Records<'a> {
    /// The next record's fields, or `None` at the end.
    fn next_record(&mut self, fields: &mut Vec<String>) -> Option<()> {
        if self.position >= self.text.len() {
            return None;
        }
        fields.clear();
        let text = self.text;
        let mut field = Vec::new();
        let mut i = self.position;
        let mut in_quotes = false;
        let mut at_field_start = true;
        loop {
            if i >= text.len() {
                fields.push(String::from_utf8_lossy(&field).into_owned());
                break;
            }
            let b = text[i];
            if in_quotes {
                if b == b'"' {
                    if text.get(i + 1) == Some(&b'"') {
                        field.push(b'"');
                        i += 2;
                        continue;
                    }
                    in_quotes = false;
                } else {
                    field.push(b);
                }
                i += 1;
                continue;
            }
            if b == b'\n' || b == b'\r' {
                fields.push(String::from_utf8_lossy(&field).into_owned());
                i += if b == b'\r' && text.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                break;
            }
            if self.whitespace && (b == b' ' || b == b'\t') {
                if !at_field_start {
                    fields.push(String::from_utf8_lossy(&field).into_owned());
                    field.clear();
                    at_field_start = true;
                }
                i += 1;
                continue;
            }
            if !self.whitespace && b == self.delimiter {
                fields.push(String::from_utf8_lossy(&field).into_owned());
                field.clear();
                at_field_start = true;
                i += 1;
                continue;
            }
            if b == b'"' && at_field_start {
                in_quotes = true;
                at_field_start = false;
                i += 1;
                continue;
            }
            at_field_start = false;
            field.push(b);
            i += 1;
        }
        if self.whitespace && fields.last().is_some_and(|f| f.is_empty()) && fields.len() > 1 {
            fields.pop();
        }
        self.position = i;
        Some(())
    }
}

fn detect_delimiter(header: &[u8]) -> u8 {
    let line_end = header.iter().position(|&b| b == b'\n').unwrap_or(header.len());
    let line = &header[..line_end];
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| line.iter().filter(|b| *b == d).count())
        .filter(|d| line.contains(d))
        .unwrap_or(b',')
}

fn parse_number(s: &str) -> Option<f64> {
    let v: f64 = s.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

impl Transactions {
    /// Imports CSV text. See the module docs for what is dropped and what is an error.
    pub fn from_csv(bytes: &[u8], mapping: &CsvMapping, options: &CsvOptions) -> Result<Self> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.iter().take(4096).any(|&b| b == 0) {
            return Err(Error::invalid("the CSV file is not text (it contains NUL bytes)"));
        }
        if mapping.customer.is_empty() || mapping.time.is_empty() {
            return Err(Error::invalid("mapping.customer and mapping.time must name columns"));
        }
        let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(bytes));
        let mut records = Records { text: bytes, position: 0, delimiter, whitespace: delimiter == b' ' };
        let mut fields = Vec::new();

        // Column positions.
        let header: Vec<String> = if options.no_header {
            Vec::new()
        } else {
            if records.next_record(&mut fields).is_none() || fields.iter().all(|f| f.trim().is_empty()) {
                return Err(Error::invalid("the CSV file is empty: no header line"));
            }
            fields.iter().map(|f| f.trim().to_string()).collect()
        };
        let column = |name: &str, role: &str| -> Result<usize> {
            if options.no_header {
                return name.trim().parse::<usize>().map_err(|_| {
                    Error::invalid(format!("mapping.{role} must be a column position when there is no header, got '{name}'"))
                });
            }
            header.iter().position(|h| h == name).ok_or_else(|| {
                Error::invalid(format!(
                    "column '{name}' (mapping.{role}) is not in the header; columns are: {}",
                    header.join(", ")
                ))
            })
        };
        let customer_col = column(&mapping.customer, "customer")?;
        let time_col = column(&mapping.time, "time")?;
        let optional = |name: &Option<String>, role: &str| name.as_deref().map(|n| column(n, role)).transpose();
        let amount_col = optional(&mapping.amount, "amount")?;
        let item_col = optional(&mapping.item, "item")?;
        let quantity_col = optional(&mapping.quantity, "quantity")?;
        let price_col = optional(&mapping.price, "price")?;
        let invoice_col = optional(&mapping.invoice, "invoice")?;
        if price_col.is_some() && quantity_col.is_none() && amount_col.is_none() {
            return Err(Error::invalid("mapping.price needs mapping.quantity (amount = quantity * price)"));
        }
        let has_amount = amount_col.is_some() || price_col.is_some();
        let needed = [Some(customer_col), Some(time_col), amount_col, item_col, quantity_col, price_col, invoice_col]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0);

        let max_rows = options.max_rows.unwrap_or(DEFAULT_MAX_ROWS);
        let mut report = ImportReport::default();
        // (customer, item, quantity, time) of each cancellation, when they are to be netted.
        let mut cancellations: Vec<(String, String, f64, f64)> = Vec::new();
        let nets = options.net_cancellations;
        let record_cancellation = |fields: &[String], out: &mut Vec<(String, String, f64, f64)>| {
            let (Some(ic), Some(qc), true) = (item_col, quantity_col, nets) else { return };
            let quantity = parse_number(&fields[qc]).map(f64::abs);
            if let (Some(q), Some(t)) = (quantity, parse_time(&fields[time_col])) {
                let customer = canonical_id(&fields[customer_col]);
                if q > 0.0 && !customer.is_empty() {
                    out.push((customer.to_string(), fields[ic].trim().to_string(), q, t));
                }
            }
        };
        let mut customer_index: HashMap<String, u32> = HashMap::new();
        let mut customer_ids = Vec::new();
        let mut item_index: HashMap<String, u32> = HashMap::new();
        let mut item_ids = Vec::new();
        let mut customer = Vec::new();
        let mut time = Vec::new();
        let mut amount = Vec::new();
        let mut item = Vec::new();
        let mut quantity = Vec::new();

        while records.next_record(&mut fields).is_some() {
            if fields.len() == 1 && fields[0].trim().is_empty() {
                // A blank line is not a row, except that it is counted so nothing goes unreported.
                report.rows += 1;
                report.drop_row("empty line");
                continue;
            }
            report.rows += 1;
            if report.rows > max_rows {
                return Err(Error::Limit(format!("the CSV file has more than {max_rows} rows (raise options.maxRows)")));
            }
            if fields.len() <= needed {
                report.drop_row("too few columns");
                continue;
            }
            let customer_text = canonical_id(&fields[customer_col]);
            if customer_text.is_empty() {
                report.drop_row("missing customer");
                continue;
            }
            if invoice_col.is_some_and(|c| fields[c].trim().starts_with(['C', 'c'])) {
                report.drop_row("cancellation");
                record_cancellation(&fields, &mut cancellations);
                continue;
            }
            let Some(t) = parse_time(&fields[time_col]) else {
                report.drop_row("unparsable time");
                continue;
            };
            let q = match quantity_col {
                Some(c) => match parse_number(&fields[c]) {
                    None => {
                        report.drop_row("unparsable quantity");
                        continue;
                    }
                    Some(q) if q < 0.0 => {
                        report.drop_row("cancellation");
                        record_cancellation(&fields, &mut cancellations);
                        continue;
                    }
                    Some(q) if q == 0.0 => {
                        report.drop_row("zero quantity");
                        continue;
                    }
                    Some(q) => Some(q),
                },
                None => None,
            };
            let a = if let Some(c) = amount_col {
                match parse_number(&fields[c]) {
                    None => {
                        report.drop_row("unparsable amount");
                        continue;
                    }
                    Some(a) => Some(a),
                }
            } else if let Some(c) = price_col {
                match parse_number(&fields[c]) {
                    None => {
                        report.drop_row("unparsable price");
                        continue;
                    }
                    Some(p) => Some(p * q.unwrap_or(1.0)),
                }
            } else {
                None
            };
            if let Some(a) = a {
                if a < 0.0 || (a == 0.0 && !options.keep_zero_amounts) {
                    report.drop_row("non-positive amount");
                    continue;
                }
            }
            let item_code = match item_col {
                Some(c) => {
                    let text = fields[c].trim();
                    if text.is_empty() {
                        report.drop_row("missing item");
                        continue;
                    }
                    let next = item_ids.len() as u32;
                    Some(*item_index.entry(text.to_string()).or_insert_with(|| {
                        item_ids.push(text.to_string());
                        next
                    }))
                }
                None => None,
            };
            let next = customer_ids.len() as u32;
            let code = *customer_index.entry(customer_text.to_string()).or_insert_with(|| {
                customer_ids.push(customer_text.to_string());
                next
            });
            customer.push(code);
            time.push(t);
            if let Some(a) = a {
                amount.push(a);
            }
            if let Some(i) = item_code {
                item.push(i);
            }
            if let Some(q) = q {
                quantity.push(q);
            }
        }
        if !cancellations.is_empty() {
            let keep = net_cancellations(
                &cancellations, &customer_index, &item_index, &customer, &item, &time, &mut quantity, has_amount.then_some(&mut amount),
            );
            let removed = keep.iter().filter(|k| !**k).count();
            if removed > 0 {
                for _ in 0..removed {
                    report.drop_row("cancelled by a later return");
                }
                let retain_u32 = |v: &mut Vec<u32>| { let mut i = 0; v.retain(|_| { i += 1; keep[i - 1] }); };
                let retain_f64 = |v: &mut Vec<f64>| { let mut i = 0; v.retain(|_| { i += 1; keep[i - 1] }); };
                retain_u32(&mut customer);
                retain_f64(&mut time);
                retain_u32(&mut item);
                retain_f64(&mut quantity);
                if has_amount {
                    retain_f64(&mut amount);
                }
                // Customers or items whose every line was cancelled are gone too.
                compact_ids(&mut customer_ids, &mut customer);
                if item_col.is_some() {
                    compact_ids(&mut item_ids, &mut item);
                }
            }
        }
        report.kept = customer.len();
        if customer.is_empty() {
            let reasons: Vec<String> = report.dropped.iter().map(|(r, n)| format!("{n} {r}")).collect();
            return Err(Error::invalid(format!(
                "the CSV file has no usable rows ({} rows read; dropped: {})",
                report.rows,
                if reasons.is_empty() { "none".to_string() } else { reasons.join(", ") }
            )));
        }
        Ok(Transactions::sorted(
            customer_ids,
            item_ids,
            customer,
            time,
            has_amount.then_some(amount),
            item_col.map(|_| item),
            quantity_col.map(|_| quantity),
            report,
        ))
    }
}

/// Drops ids no row refers to any more, renumbering in order of first appearance.
fn compact_ids(ids: &mut Vec<String>, codes: &mut [u32]) {
    let mut new_code = vec![u32::MAX; ids.len()];
    let mut kept = Vec::new();
    for code in codes.iter_mut() {
        let slot = &mut new_code[*code as usize];
        if *slot == u32::MAX {
            *slot = kept.len() as u32;
            kept.push(std::mem::take(&mut ids[*code as usize]));
        }
        *code = *slot;
    }
    *ids = kept;
}

/// Nets cancellations against the latest earlier purchases of the same customer and item:
/// quantities (and amounts, pro rata) shrink; returns which rows keep a positive quantity.
#[allow(clippy::too_many_arguments)]
fn net_cancellations(
    cancellations: &[(String, String, f64, f64)],
    customer_index: &HashMap<String, u32>,
    item_index: &HashMap<String, u32>,
    customer: &[u32],
    item: &[u32],
    time: &[f64],
    quantity: &mut [f64],
    amount: Option<&mut Vec<f64>>,
) -> Vec<bool> {
    let mut rows_of: HashMap<(u32, u32), Vec<usize>> = HashMap::new();
    for row in 0..customer.len() {
        rows_of.entry((customer[row], item[row])).or_default().push(row);
    }
    let mut amount = amount;
    for (c, i, cancelled, at) in cancellations {
        let (Some(&c), Some(&i)) = (customer_index.get(c.as_str()), item_index.get(i.as_str())) else { continue };
        let Some(rows) = rows_of.get(&(c, i)) else { continue };
        let mut left = *cancelled;
        // Latest purchase first, among those not after the cancellation.
        let mut candidates: Vec<usize> = rows.iter().copied().filter(|&r| time[r] <= *at).collect();
        crate::sort::sort_by(&mut candidates, &|a, b| time[*b].total_cmp(&time[*a]).then(b.cmp(a)));
        for r in candidates {
            if left <= 0.0 {
                break;
            }
            let take = left.min(quantity[r]);
            if take <= 0.0 {
                continue;
            }
            if let Some(amount) = amount.as_deref_mut() {
                amount[r] *= (quantity[r] - take) / quantity[r];
            }
            quantity[r] -= take;
            left -= take;
        }
    }
    quantity.iter().map(|q| *q > 0.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::transactions::TransactionColumns;

    fn retail_mapping() -> CsvMapping {
        CsvMapping {
            customer: "CustomerID".into(),
            time: "InvoiceDate".into(),
            item: Some("StockCode".into()),
            quantity: Some("Quantity".into()),
            price: Some("UnitPrice".into()),
            ..Default::default()
        }
    }

    const SAMPLE: &str = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
536365,85123A,\"WHITE HANGING HEART, T-LIGHT\",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n\
536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,,United Kingdom\n\
C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom\n\
536380,22961,JAM,24,not a date,0.85,17809.0,United Kingdom\n\
536381,22139,FREE,2,2010-12-01 09:50:00,0,15311.0,United Kingdom\n\
536382,10002,\"SET \"\"A\"\"\",12,2010-12-01 09:45:00,0.85,17850.0,United Kingdom\n";

    #[test]
    fn imports_and_reports_every_row() {
        let tx = Transactions::from_csv(SAMPLE.as_bytes(), &retail_mapping(), &CsvOptions::default()).unwrap();
        let r = tx.report();
        assert_eq!(r.rows, 6);
        assert_eq!(r.kept, 2);
        assert_eq!(r.kept + r.dropped.values().sum::<usize>(), r.rows);
        assert_eq!(r.dropped["missing customer"], 1);
        assert_eq!(r.dropped["cancellation"], 1);
        assert_eq!(r.dropped["unparsable time"], 1);
        assert_eq!(r.dropped["non-positive amount"], 1);
        assert_eq!(tx.customer_ids(), &["17850".to_string()]);
        assert!((tx.amount().unwrap()[0] - 6.0 * 2.55).abs() < 1e-12);
        assert_eq!(tx.item_ids(), &["85123A".to_string(), "10002".to_string()]);
    }

    #[test]
    fn same_as_columns() {
        let csv = "c;t;a\nx;2020-01-02;3.5\ny;2020-01-01;1\nx;2020-01-01;2\n";
        let mapping = CsvMapping { customer: "c".into(), time: "t".into(), amount: Some("a".into()), ..Default::default() };
        let from_csv = Transactions::from_csv(csv.as_bytes(), &mapping, &CsvOptions::default()).unwrap();
        let day = 86_400_000.0;
        let base = crate::data::time::days_from_civil(2020, 1, 1) as f64 * day;
        let from_columns = Transactions::from_columns(TransactionColumns {
            customer: ["x", "y", "x"].map(String::from).to_vec(),
            time: vec![base + day, base, base],
            amount: Some(vec![3.5, 1.0, 2.0]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(from_csv.summary(Default::default()).unwrap(), from_columns.summary(Default::default()).unwrap());
    }

    #[test]
    fn cancellations_net_against_the_latest_purchases() {
        let csv = "c,t,i,q,p\nx,2020-01-01,A,5,2\nx,2020-01-02,A,3,2\nx,2020-01-03,A,-4,2\ny,2020-01-01,A,1,2\nx,2020-01-04,B,-1,9\n";
        let mapping = CsvMapping { customer: "c".into(), time: "t".into(), item: Some("i".into()), quantity: Some("q".into()), price: Some("p".into()), ..Default::default() };
        let netted = Transactions::from_csv(csv.as_bytes(), &mapping, &CsvOptions { net_cancellations: true, ..Default::default() }).unwrap();
        // The 4 cancelled units take the 3 of Jan 2 (row dropped) and 1 of the 5 of Jan 1.
        let r = netted.report();
        assert_eq!((r.rows, r.kept), (5, 2));
        assert_eq!(r.dropped["cancellation"], 2);
        assert_eq!(r.dropped["cancelled by a later return"], 1);
        assert_eq!(netted.quantity().unwrap(), &[4.0, 1.0]);
        assert_eq!(netted.amount().unwrap(), &[8.0, 2.0]);
        // A customer whose only purchase is cancelled in full disappears.
        let gone = "c,t,i,q,p\nz,2020-01-01,A,2,1\nz,2020-01-02,A,-2,1\nx,2020-01-01,B,1,1\n";
        let netted = Transactions::from_csv(gone.as_bytes(), &mapping, &CsvOptions { net_cancellations: true, ..Default::default() }).unwrap();
        assert_eq!(netted.customer_ids(), &["x".to_string()]);
        assert_eq!(netted.item_ids(), &["B".to_string()]);
        assert_eq!(netted.customer_count(), 1);
        let plain = Transactions::from_csv(csv.as_bytes(), &mapping, &CsvOptions::default()).unwrap();
        assert_eq!(plain.report().kept, 3);
    }

    #[test]
    fn file_level_errors() {
        let m = retail_mapping();
        let err = Transactions::from_csv(b"a,b\n1,2\n", &m, &CsvOptions::default()).unwrap_err().to_string();
        assert!(err.contains("'CustomerID'") && err.contains("a, b"), "{err}");
        assert!(Transactions::from_csv(b"", &m, &CsvOptions::default()).is_err());
        assert!(Transactions::from_csv(b"\x00\x01\x02", &m, &CsvOptions::default()).is_err());
    }

    #[test]
    fn whitespace_without_header() {
        let text = "0001 00001 19970101 1 11.77\n0002   00002 19970112 1 12.00\n";
        let mapping = CsvMapping { customer: "1".into(), time: "2".into(), amount: Some("4".into()), ..Default::default() };
        let options = CsvOptions { delimiter: Some(b' '), no_header: true, ..Default::default() };
        let tx = Transactions::from_csv(text.as_bytes(), &mapping, &options).unwrap();
        assert_eq!(tx.customer_ids(), &["00001".to_string(), "00002".to_string()]);
        assert_eq!(tx.amount().unwrap(), &[11.77, 12.0]);
    }
}
