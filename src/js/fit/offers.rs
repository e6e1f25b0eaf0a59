//! `OfferRanker.reward` / `learn` / `stats` / `report` / `evaluate` and `OfferSimulator` (the
//! full build only): learning from rewards and judging policies happen offline.

use crate::decimal::Decimal;
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::js::offers::{context, JsOfferRanker, MAX_SEED};
use crate::offers::Context;
use crate::js::*;
use crate::offers::{evaluate, report, LearnRecord, LoggedRow, OfferRanker, SimulationReport, Simulator, SimulatorConfig};

/// The same records as columns, from the JS glue's fast path (npm/extend-classes.js
/// `packRecords`): one string per text column (newline-separated), typed arrays for the rest,
/// offers and intended offers as catalogue indices (−1: none), segments and feature names as
/// indices into their own tables. Crossing into JS once per field of each record cost ~20 µs a
/// record; this costs one crossing per column.
struct Columns<'a> {
    catalogue: &'a [crate::offers::Offer],
    ids: Vec<&'a str>,
    policy_versions: &'a [f64],
    offers: &'a [u32],
    probability: &'a [f64],
    reward: &'a [f64],
    control: &'a [u8],
    intended: &'a [i32],
    risk: &'a [f64],
    clv: &'a [f64],
    order_value: &'a [f64],
    segment_names: Vec<&'a str>,
    segment: &'a [i32],
    feature_names: Vec<&'a str>,
    feature_offsets: &'a [u32],
    feature_index: &'a [u32],
    feature_values: &'a [f64],
}

impl Columns<'_> {
    fn offer_id(&self, i: usize) -> JsResult<String> {
        self.catalogue.get(i).map(|o| o.id.clone()).ok_or_else(|| js_error("records: packed offer index out of range"))
    }

    /// Record `i` (out of line, so V8 optimises it while the loop over a million runs).
    #[inline(never)]
    fn record(&self, i: usize) -> JsResult<LearnRecord> {
        let (from, to) = (self.feature_offsets[i] as usize, self.feature_offsets[i + 1] as usize);
        let mut features = Vec::with_capacity(to.saturating_sub(from));
        for k in from..to.min(self.feature_values.len()) {
            let name = self.feature_names.get(self.feature_index[k] as usize);
            let name = name.ok_or_else(|| js_error("records: packed feature index out of range"))?;
            features.push((name.to_string(), self.feature_values[k]));
        }
        let segment = match self.segment[i] {
            s if s < 0 => None,
            s => Some(self.segment_names.get(s as usize).ok_or_else(|| js_error("records: packed segment index out of range"))?.to_string()),
        };
        let order_value = self.order_value[i];
        Ok(LearnRecord {
            event_id: self.ids[i].to_string(),
            policy_version: self.policy_versions[i] as u64,
            context: Context {
                customer: None,
                risk: self.risk[i],
                clv: self.clv[i],
                segment,
                order_value: if order_value.is_nan() { None } else { Some(order_value) },
                features,
            },
            offer: self.offer_id(self.offers[i] as usize)?,
            probability: self.probability[i],
            reward: self.reward[i],
            control: self.control[i] != 0,
            intended: if self.intended[i] < 0 { None } else { Some(self.offer_id(self.intended[i] as usize)?) },
        })
    }
}

fn learn_summary(summary: crate::offers::LearnSummary) -> Object {
    let out = Object::new();
    set(&out, "applied", summary.applied as f64);
    set(&out, "skipped", summary.skipped as f64);
    set(&out, "policyVersion", summary.policy_version as f64);
    out
}

fn interval(low: f64, high: f64) -> Array {
    Array::of2(&JsValue::from_f64(low), &JsValue::from_f64(high))
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

fn string_argument(value: &JsValue, name: &str) -> JsResult<String> {
    value
        .as_string()
        .ok_or_else(|| js_error(format!("{name} must be a string, got {}", type_name(value))))
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

    /// `learn(records)` and `report(records)` (npm/extend-classes.js): the records packed into
    /// columns by the JS glue (one string per text column, newline-separated; typed arrays for the
    /// rest; offers and intended offers as catalogue indices, −1 for none; segments and feature
    /// names as indices into their tables), which checks their types; their values are checked
    /// by the core. One crossing per column: reading each field from wasm cost ~20 µs a record.
    /// `learn` → `{ applied, skipped, policyVersion }`, all or nothing, records learned before
    /// skipped; `report` → the lift report against the control group.
    #[wasm_bindgen(js_name = __learnColumns)]
    #[allow(clippy::too_many_arguments)]
    pub fn learn_columns(
        &mut self,
        report_only: bool,
        event_ids: String,
        policy_versions: Vec<f64>,
        offers: Vec<u32>,
        probability: Vec<f64>,
        reward: Vec<f64>,
        control: Vec<u8>,
        intended: Vec<i32>,
        risk: Vec<f64>,
        clv: Vec<f64>,
        order_value: Vec<f64>,
        segment_names: String,
        segment: Vec<i32>,
        feature_names: String,
        feature_offsets: Vec<u32>,
        feature_index: Vec<u32>,
        feature_values: Vec<f64>,
    ) -> JsResult<Object> {
        let n = policy_versions.len();
        let columns = Columns {
            catalogue: self.inner.catalogue().offers(),
            ids: if n == 0 { Vec::new() } else { event_ids.split('\n').collect() },
            policy_versions: &policy_versions,
            offers: &offers,
            probability: &probability,
            reward: &reward,
            control: &control,
            intended: &intended,
            risk: &risk,
            clv: &clv,
            order_value: &order_value,
            segment_names: segment_names.split('\n').collect(),
            segment: &segment,
            feature_names: feature_names.split('\n').collect(),
            feature_offsets: &feature_offsets,
            feature_index: &feature_index,
            feature_values: &feature_values,
        };
        let lengths = [offers.len(), probability.len(), reward.len(), control.len(), intended.len(), risk.len(), clv.len(), order_value.len(), segment.len()];
        if columns.ids.len() != n || lengths.iter().any(|&l| l != n) || feature_offsets.len() != n + 1 || feature_index.len() != feature_values.len() {
            return Err(js_error("records: packed columns differ in length"));
        }
        let records = (0..n).map(|i| columns.record(i)).collect::<JsResult<Vec<_>>>()?;
        if report_only {
            return self.report_of(&records);
        }
        self.inner.learn(&records).map(learn_summary).map_err(to_js)
    }

    /// Per offer: `{ shown, meanReward, valueInterval: [low, high] }` of the rewards learned
    /// (NaN where there are too few).
    pub fn stats(&self) -> Object {
        let out = Object::new();
        for s in self.inner.stats() {
            let o = Object::new();
            set(&o, "shown", s.shown as f64);
            set(&o, "meanReward", s.mean_reward);
            set(&o, "valueInterval", interval(s.value_interval.0, s.value_interval.1));
            set(&out, &s.offer, o);
        }
        out
    }

}

impl JsOfferRanker {
    /// The lift report of a campaign's records against its control group: per offer shown count,
    /// mean reward, lift and its 95 % interval against the control customers the policy intended
    /// it for, the incentive cost given to buyers anyway; totals.
    fn report_of(&self, records: &[LearnRecord]) -> JsResult<Object> {
        let r = report(&self.inner, records).map_err(to_js)?;
        let out = Object::new();
        let control = Object::new();
        set(&control, "shown", r.control_shown as f64);
        set(&control, "meanReward", r.control_mean_reward);
        set(&out, "control", control);
        let offers = Object::new();
        for line in &r.offers {
            let o = Object::new();
            set(&o, "shown", line.shown as f64);
            set(&o, "meanReward", line.mean_reward);
            set(&o, "controlShown", line.control_shown as f64);
            set(&o, "lift", line.lift);
            set(&o, "liftInterval", interval(line.lift_interval.0, line.lift_interval.1));
            set(&o, "costToBuyersAnyway", line.cost_to_buyers_anyway);
            set(&offers, &line.offer, o);
        }
        set(&out, "offers", offers);
        let total = Object::new();
        set(&total, "incrementalMargin", r.incremental_margin);
        set(&total, "interval", interval(r.incremental_interval.0, r.incremental_interval.1));
        set(&out, "total", total);
        Ok(out)
    }
}

#[wasm_bindgen(js_class = OfferRanker)]
impl JsOfferRanker {
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
        let o = crate::js::options(&options, "new OfferSimulator options", "setup, seed")?;
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
            return Err(js_error(format!("rounds must be a whole number from 1 to 100000000, got {rounds}", rounds = Decimal(rounds))));
        }
        let report = self.inner.run(&mut ranker.inner, rounds as usize).map_err(to_js)?;
        Ok(report_object(&report))
    }

    /// The loop a fleet runs: ranks `batch` customers with `ranker` frozen, logs the decisions
    /// with their rewards, `learn`s from the log, and repeats for `rounds` customers in all.
    #[wasm_bindgen(js_name = runBatched)]
    pub fn run_batched(&mut self, ranker: &mut JsOfferRanker, rounds: JsValue, batch: JsValue) -> JsResult<Object> {
        let whole = |value: &JsValue, name: &str| -> JsResult<usize> {
            let x = number_argument(value, name)?;
            if x < 1.0 || x > 1e8 || x.fract() != 0.0 {
                return Err(js_error(format!("{name} must be a whole number from 1 to 100000000, got {}", Decimal(x))));
            }
            Ok(x as usize)
        };
        let (rounds, batch) = (whole(&rounds, "rounds")?, whole(&batch, "batch")?);
        let report = self.inner.run_batched(&mut ranker.inner, rounds, batch).map_err(to_js)?;
        Ok(report_object(&report))
    }

    /// A log of `rows` decisions by a uniform-random policy: `[{ context, offer, probability, reward }]`.
    #[wasm_bindgen(js_name = uniformLog)]
    pub fn uniform_log(&mut self, rows: JsValue) -> JsResult<Array> {
        let rows = number_argument(&rows, "rows")?;
        if rows < 1.0 || rows > 1e7 || rows.fract() != 0.0 {
            return Err(js_error(format!("rows must be a whole number from 1 to 10000000, got {rows}", rows = Decimal(rows))));
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
