//! JS classes `Transactions` and `Summary` (CSV import and shop reports: `fit/data.rs`).

use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::*;
use crate::data::{Summary, SummaryOptions, TimeUnit, TransactionColumns, Transactions};

#[wasm_bindgen(js_name = Transactions)]
pub struct JsTransactions {
    pub(crate) inner: Transactions,
}

fn time_unit(object: Option<&Object>, context: &str) -> JsResult<TimeUnit> {
    match string_option(object, "unit", context)? {
        None => Ok(TimeUnit::Day),
        Some(u) => TimeUnit::parse(&u).map_err(|e| js_error(format!("{context}.{}", e))),
    }
}

#[wasm_bindgen(js_class = Transactions)]
impl JsTransactions {
    /// `Transactions.fromColumns({ customer, time, amount?, item?, quantity? }, { maxRows? })`.
    #[wasm_bindgen(js_name = fromColumns)]
    pub fn from_columns(columns: JsValue, options: JsValue) -> JsResult<JsTransactions> {
        let limits = super::options(&options, "Transactions.fromColumns options", "maxRows")?;
        let max_rows = integer_option(limits.as_ref(), "maxRows", "options", 1.0, 4e9)?
            .map_or(crate::data::DEFAULT_MAX_ROWS, |v| v as usize);
        let object = required_options(&columns, "Transactions.fromColumns columns", "customer, time, amount, item, quantity")?;
        let o = Some(&object);
        let column = |key: &str| property(o, key);
        let customer = column("customer")?.ok_or_else(|| js_error("columns.customer is required"))?;
        let time = column("time")?.ok_or_else(|| js_error("columns.time is required"))?;
        let columns = TransactionColumns {
            customer: id_column(&customer, "customer")?,
            time: number_column(&time, "time")?,
            amount: column("amount")?.map(|v| number_column(&v, "amount")).transpose()?,
            item: column("item")?.map(|v| id_column(&v, "item")).transpose()?,
            quantity: column("quantity")?.map(|v| number_column(&v, "quantity")).transpose()?,
        };
        Transactions::from_columns_with_max_rows(columns, max_rows).map(|inner| JsTransactions { inner }).map_err(to_js)
    }

    /// `{ rows, kept, dropped: { [reason]: count } }`.
    #[wasm_bindgen(getter)]
    pub fn report(&self) -> Object {
        let r = self.inner.report();
        let out = Object::new();
        set(&out, "rows", r.rows as f64);
        set(&out, "kept", r.kept as f64);
        let dropped = Object::new();
        for (reason, count) in &r.dropped {
            set(&dropped, reason, *count as f64);
        }
        set(&out, "dropped", dropped);
        out
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    #[wasm_bindgen(getter = customerCount)]
    pub fn customer_count(&self) -> usize {
        self.inner.customer_count()
    }

    #[wasm_bindgen(getter = itemCount)]
    pub fn item_count(&self) -> usize {
        self.inner.item_count()
    }

    /// Distinct customer ids (in order of first appearance).
    #[wasm_bindgen(getter)]
    pub fn customers(&self) -> Array {
        string_array(self.inner.customer_ids())
    }

    /// Distinct item ids (in order of first appearance).
    #[wasm_bindgen(getter)]
    pub fn items(&self) -> Array {
        string_array(self.inner.item_ids())
    }

    /// `tx.summary({ observationEnd?, calibrationEnd?, unit? })`.
    pub fn summary(&self, options: JsValue) -> JsResult<JsSummary> {
        let o = super::options(&options, "Transactions.summary options", "observationEnd, calibrationEnd, unit")?;
        let o = o.as_ref();
        let options = SummaryOptions {
            observation_end: number_option(o, "observationEnd", "options")?,
            calibration_end: number_option(o, "calibrationEnd", "options")?,
            unit: time_unit(o, "options")?,
        };
        self.inner.summary(options).map(|inner| JsSummary { inner }).map_err(to_js)
    }

}

#[wasm_bindgen(js_name = Summary)]
pub struct JsSummary {
    pub(crate) inner: Summary,
}

#[wasm_bindgen(js_class = Summary)]
impl JsSummary {
    /// `Summary.fromColumns({ customer?, frequency, recency, T, monetary?, unit? })`.
    #[wasm_bindgen(js_name = fromColumns)]
    pub fn from_columns(columns: JsValue) -> JsResult<JsSummary> {
        let accepted = "customer, frequency, recency, T, monetary, unit";
        let object = required_options(&columns, "Summary.fromColumns columns", accepted)?;
        let o = Some(&object);
        let required = |key: &str| -> JsResult<Vec<f64>> {
            let v = property(o, key)?.ok_or_else(|| js_error(format!("columns.{key} is required")))?;
            number_column(&v, key)
        };
        let customers = property(o, "customer")?.map(|v| id_column(&v, "customer")).transpose()?;
        let monetary = property(o, "monetary")?.map(|v| number_column(&v, "monetary")).transpose()?;
        Summary::from_columns(customers, required("frequency")?, required("recency")?, required("T")?, monetary, time_unit(o, "columns")?)
            .map(|inner| JsSummary { inner })
            .map_err(to_js)
    }

    #[wasm_bindgen(getter)]
    pub fn customers(&self) -> Array {
        string_array(&self.inner.customers)
    }
    #[wasm_bindgen(getter)]
    pub fn frequency(&self) -> js_sys::Float64Array {
        f64_array(&self.inner.frequency)
    }
    #[wasm_bindgen(getter)]
    pub fn recency(&self) -> js_sys::Float64Array {
        f64_array(&self.inner.recency)
    }
    #[wasm_bindgen(getter = T)]
    pub fn t(&self) -> js_sys::Float64Array {
        f64_array(&self.inner.t)
    }
    #[wasm_bindgen(getter)]
    pub fn monetary(&self) -> js_sys::Float64Array {
        f64_array(&self.inner.monetary)
    }
    /// Total spend in the period, first purchase included.
    #[wasm_bindgen(getter = totalSpend)]
    pub fn total_spend(&self) -> js_sys::Float64Array {
        f64_array(&self.inner.total_spend)
    }
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }
    #[wasm_bindgen(getter)]
    pub fn unit(&self) -> String {
        self.inner.unit.name().to_string()
    }
    #[wasm_bindgen(getter = holdoutFrequency)]
    pub fn holdout_frequency(&self) -> Option<js_sys::Float64Array> {
        self.inner.holdout.as_ref().map(|h| f64_array(&h.frequency))
    }
    #[wasm_bindgen(getter = holdoutMonetary)]
    pub fn holdout_monetary(&self) -> Option<js_sys::Float64Array> {
        self.inner.holdout.as_ref().map(|h| f64_array(&h.monetary))
    }
    #[wasm_bindgen(getter = holdoutDuration)]
    pub fn holdout_duration(&self) -> Option<f64> {
        self.inner.holdout.as_ref().map(|h| h.duration)
    }

    /// `s.rfm({ bins? })` → `{ r, f, m: Uint8Array, segment: string[] }`.
    pub fn rfm(&self, options: JsValue) -> JsResult<Object> {
        let o = super::options(&options, "Summary.rfm options", "bins")?;
        let bins = integer_option(o.as_ref(), "bins", "options", 2.0, 10.0)?.unwrap_or(5) as usize;
        let rfm = self.inner.rfm(bins).map_err(to_js)?;
        let out = Object::new();
        set(&out, "r", Uint8Array::from(&rfm.r[..]));
        set(&out, "f", Uint8Array::from(&rfm.f[..]));
        set(&out, "m", Uint8Array::from(&rfm.m[..]));
        set(&out, "segment", string_array(&rfm.segment));
        Ok(out)
    }
}
