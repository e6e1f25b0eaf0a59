//! JS class `OfferRanker`: build, rank (decision records), save and load (learning, evaluation
//! and the simulator: `fit/offers.rs`).

use js_sys::{Array, Float64Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::*;
use crate::offers::{Context, Eligibility, OfferRanker, OfferSpec, RankerOptions};

pub(crate) const MAX_SEED: f64 = 9_007_199_254_740_991.0;

fn offer_spec(value: &JsValue, index: usize) -> JsResult<OfferSpec> {
    let name = format!("new OfferRanker options.offers[{index}]");
    let o = required_options(value, &name, "id, kind, value, cost, eligible")?;
    let o = Some(&o);
    let eligible = match property(o, "eligible")? {
        None => Eligibility::default(),
        Some(e) => {
            let context = format!("{name}.eligible");
            let e = required_options(&e, &context, "segments, minRisk, maxRisk, minClv")?;
            let e = Some(&e);
            Eligibility {
                segments: property(e, "segments")?.map(|s| string_list(&s, &format!("{context}.segments"))).transpose()?,
                min_risk: number_option(e, "minRisk", &context)?,
                max_risk: number_option(e, "maxRisk", &context)?,
                min_clv: number_option(e, "minClv", &context)?,
            }
        }
    };
    Ok(OfferSpec {
        id: string_option(o, "id", &name)?,
        kind: string_option(o, "kind", &name)?.unwrap_or_default(),
        value: number_option(o, "value", &name)?,
        cost: number_option(o, "cost", &name)?,
        eligible,
    })
}

pub(crate) fn context(value: &JsValue, name: &str) -> JsResult<Context> {
    let o = required_object(value, name)?;
    let o = Some(&o);
    let features = match property(o, "features")? {
        None => Vec::new(),
        Some(f) => {
            let f = required_object(&f, &format!("{name}.features"))?;
            let mut out = Vec::new();
            for entry in Object::entries(&f).iter() {
                let pair: Array = entry.unchecked_into();
                let key = pair.get(0).as_string().unwrap_or_default();
                let value = number_argument(&pair.get(1), &format!("{name}.features.{key}"))?;
                out.push((key, value));
            }
            out
        }
    };
    Ok(Context {
        customer: property(o, "customer")?.map(|c| id_argument(&c, &format!("{name}.customer"))).transpose()?,
        risk: number_option(o, "risk", name)?.ok_or_else(|| js_error(format!("{name}.risk is required (a probability)")))?,
        clv: number_option(o, "clv", name)?.ok_or_else(|| js_error(format!("{name}.clv is required (money)")))?,
        segment: string_option(o, "segment", name)?,
        order_value: number_option(o, "orderValue", name)?,
        features,
    })
}

#[wasm_bindgen(js_name = OfferRanker)]
pub struct JsOfferRanker {
    pub(crate) inner: OfferRanker,
    /// The numbers of the last `__rankPacked` call (see there).
    pub(crate) last_numbers: Vec<f64>,
}

#[wasm_bindgen(js_class = OfferRanker)]
impl JsOfferRanker {
    /// `new OfferRanker({ offers, margin?, marginRate?, exploration?, seed?, capacity?, instance?,
    /// controlShare? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> JsResult<JsOfferRanker> {
        let accepted = "offers, margin, marginRate, exploration, seed, capacity, instance, controlShare";
        let o = required_options(&options, "new OfferRanker options", accepted)?;
        let o = Some(&o);
        let offers = property(o, "offers")?.ok_or_else(|| js_error("options.offers is required (an array of offers)"))?;
        if !Array::is_array(&offers) {
            return Err(js_error("options.offers must be an array of offers"));
        }
        let offers: Array = offers.unchecked_into();
        let specs = offers.iter().enumerate().map(|(i, v)| offer_spec(&v, i)).collect::<JsResult<Vec<_>>>()?;
        let defaults = RankerOptions::default();
        let options = RankerOptions {
            offers: specs,
            margin: number_option(o, "margin", "options")?,
            margin_rate: number_option(o, "marginRate", "options")?.unwrap_or(defaults.margin_rate),
            exploration: number_option(o, "exploration", "options")?.unwrap_or(defaults.exploration),
            seed: integer_option(o, "seed", "options", 0.0, MAX_SEED)?.unwrap_or(defaults.seed),
            capacity: integer_option(o, "capacity", "options", 1.0, 1e6)?.map_or(defaults.capacity, |c| c as usize),
            instance: string_option(o, "instance", "options")?.unwrap_or_default(),
            control_share: number_option(o, "controlShare", "options")?.unwrap_or(defaults.control_share),
        };
        OfferRanker::new(options).map(|inner| JsOfferRanker { inner, last_numbers: Vec::new() }).map_err(to_js)
    }

    /// `rank` for the JS glue (npm/extend-classes.js), which builds `{ eventId, policyVersion,
    /// ranking: [{ offer, probability, expectedValue, reason }], decision }` from three cheap
    /// transfers: this text ("eventId" and each reason, one per line), `__rankNumbers()` (policy
    /// version, control flag, intended catalogue index or −1, then catalogue index, probability
    /// and expected value per ranked offer) and the cached `__offerIds()`. Formatting the floats
    /// as JSON and parsing them back cost more than the ranking itself.
    #[wasm_bindgen(js_name = __rankPacked)]
    pub fn rank_packed(&mut self, context_value: JsValue) -> JsResult<String> {
        let c = context(&context_value, "context")?;
        let ranking = self.inner.rank(&c).map_err(to_js)?;
        let mut text = String::with_capacity(16 + ranking.ranking.len() * 80);
        text.push_str(&ranking.event_id);
        self.last_numbers.clear();
        self.last_numbers.extend_from_slice(&[
            ranking.policy_version as f64,
            ranking.control as u8 as f64,
            ranking.intended.map_or(-1.0, |a| a as f64),
        ]);
        for r in &ranking.ranking {
            text.push('\n');
            text.push_str(&r.reason);
            self.last_numbers.extend_from_slice(&[r.index as f64, r.probability, r.expected_value]);
        }
        Ok(text)
    }

    /// The numbers of the last `__rankPacked` call (see there).
    #[wasm_bindgen(js_name = __rankNumbers)]
    pub fn rank_numbers(&self) -> Float64Array {
        Float64Array::from(&self.last_numbers[..])
    }

    /// The offer ids in catalogue order.
    #[wasm_bindgen(js_name = __offerIds)]
    pub fn offer_ids(&self) -> Array {
        self.inner.catalogue().offers().iter().map(|o| JsValue::from_str(&o.id)).collect()
    }

    /// Rewards received so far.
    #[wasm_bindgen(getter = rewardsSeen)]
    pub fn rewards_seen(&self) -> f64 {
        self.inner.rewards_seen() as f64
    }

    /// The policy's version: 0 when created, bumped by every `reward` and every `learn` batch
    /// that applied a record; decision records carry it.
    #[wasm_bindgen(getter = policyVersion)]
    pub fn policy_version(&self) -> f64 {
        self.inner.policy_version() as f64
    }

    /// The instance name given at construction ("" when none): part of every event id.
    #[wasm_bindgen(getter)]
    pub fn instance(&self) -> String {
        self.inner.instance().to_string()
    }

    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(&self.inner.to_bytes()[..])
    }

    /// `OfferRanker.fromBytes(bytes, { instance? })`: `instance` renames the loaded copy (see
    /// `OfferRanker::set_instance`), as each worker of a fleet loading the same bytes must.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: JsValue, options: JsValue) -> JsResult<JsOfferRanker> {
        let bytes = bytes_argument(&bytes, "bytes")?;
        let o = crate::js::options(&options, "OfferRanker.fromBytes options", "instance")?;
        let mut inner = OfferRanker::from_bytes(&bytes).map_err(to_js)?;
        if let Some(instance) = string_option(o.as_ref(), "instance", "options")? {
            inner.set_instance(&instance).map_err(to_js)?;
        }
        Ok(JsOfferRanker { inner, last_numbers: Vec::new() })
    }
}
