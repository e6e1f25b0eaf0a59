//! JS classes for the buy-till-you-die models (`BetaGeo`, `ModifiedBetaGeo`, `ParetoNbd`,
//! `GammaGamma`) and `customerLifetimeValue`.

use js_sys::{Float64Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::data::JsSummary;
use super::*;
use crate::churn::{BetaGeo, BetaGeoOptions, GammaGamma, GammaGammaOptions, TransactionModel};

fn penalizer(options: &JsValue) -> JsResult<f64> {
    let o = super::options(options, "options")?;
    match number_option(o.as_ref(), "penalizer", "options")? {
        None => Ok(0.0),
        Some(p) if p >= 0.0 => Ok(p),
        Some(p) => Err(js_error(format!("options.penalizer must be >= 0, got {p}"))),
    }
}

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

/// One JS class per count model: the same methods, one core call each.
macro_rules! count_model_class {
    ($js:ident, $name:literal, $model:ty, $options:ty) => {
        #[wasm_bindgen(js_name = $name)]
        pub struct $js {
            pub(crate) inner: $model,
        }

        #[wasm_bindgen(js_class = $name)]
        impl $js {
            /// Fits by maximum likelihood: `fit(summary, { penalizer? })`.
            pub fn fit(summary: &JsSummary, options: JsValue) -> JsResult<$js> {
                let options = <$options>::default().penalizer(penalizer(&options)?);
                options.fit(&summary.inner).map(|inner| $js { inner }).map_err(to_js)
            }
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

count_model_class!(JsBetaGeo, "BetaGeo", BetaGeo, BetaGeoOptions);

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
    /// Fits on the customers with frequency > 0: `fit(summary, { penalizer? })`.
    pub fn fit(summary: &JsSummary, options: JsValue) -> JsResult<JsGammaGamma> {
        let options = GammaGammaOptions::default().penalizer(penalizer(&options)?);
        options.fit(&summary.inner).map(|inner| JsGammaGamma { inner }).map_err(to_js)
    }
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
