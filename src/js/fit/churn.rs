//! Fitting the churn models from JS (the full build only).

use crate::decimal::Decimal;
use wasm_bindgen::prelude::*;

use crate::churn::{BetaGeo, BetaGeoOptions, ChurnModel, ChurnOptions, GammaGammaOptions, ModifiedBetaGeo, ParetoNbd, ParetoNbdOptions};
use crate::data::Summary;
use crate::error::Result;
use crate::js::churn::{JsBetaGeo, JsChurnModel, JsGammaGamma, JsModifiedBetaGeo, JsParetoNbd};
use crate::js::data::{JsSummary, JsTransactions};
use crate::js::*;

fn fit_bg_nbd(summary: &Summary, penalizer: f64) -> Result<BetaGeo> {
    BetaGeoOptions::default().penalizer(penalizer).fit(summary)
}
fn fit_mbg_nbd(summary: &Summary, penalizer: f64) -> Result<ModifiedBetaGeo> {
    ModifiedBetaGeo::fit_with(summary, BetaGeoOptions::default().penalizer(penalizer))
}
fn fit_pareto_nbd(summary: &Summary, penalizer: f64) -> Result<ParetoNbd> {
    ParetoNbdOptions::default().penalizer(penalizer).fit(summary)
}

/// `{ penalizer? }` of the BTYD models' `fit`; `name` is e.g. `"BetaGeo.fit options"`.
fn penalizer(options: &JsValue, name: &str) -> JsResult<f64> {
    let o = crate::js::options(options, name, "penalizer")?;
    match number_option(o.as_ref(), "penalizer", "options")? {
        None => Ok(0.0),
        Some(p) if p >= 0.0 => Ok(p),
        Some(p) => Err(js_error(format!("options.penalizer must be >= 0, got {p}", p = Decimal(p)))),
    }
}

macro_rules! count_model_fit {
    ($js:ident, $name:literal, $fit:path) => {
        #[wasm_bindgen(js_class = $name)]
        impl $js {
            /// Fits by maximum likelihood: `fit(summary, { penalizer? })`.
            pub fn fit(summary: &JsSummary, options: JsValue) -> JsResult<$js> {
                $fit(&summary.inner, penalizer(&options, concat!($name, ".fit options"))?).map(|inner| $js { inner }).map_err(to_js)
            }
        }
    };
}

count_model_fit!(JsBetaGeo, "BetaGeo", fit_bg_nbd);
count_model_fit!(JsModifiedBetaGeo, "ModifiedBetaGeo", fit_mbg_nbd);
count_model_fit!(JsParetoNbd, "ParetoNbd", fit_pareto_nbd);

#[wasm_bindgen(js_class = GammaGamma)]
impl JsGammaGamma {
    /// Fits on the customers with frequency > 0: `fit(summary, { penalizer? })`.
    pub fn fit(summary: &JsSummary, options: JsValue) -> JsResult<JsGammaGamma> {
        let options = GammaGammaOptions::default().penalizer(penalizer(&options, "GammaGamma.fit options")?);
        options.fit(&summary.inner).map(|inner| JsGammaGamma { inner }).map_err(to_js)
    }
}

#[wasm_bindgen(js_class = ChurnModel)]
impl JsChurnModel {
    /// `ChurnModel.fit(tx, { horizon? (days, 90), observationEnd?, seed?, clvHorizon? (days, 365),
    /// annualDiscountRate? (0.1), penalizer? (0: the first rung of the fallback ladder) })`.
    pub fn fit(tx: &JsTransactions, options: JsValue) -> JsResult<JsChurnModel> {
        let accepted = "horizon, observationEnd, seed, clvHorizon, annualDiscountRate, penalizer";
        let o = crate::js::options(&options, "ChurnModel.fit options", accepted)?;
        let o = o.as_ref();
        let defaults = ChurnOptions::default();
        let options = ChurnOptions {
            horizon: number_option(o, "horizon", "options")?.unwrap_or(defaults.horizon),
            observation_end: number_option(o, "observationEnd", "options")?,
            seed: integer_option(o, "seed", "options", 0.0, 9_007_199_254_740_991.0)?.unwrap_or(defaults.seed),
            clv_horizon: number_option(o, "clvHorizon", "options")?.unwrap_or(defaults.clv_horizon),
            annual_discount_rate: number_option(o, "annualDiscountRate", "options")?.unwrap_or(defaults.annual_discount_rate),
            // A number here (NaN and strings are errors); its range is the core's check.
            penalizer: number_option(o, "penalizer", "options")?.unwrap_or(defaults.penalizer),
        };
        ChurnModel::fit(&tx.inner, options).map(|inner| JsChurnModel { inner }).map_err(to_js)
    }
}

/// `reliability(risk, outcome, { bins? (10) })`: a reliability diagram and the ECE
/// (`crate::churn::reliability`); `outcome` booleans or a Uint8Array of 0/1.
#[wasm_bindgen(js_name = reliability)]
pub fn reliability_js(risk: JsValue, outcome: JsValue, options: JsValue) -> JsResult<js_sys::Object> {
    let o = crate::js::options(&options, "reliability options", "bins")?;
    let bins = integer_option(o.as_ref(), "bins", "options", 2.0, 100.0)?.unwrap_or(10) as usize;
    let risk = number_column(&risk, "risk")?;
    let outcome = outcome_column(&outcome)?;
    let r = crate::churn::reliability::reliability(&risk, &outcome, bins).map_err(to_js)?;
    let out = js_sys::Object::new();
    set(&out, "predicted", f64_array(&r.predicted));
    set(&out, "observed", f64_array(&r.observed));
    set(&out, "count", js_sys::Uint32Array::from(&r.count[..]));
    set(&out, "ece", r.ece);
    Ok(out)
}

/// Outcomes as booleans: an array of `true`/`false`, or a Uint8Array of 0/1 (the index of any
/// other value is named).
fn outcome_column(value: &JsValue) -> JsResult<Vec<bool>> {
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        let bytes = bytes.to_vec();
        if let Some(i) = bytes.iter().position(|b| *b > 1) {
            return Err(js_error(format!("outcome[{i}] must be 0 or 1, got {}", bytes[i])));
        }
        return Ok(bytes.into_iter().map(|b| b == 1).collect());
    }
    if js_sys::Array::is_array(value) {
        let array: &js_sys::Array = value.unchecked_ref();
        return array
            .iter()
            .enumerate()
            .map(|(i, v)| v.as_bool().ok_or_else(|| js_error(format!("outcome[{i}] must be true or false, got {}", type_name(&v)))))
            .collect();
    }
    Err(js_error(format!("outcome must be an array of booleans or a Uint8Array, got {}", type_name(value))))
}
