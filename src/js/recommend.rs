//! JS class `Recommender` and the evaluation helper `evaluateRecommender`.

use std::cell::RefCell;

use js_sys::{Array, Float32Array, Function, Object, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::data::JsTransactions;
use super::*;
use crate::data::canonical_id;
use crate::recommend::{evaluate, time_split, Algorithm, Quantization, Recommender, RecommenderOptions};

#[wasm_bindgen(js_name = Recommender)]
pub struct JsRecommender {
    inner: Recommender,
}

/// Calls a JS progress callback; its first exception is kept and reported after the core call.
struct Progress {
    callback: Option<Function>,
    error: RefCell<Option<JsValue>>,
}

impl Progress {
    fn from_options(o: Option<&Object>, context: &str) -> JsResult<Progress> {
        let callback = match property(o, "onProgress")? {
            None => None,
            Some(f) => Some(f.dyn_into::<Function>().map_err(|_| js_error(format!("{context}.onProgress must be a function")))?),
        };
        Ok(Progress { callback, error: RefCell::new(None) })
    }
    fn report(&self, fraction: f64) {
        if let Some(f) = &self.callback {
            if self.error.borrow().is_none() {
                if let Err(e) = f.call1(&JsValue::NULL, &JsValue::from_f64(fraction.clamp(0.0, 1.0))) {
                    *self.error.borrow_mut() = Some(e);
                }
            }
        }
    }
    fn finish(self) -> JsResult<()> {
        match self.error.into_inner() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

fn fit_options(o: Option<&Object>, context: &str) -> JsResult<RecommenderOptions> {
    let d = RecommenderOptions::default();
    Ok(RecommenderOptions {
        algorithm: match string_option(o, "algorithm", context)? {
            None => d.algorithm,
            Some(a) => Algorithm::parse(&a).map_err(|e| js_error(format!("{context}.{e}")))?,
        },
        factors: integer_option(o, "factors", context, 1.0, 1024.0)?.map_or(d.factors, |v| v as usize),
        iterations: integer_option(o, "iterations", context, 1.0, 1000.0)?.map_or(d.iterations, |v| v as usize),
        regularization: number_option(o, "regularization", context)?.unwrap_or(d.regularization),
        alpha: number_option(o, "alpha", context)?.unwrap_or(d.alpha),
        neighbours: integer_option(o, "neighbours", context, 1.0, 10000.0)?.map_or(d.neighbours, |v| v as usize),
        seed: integer_option(o, "seed", context, 0.0, 9_007_199_254_740_991.0)?.unwrap_or(d.seed),
        max_memory_mb: number_option(o, "maxMemoryMb", context)?.unwrap_or(d.max_memory_mb),
        ..d
    })
}

fn k_option(o: Option<&Object>, context: &str) -> JsResult<usize> {
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
    /// `Recommender.fit(tx, { algorithm?: "als" | "itemknn" | "popular" | "auto", factors?,
    /// iterations?, regularization?, alpha?, neighbours?, seed?, onProgress? })`.
    pub fn fit(tx: &JsTransactions, options: JsValue) -> JsResult<JsRecommender> {
        let o = super::options(&options, "options")?;
        let fit = fit_options(o.as_ref(), "options")?;
        let progress = Progress::from_options(o.as_ref(), "options")?;
        let result = Recommender::fit(&tx.inner, &fit, &mut |f| progress.report(f));
        progress.finish()?;
        result.map(|inner| JsRecommender { inner }).map_err(to_js)
    }

    /// Top `k` items for a customer: `recommend(customer, { k?, excludePurchased?, exclude?,
    /// candidates? })`. An unknown customer gets popular items.
    pub fn recommend(&self, customer: JsValue, options: JsValue) -> JsResult<Array> {
        let customer = id_argument(&customer, "customer")?;
        let o = super::options(&options, "options")?;
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
        let o = super::options(&options, "options")?;
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
        let o = super::options(&options, "options")?;
        Ok(scored_list(&self.inner.recommend_for_items(&items, k_option(o.as_ref(), "options")?), "score"))
    }

    /// "Customers also bought": `similarItems(item, { k? })`; an unknown item is an error.
    #[wasm_bindgen(js_name = similarItems)]
    pub fn similar_items(&self, item: JsValue, options: JsValue) -> JsResult<Array> {
        let item = id_argument(&item, "item")?;
        let o = super::options(&options, "options")?;
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

    /// `toBytes({ quantization?: "f32" | "f16" | "int8" })`: f16/int8 factors for the edge.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self, options: JsValue) -> JsResult<Uint8Array> {
        let o = super::options(&options, "options")?;
        let quantization = match string_option(o.as_ref(), "quantization", "options")?.as_deref() {
            None | Some("f32") => Quantization::F32,
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

/// Checks a recommender on the shop's own data: `evaluateRecommender(tx, { splitTime, k?, ...fit
/// options })` trains on the rows before `splitTime` and scores, for every training customer, the
/// items first bought on or after it: `{ customers, precision, recall, recallCapped, ndcg,
/// coverage, algorithm }`.
#[wasm_bindgen(js_name = evaluateRecommender)]
pub fn evaluate_recommender(tx: &JsTransactions, options: JsValue) -> JsResult<Object> {
    let o = required_object(&options, "options")?;
    let o = Some(&o);
    let split_time = number_option(o, "splitTime", "options")?.ok_or_else(|| js_error("options.splitTime is required (epoch ms)"))?;
    let k = k_option(o, "options")?;
    let fit = fit_options(o, "options")?;
    let split = time_split(&tx.inner, split_time).map_err(to_js)?;
    let progress = Progress::from_options(o, "options")?;
    let model = Recommender::fit(&split.train, &fit, &mut |f| progress.report(f));
    progress.finish()?;
    let model = model.map_err(to_js)?;
    let metrics = evaluate(&split.test, k, model.item_ids().len(), |c| {
        Ok(model.recommend(c, k, true, &[], None).into_iter().map(|(item, _)| item).collect())
    })
    .map_err(to_js)?;
    let out = Object::new();
    set(&out, "customers", metrics.customers as f64);
    set(&out, "precision", metrics.precision);
    set(&out, "recall", metrics.recall);
    set(&out, "recallCapped", metrics.recall_capped);
    set(&out, "ndcg", metrics.ndcg);
    set(&out, "coverage", metrics.coverage);
    set(&out, "algorithm", model.blend().name());
    Ok(out)
}
