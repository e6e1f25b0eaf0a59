//! `Recommender.fit`, `Recommender.fromFactors` and `evaluateRecommender` (the full build only).

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::js::data::JsTransactions;
use crate::js::recommend::{k_option, JsRecommender, Progress};
use crate::js::*;
use crate::recommend::{evaluate, time_split, Algorithm, FactorOptions, Recommender, RecommenderOptions};

/// The keys `evaluateRecommender` reads: its own, then those of `Recommender.fit` (`FIT_KEYS`).
const EVALUATE_KEYS: &str =
    "splitTime, k, algorithm, factors, iterations, regularization, alpha, neighbours, seed, maxMemoryMb, onProgress";
const FIT_KEYS: &str = EVALUATE_KEYS.split_at("splitTime, k, ".len()).1;

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

#[wasm_bindgen(js_class = Recommender)]
impl JsRecommender {
    /// `Recommender.fit(tx, { algorithm?: "als" | "itemknn" | "popular" | "auto", factors?,
    /// iterations?, regularization?, alpha?, neighbours?, seed?, maxMemoryMb?, onProgress? })`.
    pub fn fit(tx: &JsTransactions, options: JsValue) -> JsResult<JsRecommender> {
        let o = crate::js::options(&options, "Recommender.fit options", FIT_KEYS)?;
        let fit = fit_options(o.as_ref(), "options")?;
        let progress = Progress::from_options(o.as_ref(), "options")?;
        let result = Recommender::fit(&tx.inner, &fit, &mut |f| progress.report(f));
        progress.finish()?;
        result.map(|inner| JsRecommender { inner }).map_err(to_js)
    }

    /// `Recommender.fromFactors({ items, itemFactors, customers?, customerFactors?, purchased?,
    /// regularization?, alpha? })`, behind npm/extend-classes.js, which checks and converts the
    /// factors (Float32Array, number[] or arrays of rows) to row-major f32 and passes them here
    /// as `item_factors` and `customer_factors`, `purchased` as one id list with a count per
    /// customer, and the numbers (type-checked): a pure-ALS recommender from factors trained
    /// elsewhere (Spark, implicit).
    #[wasm_bindgen(js_name = __fromFactors)]
    pub fn from_factors(
        options: JsValue,
        item_factors: Vec<f32>,
        customer_factors: Option<Vec<f32>>,
        purchased_items: JsValue,
        purchased_counts: Option<Vec<u32>>,
        regularization: Option<f64>,
        alpha: Option<f64>,
    ) -> JsResult<JsRecommender> {
        let accepted = "items, itemFactors, customers, customerFactors, purchased, regularization, alpha";
        let o = required_options(&options, "Recommender.fromFactors options", accepted)?;
        let o = Some(&o);
        let items = id_column(&property(o, "items")?.unwrap_or(JsValue::UNDEFINED), "options.items")?;
        let customers = property(o, "customers")?.map(|v| id_column(&v, "options.customers")).transpose()?;
        // `purchased` comes flattened (one id list, and each customer's count), its shape checked
        // by the wrapper.
        let purchased = match purchased_counts {
            Some(counts) => {
                let flat = id_column(&purchased_items, "options.purchased")?;
                let mut lists = Vec::with_capacity(counts.len());
                let mut at = 0;
                for n in counts {
                    let n = (n as usize).min(flat.len() - at);
                    lists.push(flat[at..at + n].to_vec());
                    at += n;
                }
                Some(lists)
            }
            None => None,
        };
        let d = FactorOptions::default();
        let factor_options = FactorOptions { regularization: regularization.unwrap_or(d.regularization), alpha: alpha.unwrap_or(d.alpha) };
        Recommender::from_factors(items, &item_factors, customers, customer_factors.as_deref(), purchased, &factor_options)
            .map(|inner| JsRecommender { inner })
            .map_err(to_js)
    }
}

/// Checks a recommender on the shop's own data: `evaluateRecommender(tx, { splitTime, k?, ...fit
/// options })` trains on the rows before `splitTime` and scores, for every training customer, the
/// items first bought on or after it: `{ customers, precision, recall, recallCapped, ndcg,
/// coverage, algorithm }`.
#[wasm_bindgen(js_name = evaluateRecommender)]
pub fn evaluate_recommender(tx: &JsTransactions, options: JsValue) -> JsResult<Object> {
    let o = required_options(&options, "evaluateRecommender options", EVALUATE_KEYS)?;
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
