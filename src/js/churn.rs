//! JS classes for the buy-till-you-die models (`BetaGeo`, `ModifiedBetaGeo`, `ParetoNbd`,
//! `GammaGamma`), `ChurnModel` and `customerLifetimeValue`: loading, scoring, saving (fitting:
//! `fit/churn.rs`).

use js_sys::{Float64Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::data::JsSummary;
use super::*;
use crate::churn::{customer_lifetime_value, BetaGeo, ChurnModel, ChurnScores, ClvOptions, GammaGamma, ModifiedBetaGeo, ParetoNbd, TransactionModel};

fn named_values(names: &[(&'static str, f64)]) -> Object {
    let out = Object::new();
    for (name, value) in names {
        set(&out, name, *value);
    }
    out
}

fn standard_errors(names: &[(&'static str, f64)], se: &Option<Vec<f64>>) -> JsValue {
    match se {
        None => JsValue::NULL,
        Some(se) => {
            let pairs: Vec<(&'static str, f64)> = names.iter().zip(se).map(|((n, _), v)| (*n, *v)).collect();
            named_values(&pairs).into()
        }
    }
}

/// `m.diagnostics`: `{ converged, iterations, gradientNorm, standardErrors, warnings }`, with a
/// NaN standard error where the information matrix gave none; `null` when the model has no
/// diagnostics (built from parameters, or loaded from bytes saved before they existed).
fn diagnostics(names: &[(&'static str, f64)], se: &Option<Vec<f64>>, d: &Option<crate::churn::Diagnostics>) -> JsValue {
    let Some(d) = d else { return JsValue::NULL };
    let out = Object::new();
    set(&out, "converged", d.converged);
    set(&out, "iterations", d.iterations);
    set(&out, "gradientNorm", d.gradient_norm);
    let se = se.clone().unwrap_or_else(|| vec![f64::NAN; names.len()]);
    set(&out, "standardErrors", standard_errors(names, &Some(se)));
    set(&out, "warnings", string_array(&d.warnings));
    out.into()
}

/// One JS class per count model: the same methods, one core call each.
macro_rules! count_model_class {
    ($js:ident, $name:literal, $model:ty) => {
        #[wasm_bindgen(js_name = $name)]
        pub struct $js {
            pub(crate) inner: $model,
        }

        #[wasm_bindgen(js_class = $name)]
        impl $js {
            /// The fitted parameters, named as in the papers.
            #[wasm_bindgen(getter)]
            pub fn params(&self) -> Object {
                named_values(&self.inner.params())
            }
            /// Total log-likelihood over the fitted customers (papers' convention, unpenalised).
            #[wasm_bindgen(getter = logLikelihood)]
            pub fn log_likelihood(&self) -> f64 {
                TransactionModel::log_likelihood(&self.inner)
            }
            /// Standard errors of the parameters (observed information), or `null`.
            #[wasm_bindgen(getter = standardErrors)]
            pub fn standard_errors(&self) -> JsValue {
                standard_errors(&self.inner.params(), &self.inner.standard_errors)
            }
            /// How the fit went, or `null` (see [`diagnostics`]).
            #[wasm_bindgen(getter)]
            pub fn diagnostics(&self) -> JsValue {
                diagnostics(&self.inner.params(), &self.inner.standard_errors, &self.inner.diagnostics)
            }
            #[wasm_bindgen(js_name = probabilityAlive)]
            pub fn probability_alive(&self, summary: &JsSummary) -> JsResult<Float64Array> {
                self.inner.probability_alive(&summary.inner).map(|v| f64_array(&v)).map_err(to_js)
            }
            /// Conditional expected purchases in (T, T + t], t in the summary's unit.
            #[wasm_bindgen(js_name = expectedPurchases)]
            pub fn expected_purchases(&self, t: JsValue, summary: &JsSummary) -> JsResult<Float64Array> {
                let t = number_argument(&t, "t")?;
                self.inner.expected_purchases(t, &summary.inner).map(|v| f64_array(&v)).map_err(to_js)
            }
            /// P(no purchase in (T, T + t]), t in the summary's unit.
            #[wasm_bindgen(js_name = probabilityNoPurchase)]
            pub fn probability_no_purchase(&self, t: JsValue, summary: &JsSummary) -> JsResult<Float64Array> {
                let t = number_argument(&t, "t")?;
                self.inner.probability_no_purchase(t, &summary.inner).map(|v| f64_array(&v)).map_err(to_js)
            }
            #[wasm_bindgen(js_name = toBytes)]
            pub fn to_bytes(&self) -> Uint8Array {
                Uint8Array::from(&self.inner.to_bytes()[..])
            }
            #[wasm_bindgen(js_name = fromBytes)]
            pub fn from_bytes(bytes: JsValue) -> JsResult<$js> {
                let bytes = bytes_argument(&bytes, "bytes")?;
                <$model>::from_bytes(&bytes).map(|inner| $js { inner }).map_err(to_js)
            }
        }
    };
}

count_model_class!(JsBetaGeo, "BetaGeo", BetaGeo);
count_model_class!(JsModifiedBetaGeo, "ModifiedBetaGeo", ModifiedBetaGeo);
count_model_class!(JsParetoNbd, "ParetoNbd", ParetoNbd);

/// The count model behind any of the JS count-model classes, recovered from its bytes (a few
/// dozen bytes) because wasm-bindgen cannot take "one of several classes" as an argument.
pub(crate) fn count_model(value: &JsValue, name: &str) -> JsResult<Box<dyn TransactionModel>> {
    let to_bytes = js_sys::Reflect::get(value, &JsValue::from_str("toBytes"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| js_error(format!("{name} must be a fitted BetaGeo, ModifiedBetaGeo or ParetoNbd model")))?;
    let bytes = bytes_argument(&to_bytes.call0(value)?, name)?;
    let kind = bytes.get(6..10).unwrap_or_default();
    let model: Box<dyn TransactionModel> = match kind {
        b"BGNB" => Box::new(BetaGeo::from_bytes(&bytes).map_err(to_js)?),
        b"MBGN" => Box::new(ModifiedBetaGeo::from_bytes(&bytes).map_err(to_js)?),
        b"PNBD" => Box::new(ParetoNbd::from_bytes(&bytes).map_err(to_js)?),
        _ => return Err(js_error(format!("{name} must be a fitted BetaGeo, ModifiedBetaGeo or ParetoNbd model"))),
    };
    Ok(model)
}

#[wasm_bindgen(js_name = GammaGamma)]
pub struct JsGammaGamma {
    pub(crate) inner: GammaGamma,
}

#[wasm_bindgen(js_class = GammaGamma)]
impl JsGammaGamma {
    /// `{ p, q, gamma }`.
    #[wasm_bindgen(getter)]
    pub fn params(&self) -> Object {
        named_values(&self.inner.params())
    }
    #[wasm_bindgen(getter = logLikelihood)]
    pub fn log_likelihood(&self) -> f64 {
        self.inner.log_likelihood
    }
    #[wasm_bindgen(getter = standardErrors)]
    pub fn standard_errors(&self) -> JsValue {
        standard_errors(&self.inner.params(), &self.inner.standard_errors)
    }
    /// How the fit went, or `null` (see [`diagnostics`]).
    #[wasm_bindgen(getter)]
    pub fn diagnostics(&self) -> JsValue {
        diagnostics(&self.inner.params(), &self.inner.standard_errors, &self.inner.diagnostics)
    }
    /// Expected mean spend per transaction of each customer.
    #[wasm_bindgen(js_name = expectedSpend)]
    pub fn expected_spend(&self, summary: &JsSummary) -> JsResult<Float64Array> {
        self.inner.expected_spend(&summary.inner).map(|v| f64_array(&v)).map_err(to_js)
    }
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(&self.inner.to_bytes()[..])
    }
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: JsValue) -> JsResult<JsGammaGamma> {
        let bytes = bytes_argument(&bytes, "bytes")?;
        GammaGamma::from_bytes(&bytes).map(|inner| JsGammaGamma { inner }).map_err(to_js)
    }
}

/// `customerLifetimeValue(m, gg, s, { horizon, discountRate })`: horizon and discount rate per
/// unit of the summary; the result is in money.
#[wasm_bindgen(js_name = customerLifetimeValue)]
pub fn customer_lifetime_value_js(model: JsValue, spend: &JsGammaGamma, summary: &JsSummary, options: JsValue) -> JsResult<Float64Array> {
    let model = count_model(&model, "m")?;
    let o = required_options(&options, "customerLifetimeValue options", "horizon, discountRate")?;
    let horizon = number_option(Some(&o), "horizon", "options")?.ok_or_else(|| js_error("options.horizon is required"))?;
    let discount_rate = number_option(Some(&o), "discountRate", "options")?.unwrap_or(0.0);
    customer_lifetime_value(model.as_ref(), &spend.inner, &summary.inner, ClvOptions { horizon, discount_rate })
        .map(|v| f64_array(&v))
        .map_err(to_js)
}

#[wasm_bindgen(js_name = ChurnModel)]
pub struct JsChurnModel {
    pub(crate) inner: ChurnModel,
}

fn scores_object(scores: ChurnScores) -> Object {
    let out = Object::new();
    set(&out, "customers", string_array(&scores.customers));
    set(&out, "risk", f64_array(&scores.risk));
    set(&out, "probabilityAlive", f64_array(&scores.probability_alive));
    set(&out, "expectedPurchases", f64_array(&scores.expected_purchases));
    set(&out, "clv", f64_array(&scores.clv));
    set(&out, "segment", string_array(&scores.segment));
    // One string, split in JS (npm/extend-classes.js): one decode instead of one per customer.
    set(&out, "reason", scores.reason.join("\n"));
    out
}

#[wasm_bindgen(js_class = ChurnModel)]
impl JsChurnModel {
    /// Scores the customers of a `Transactions` (as of the model's observation end). The JS
    /// `score(tx or s)` dispatches here or to `scoreSummary`.
    #[wasm_bindgen(js_name = scoreTransactions)]
    pub fn score_transactions(&self, tx: &super::data::JsTransactions) -> JsResult<Object> {
        self.inner.score(&tx.inner).map(scores_object).map_err(to_js)
    }

    #[wasm_bindgen(js_name = scoreSummary)]
    pub fn score_summary(&self, summary: &JsSummary) -> JsResult<Object> {
        self.inner.score_summary(&summary.inner).map(scores_object).map_err(to_js)
    }

    /// Days ahead the risk is about.
    #[wasm_bindgen(getter)]
    pub fn horizon(&self) -> f64 {
        self.inner.horizon
    }

    /// `"supervised"` (the logistic layer validated better) or `"btyd"` (BG/NBD alone).
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        match self.inner.method {
            crate::churn::RiskMethod::Supervised => "supervised".into(),
            crate::churn::RiskMethod::Btyd => "btyd".into(),
        }
    }

    /// The internal validation: `{ labelWindow, heldOut, btydLogLoss, supervisedLogLoss, btydAuc,
    /// supervisedAuc, fallbackReason }`.
    #[wasm_bindgen(getter)]
    pub fn validation(&self) -> Object {
        let v = &self.inner.validation;
        let out = Object::new();
        set(&out, "labelWindow", v.label_window);
        set(&out, "heldOut", v.held_out as f64);
        set(&out, "btydLogLoss", v.btyd_log_loss);
        set(&out, "supervisedLogLoss", v.supervised_log_loss);
        set(&out, "btydAuc", v.btyd_auc);
        set(&out, "supervisedAuc", v.supervised_auc);
        set(&out, "fallbackReason", v.fallback_reason.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        out
    }

    /// Plain-words warnings (fallback fits, dropout not identified, few repeat buyers,
    /// chance-level ranking); `[]` when all is well.
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> js_sys::Array {
        string_array(&self.inner.warnings)
    }

    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(&self.inner.to_bytes()[..])
    }

    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: JsValue) -> JsResult<JsChurnModel> {
        let bytes = bytes_argument(&bytes, "bytes")?;
        ChurnModel::from_bytes(&bytes).map(|inner| JsChurnModel { inner }).map_err(to_js)
    }
}
