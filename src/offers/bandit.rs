//! `OfferRanker`: ranks the eligible offers for a context by expected incremental margin, shows
//! one (chosen at random with logged probabilities, so the shop can evaluate other policies later),
//! and learns from the rewards that come back.
//!
//! The learner is a linear contextual bandit ([`LinearValueModel`]: ridge regressions on context
//! features, the prior as their mean before data). Exploration is epsilon-greedy with a twist: the
//! greedy offer gets 1 − ε; of the exploring share ε, a tenth is spread uniformly over every
//! eligible offer (so every offer keeps a known, non-zero probability for off-policy evaluation)
//! and nine tenths go to offers in proportion to how plausibly they beat the greedy one — the
//! sharpened normal tail Φ(−3 gap / sd(gap)) of the estimated gap, with sd from the offers' own
//! rewards (a weakly penalised ridge on each offer's data alone, as in LinUCB, Li et al. 2010,
//! eq. 5 — not the strongly shrunk value model, whose narrow widths let an offer wrongly judged
//! bad stay unexplored). Offers that are clearly worse stop being explored beyond the
//! uniform floor, so exploration costs less as the model learns.
//!
//! Reasons show each offer's reward count and the 95 % half-width of its value in the context
//! (from its own rewards, the width that sizes exploration). No extra exploration floor: floors
//! of ε/(2K) (until 50 rewards, or until the 95 % interval of the gap excludes 0), unsharpened
//! weights and optimism from each offer's own rewards were measured on the "hunters" shop's bad
//! runs and did not remove them, at a cost of up to 7 points on average
//! (docs/offers-exploration.md).
//!
//! All probabilities are computed in closed form: `rank` reports exactly the probability each
//! offer had of being shown first.
//!
//! Events: each `rank` creates an event with a deterministic id (`<seed tag>-<counter>`, or
//! `<seed tag>-<instance>-<counter>` when the ranker has an `instance` name, so a fleet of workers
//! that load the same policy never mint the same id). Pending events live in a ring buffer of
//! `capacity` slots; an event expires once `capacity` later events have been ranked, and a reward
//! for an expired, unknown or already rewarded event is an error. A fleet learns instead from
//! logged decision records (`learn`, in `offers::learn`), each carrying the `policy_version` that
//! made it.
//!
//! Control group: with `control_share` > 0, a customer whose id hashes below the share (see
//! [`in_control_group`]) is always shown "none", whatever the policy would have shown (kept as
//! `intended`), so every worker agrees and the lift can be measured against them. The logged
//! probabilities are then the marginal ones over customers: (1 − share)·p + share for "none",
//! (1 − share)·p for every other offer.

use crate::decimal::{Decimal, Scientific};
use crate::codec::{Reader, Writer};
use crate::error::{check_scalar, Error, Result};
use crate::offers::catalogue::{Catalogue, Eligibility, OfferKind, OfferSpec};
use crate::offers::context::Context;
use crate::offers::value::{
    Economics, ExtraFeature, DEFAULT_MARGIN_RATE, FeatureMap, LinearValueModel, PriorEstimate, PriorInputs, FIXED_FEATURES,
    MAX_EXTRA_FEATURES, PER_EXTRA,
};
use crate::rng::Rng;

/// Share of the exploration traffic spread uniformly over all eligible offers.
const UNIFORM_EXPLORATION_SHARE: f64 = 0.1;
/// Exploration weight of an offer: Φ(−SHARPNESS × gap / sd(gap)). The widths (own-data ridge,
/// noise from all rewards) are not calibrated posteriors; sharpening by 3 keeps the
/// exploring traffic on close contenders and captured more margin in the simulator (1 did worse,
/// 10 no better).
const EXPLORATION_SHARPNESS: f64 = 3.0;
/// Two-sided 95 % normal quantile: the half-width shown in reasons.
const INTERVAL_Z: f64 = 1.96;
/// Largest reward, CLV or order value accepted (keeps the regression statistics finite).
pub const MAX_MONEY: f64 = 1e12;
/// Most pending events a ranker keeps.
pub const MAX_CAPACITY: usize = 1_000_000;
/// Largest control share (half the traffic).
pub const MAX_CONTROL_SHARE: f64 = 0.5;
/// Longest instance name.
pub const MAX_INSTANCE_LEN: usize = 64;

/// An instance name: at most [`MAX_INSTANCE_LEN`] letters, digits, `_`, `.` or `:`.
fn check_instance(instance: &str) -> Result<()> {
    if instance.len() <= MAX_INSTANCE_LEN && instance.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b':') {
        return Ok(());
    }
    Err(Error::invalid(format!("instance must be at most {MAX_INSTANCE_LEN} letters, digits, '_', '.' or ':', got '{instance}'")))
}

/// Options of [`OfferRanker::new`], mirroring the JS constructor.
#[derive(Debug, Clone, PartialEq)]
pub struct RankerOptions {
    pub offers: Vec<OfferSpec>,
    /// Gross margin of an average order (money; at most 1 reads as a share, see
    /// [`Economics::from_options`]).
    pub margin: Option<f64>,
    /// Gross margin as a share of order value (default 0.3).
    pub margin_rate: f64,
    /// Share of traffic that explores (default 0.1).
    pub exploration: f64,
    pub seed: u64,
    /// Pending events kept for rewards; an event expires after `capacity` later events (default 1000).
    pub capacity: usize,
    /// Name of this copy of the policy (a worker, a tab): part of every event id, so ids are
    /// unique across a fleet that loaded the same bytes. Letters, digits, `_`, `.`, `:`; ≤ 64.
    pub instance: String,
    /// Share of customers (by a hash of their id) held out as a control group that always gets
    /// "none" (0 to 0.5; default 0).
    pub control_share: f64,
}

impl Default for RankerOptions {
    fn default() -> Self {
        RankerOptions {
            offers: Vec::new(),
            margin: None,
            margin_rate: DEFAULT_MARGIN_RATE,
            exploration: 0.1,
            seed: 0,
            capacity: 1000,
            instance: String::new(),
            control_share: 0.0,
        }
    }
}

/// One offer in a ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedOffer {
    pub offer: String,
    /// The offer's position in the catalogue.
    pub index: usize,
    /// Probability that this offer is the one shown first.
    pub probability: f64,
    /// Expected incremental margin against showing nothing (money; 0 for the control).
    pub expected_value: f64,
    pub reason: String,
}

/// The answer of [`OfferRanker::rank`]: the offer to show is `ranking[0]`; the rest follow by
/// expected value.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub event_id: String,
    pub ranking: Vec<RankedOffer>,
    /// The policy that ranked ([`OfferRanker::policy_version`]).
    pub policy_version: u64,
    /// The customer is in the control group: `ranking[0]` is "none" whatever the policy says.
    pub control: bool,
    /// For a control customer, the catalogue index of the offer the policy would have shown.
    pub intended: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
struct PendingEvent {
    counter: u64,
    offer: u32,
    rewarded: bool,
    /// The prior's expected reward (money-scale units) at rank time: the regression target is
    /// reward / scale − prior.
    prior: f64,
    features: Vec<f64>,
}

/// Per-offer numbers behind one decision.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scores {
    pub eligible: Vec<usize>,
    /// Expected reward in money-scale units, aligned with `eligible`.
    pub mean: Vec<f64>,
    pub prior: Vec<f64>,
    pub estimates: Vec<PriorEstimate>,
    pub probability: Vec<f64>,
    pub shared: Vec<f64>,
    pub greedy: usize,
    scratch: Vec<f64>,
    leverage: Vec<f64>,
}

/// The offer ranker: catalogue, value model, learner, pending events and random stream.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferRanker {
    catalogue: Catalogue,
    economics: Economics,
    exploration: f64,
    seed: u64,
    capacity: usize,
    pub(crate) features: FeatureMap,
    pub(crate) model: LinearValueModel,
    rng: Rng,
    counter: u64,
    events: Vec<Option<PendingEvent>>,
    instance: String,
    control_share: f64,
    /// Bumped by every update of the model (a `reward`, a `learn` batch that applied a record).
    pub(crate) policy_version: u64,
    /// Hashes of the event ids learned from by `learn`, sorted: a record is learned once.
    pub(crate) learned: Vec<u64>,
    /// Raw rewards learned per catalogue offer: count, sum, sum of squares (for `stats`).
    pub(crate) outcomes: Vec<(u64, f64, f64)>,
    /// Reused buffers of `rank` (not part of the state).
    scratch: Scratch,
}

/// Reused buffers; always equal so they do not affect comparisons of rankers.
#[derive(Debug, Clone, Default)]
struct Scratch(Scores);

impl PartialEq for Scratch {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl PartialEq for Rng {
    fn eq(&self, other: &Self) -> bool {
        self.state() == other.state()
    }
}

fn seed_tag(seed: u64) -> u32 {
    let mut r = Rng::new(seed ^ 0x6f66_6665_7273);
    (r.next_u64() >> 32) as u32
}

/// FNV-1a over the bytes, finished with the splitmix64 mixer (so nearby ids spread evenly).
pub(crate) fn hash_id(id: &str) -> u64 {
    let mut h = crate::codec::fnv1a64(id.as_bytes());
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Whether `customer` is in a control group of `share` of all customers: a fixed hash of the id
/// (no seed, so every ranker, worker, policy version and campaign plan agrees, and a customer
/// stays in their group).
pub fn in_control_group(customer: &str, share: f64) -> bool {
    share > 0.0 && ((hash_id(customer) >> 11) as f64 / (1u64 << 53) as f64) < share
}

/// Φ(−z) approximated by the logistic 1 / (1 + e^{1.702 z}) (max error 0.01; Bowling et al. 2009).
fn normal_tail(z: f64) -> f64 {
    1.0 / (1.0 + (1.702 * z).exp())
}

impl OfferRanker {
    pub fn new(options: RankerOptions) -> Result<Self> {
        let catalogue = Catalogue::new(options.offers)?;
        let economics = Economics::from_options(options.margin, options.margin_rate)?;
        check_scalar("exploration", options.exploration, 0.0, 1.0)?;
        if options.capacity == 0 || options.capacity > MAX_CAPACITY {
            return Err(Error::invalid(format!(
                "capacity must be between 1 and {MAX_CAPACITY}, got {}",
                options.capacity
            )));
        }
        check_scalar("controlShare", options.control_share, 0.0, MAX_CONTROL_SHARE)?;
        check_instance(&options.instance)?;
        let features = FeatureMap::default();
        let model = LinearValueModel::new(catalogue.len(), features.offer_penalty_scales());
        Ok(OfferRanker {
            instance: options.instance,
            control_share: options.control_share,
            policy_version: 0,
            learned: Vec::new(),
            outcomes: vec![(0, 0.0, 0.0); catalogue.len()],
            economics,
            exploration: options.exploration,
            seed: options.seed,
            capacity: options.capacity,
            features,
            model,
            rng: Rng::new(options.seed),
            counter: 0,
            events: vec![None; options.capacity.min(1024)],
            scratch: Scratch::default(),
            catalogue,
        })
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }
    pub fn economics(&self) -> &Economics {
        &self.economics
    }
    pub fn exploration(&self) -> f64 {
        self.exploration
    }
    /// Rewards learned from so far.
    pub fn rewards_seen(&self) -> u64 {
        self.model.y_count
    }
    /// Version of the policy: 0 when created, bumped by every model update. Decision records
    /// carry it, so a learner can tell which policy logged them.
    pub fn policy_version(&self) -> u64 {
        self.policy_version
    }
    pub fn instance(&self) -> &str {
        &self.instance
    }
    /// Renames this copy of the policy (part of every later event id): a worker that loads
    /// published bytes names itself, so copies of the same bytes — and the same worker after a
    /// reload, whose counter restarts at the bytes' — never mint the same id.
    pub fn set_instance(&mut self, instance: &str) -> Result<()> {
        check_instance(instance)?;
        self.instance = instance.to_string();
        Ok(())
    }
    pub fn control_share(&self) -> f64 {
        self.control_share
    }

    /// Scores every eligible offer and computes the probabilities; no state changes.
    pub(crate) fn score(&self, context: &Context, s: &mut Scores) {
        self.catalogue.eligible_into(context, &mut s.eligible);
        self.features.shared_features(context, &self.economics, &mut s.shared);
        let scale = self.economics.money_scale();
        let noise = self.model.noise_variance();
        s.mean.clear();
        s.prior.clear();
        s.estimates.clear();
        s.leverage.clear();
        let offers = self.catalogue.offers();
        let none = self.catalogue.none_index();
        let inputs = PriorInputs::new(context, &self.economics);
        for &a in &s.eligible {
            let estimate = inputs.estimate(&offers[a]);
            let p = estimate.expected_reward / scale;
            FeatureMap::set_offer_features(&mut s.shared, &estimate, context.risk, a == none, scale);
            s.mean.push(p + self.model.correction(a, &s.shared));
            s.prior.push(p);
            s.estimates.push(estimate);
            s.leverage.push(self.model.leverage(a, &s.shared, &mut s.scratch));
        }
        // Greedy: the highest mean; ties go to the control, then to the earlier offer.
        let mut best = s.eligible.iter().position(|&a| a == none).unwrap_or(0);
        for k in 0..s.eligible.len() {
            if s.mean[k] > s.mean[best] {
                best = k;
            }
        }
        s.greedy = best;
        let k_eligible = s.eligible.len();
        s.probability.clear();
        s.probability.resize(k_eligible, 0.0);
        if k_eligible == 1 {
            s.probability[0] = 1.0;
            return;
        }
        let eps = self.exploration;
        let ushare = UNIFORM_EXPLORATION_SHARE;
        let uniform = eps * ushare / k_eligible as f64;
        let mut weights_total = 0.0;
        for k in 0..k_eligible {
            let w = if k == best {
                0.5
            } else {
                let sd = (noise * (s.leverage[k] + s.leverage[best])).sqrt().max(1e-12);
                normal_tail(EXPLORATION_SHARPNESS * (s.mean[best] - s.mean[k]) / sd)
            };
            s.probability[k] = w;
            weights_total += w;
        }
        let adaptive = eps * (1.0 - ushare) / weights_total;
        for k in 0..k_eligible {
            s.probability[k] = uniform + adaptive * s.probability[k];
        }
        s.probability[best] += 1.0 - eps;
    }

    /// The probability of each eligible offer being shown first in `context`, as (offer index,
    /// probability); deterministic, consumes no randomness and creates no event.
    pub fn probabilities(&self, context: &Context) -> Result<Vec<(usize, f64)>> {
        context.validate("context")?;
        let mut s = Scores::default();
        self.score(context, &mut s);
        Ok(s.eligible.iter().copied().zip(s.probability.iter().copied()).collect())
    }

    /// Expected reward (money) of every offer in the catalogue for `context`, eligible or not,
    /// from the current model (prior + learned correction).
    pub fn expected_rewards(&self, context: &Context) -> Result<Vec<f64>> {
        context.validate("context")?;
        let mut shared = Vec::new();
        self.features.shared_features(context, &self.economics, &mut shared);
        let scale = self.economics.money_scale();
        let none = self.catalogue.none_index();
        let inputs = PriorInputs::new(context, &self.economics);
        Ok(self
            .catalogue
            .offers()
            .iter()
            .enumerate()
            .map(|(a, o)| {
                let estimate = inputs.estimate(o);
                FeatureMap::set_offer_features(&mut shared, &estimate, context.risk, a == none, scale);
                (estimate.expected_reward / scale + self.model.correction(a, &shared)) * scale
            })
            .collect())
    }

    /// The features and prior (money-scale units) with which `offer` would be learned for
    /// `context` — what `rank` stores with an event; `learn` recomputes them from a record. Kept
    /// out of line: `learn` and `report` share one copy.
    #[inline(never)]
    pub(crate) fn features_for(&self, context: &Context, offer: usize, out: &mut Vec<f64>) -> crate::offers::value::PriorEstimate {
        let estimate = PriorInputs::new(context, &self.economics).estimate(&self.catalogue.offers()[offer]);
        self.features.shared_features(context, &self.economics, out);
        let none = self.catalogue.none_index();
        FeatureMap::set_offer_features(out, &estimate, context.risk, offer == none, self.economics.money_scale());
        estimate
    }

    /// Everything of an event id before its counter.
    fn event_prefix(&self) -> String {
        if self.instance.is_empty() {
            format!("{:08x}", seed_tag(self.seed))
        } else {
            format!("{:08x}-{}", seed_tag(self.seed), self.instance)
        }
    }

    fn event_id(&self, counter: u64) -> String {
        format!("{}-{counter}", self.event_prefix())
    }

    /// Short human text, e.g. "bonus points: +2.1 expected margin ±0.8 (340 rewards); lapsing
    /// customer": the expected incremental margin, the 95 % half-width of the offer's value in
    /// this context from its own rewards (1.96 × sd, the width that sizes exploration) and its
    /// reward count. Built with integer formatting (float formatting dominated `rank`'s time
    /// and the wasm size).
    fn reason(&self, offer: usize, incremental: f64, half_width: f64, context: &Context) -> String {
        use std::fmt::Write;
        let o = &self.catalogue.offers()[offer];
        let who = if context.risk >= 0.6 {
            "lapsing customer"
        } else if context.risk <= 0.3 {
            "likely buys anyway"
        } else {
            "may lapse"
        };
        let mut text = String::with_capacity(80);
        text.push_str(o.kind.label());
        if o.kind == OfferKind::None {
            text.push_str(": the control; ");
            text.push_str(who);
            return text;
        }
        text.push_str(": ");
        push_tenths(&mut text, incremental, true);
        text.push_str(" expected margin");
        let n = self.model.rewards_seen(offer);
        if n == 0 {
            text.push_str(" (prior");
        } else {
            text.push_str(" \u{b1}");
            push_tenths(&mut text, half_width, false);
            let _ = write!(text, " ({n} rewards");
        }
        text.push_str("); ");
        text.push_str(who);
        text
    }

    /// Ranks the eligible offers, picks the one to show (`ranking[0]`) and records the event.
    pub fn rank(&mut self, context: &Context) -> Result<Ranking> {
        context.validate("context")?;
        check_money(context)?;
        if self.features.learn_names(context) {
            self.model.grow(&self.features.offer_penalty_scales());
        }
        let control = match (&context.customer, self.control_share > 0.0) {
            (_, false) => false,
            (Some(customer), true) => in_control_group(customer, self.control_share),
            (None, true) => return Err(Error::invalid("context.customer is required when the ranker has a controlShare")),
        };
        let mut s = std::mem::take(&mut self.scratch.0);
        self.score(context, &mut s);
        let none = self.catalogue.none_index();
        let u = self.rng.uniform();
        let mut chosen = s.greedy;
        let mut acc = 0.0;
        for (k, p) in s.probability.iter().enumerate() {
            acc += p;
            if u < acc {
                chosen = k;
                break;
            }
        }
        let mut intended = None;
        if control {
            intended = Some(s.eligible[chosen]);
            // "none" is always eligible (the catalogue adds it).
            chosen = s.eligible.iter().position(|&a| a == none).unwrap_or(chosen);
        }
        if self.control_share > 0.0 {
            let share = self.control_share;
            for (k, p) in s.probability.iter_mut().enumerate() {
                *p = (1.0 - share) * *p + if s.eligible[k] == none { share } else { 0.0 };
            }
        }
        let counter = self.counter;
        self.counter += 1;
        let offer = s.eligible[chosen];
        let mut features = s.shared.clone();
        let scale = self.economics.money_scale();
        FeatureMap::set_offer_features(&mut features, &s.estimates[chosen], context.risk, offer == none, scale);
        if self.events.len() < self.capacity && (counter as usize) >= self.events.len() {
            let grown = (self.events.len() * 2).min(self.capacity);
            self.events.resize(grown, None);
        }
        let slot = (counter % self.capacity as u64) as usize;
        self.events[slot] =
            Some(PendingEvent { counter, offer: offer as u32, rewarded: false, prior: s.prior[chosen], features });

        let none_mean = s.eligible.iter().position(|&a| a == none).map(|k| s.mean[k]).unwrap_or(0.0);
        let mut order: Vec<usize> = (0..s.eligible.len()).filter(|&k| k != chosen).collect();
        crate::sort::sort_by(&mut order, &|&x, &y| s.mean[y].total_cmp(&s.mean[x]).then(x.cmp(&y)));
        order.insert(0, chosen);
        let noise = self.model.noise_variance();
        let half_width = |k: usize| INTERVAL_Z * (noise * s.leverage[k]).sqrt() * scale;
        let ranking = order
            .into_iter()
            .map(|k| {
                let a = s.eligible[k];
                let incremental = (s.mean[k] - none_mean) * scale;
                RankedOffer {
                    offer: self.catalogue.offers()[a].id.clone(),
                    index: a,
                    probability: s.probability[k],
                    expected_value: incremental,
                    reason: self.reason(a, incremental, half_width(k), context),
                }
            })
            .collect::<Vec<_>>();
        self.scratch.0 = s;
        let mut ranking = ranking;
        if control {
            ranking[0].reason = format!("control group: {}", ranking[0].reason);
        }
        Ok(Ranking { event_id: self.event_id(counter), ranking, policy_version: self.policy_version, control, intended })
    }

    /// Learns from the reward (e.g. margin earned, net of the offer's cost) of a ranked event.
    pub fn reward(&mut self, event_id: &str, reward: f64) -> Result<()> {
        if reward.is_nan() {
            return Err(Error::invalid("reward is NaN"));
        }
        if !reward.is_finite() {
            return Err(Error::invalid(format!("reward must be finite, got {reward}", reward = Decimal(reward))));
        }
        let unknown = || Error::unknown("event", event_id);
        let (prefix, counter) = event_id.rsplit_once('-').ok_or_else(unknown)?;
        if prefix != self.event_prefix() {
            return Err(unknown());
        }
        let counter: u64 = counter.parse().map_err(|_| unknown())?;
        if counter >= self.counter || self.counter - counter > self.capacity as u64 {
            return Err(unknown());
        }
        let slot = (counter % self.capacity as u64) as usize;
        let event = match self.events.get_mut(slot) {
            Some(Some(e)) if e.counter == counter => e,
            _ => return Err(unknown()),
        };
        if event.rewarded {
            return Err(Error::invalid(format!("event '{event_id}' was already rewarded")));
        }
        if reward.abs() > MAX_MONEY {
            return Err(Error::invalid(format!("reward must be between -{m} and {m}, got {reward}", m = Scientific(MAX_MONEY), reward = Decimal(reward))));
        }
        let scale = self.economics.money_scale();
        let y = reward / scale - event.prior;
        let offer = event.offer as usize;
        self.model.update(offer, &event.features, y)?;
        event.rewarded = true;
        event.features = Vec::new();
        self.record_outcome(offer, reward);
        self.policy_version += 1;
        Ok(())
    }

    /// Counts a learned reward in the per-offer outcomes.
    pub(crate) fn record_outcome(&mut self, offer: usize, reward: f64) {
        let o = &mut self.outcomes[offer];
        o.0 += 1;
        o.1 += reward;
        o.2 += reward * reward;
    }

    /// Saves the catalogue, options, learned statistics, pending events and random state.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"OFFR");
        let offers = self.catalogue.offers();
        w.put_u64(offers.len() as u64);
        for o in offers {
            w.put_str(&o.id);
            w.put_u8(o.kind.code());
            w.put_f64(o.value);
            put_opt(&mut w, o.cost);
            match &o.eligible.segments {
                Some(s) => {
                    w.put_bool(true);
                    w.put_strs(s);
                }
                None => w.put_bool(false),
            }
            put_opt(&mut w, o.eligible.min_risk);
            put_opt(&mut w, o.eligible.max_risk);
            put_opt(&mut w, o.eligible.min_clv);
        }
        put_opt(&mut w, self.economics.margin);
        w.put_f64(self.economics.margin_rate);
        w.put_f64(self.exploration);
        w.put_u64(self.seed);
        w.put_u64(self.capacity as u64);
        for s in self.rng.state() {
            w.put_u64(s);
        }
        w.put_u64(self.counter);
        w.put_u64(self.features.extras.len() as u64);
        for e in &self.features.extras {
            match e {
                ExtraFeature::Segment(n) => {
                    w.put_u8(0);
                    w.put_str(n);
                }
                ExtraFeature::User(n) => {
                    w.put_u8(1);
                    w.put_str(n);
                }
            }
        }
        for stats in std::iter::once(&self.model.pooled).chain(self.model.per_offer.iter()) {
            w.put_f64s(&stats.gram);
            w.put_f64s(&stats.xy);
            w.put_u64(stats.count);
        }
        w.put_f64s(&self.model.scale);
        w.put_u64(self.model.y_count);
        w.put_f64(self.model.y_mean);
        w.put_f64(self.model.y_m2);
        w.put_u64(self.events.len() as u64);
        let pending: Vec<&PendingEvent> = self.events.iter().flatten().collect();
        w.put_u64(pending.len() as u64);
        for e in pending {
            w.put_u64(e.counter);
            w.put_u32(e.offer);
            w.put_bool(e.rewarded);
            w.put_f64(e.prior);
            w.put_f64s(&e.features);
        }
        // Added with the offer loop; bytes without them load with the defaults.
        w.put_str(&self.instance);
        w.put_f64(self.control_share);
        w.put_u64(self.policy_version);
        w.put_u64(self.learned.len() as u64);
        for h in &self.learned {
            w.put_u64(*h);
        }
        for (count, sum, squares) in &self.outcomes {
            w.put_u64(*count);
            w.put_f64(*sum);
            w.put_f64(*squares);
        }
        w.finish()
    }

    /// Restores a ranker saved by [`to_bytes`](Self::to_bytes), validating every value.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open(bytes, b"OFFR")?;
        let n = r.get_len(8)?;
        let mut specs = Vec::with_capacity(n);
        for _ in 0..n {
            let id = r.get_str()?;
            let kind = OfferKind::from_code(r.get_u8()?).ok_or_else(|| Error::corrupt("unknown offer kind"))?;
            let value = r.get_f64()?;
            let cost = get_opt(&mut r)?;
            let segments = if r.get_bool()? { Some(r.get_strs()?) } else { None };
            let min_risk = get_opt(&mut r)?;
            let max_risk = get_opt(&mut r)?;
            let min_clv = get_opt(&mut r)?;
            specs.push(OfferSpec {
                id: Some(id),
                kind: kind.as_str().to_string(),
                value: if kind == OfferKind::None { None } else { Some(value) },
                cost,
                eligible: Eligibility { segments, min_risk, max_risk, min_clv },
            });
        }
        let margin = get_opt(&mut r)?;
        let margin_rate = r.get_f64()?;
        let exploration = r.get_f64()?;
        let seed = r.get_u64()?;
        let capacity = r.get_u64()?;
        if capacity == 0 || capacity > MAX_CAPACITY as u64 {
            return Err(Error::corrupt("capacity out of range"));
        }
        let catalogue_len = specs.len();
        let mut ranker = OfferRanker::new(RankerOptions {
            offers: specs,
            margin,
            margin_rate,
            exploration,
            seed,
            capacity: capacity as usize,
            ..RankerOptions::default()
        })
        .map_err(|e| Error::corrupt(format!("saved options are invalid: {e}")))?;
        if ranker.catalogue.len() != catalogue_len {
            return Err(Error::corrupt("saved catalogue lacks its 'none' offer"));
        }
        let state = [r.get_u64()?, r.get_u64()?, r.get_u64()?, r.get_u64()?];
        ranker.rng = Rng::from_state(state);
        ranker.counter = r.get_u64()?;
        let extras = r.get_len(9)?;
        if extras > MAX_EXTRA_FEATURES {
            return Err(Error::corrupt("too many feature dimensions"));
        }
        for _ in 0..extras {
            let tag = r.get_u8()?;
            let name = r.get_str()?;
            ranker.features.extras.push(match tag {
                0 => ExtraFeature::Segment(name),
                1 => ExtraFeature::User(name),
                _ => return Err(Error::corrupt("unknown feature kind")),
            });
        }
        let dim = FIXED_FEATURES + PER_EXTRA * extras;
        let mut read_stats = || -> Result<(Vec<f64>, Vec<f64>, u64)> {
            let gram = r.get_f64s()?;
            let xy = r.get_f64s()?;
            let count = r.get_u64()?;
            if gram.len() != dim * dim || xy.len() != dim {
                return Err(Error::corrupt("model statistics have inconsistent lengths"));
            }
            Ok((gram, xy, count))
        };
        let pooled = read_stats()?;
        let mut per_offer = Vec::with_capacity(catalogue_len);
        for _ in 0..catalogue_len {
            per_offer.push(read_stats()?);
        }
        let scale = r.get_f64s()?;
        if scale.len() != dim {
            return Err(Error::corrupt("feature scales have the wrong length"));
        }
        let y = (r.get_u64()?, r.get_f64()?, r.get_f64()?);
        ranker.model = LinearValueModel::from_parts(pooled, per_offer, scale, y)?;
        let slots = r.get_u64()?;
        if slots == 0 || slots > capacity {
            return Err(Error::corrupt("event buffer size out of range"));
        }
        ranker.events = vec![None; slots as usize];
        let pending = r.get_len(8 + 4 + 1 + 8 + 8)?;
        for _ in 0..pending {
            let counter = r.get_u64()?;
            let offer = r.get_u32()?;
            let rewarded = r.get_bool()?;
            let prior = r.get_finite_f64()?;
            let features = r.get_f64s()?;
            if counter >= ranker.counter || ranker.counter - counter > capacity {
                return Err(Error::corrupt("a pending event is outside the reward window"));
            }
            if offer as usize >= catalogue_len {
                return Err(Error::corrupt("a pending event names an offer out of range"));
            }
            if features.len() > dim || features.iter().any(|v| !v.is_finite()) || (!rewarded && features.len() < FIXED_FEATURES) {
                return Err(Error::corrupt("a pending event has invalid features"));
            }
            let slot = (counter % capacity) as usize;
            match ranker.events.get_mut(slot) {
                Some(s @ None) => *s = Some(PendingEvent { counter, offer, rewarded, prior, features }),
                _ => return Err(Error::corrupt("pending events overlap")),
            }
        }
        if r.remaining() > 0 {
            ranker.instance = r.get_str()?;
            ranker.control_share = r.get_finite_f64()?;
            if check_instance(&ranker.instance).is_err() || !(0.0..=MAX_CONTROL_SHARE).contains(&ranker.control_share) {
                return Err(Error::corrupt("instance or control share out of range"));
            }
            ranker.policy_version = r.get_u64()?;
            let learned = r.get_len(8)?;
            ranker.learned = (0..learned).map(|_| r.get_u64()).collect::<Result<_>>()?;
            if ranker.learned.windows(2).any(|w| w[0] >= w[1]) {
                return Err(Error::corrupt("learned event ids are not sorted"));
            }
            for o in ranker.outcomes.iter_mut() {
                *o = (r.get_u64()?, r.get_finite_f64()?, r.get_finite_f64()?);
            }
        }
        r.finish()?;
        Ok(ranker)
    }
}

fn check_money(context: &Context) -> Result<()> {
    if context.clv > MAX_MONEY {
        return Err(Error::invalid(format!("context.clv must be at most {}, got {}", Scientific(MAX_MONEY), Decimal(context.clv))));
    }
    if context.order_value.is_some_and(|v| v > MAX_MONEY) {
        return Err(Error::invalid(format!("context.orderValue must be at most {}", Scientific(MAX_MONEY))));
    }
    Ok(())
}

/// Appends `value` rounded to tenths ("2.1", with `signed` "+2.1" / "-2.1") by integer
/// formatting (no float formatting machinery in the wasm).
fn push_tenths(text: &mut String, value: f64, signed: bool) {
    use std::fmt::Write;
    let tenths = (value * 10.0).round();
    let tenths = if tenths.is_finite() { tenths.clamp(-1e15, 1e15) as i64 } else { 0 };
    if tenths < 0 {
        text.push('-');
    } else if signed {
        text.push('+');
    }
    let abs = tenths.unsigned_abs();
    let _ = write!(text, "{}.{}", abs / 10, abs % 10);
}

fn put_opt(w: &mut Writer, v: Option<f64>) {
    match v {
        Some(x) => {
            w.put_bool(true);
            w.put_f64(x);
        }
        None => w.put_bool(false),
    }
}

fn get_opt(r: &mut Reader) -> Result<Option<f64>> {
    if r.get_bool()? {
        Ok(Some(r.get_finite_f64()?))
    } else {
        Ok(None)
    }
}


