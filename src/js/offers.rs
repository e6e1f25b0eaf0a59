//! JS classes `OfferRanker` and `OfferSimulator`.

use js_sys::{Array, Float64Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::*;
use crate::offers::{
    evaluate, Context, Eligibility, LoggedRow, OfferRanker, OfferSpec, RankerOptions, SimulationReport, Simulator,
    SimulatorConfig,
};

const MAX_SEED: f64 = 9_007_199_254_740_991.0;

fn offer_spec(value: &JsValue, index: usize) -> JsResult<OfferSpec> {
    let name = format!("offers[{index}]");
    let o = required_object(value, &name)?;
    let o = Some(&o);
    let eligible = match property(o, "eligible")? {
        None => Eligibility::default(),
        Some(e) => {
            let context = format!("{name}.eligible");
            let e = required_object(&e, &context)?;
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

fn context(value: &JsValue, name: &str) -> JsResult<Context> {
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
        customer: property(o, "customer")?.and_then(|c| c.as_string()),
        risk: number_option(o, "risk", name)?.ok_or_else(|| js_error(format!("{name}.risk is required (a probability)")))?,
        clv: number_option(o, "clv", name)?.ok_or_else(|| js_error(format!("{name}.clv is required (money)")))?,
        segment: string_option(o, "segment", name)?,
        order_value: number_option(o, "orderValue", name)?,
        features,
    })
}

fn context_object(c: &Context) -> Object {
    let out = Object::new();
    if let Some(customer) = &c.customer {
        set(&out, "customer", customer.as_str());
    }
    set(&out, "risk", c.risk);
    set(&out, "clv", c.clv);
    if let Some(s) = &c.segment {
        set(&out, "segment", s.as_str());
    }
    if let Some(v) = c.order_value {
        set(&out, "orderValue", v);
    }
    if !c.features.is_empty() {
        let f = Object::new();
        for (k, v) in &c.features {
            set(&f, k, *v);
        }
        set(&out, "features", f);
    }
    out
}

#[wasm_bindgen(js_name = OfferRanker)]
pub struct JsOfferRanker {
    inner: OfferRanker,
    /// The numbers of the last `__rankPacked` call (see there).
    last_numbers: Vec<f64>,
}

/// The ranker behind a JS `OfferRanker` given as a plain argument (an optional `policy`).
fn ranker_from_js(value: &JsValue, name: &str) -> JsResult<OfferRanker> {
    let to_bytes = js_sys::Reflect::get(value, &JsValue::from_str("toBytes"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| js_error(format!("{name} must be an OfferRanker")))?;
    let bytes = bytes_argument(&to_bytes.call0(value)?, name)?;
    OfferRanker::from_bytes(&bytes).map_err(|_| js_error(format!("{name} must be an OfferRanker")))
}

#[wasm_bindgen(js_class = OfferRanker)]
impl JsOfferRanker {
    /// `new OfferRanker({ offers, margin?, marginRate?, exploration?, seed?, capacity? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> JsResult<JsOfferRanker> {
        let o = required_object(&options, "options")?;
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
        };
        OfferRanker::new(options).map(|inner| JsOfferRanker { inner, last_numbers: Vec::new() }).map_err(to_js)
    }

    /// `rank` for the JS glue (npm/extend.js), which builds `{ eventId, ranking: [{ offer,
    /// probability, expectedValue, reason }] }` from three cheap transfers: this text ("eventId"
    /// and each reason, one per line), `__rankNumbers()` (catalogue index, probability and
    /// expected value per ranked offer) and the cached `__offerIds()`. Formatting the floats as JSON
    /// and parsing them back cost more than the ranking itself.
    #[wasm_bindgen(js_name = __rankPacked)]
    pub fn rank_packed(&mut self, context_value: JsValue) -> JsResult<String> {
        let c = context(&context_value, "context")?;
        let ranking = self.inner.rank(&c).map_err(to_js)?;
        let mut text = String::with_capacity(16 + ranking.ranking.len() * 80);
        text.push_str(&ranking.event_id);
        self.last_numbers.clear();
        for r in &ranking.ranking {
            text.push('\n');
            text.push_str(&r.reason);
            self.last_numbers.extend_from_slice(&[r.index as f64, r.probability, r.expected_value]);
        }
        Ok(text)
    }

    /// The numbers of the last `__rankPacked` call: (catalogue index, probability, expected value)
    /// per ranked offer.
    #[wasm_bindgen(js_name = __rankNumbers)]
    pub fn rank_numbers(&self) -> Float64Array {
        Float64Array::from(&self.last_numbers[..])
    }

    /// The offer ids in catalogue order.
    #[wasm_bindgen(js_name = __offerIds)]
    pub fn offer_ids(&self) -> Array {
        self.inner.catalogue().offers().iter().map(|o| JsValue::from_str(&o.id)).collect()
    }

    /// Feeds back what an event earned (e.g. the margin of the order that followed, minus the
    /// offer's cost; 0 when nothing was bought).
    pub fn reward(&mut self, event_id: JsValue, reward: JsValue) -> JsResult<()> {
        let event_id = string_argument(&event_id, "eventId")?;
        let reward = match reward.as_f64() {
            Some(r) if r.is_nan() => return Err(js_error("reward is NaN")),
            Some(r) => r,
            None => return Err(js_error("reward must be a number")),
        };
        self.inner.reward(&event_id, reward).map_err(to_js)
    }

    /// Off-policy estimates of `policy`'s (default: this ranker's) mean reward per decision from
    /// a log of `{ context, offer, probability, reward }` rows: `{ ips, snips, dr }`.
    pub fn evaluate(&self, log: JsValue, policy: JsValue) -> JsResult<Object> {
        if !Array::is_array(&log) {
            return Err(js_error("log must be an array of { context, offer, probability, reward } rows"));
        }
        let log: Array = log.unchecked_into();
        let mut rows = Vec::with_capacity(log.length() as usize);
        for (i, row) in log.iter().enumerate() {
            let name = format!("log[{i}]");
            let o = required_object(&row, &name)?;
            let o = Some(&o);
            let c = property(o, "context")?.ok_or_else(|| js_error(format!("{name}.context is required")))?;
            rows.push(LoggedRow {
                context: context(&c, &format!("{name}.context"))?,
                offer: string_option(o, "offer", &name)?.ok_or_else(|| js_error(format!("{name}.offer is required")))?,
                probability: number_option(o, "probability", &name)?
                    .ok_or_else(|| js_error(format!("{name}.probability is required")))?,
                reward: number_option(o, "reward", &name)?.ok_or_else(|| js_error(format!("{name}.reward is required")))?,
            });
        }
        let other;
        let target = if policy.is_undefined() || policy.is_null() {
            &self.inner
        } else {
            other = ranker_from_js(&policy, "policy")?;
            &other
        };
        let estimate = evaluate(&rows, target).map_err(to_js)?;
        let out = Object::new();
        set(&out, "ips", estimate.ips);
        set(&out, "snips", estimate.snips);
        set(&out, "dr", estimate.dr);
        Ok(out)
    }

    /// Rewards received so far.
    #[wasm_bindgen(getter = rewardsSeen)]
    pub fn rewards_seen(&self) -> f64 {
        self.inner.rewards_seen() as f64
    }

    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(&self.inner.to_bytes()[..])
    }

    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: JsValue) -> JsResult<JsOfferRanker> {
        let bytes = bytes_argument(&bytes, "bytes")?;
        OfferRanker::from_bytes(&bytes).map(|inner| JsOfferRanker { inner, last_numbers: Vec::new() }).map_err(to_js)
    }
}

/// A simulated shop with known true uplift per offer and segment (customers who buy anyway,
/// offers that lose money on some customers, a gift that works only on loyal segments).
#[wasm_bindgen(js_name = OfferSimulator)]
pub struct JsOfferSimulator {
    inner: Simulator,
}

fn report_object(report: &SimulationReport) -> Object {
    let out = Object::new();
    set(&out, "rounds", report.rounds as f64);
    set(&out, "ranker", report.ranker_expected);
    set(&out, "rankerRealized", report.ranker_realized);
    set(&out, "oracle", report.oracle_expected);
    set(&out, "none", report.none_expected);
    let fixed = Object::new();
    for (id, value) in &report.fixed_expected {
        set(&fixed, id, *value);
    }
    set(&out, "fixed", fixed);
    set(&out, "capturedShare", report.captured_share);
    out
}

#[wasm_bindgen(js_class = OfferSimulator)]
impl JsOfferSimulator {
    /// `new OfferSimulator({ setup?: "standard" | "alternative", seed? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> JsResult<JsOfferSimulator> {
        let o = super::options(&options, "options")?;
        let seed = integer_option(o.as_ref(), "seed", "options", 0.0, MAX_SEED)?.unwrap_or(0);
        let config = match string_option(o.as_ref(), "setup", "options")?.as_deref() {
            None | Some("standard") => SimulatorConfig::standard(seed),
            Some("alternative") => SimulatorConfig::alternative_with_order_value(seed),
            Some(other) => return Err(js_error(format!("options.setup must be \"standard\" or \"alternative\", got \"{other}\""))),
        };
        Simulator::new(config).map(|inner| JsOfferSimulator { inner }).map_err(to_js)
    }

    /// Options for an `OfferRanker` on this shop: `{ offers, margin, marginRate, seed }`.
    #[wasm_bindgen(js_name = rankerOptions)]
    pub fn ranker_options(&self, seed: JsValue) -> JsResult<Object> {
        let seed = if seed.is_undefined() { 0.0 } else { number_argument(&seed, "seed")? };
        let options = self.inner.ranker_options(seed as u64);
        let out = Object::new();
        let offers: Array = options
            .offers
            .iter()
            .map(|spec| {
                let o = Object::new();
                set(&o, "id", spec.id.clone().unwrap_or_default());
                set(&o, "kind", spec.kind.as_str());
                if let Some(v) = spec.value {
                    set(&o, "value", v);
                }
                if let Some(c) = spec.cost {
                    set(&o, "cost", c);
                }
                let e = &spec.eligible;
                if e.segments.is_some() || e.min_risk.is_some() || e.max_risk.is_some() || e.min_clv.is_some() {
                    let eo = Object::new();
                    if let Some(s) = &e.segments {
                        set(&eo, "segments", string_array(s));
                    }
                    for (k, v) in [("minRisk", e.min_risk), ("maxRisk", e.max_risk), ("minClv", e.min_clv)] {
                        if let Some(v) = v {
                            set(&eo, k, v);
                        }
                    }
                    set(&o, "eligible", eo);
                }
                JsValue::from(o)
            })
            .collect();
        set(&out, "offers", offers);
        if let Some(m) = options.margin {
            set(&out, "margin", m);
        }
        set(&out, "marginRate", options.margin_rate);
        set(&out, "seed", seed);
        Ok(out)
    }

    /// Runs `rounds` rounds with rewards fed back to `ranker`; returns expected cumulative rewards
    /// of the ranker, the oracle, always-"none" and each fixed offer, and the captured share.
    pub fn run(&mut self, ranker: &mut JsOfferRanker, rounds: JsValue) -> JsResult<Object> {
        let rounds = number_argument(&rounds, "rounds")?;
        if rounds < 1.0 || rounds > 1e8 || rounds.fract() != 0.0 {
            return Err(js_error(format!("rounds must be a whole number from 1 to 100000000, got {rounds}")));
        }
        let report = self.inner.run(&mut ranker.inner, rounds as usize).map_err(to_js)?;
        Ok(report_object(&report))
    }

    /// A log of `rows` decisions by a uniform-random policy: `[{ context, offer, probability, reward }]`.
    #[wasm_bindgen(js_name = uniformLog)]
    pub fn uniform_log(&mut self, rows: JsValue) -> JsResult<Array> {
        let rows = number_argument(&rows, "rows")?;
        if rows < 1.0 || rows > 1e7 || rows.fract() != 0.0 {
            return Err(js_error(format!("rows must be a whole number from 1 to 10000000, got {rows}")));
        }
        Ok(self
            .inner
            .uniform_log(rows as usize)
            .iter()
            .map(|row| {
                let o = Object::new();
                set(&o, "context", context_object(&row.context));
                set(&o, "offer", row.offer.as_str());
                set(&o, "probability", row.probability);
                set(&o, "reward", row.reward);
                JsValue::from(o)
            })
            .collect())
    }

    /// The true mean reward per customer of `ranker`'s current policy (known expectations).
    #[wasm_bindgen(js_name = policyValue)]
    pub fn policy_value(&self, ranker: &JsOfferRanker, customers: JsValue, seed: JsValue) -> JsResult<f64> {
        let customers = number_argument(&customers, "customers")?;
        let seed = if seed.is_undefined() { 0.0 } else { number_argument(&seed, "seed")? };
        self.inner.policy_value(&ranker.inner, customers.max(0.0) as usize, seed as u64).map_err(to_js)
    }
}
