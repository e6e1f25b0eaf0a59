//! JS class `Recommender`: loading, recommending, explaining, saving (fitting: `fit/recommend.rs`).

use std::cell::RefCell;

use js_sys::{Array, Float32Array, Function, Object, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::*;
use crate::data::canonical_id;
use crate::recommend::{Quantization, Recommender};

#[wasm_bindgen(js_name = Recommender)]
pub struct JsRecommender {
    pub(crate) inner: Recommender,
}

/// Calls a JS progress callback; its first exception is kept and reported after the core call.
pub(crate) struct Progress {
    callback: Option<Function>,
    error: RefCell<Option<JsValue>>,
}

impl Progress {
    pub(crate) fn from_options(o: Option<&Object>, context: &str) -> JsResult<Progress> {
        let callback = match property(o, "onProgress")? {
            None => None,
            Some(f) => Some(f.dyn_into::<Function>().map_err(|_| js_error(format!("{context}.onProgress must be a function")))?),
        };
        Ok(Progress { callback, error: RefCell::new(None) })
    }
    pub(crate) fn report(&self, fraction: f64) {
        if let Some(f) = &self.callback {
            if self.error.borrow().is_none() {
                if let Err(e) = f.call1(&JsValue::NULL, &JsValue::from_f64(fraction.clamp(0.0, 1.0))) {
                    *self.error.borrow_mut() = Some(e);
                }
            }
        }
    }
    pub(crate) fn finish(self) -> JsResult<()> {
        match self.error.into_inner() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

pub(crate) fn k_option(o: Option<&Object>, context: &str) -> JsResult<usize> {
    Ok(integer_option(o, "k", context, 1.0, 100_000.0)?.map_or(10, |k| k as usize))
}

fn scored_list<S: AsRef<str>, V: Copy + Into<f64>>(items: &[(S, V)], score_key: &str) -> Array {
    items
        .iter()
        .map(|(item, score)| {
            let o = Object::new();
            set(&o, "item", item.as_ref());
            set(&o, score_key, (*score).into());
            JsValue::from(o)
        })
        .collect()
}

#[wasm_bindgen(js_class = Recommender)]
impl JsRecommender {
    /// Top `k` items for a customer: `recommend(customer, { k?, excludePurchased?, exclude?,
    /// candidates? })`. An unknown customer gets popular items.
    pub fn recommend(&self, customer: JsValue, options: JsValue) -> JsResult<Array> {
        let customer = id_argument(&customer, "customer")?;
        let accepted = "k, excludePurchased, exclude, candidates";
        let o = super::options(&options, "Recommender.recommend options", accepted)?;
        let o = o.as_ref();
        let exclude = property(o, "exclude")?.map(|v| string_list(&v, "options.exclude")).transpose()?.unwrap_or_default();
        let candidates = property(o, "candidates")?.map(|v| string_list(&v, "options.candidates")).transpose()?;
        let list = self.inner.recommend(
            canonical_id(&customer),
            k_option(o, "options")?,
            bool_option(o, "excludePurchased", "options")?.unwrap_or(true),
            &exclude,
            candidates.as_deref(),
        );
        Ok(scored_list(&list, "score"))
    }

    /// Batch for a campaign, packed for npm/extend.js (which builds `recommendMany`'s
    /// `{ customers, items: string[][], scores: Float32Array[] }` from it): `{ customers, counts:
    /// Uint32Array, items: Uint32Array (indices into __itemIds()), scores: Float32Array }`. One
    /// buffer per field instead of a JS string and array per recommendation.
    #[wasm_bindgen(js_name = __recommendManyPacked)]
    pub fn recommend_many_packed(&self, customers: JsValue, options: JsValue) -> JsResult<Object> {
        let customers: Vec<String> = string_list(&customers, "customers")?;
        let canonical: Vec<String> = customers.iter().map(|c| canonical_id(c).to_string()).collect();
        let o = super::options(&options, "Recommender.recommendMany options", "k, onProgress")?;
        let progress = Progress::from_options(o.as_ref(), "options")?;
        let many = self.inner.recommend_many_indices(&canonical, k_option(o.as_ref(), "options")?, &mut |f| progress.report(f));
        progress.finish()?;
        let out = Object::new();
        set(&out, "customers", string_array(&customers));
        set(&out, "counts", Uint32Array::from(&many.counts[..]));
        set(&out, "items", Uint32Array::from(&many.items[..]));
        set(&out, "scores", Float32Array::from(&many.scores[..]));
        Ok(out)
    }

    /// Every item id, by index (for npm/extend.js, which caches it per model).
    #[wasm_bindgen(js_name = __itemIds)]
    pub fn item_ids(&self) -> Array {
        string_array(self.inner.item_ids())
    }

    /// For an anonymous basket or session (no retraining): `recommendForItems(items, { k? })`.
    #[wasm_bindgen(js_name = recommendForItems)]
    pub fn recommend_for_items(&self, items: JsValue, options: JsValue) -> JsResult<Array> {
        let items = string_list(&items, "items")?;
        let o = super::options(&options, "Recommender.recommendForItems options", "k")?;
        Ok(scored_list(&self.inner.recommend_for_items(&items, k_option(o.as_ref(), "options")?), "score"))
    }

    /// "Customers also bought": `similarItems(item, { k? })`; an unknown item is an error.
    #[wasm_bindgen(js_name = similarItems)]
    pub fn similar_items(&self, item: JsValue, options: JsValue) -> JsResult<Array> {
        let item = id_argument(&item, "item")?;
        let o = super::options(&options, "Recommender.similarItems options", "k")?;
        let list = self.inner.similar_items(&item, k_option(o.as_ref(), "options")?).map_err(to_js)?;
        Ok(scored_list(&list, "score"))
    }

    /// Which past purchases drove a recommendation: `[{ item, contribution }]`, largest first.
    pub fn explain(&self, customer: JsValue, item: JsValue) -> JsResult<Array> {
        let customer = id_argument(&customer, "customer")?;
        let item = id_argument(&item, "item")?;
        let list = self.inner.explain(canonical_id(&customer), &item).map_err(to_js)?;
        Ok(scored_list(&list, "contribution"))
    }

    /// The scorer or blend in use (e.g. `"als"` or `"0.6 als + 0.3 itemknn + 0.1 popular"`).
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.blend().name()
    }

    #[wasm_bindgen(getter = customerCount)]
    pub fn customer_count(&self) -> usize {
        self.inner.customer_ids().len()
    }

    #[wasm_bindgen(getter = itemCount)]
    pub fn item_count(&self) -> usize {
        self.inner.item_ids().len()
    }

    /// `toBytes({ quantization?: "f32" | "f16" | "int8" })`: without one, the default encodings
    /// (f16 factors of items, int8 of customers, f16 similarities); "f32" loads bit for bit.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self, options: JsValue) -> JsResult<Uint8Array> {
        let o = super::options(&options, "Recommender.toBytes options", "quantization")?;
        let quantization = match string_option(o.as_ref(), "quantization", "options")?.as_deref() {
            None => return Ok(Uint8Array::from(&self.inner.to_bytes()[..])),
            Some("f32") => Quantization::F32,
            Some("f16") => Quantization::F16,
            Some("int8") => Quantization::Int8,
            Some(other) => return Err(js_error(format!("options.quantization must be \"f32\", \"f16\" or \"int8\", got \"{other}\""))),
        };
        Ok(Uint8Array::from(&self.inner.to_bytes_with(quantization)[..]))
    }

    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: JsValue) -> JsResult<JsRecommender> {
        let bytes = bytes_argument(&bytes, "bytes")?;
        Recommender::from_bytes(&bytes).map(|inner| JsRecommender { inner }).map_err(to_js)
    }
}
