//! A shop simulator with known true uplift per offer and segment, to test and demonstrate the
//! ranker honestly: customers who buy anyway, offers that lose money on some customers (a big
//! discount to a low-risk big spender), a gift that only works on loyal segments, points that
//! cost less than discounts, free shipping that matters most on small orders.
//!
//! Each customer has a segment, a churn risk, an expected order value, a CLV and a hidden price
//! sensitivity (observed with noise as the feature `discount_affinity`). Without an offer the
//! customer buys with probability `buy_anyway`; an offer wins a share `q` of the others:
//! P(buy | offer) = buy_anyway + (1 − buy_anyway) q. The reward of a purchase is the order's
//! margin minus the offer's cost to the shop; no purchase gives 0. Because the simulator knows
//! these expectations exactly, it exposes the oracle policy (best expected reward per customer)
//! and the true value of any ranker's probabilities.

use crate::error::{Error, Result};
use crate::offers::bandit::{OfferRanker, Ranking, RankerOptions};
use crate::offers::learn::LearnRecord;
use crate::offers::catalogue::{Catalogue, Eligibility, OfferKind, OfferSpec};
use crate::offers::ope::LoggedRow;
use crate::offers::context::Context;
use crate::rng::Rng;

/// One customer segment of the simulated shop.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentProfile {
    pub name: String,
    /// Share of customers (weights are normalised).
    pub weight: f64,
    /// Churn risk ~ Beta(risk_alpha, risk_beta).
    pub risk_alpha: f64,
    pub risk_beta: f64,
    /// Median expected order value; log-normal spread `order_spread`.
    pub order_value: f64,
    pub order_spread: f64,
    /// Future orders (for CLV) = orders × (1 − risk).
    pub orders: f64,
    /// Gifts (and, more weakly, points) work here.
    pub loyal: bool,
    /// Mean price sensitivity (1 = typical); scales discounts and cashback.
    pub price_sensitivity: f64,
}

/// One offer of the simulated shop: its catalogue entry and how strongly it persuades.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOffer {
    pub spec: OfferSpec,
    /// Strength k in q = 1 − exp(−k × incentive) (incentive as a share of the order value, times
    /// the price sensitivity for price offers); for gifts, q itself on loyal customers.
    pub strength: f64,
    /// The shop's true cost per redeeming order as a share of the kind's face cost (points: the
    /// share of points ever redeemed, at cost of goods; cashback: share claimed).
    pub cost_share: f64,
}

/// The simulated shop.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatorConfig {
    pub seed: u64,
    pub segments: Vec<SegmentProfile>,
    pub offers: Vec<SimOffer>,
    /// Gross margin as a share of the order value.
    pub margin_rate: f64,
    /// P(buy anyway) = anyway_scale × (1 − risk) + anyway_shift: risk may be miscalibrated.
    pub anyway_scale: f64,
    pub anyway_shift: f64,
    /// Whether the ranker sees the expected order value in its context.
    pub show_order_value: bool,
    /// Whether the ranker sees `discount_affinity` (price sensitivity + noise).
    pub show_affinity: bool,
    /// Non-loyal customers get this share of a gift's effect.
    pub gift_non_loyal: f64,
}

#[allow(clippy::too_many_arguments)]
fn segment(name: &str, weight: f64, a: f64, b: f64, order: f64, orders: f64, loyal: bool, ps: f64) -> SegmentProfile {
    SegmentProfile {
        name: name.to_string(),
        weight,
        risk_alpha: a,
        risk_beta: b,
        order_value: order,
        order_spread: 0.35,
        orders,
        loyal,
        price_sensitivity: ps,
    }
}

fn offer(spec: OfferSpec, strength: f64, cost_share: f64) -> SimOffer {
    SimOffer { spec, strength, cost_share }
}

impl SimulatorConfig {
    /// The standard shop: RFM segment names, order value shown, eight offers.
    pub fn standard(seed: u64) -> Self {
        SimulatorConfig {
            seed,
            segments: vec![
                segment("Champions", 0.10, 1.5, 8.0, 120.0, 12.0, true, 0.5),
                segment("Loyal Customers", 0.15, 2.0, 7.0, 90.0, 8.0, true, 0.7),
                segment("Potential Loyalists", 0.12, 2.5, 5.0, 70.0, 5.0, false, 0.9),
                segment("New Customers", 0.15, 4.0, 4.0, 60.0, 3.0, false, 1.2),
                segment("Need Attention", 0.10, 3.0, 3.0, 65.0, 3.0, false, 1.0),
                segment("At Risk", 0.14, 5.0, 3.0, 80.0, 3.0, false, 1.0),
                segment("Can't Lose Them", 0.06, 5.0, 3.0, 150.0, 6.0, true, 0.6),
                segment("Hibernating", 0.18, 7.0, 2.0, 50.0, 1.5, false, 1.5),
            ],
            offers: vec![
                offer(OfferSpec::new("none", "none", None), 0.0, 0.0),
                offer(OfferSpec::new("p10", "percent_off", Some(10.0)), 2.9, 1.0),
                offer(OfferSpec::new("p20", "percent_off", Some(20.0)), 2.9, 1.0),
                offer(OfferSpec::new("a10", "amount_off", Some(10.0)), 2.6, 1.0),
                offer(OfferSpec::new("ship", "free_shipping", Some(6.0)), 3.5, 1.0),
                offer(OfferSpec::new("points", "bonus_points", Some(8.0)), 3.0, 0.55),
                offer(OfferSpec::new("cash5", "cashback", Some(5.0)), 2.2, 0.9),
                offer(OfferSpec::new("gift", "gift", Some(15.0)).with_cost(6.0), 0.35, 1.0),
            ],
            margin_rate: 0.35,
            anyway_scale: 1.0,
            anyway_shift: 0.0,
            show_order_value: true,
            show_affinity: true,
            gift_non_loyal: 0.08,
        }
    }

    /// A different shop, kept aside as a check the ranker was not tuned on: custom segment
    /// names, no order value in the context (CLV is the only money signal), miscalibrated risk,
    /// a higher margin, other offers and one with an eligibility rule.
    pub fn alternative(seed: u64) -> Self {
        SimulatorConfig {
            seed,
            segments: vec![
                segment("vip", 0.08, 1.2, 9.0, 200.0, 15.0, true, 0.4),
                segment("regular", 0.22, 2.0, 6.0, 85.0, 6.0, true, 0.8),
                segment("bargain_hunter", 0.25, 3.0, 3.0, 45.0, 3.0, false, 1.8),
                segment("new", 0.25, 4.0, 3.0, 55.0, 2.0, false, 1.1),
                segment("dormant", 0.20, 8.0, 2.0, 60.0, 1.0, false, 1.2),
            ],
            offers: vec![
                offer(OfferSpec::new("p15", "percent_off", Some(15.0)), 2.5, 1.0),
                offer(
                    OfferSpec::new("p30", "percent_off", Some(30.0)).with_eligibility(Eligibility {
                        min_risk: Some(0.5),
                        ..Default::default()
                    }),
                    2.5,
                    1.0,
                ),
                offer(OfferSpec::new("five_off", "amount_off", Some(5.0)), 3.0, 1.0),
                offer(OfferSpec::new("free_ship", "free_shipping", Some(4.9)), 4.0, 1.0),
                offer(OfferSpec::new("points20", "bonus_points", Some(20.0)), 2.0, 0.5),
                offer(OfferSpec::new("cash10", "cashback", Some(10.0)), 1.8, 0.85),
                offer(OfferSpec::new("gift", "gift", Some(25.0)).with_cost(10.0), 0.3, 1.0),
                offer(OfferSpec::new("none", "none", None), 0.0, 0.0),
            ],
            margin_rate: 0.45,
            anyway_scale: 0.85,
            anyway_shift: 0.05,
            show_order_value: false,
            show_affinity: false,
            gift_non_loyal: 0.05,
        }
    }
}

impl SimulatorConfig {
    /// The alternative shop when it knows each customer's expected order value (as most shops
    /// do): a hold-out check written after the ranker was tuned, run once.
    pub fn alternative_with_order_value(seed: u64) -> Self {
        SimulatorConfig { show_order_value: true, ..SimulatorConfig::alternative(seed) }
    }
}

/// A simulated customer: what the ranker sees and what it does not.
#[derive(Debug, Clone, PartialEq)]
pub struct SimCustomer {
    pub context: Context,
    pub segment: usize,
    pub order_value: f64,
    pub price_sensitivity: f64,
    pub buy_anyway: f64,
}

/// Cumulative rewards of the ranker and of reference policies on the same customers.
/// `*_expected` sums the true expected reward of each policy's choice (noise-free); `*_realized`
/// sums realised rewards with common random numbers (the same purchase draw for every policy).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationReport {
    pub rounds: usize,
    pub ranker_realized: f64,
    pub ranker_expected: f64,
    pub oracle_expected: f64,
    pub oracle_realized: f64,
    pub none_expected: f64,
    pub none_realized: f64,
    /// (offer id, expected cumulative reward of always showing it when eligible, else none).
    pub fixed_expected: Vec<(String, f64)>,
    /// (ranker − none) / (oracle − none), in expectation.
    pub captured_share: f64,
}

/// The simulator.
#[derive(Debug, Clone)]
pub struct Simulator {
    config: SimulatorConfig,
    catalogue: Catalogue,
    /// Catalogue index → config offer index.
    offer_of: Vec<usize>,
    rng: Rng,
    cumulative_weights: Vec<f64>,
}

/// Gamma(shape, 1) by Marsaglia-Tsang (2000), with the shape < 1 boost.
fn gamma(rng: &mut Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = rng.uniform().max(f64::MIN_POSITIVE);
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = rng.normal();
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = rng.uniform();
        if u < 1.0 - 0.0331 * x.powi(4) || u.max(f64::MIN_POSITIVE).ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

fn beta(rng: &mut Rng, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    x / (x + y)
}

impl Simulator {
    pub fn new(config: SimulatorConfig) -> Result<Self> {
        if config.segments.is_empty() {
            return Err(Error::invalid("segments is empty"));
        }
        for (i, s) in config.segments.iter().enumerate() {
            let ok = [s.weight, s.risk_alpha, s.risk_beta, s.order_value, s.orders, s.price_sensitivity]
                .iter()
                .all(|v| v.is_finite() && *v >= 0.0)
                && s.risk_alpha > 0.0
                && s.risk_beta > 0.0
                && s.order_value > 0.0
                && s.order_spread.is_finite()
                && s.order_spread >= 0.0;
            if !ok {
                return Err(Error::invalid(format!("segments[{i}] has an invalid parameter")));
            }
        }
        let total: f64 = config.segments.iter().map(|s| s.weight).sum();
        if total.is_nan() || total <= 0.0 {
            return Err(Error::invalid("segment weights sum to 0"));
        }
        let mut acc = 0.0;
        let cumulative_weights = config
            .segments
            .iter()
            .map(|s| {
                acc += s.weight / total;
                acc
            })
            .collect();
        let catalogue = Catalogue::new(config.offers.iter().map(|o| o.spec.clone()).collect())?;
        let offer_of = catalogue
            .offers()
            .iter()
            .map(|o| config.offers.iter().position(|s| s.spec.id.as_deref() == Some(o.id.as_str())))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| Error::invalid("the simulator's offers must list 'none' explicitly"))?;
        Ok(Simulator { rng: Rng::new(config.seed), config, catalogue, offer_of, cumulative_weights })
    }

    pub fn config(&self) -> &SimulatorConfig {
        &self.config
    }

    /// The offers to give a ranker (catalogue specs in the simulator's order).
    pub fn offers(&self) -> Vec<OfferSpec> {
        self.catalogue.specs()
    }

    /// The margin of an average order: the weighted mean order value times the margin rate.
    pub fn average_margin(&self) -> f64 {
        let total: f64 = self.config.segments.iter().map(|s| s.weight).sum();
        self.config
            .segments
            .iter()
            .map(|s| s.weight / total * s.order_value * (0.5 * s.order_spread * s.order_spread).exp())
            .sum::<f64>()
            * self.config.margin_rate
    }

    /// Ranker options for this shop: its offers, average margin and margin rate, default
    /// exploration.
    pub fn ranker_options(&self, seed: u64) -> RankerOptions {
        RankerOptions {
            offers: self.offers(),
            margin: Some(self.average_margin()),
            margin_rate: self.config.margin_rate,
            seed,
            ..Default::default()
        }
    }

    /// Draws the next customer.
    pub fn draw_customer(&mut self) -> SimCustomer {
        Self::draw_customer_with(&self.config, &self.cumulative_weights, &mut self.rng)
    }

    fn draw_customer_with(config: &SimulatorConfig, weights: &[f64], rng: &mut Rng) -> SimCustomer {
        let u = rng.uniform();
        let segment = weights.iter().position(|w| u < *w).unwrap_or(weights.len() - 1);
        let s = &config.segments[segment];
        let risk = beta(rng, s.risk_alpha, s.risk_beta).clamp(0.0, 1.0);
        let order_value = s.order_value * (s.order_spread * rng.normal()).exp();
        let price_sensitivity = s.price_sensitivity * (0.3 * rng.normal()).exp();
        let orders = s.orders * (1.0 - risk) * (0.5 * rng.normal()).exp();
        let clv = order_value * config.margin_rate * orders;
        let buy_anyway = (config.anyway_scale * (1.0 - risk) + config.anyway_shift).clamp(0.0, 1.0);
        let mut context = Context::new(risk, clv).with_segment(&s.name);
        if config.show_order_value {
            context.order_value = Some(order_value);
        }
        if config.show_affinity {
            let noisy = price_sensitivity + 0.25 * rng.normal();
            context.features.push(("discount_affinity".to_string(), noisy));
        }
        SimCustomer { context, segment, order_value, price_sensitivity, buy_anyway }
    }

    /// (share of would-not-buy customers won, expected cost per redeeming order, cost that scales
    /// with the order value) for catalogue offer `offer`.
    fn offer_effect(&self, c: &SimCustomer, offer: usize) -> (f64, f64, f64) {
        let o = &self.config.offers[self.offer_of[offer]];
        let kind = self.catalogue.offers()[offer].kind;
        let v = o.spec.value.unwrap_or(0.0);
        let s = &self.config.segments[c.segment];
        let ov = c.order_value;
        let saturate = |x: f64| 1.0 - (-o.strength * x).exp();
        match kind {
            OfferKind::None => (0.0, 0.0, 0.0),
            OfferKind::PercentOff => (saturate(c.price_sensitivity * v / 100.0), 0.0, o.cost_share * v / 100.0),
            OfferKind::AmountOff => (saturate(c.price_sensitivity * v / ov), o.cost_share * v, 0.0),
            OfferKind::FreeShipping => (saturate(v / ov), o.cost_share * v, 0.0),
            OfferKind::BonusPoints => {
                let loyal = if s.loyal { 1.0 } else { 0.4 };
                (loyal * saturate(v / ov), o.cost_share * v, 0.0)
            }
            OfferKind::Cashback => (saturate(c.price_sensitivity * v / 100.0), 0.0, o.cost_share * v / 100.0),
            OfferKind::Gift => {
                let effect = if s.loyal { o.strength } else { o.strength * self.config.gift_non_loyal };
                (effect, o.cost_share * o.spec.cost.unwrap_or(v), 0.0)
            }
        }
    }

    /// True P(buy) under catalogue offer `offer`.
    pub fn purchase_probability(&self, c: &SimCustomer, offer: usize) -> f64 {
        let (q, _, _) = self.offer_effect(c, offer);
        c.buy_anyway + (1.0 - c.buy_anyway) * q
    }

    /// True expected reward of catalogue offer `offer` for customer `c` (eligibility ignored).
    pub fn expected_reward(&self, c: &SimCustomer, offer: usize) -> f64 {
        let (q, fixed_cost, rate_cost) = self.offer_effect(c, offer);
        let p = c.buy_anyway + (1.0 - c.buy_anyway) * q;
        p * (c.order_value * (self.config.margin_rate - rate_cost) - fixed_cost)
    }

    /// Realised reward given the purchase draw `u` and order-value noise `z` (common to policies).
    pub fn realized_reward(&self, c: &SimCustomer, offer: usize, u: f64, z: f64) -> f64 {
        let (q, fixed_cost, rate_cost) = self.offer_effect(c, offer);
        let p = c.buy_anyway + (1.0 - c.buy_anyway) * q;
        if u >= p {
            return 0.0;
        }
        // Realised order value: mean-preserving log-normal noise around the expected value.
        let ov = c.order_value * (0.3 * z - 0.045).exp();
        ov * (self.config.margin_rate - rate_cost) - fixed_cost
    }

    /// Catalogue index of the offer with the best true expected reward among the eligible ones.
    pub fn oracle(&self, c: &SimCustomer) -> usize {
        let mut best = self.catalogue.none_index();
        let mut best_value = self.expected_reward(c, best);
        for a in self.catalogue.eligible(&c.context) {
            let v = self.expected_reward(c, a);
            if v > best_value {
                best = a;
                best_value = v;
            }
        }
        best
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Runs `rounds` rounds: rank, show `ranking[0]`, draw the outcome, feed the reward back.
    pub fn run(&mut self, ranker: &mut OfferRanker, rounds: usize) -> Result<SimulationReport> {
        let mut report = self.empty_report(rounds);
        let mut fixed = vec![0.0; self.catalogue.len()];
        for _ in 0..rounds {
            let (_, ranking, r) = self.play(ranker, &mut report, &mut fixed)?;
            ranker.reward(&ranking.event_id, r)?;
        }
        self.finish_report(&mut report, fixed);
        Ok(report)
    }

    /// One round: draws a customer, asks `ranker`, and tallies the shown offer, the oracle's,
    /// "none" and each fixed offer into `report`; returns the customer, the ranking and the
    /// realised reward of what was shown.
    fn play(&mut self, ranker: &mut OfferRanker, report: &mut SimulationReport, fixed: &mut [f64]) -> Result<(SimCustomer, Ranking, f64)> {
        let none = self.catalogue.none_index();
        let c = self.draw_customer();
        let u = self.rng.uniform();
        let z = self.rng.normal();
        let ranking = ranker.rank(&c.context)?;
        let shown = &ranking.ranking[0].offer;
        let a = self.catalogue.index_of(shown).ok_or_else(|| Error::unknown("offer", shown.clone()))?;
        let r = self.realized_reward(&c, a, u, z);
        report.ranker_realized += r;
        report.ranker_expected += self.expected_reward(&c, a);
        let best = self.oracle(&c);
        report.oracle_expected += self.expected_reward(&c, best);
        report.oracle_realized += self.realized_reward(&c, best, u, z);
        report.none_expected += self.expected_reward(&c, none);
        report.none_realized += self.realized_reward(&c, none, u, z);
        for (b, f) in fixed.iter_mut().enumerate() {
            let shown = if self.catalogue.offers()[b].is_eligible(&c.context) { b } else { none };
            *f += self.expected_reward(&c, shown);
        }
        Ok((c, ranking, r))
    }

    /// The offer loop as a fleet runs it: ranks `batch` customers with a frozen policy, logs
    /// each decision with its reward, then [`OfferRanker::learn`]s from the log; repeats for
    /// `rounds` customers in all. Rewards reach the ranker only through `learn`.
    pub fn run_batched(&mut self, ranker: &mut OfferRanker, rounds: usize, batch: usize) -> Result<SimulationReport> {
        if batch == 0 {
            return Err(Error::invalid("batch must be at least 1"));
        }
        let mut report = self.empty_report(rounds);
        let mut fixed = vec![0.0; self.catalogue.len()];
        let mut records = Vec::with_capacity(batch.min(rounds));
        let mut played = 0;
        while played < rounds {
            records.clear();
            for _ in 0..batch.min(rounds - played) {
                let (c, ranking, reward) = self.play(ranker, &mut report, &mut fixed)?;
                records.push(LearnRecord {
                    event_id: ranking.event_id,
                    policy_version: ranking.policy_version,
                    probability: ranking.ranking[0].probability,
                    offer: ranking.ranking[0].offer.clone(),
                    context: c.context,
                    reward,
                    control: ranking.control,
                    intended: ranking.intended.map(|a| ranker.catalogue().offers()[a].id.clone()),
                });
                played += 1;
            }
            ranker.learn(&records)?;
        }
        self.finish_report(&mut report, fixed);
        Ok(report)
    }

    fn empty_report(&self, rounds: usize) -> SimulationReport {
        SimulationReport {
            rounds,
            ranker_realized: 0.0,
            ranker_expected: 0.0,
            oracle_expected: 0.0,
            oracle_realized: 0.0,
            none_expected: 0.0,
            none_realized: 0.0,
            fixed_expected: Vec::new(),
            captured_share: 0.0,
        }
    }

    fn finish_report(&self, report: &mut SimulationReport, fixed: Vec<f64>) {
        report.fixed_expected =
            self.catalogue.offers().iter().map(|o| o.id.clone()).zip(fixed).collect();
        let gap = report.oracle_expected - report.none_expected;
        report.captured_share = if gap > 0.0 { (report.ranker_expected - report.none_expected) / gap } else { 0.0 };
    }

    /// True value (mean expected reward per customer) of `ranker`'s current probabilities, over
    /// `customers` customers drawn from a stream fixed by `seed` (ranker state is not changed).
    pub fn policy_value(&self, ranker: &OfferRanker, customers: usize, seed: u64) -> Result<f64> {
        if customers == 0 {
            return Err(Error::invalid("customers must be at least 1"));
        }
        let mut rng = Rng::new(seed);
        let mut total = 0.0;
        for _ in 0..customers {
            let c = Self::draw_customer_with(&self.config, &self.cumulative_weights, &mut rng);
            for (offer, p) in ranker.probabilities(&c.context)? {
                let id = &ranker.catalogue().offers()[offer].id;
                let a = self.catalogue.index_of(id).ok_or_else(|| Error::unknown("offer", id.clone()))?;
                total += p * self.expected_reward(&c, a);
            }
        }
        Ok(total / customers as f64)
    }

    /// A log of `rows` rounds where the offer was chosen uniformly at random among the eligible
    /// ones (probability 1 / number eligible), with realised rewards.
    pub fn uniform_log(&mut self, rows: usize) -> Vec<LoggedRow> {
        let mut log = Vec::with_capacity(rows);
        for _ in 0..rows {
            let c = self.draw_customer();
            let eligible = self.catalogue.eligible(&c.context);
            let a = eligible[self.rng.below(eligible.len())];
            let u = self.rng.uniform();
            let z = self.rng.normal();
            let reward = self.realized_reward(&c, a, u, z);
            log.push(LoggedRow {
                context: c.context,
                offer: self.catalogue.offers()[a].id.clone(),
                probability: 1.0 / eligible.len() as f64,
                reward,
            });
        }
        log
    }
}
