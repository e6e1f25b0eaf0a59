//! `Transactions.fromCsv` and the shop-level reports (the full build only).

use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::data::{CsvMapping, CsvOptions, Transactions};
use crate::js::data::JsTransactions;
use crate::js::*;

#[wasm_bindgen(js_class = Transactions)]
impl JsTransactions {
    /// `Transactions.fromCsv(text, mapping, options?)`: `text` is a string or UTF-8 bytes;
    /// `mapping` names the columns; `options` = `{ delimiter?, header?, keepZeroAmounts?,
    /// netCancellations? }`.
    #[wasm_bindgen(js_name = fromCsv)]
    pub fn from_csv(text: JsValue, mapping: JsValue, options: JsValue) -> JsResult<JsTransactions> {
        let bytes: Vec<u8> = if let Some(s) = text.as_string() {
            s.into_bytes()
        } else if let Some(b) = text.dyn_ref::<Uint8Array>() {
            b.to_vec()
        } else {
            return Err(js_error(format!("text must be a string or a Uint8Array, got {}", type_name(&text))));
        };
        let accepted = "customer, time, amount, item, quantity, price, invoice";
        let m = required_options(&mapping, "Transactions.fromCsv mapping", accepted)?;
        let m = Some(&m);
        let required = |key: &str| -> JsResult<String> {
            string_option(m, key, "mapping")?.ok_or_else(|| js_error(format!("mapping.{key} is required (a column name)")))
        };
        let mapping = CsvMapping {
            customer: required("customer")?,
            time: required("time")?,
            amount: string_option(m, "amount", "mapping")?,
            item: string_option(m, "item", "mapping")?,
            quantity: string_option(m, "quantity", "mapping")?,
            price: string_option(m, "price", "mapping")?,
            invoice: string_option(m, "invoice", "mapping")?,
        };
        let accepted = "delimiter, header, keepZeroAmounts, netCancellations, maxRows";
        let o = crate::js::options(&options, "Transactions.fromCsv options", accepted)?;
        let delimiter = match string_option(o.as_ref(), "delimiter", "options")? {
            None => None,
            Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
            Some(d) if d == "whitespace" => Some(b' '),
            Some(d) => return Err(js_error(format!("options.delimiter must be one character or \"whitespace\", got \"{d}\""))),
        };
        let options = CsvOptions {
            delimiter,
            no_header: !bool_option(o.as_ref(), "header", "options")?.unwrap_or(true),
            keep_zero_amounts: bool_option(o.as_ref(), "keepZeroAmounts", "options")?.unwrap_or(false),
            net_cancellations: bool_option(o.as_ref(), "netCancellations", "options")?.unwrap_or(false),
            max_rows: integer_option(o.as_ref(), "maxRows", "options", 1.0, 4e9)?.map(|v| v as usize),
        };
        Transactions::from_csv(&bytes, &mapping, &options).map(|inner| JsTransactions { inner }).map_err(to_js)
    }

    /// `{ repeatPurchaseRate, top20RevenueShare }`.
    #[wasm_bindgen(js_name = shopMeasures)]
    pub fn shop_measures(&self) -> Object {
        let m = self.inner.shop_measures();
        let out = Object::new();
        set(&out, "repeatPurchaseRate", m.repeat_purchase_rate);
        set(&out, "top20RevenueShare", m.top20_revenue_share);
        out
    }

    /// Customer retention rate per period: `[{ start, end, customersAtStart, newCustomers,
    /// customersAtEnd, retentionRate }]` (`retentionRate` in percent, `null` when S is 0).
    #[wasm_bindgen(js_name = retentionRates)]
    pub fn retention_rates(&self, period_days: JsValue) -> JsResult<Array> {
        let days = if period_days.is_undefined() { 30.0 } else { number_argument(&period_days, "periodDays")? };
        let periods = self.inner.retention_rates(days).map_err(to_js)?;
        Ok(periods
            .iter()
            .map(|p| {
                let o = Object::new();
                set(&o, "start", p.start);
                set(&o, "end", p.end);
                set(&o, "customersAtStart", p.customers_at_start as f64);
                set(&o, "newCustomers", p.new_customers as f64);
                set(&o, "customersAtEnd", p.customers_at_end as f64);
                set(&o, "retentionRate", p.retention_rate.map_or(JsValue::NULL, JsValue::from_f64));
                JsValue::from(o)
            })
            .collect())
    }
}
