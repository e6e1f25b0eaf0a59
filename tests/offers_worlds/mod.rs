//! Shops for testing the offer ranker from outside, written from the acceptance text of issue 4
//! alone ("customers who buy anyway, offers that lose money on some customers, a gift that only
//! works for loyal segments") with functional forms unlike the crate's own simulator, plus a
//! plain linear epsilon-greedy learner to compare against.
//!
//! Every shop draws a customer and knows, for every offer, the true purchase probability and the
//! margin earned on a purchase net of the offer's cost; the reward fed back is that margin times
//! mean-one order noise on a purchase, 0 otherwise. The oracle shows the eligible offer with the
//! best expected reward; the captured share is (policy − always none) / (oracle − always none),
//! summed over the rounds in expectation.

#![allow(dead_code)]

use regulars::offers::simulator::{Simulator, SimulatorConfig};
use regulars::offers::{Catalogue, Context, Eligibility, OfferRanker, OfferSpec, RankerOptions};
use regulars::rng::Rng;

/// A drawn customer: the context the ranker sees, and per catalogue offer the true purchase
/// probability and the net margin of a purchase.
pub struct Customer {
    pub context: Context,
    pub buy: Vec<f64>,
    pub net: Vec<f64>,
}

impl Customer {
    pub fn expected(&self, a: usize) -> f64 {
        self.buy[a] * self.net[a]
    }
}

pub trait World {
    fn name(&self) -> String;
    /// The offers, "none" listed explicitly (so catalogue order = this order).
    fn offers(&self) -> Vec<OfferSpec>;
    /// What the shop passes as `margin` (None: the ranker's default).
    fn margin(&self) -> Option<f64>;
    fn draw(&mut self, rng: &mut Rng) -> Customer;
}

pub trait Policy {
    /// Chooses a catalogue offer index; returns it and a token for the reward.
    fn choose(&mut self, context: &Context) -> (usize, String);
    /// The offer the policy believes best at its last choice (diagnostics).
    fn greedy(&self) -> usize {
        usize::MAX
    }
    fn learn(&mut self, token: &str, reward: f64);
}

pub struct Outcome {
    pub captured: f64,
    pub policy: f64,
    pub oracle: f64,
    pub none: f64,
    /// Captured share per block of a tenth of the rounds.
    pub blocks: Vec<f64>,
    /// Captured share of the policy's greedy choices (no exploration), last half of the rounds.
    pub greedy_late: f64,
    /// (offer id, expected total of always showing it when eligible, else none).
    pub fixed: Vec<(String, f64)>,
}

impl Outcome {
    pub fn beats_every_fixed_offer(&self) -> bool {
        self.fixed.iter().all(|(_, v)| self.policy > *v)
    }
    pub fn best_fixed(&self) -> (String, f64) {
        self.fixed.iter().cloned().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap()
    }
}

/// Runs `rounds` rounds with rewards fed back at once.
pub fn run(world: &mut dyn World, policy: &mut dyn Policy, rounds: usize, seed: u64) -> Outcome {
    let catalogue = Catalogue::new(world.offers()).unwrap();
    let none = catalogue.none_index();
    let k = catalogue.len();
    let mut rng = Rng::new(seed);
    let (mut total, mut oracle, mut base) = (0.0, 0.0, 0.0);
    let mut fixed = vec![0.0; k];
    let (mut g_total, mut g_oracle, mut g_none) = (0.0, 0.0, 0.0);
    let mut blocks = Vec::new();
    let mut diag: std::collections::BTreeMap<String, (usize, f64)> = Default::default();
    let (mut b_total, mut b_oracle, mut b_none) = (0.0, 0.0, 0.0);
    let diagnose = std::env::var("DIAG").is_ok();
    // DIAG_FROM / DIAG_TO: the rounds diagnosed (default: the second half).
    let round_var = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (diagnose_from, diagnose_to) = (round_var("DIAG_FROM", rounds / 2), round_var("DIAG_TO", rounds));
    for round in 0..rounds {
        let c = world.draw(&mut rng);
        // The oracle's expected reward: the best eligible offer (or none).
        let best = catalogue.eligible(&c.context).iter().map(|&b| c.expected(b)).fold(c.expected(none), f64::max);
        let (a, token) = policy.choose(&c.context);
        let g = policy.greedy();
        if (diagnose_from..diagnose_to).contains(&round) && g < k && diagnose {
            let eligible = catalogue.eligible(&c.context);
            let best_offer = eligible.iter().copied().fold(none, |x, b| if c.expected(b) > c.expected(x) { b } else { x });
            let key = format!("{} -> {} ({})", catalogue.offers()[best_offer].id, catalogue.offers()[g].id, c.context.segment.clone().unwrap_or_default());
            let e = diag.entry(key).or_insert((0usize, 0.0f64));
            e.0 += 1;
            e.1 += best - c.expected(g);
        }
        if round >= rounds / 2 && g < k {
            g_total += c.expected(g);
            g_none += c.expected(none);
            g_oracle += best;
        }
        assert!(catalogue.offers()[a].is_eligible(&c.context), "ineligible offer shown");
        let u = rng.uniform();
        let noise = (0.3 * rng.normal() - 0.045).exp();
        let reward = if u < c.buy[a] { c.net[a] * noise } else { 0.0 };
        policy.learn(&token, reward);
        total += c.expected(a);
        base += c.expected(none);
        oracle += best;
        b_total += c.expected(a);
        b_none += c.expected(none);
        b_oracle += best;
        if (round + 1) % (rounds / 10).max(1) == 0 {
            blocks.push((b_total - b_none) / (b_oracle - b_none));
            (b_total, b_oracle, b_none) = (0.0, 0.0, 0.0);
        }
        for (b, f) in fixed.iter_mut().enumerate() {
            *f += if catalogue.offers()[b].is_eligible(&c.context) { c.expected(b) } else { c.expected(none) };
        }
    }
    let mut d: Vec<_> = diag.into_iter().collect();
    d.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1));
    for (key, (n, loss)) in d.iter().take(12) {
        println!("    {key}: {n} rounds, loss {loss:.0}");
    }
    Outcome {
        captured: (total - base) / (oracle - base),
        policy: total,
        oracle,
        none: base,
        blocks,
        greedy_late: (g_total - g_none) / (g_oracle - g_none),
        fixed: catalogue.offers().iter().map(|o| o.id.clone()).zip(fixed).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Policies

pub struct RankerPolicy {
    pub ranker: OfferRanker,
    greedy: usize,
}

impl RankerPolicy {
    pub fn new(world: &dyn World, seed: u64, exploration: f64) -> Self {
        let ranker = OfferRanker::new(RankerOptions {
            offers: world.offers(),
            margin: world.margin(),
            exploration,
            seed,
            ..Default::default()
        })
        .unwrap();
        RankerPolicy { ranker, greedy: usize::MAX }
    }
}

impl Policy for RankerPolicy {
    fn choose(&mut self, context: &Context) -> (usize, String) {
        let r = self.ranker.rank(context).unwrap();
        let a = self.ranker.catalogue().index_of(&r.ranking[0].offer).unwrap();
        let best = r.ranking.iter().max_by(|x, y| x.expected_value.total_cmp(&y.expected_value).then(y.offer.cmp(&x.offer))).unwrap();
        self.greedy = self.ranker.catalogue().index_of(&best.offer).unwrap();
        (a, r.event_id)
    }
    fn greedy(&self) -> usize {
        self.greedy
    }
    fn learn(&mut self, token: &str, reward: f64) {
        self.ranker.reward(token, reward).unwrap();
    }
}

/// The plain baseline: per-offer ridge regression (λ = 1) of the reward on
/// [1, risk, clv / 100, order value / 100 (when given), segment one-hots]; greedy with
/// probability 1 − ε, uniform over the eligible offers with probability ε.
pub struct LinearEpsilonGreedy {
    catalogue: Catalogue,
    epsilon: f64,
    rng: Rng,
    segments: Vec<String>,
    /// Per offer: gram (d × d) and xy, grown as segments appear.
    gram: Vec<Vec<f64>>,
    xy: Vec<Vec<f64>>,
    theta: Vec<Vec<f64>>,
    pending: Option<(usize, Vec<f64>)>,
    greedy: usize,
}

const BASE_DIM: usize = 4;

impl LinearEpsilonGreedy {
    pub fn new(world: &dyn World, seed: u64, epsilon: f64) -> Self {
        let catalogue = Catalogue::new(world.offers()).unwrap();
        let k = catalogue.len();
        LinearEpsilonGreedy {
            catalogue,
            epsilon,
            rng: Rng::new(seed),
            segments: Vec::new(),
            gram: vec![vec![0.0; BASE_DIM * BASE_DIM]; k],
            xy: vec![vec![0.0; BASE_DIM]; k],
            theta: vec![vec![0.0; BASE_DIM]; k],
            pending: None,
            greedy: usize::MAX,
        }
    }

    fn dim(&self) -> usize {
        BASE_DIM + self.segments.len()
    }

    fn features(&mut self, c: &Context) -> Vec<f64> {
        if let Some(s) = &c.segment {
            if !self.segments.contains(s) {
                self.segments.push(s.clone());
                let (old, new) = (self.dim() - 1, self.dim());
                for a in 0..self.gram.len() {
                    let mut g = vec![0.0; new * new];
                    for i in 0..old {
                        g[i * new..i * new + old].copy_from_slice(&self.gram[a][i * old..(i + 1) * old]);
                    }
                    self.gram[a] = g;
                    self.xy[a].push(0.0);
                    self.theta[a].push(0.0);
                }
            }
        }
        let mut x = vec![1.0, c.risk, c.clv / 100.0, c.order_value.unwrap_or(0.0) / 100.0];
        for s in &self.segments {
            x.push(if c.segment.as_deref() == Some(s.as_str()) { 1.0 } else { 0.0 });
        }
        x
    }

    fn solve(&mut self, a: usize) {
        let d = self.dim();
        let mut m: Vec<f64> = self.gram[a].clone();
        for i in 0..d {
            m[i * d + i] += 1.0;
        }
        let mut b = self.xy[a].clone();
        // Gaussian elimination (the matrix is symmetric positive definite).
        for col in 0..d {
            let p = m[col * d + col];
            for row in col + 1..d {
                let f = m[row * d + col] / p;
                for j in col..d {
                    m[row * d + j] -= f * m[col * d + j];
                }
                b[row] -= f * b[col];
            }
        }
        let mut t = vec![0.0; d];
        for i in (0..d).rev() {
            let mut s = b[i];
            for j in i + 1..d {
                s -= m[i * d + j] * t[j];
            }
            t[i] = s / m[i * d + i];
        }
        self.theta[a] = t;
    }
}

impl Policy for LinearEpsilonGreedy {
    fn greedy(&self) -> usize {
        self.greedy
    }
    fn choose(&mut self, context: &Context) -> (usize, String) {
        let x = self.features(context);
        let eligible = self.catalogue.eligible(context);
        let score = |a: usize| self.theta[a].iter().zip(&x).map(|(t, v)| t * v).sum::<f64>();
        let mut best = self.catalogue.none_index();
        for &b in &eligible {
            if score(b) > score(best) {
                best = b;
            }
        }
        self.greedy = best;
        let a = if self.rng.uniform() < self.epsilon { eligible[self.rng.below(eligible.len())] } else { best };
        self.pending = Some((a, x));
        (a, String::new())
    }
    fn learn(&mut self, _: &str, reward: f64) {
        let (a, x) = self.pending.take().unwrap();
        let d = self.dim();
        for i in 0..d {
            for j in 0..d {
                self.gram[a][i * d + j] += x[i] * x[j];
            }
            self.xy[a][i] += x[i] * reward;
        }
        self.solve(a);
    }
}

// ---------------------------------------------------------------------------------------------
// Shops

/// A shop segment: (name, weight, a risk parameter, median order value, kind).
type Segment = (&'static str, f64, f64, f64, Kind);

/// One segment drawn with probability proportional to its weight.
fn draw_segment(rng: &mut Rng, segments: &[Segment]) -> Segment {
    segments[draw_index(rng, segments, |s| s.1)]
}

/// The index of one item drawn with probability proportional to `weight`.
fn draw_index<T>(rng: &mut Rng, items: &[T], weight: impl Fn(&T) -> f64) -> usize {
    let u = rng.uniform();
    let total: f64 = items.iter().map(&weight).sum();
    let mut acc = 0.0;
    for (k, item) in items.iter().enumerate() {
        acc += weight(item) / total;
        if u < acc {
            return k;
        }
    }
    items.len() - 1
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-4, 1.0 - 1e-4);
    (p / (1.0 - p)).ln()
}

/// The crate's own simulator seen through this harness (same truth, other purchase draws).
pub struct Builtin {
    pub label: String,
    pub sim: Simulator,
}

impl Builtin {
    pub fn new(label: &str, config: SimulatorConfig) -> Self {
        Builtin { label: label.to_string(), sim: Simulator::new(config).unwrap() }
    }
}

impl World for Builtin {
    fn name(&self) -> String {
        self.label.clone()
    }
    fn offers(&self) -> Vec<OfferSpec> {
        self.sim.offers()
    }
    fn margin(&self) -> Option<f64> {
        Some(self.sim.average_margin())
    }
    fn draw(&mut self, _: &mut Rng) -> Customer {
        let c = self.sim.draw_customer();
        let k = self.sim.catalogue().len();
        let buy: Vec<f64> = (0..k).map(|a| self.sim.purchase_probability(&c, a)).collect();
        let net = (0..k)
            .map(|a| if buy[a] > 0.0 { self.sim.expected_reward(&c, a) / buy[a] } else { 0.0 })
            .collect();
        Customer { context: c.context, buy, net }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Loyal,
    PriceHunter,
    Plain,
}

/// Shop "logistic": purchase log-odds = log-odds of the calibrated base rate + an uplift per
/// offer × kind of segment, so the uplift in probability peaks for customers near 50 %.
/// Price hunters look risky but buy anyway (true base rate 0.6–0.85 whatever their risk score),
/// and discounts barely move them: the discount is paid on purchases that happen anyway. A big
/// discount loses money on low-risk customers; the gift moves only "Champions" and
/// "Loyal Customers". Context: risk, clv, segment and, if `order_value`, the order value.
pub struct Logistic {
    pub order_value: bool,
    /// Added to every segment's mean risk log-odds (0: the default mix; 1.5: mostly lapsing
    /// customers, where most offers pay and a plain learner does well).
    pub risk_shift: f64,
    segments: Vec<Segment>,
}

impl Logistic {
    pub fn lapsing() -> Self {
        Logistic { risk_shift: 1.5, ..Logistic::new(true) }
    }
    pub fn new(order_value: bool) -> Self {
        // (name, weight, mean log-odds of risk, median order value, kind)
        Logistic {
            order_value,
            risk_shift: 0.0,
            segments: vec![
                ("Champions", 0.10, -1.8, 110.0, Kind::Loyal),
                ("Loyal Customers", 0.15, -1.1, 85.0, Kind::Loyal),
                ("Potential Loyalists", 0.12, -0.4, 70.0, Kind::Plain),
                ("Price Hunters", 0.15, 0.6, 45.0, Kind::PriceHunter),
                ("At Risk", 0.15, 0.7, 75.0, Kind::Plain),
                ("Hibernating", 0.18, 1.6, 50.0, Kind::Plain),
                ("New Customers", 0.15, 0.2, 60.0, Kind::Plain),
            ],
        }
    }
}

const LOGISTIC_MARGIN_RATE: f64 = 0.4;

impl World for Logistic {
    fn name(&self) -> String {
        let lapsing = if self.risk_shift > 0.0 { ", lapsing" } else { "" };
        format!("logistic{}{lapsing}", if self.order_value { "" } else { " without order value" })
    }
    fn offers(&self) -> Vec<OfferSpec> {
        vec![
            OfferSpec::new("none", "none", None),
            OfferSpec::new("p10", "percent_off", Some(10.0)),
            OfferSpec::new("p20", "percent_off", Some(20.0)),
            OfferSpec::new("a10", "amount_off", Some(10.0)),
            OfferSpec::new("ship", "free_shipping", Some(5.0)),
            OfferSpec::new("points", "bonus_points", Some(10.0)).with_cost(5.0),
            OfferSpec::new("cash8", "cashback", Some(8.0)),
            OfferSpec::new("gift", "gift", Some(20.0)).with_cost(5.0),
        ]
    }
    fn margin(&self) -> Option<f64> {
        Some(68.0 * LOGISTIC_MARGIN_RATE)
    }
    fn draw(&mut self, rng: &mut Rng) -> Customer {
        let s = draw_segment(rng, &self.segments);
        let (name, _, risk_logit, order, kind) = s;
        let risk = sigmoid(risk_logit + 0.8 + self.risk_shift + 0.9 * rng.normal());
        let ov = order * (0.4 * rng.normal()).exp();
        let orders = match kind {
            Kind::Loyal => 10.0,
            Kind::PriceHunter => 4.0,
            Kind::Plain => 3.0,
        };
        let clv = ov * LOGISTIC_MARGIN_RATE * orders * (1.0 - risk) * (0.4 * rng.normal()).exp();
        let base = match kind {
            Kind::PriceHunter => 0.6 + 0.25 * (1.0 - risk),
            _ => 1.0 - risk,
        };
        let mut context = Context::new(risk, clv).with_segment(name);
        if self.order_value {
            context.order_value = Some(ov);
        }
        let margin = ov * LOGISTIC_MARGIN_RATE;
        // (uplift in log-odds, cost on a purchase) per offer.
        let price = match kind {
            Kind::PriceHunter => 0.08,
            Kind::Loyal => 0.5,
            Kind::Plain => 1.0,
        };
        let effects = [
            (0.0, 0.0),
            (1.0 * price, 0.10 * ov),
            (1.6 * price, 0.20 * ov),
            (price * (70.0 / ov).min(2.0), 10.0),
            ((50.0 / ov).min(1.5) * if kind == Kind::PriceHunter { 0.3 } else { 1.0 }, 5.0),
            (if kind == Kind::Loyal { 1.0 } else { 0.4 }, 5.0),
            (0.8 * price, 0.08 * 0.8 * ov),
            (if kind == Kind::Loyal { 1.6 } else { 0.0 }, 5.0),
        ];
        let buy = effects.iter().map(|(lift, _)| sigmoid(logit(base) + lift)).collect();
        let net = effects.iter().map(|(_, cost)| margin - cost).collect();
        Customer { context, buy, net }
    }
}

/// Shop "additive": P(buy) = clamp(base + uplift), base from a miscalibrated risk score
/// (0.15 + 0.7 × (1 − risk)); an offer's uplift is linear in the risk (only customers who would
/// not buy can be moved) with a slope per offer × segment, and high-CLV customers react less to
/// money off. No order value in the context and no `margin` given to the ranker. Hunters: no
/// uplift from discounts. A 30 % discount (eligible from risk 0.4) and cashback lose money on
/// most customers; the gift works on "Champions" and "Loyal Customers" only; points are cheap.
pub struct Additive {
    segments: Vec<Segment>,
}

impl Additive {
    pub fn new() -> Self {
        // (name, weight, risk Beta mean, median order value, kind)
        Additive {
            segments: vec![
                ("Champions", 0.12, 0.12, 130.0, Kind::Loyal),
                ("Loyal Customers", 0.18, 0.25, 90.0, Kind::Loyal),
                ("Bargain Hunters", 0.20, 0.5, 40.0, Kind::PriceHunter),
                ("At Risk", 0.2, 0.62, 80.0, Kind::Plain),
                ("About To Sleep", 0.15, 0.7, 55.0, Kind::Plain),
                ("Lost", 0.15, 0.85, 50.0, Kind::Plain),
            ],
        }
    }
}

const ADDITIVE_MARGIN_RATE: f64 = 0.5;

impl World for Additive {
    fn name(&self) -> String {
        "additive without order value or margin".into()
    }
    fn offers(&self) -> Vec<OfferSpec> {
        vec![
            OfferSpec::new("p15", "percent_off", Some(15.0)),
            OfferSpec::new("p30", "percent_off", Some(30.0))
                .with_eligibility(Eligibility { min_risk: Some(0.4), ..Default::default() }),
            OfferSpec::new("a5", "amount_off", Some(5.0)),
            OfferSpec::new("points", "bonus_points", Some(15.0)).with_cost(4.0),
            OfferSpec::new("cash10", "cashback", Some(10.0)),
            OfferSpec::new("gift", "gift", Some(30.0)).with_cost(12.0),
            OfferSpec::new("none", "none", None),
        ]
    }
    fn margin(&self) -> Option<f64> {
        None
    }
    fn draw(&mut self, rng: &mut Rng) -> Customer {
        let s = draw_segment(rng, &self.segments);
        let (name, _, mean_risk, order, kind) = s;
        // Risk: a logit-normal around the segment mean.
        let risk = sigmoid(logit(mean_risk) + 0.7 * rng.normal());
        let ov = order * (0.35 * rng.normal()).exp();
        let clv = ov * ADDITIVE_MARGIN_RATE * 6.0 * (1.0 - risk) * (0.5 * rng.normal()).exp();
        let base = 0.15 + 0.7 * (1.0 - risk);
        let context = Context::new(risk, clv).with_segment(name);
        let margin = ov * ADDITIVE_MARGIN_RATE;
        let price = match kind {
            Kind::PriceHunter => 0.0,
            Kind::Loyal => 0.4,
            Kind::Plain => 1.0,
        } / (1.0 + clv / 400.0);
        // (slope of the uplift in risk, cost on a purchase), catalogue order.
        let effects = [
            (0.55 * price, 0.15 * ov),
            (0.9 * price, 0.30 * ov),
            (0.5 * price * (50.0 / ov).min(1.5), 5.0),
            (if kind == Kind::Loyal { 0.5 } else { 0.2 }, 4.0),
            (0.45 * price, 0.10 * ov),
            (if kind == Kind::Loyal { 0.8 } else { 0.0 }, 12.0),
            (0.0, 0.0),
        ];
        let buy = effects.iter().map(|(slope, _)| (base + slope * risk).clamp(0.0, 1.0)).collect();
        let net = effects.iter().map(|(_, cost)| margin - cost).collect();
        Customer { context, buy, net }
    }
}

/// Shop "opaque": segment names the prior cannot read ("g1"…"g5"); the gift works only on "g2"
/// and "g4" (the loyal ones), price offers work less the higher the CLV (e^{−clv/300}), risk is
/// only loosely tied to buying (base = 0.35 + 0.5 × (1 − risk)), and free shipping matters on
/// small orders only. Order value shown, margin given.
pub struct Opaque;

const OPAQUE_MARGIN_RATE: f64 = 0.3;

impl World for Opaque {
    fn name(&self) -> String {
        "opaque segment names".into()
    }
    fn offers(&self) -> Vec<OfferSpec> {
        vec![
            OfferSpec::new("none", "none", None),
            OfferSpec::new("p10", "percent_off", Some(10.0)),
            OfferSpec::new("p15", "percent_off", Some(15.0)),
            OfferSpec::new("ship", "free_shipping", Some(7.0)),
            OfferSpec::new("points", "bonus_points", Some(12.0)),
            OfferSpec::new("gift", "gift", Some(15.0)).with_cost(5.0),
        ]
    }
    fn margin(&self) -> Option<f64> {
        Some(80.0 * OPAQUE_MARGIN_RATE)
    }
    fn draw(&mut self, rng: &mut Rng) -> Customer {
        let g = rng.below(5);
        let name = ["g1", "g2", "g3", "g4", "g5"][g];
        let loyal = g == 1 || g == 3;
        let mean_risk = [0.65, 0.35, 0.8, 0.5, 0.85][g];
        let risk = sigmoid(logit(mean_risk) + 0.8 * rng.normal());
        let ov = [60.0, 110.0, 50.0, 90.0, 70.0][g] * (0.5 * rng.normal()).exp();
        let clv = ov * OPAQUE_MARGIN_RATE * if loyal { 12.0 } else { 3.0 } * (1.0 - risk) * (0.5 * rng.normal()).exp();
        let base = 0.35 + 0.5 * (1.0 - risk);
        let context = Context::new(risk, clv).with_segment(name).with_order_value(ov);
        let margin = ov * OPAQUE_MARGIN_RATE;
        let price = (-clv / 300.0).exp();
        // (share of would-not-buy customers won, cost on a purchase)
        let effects = [
            (0.0, 0.0),
            (0.45 * price, 0.10 * ov),
            (0.6 * price, 0.15 * ov),
            (0.8 * (1.0 - (-7.0 / ov * 6.0).exp()), 7.0),
            (if loyal { 0.35 } else { 0.12 }, 0.5 * 12.0),
            (if loyal { 0.6 } else { 0.0 }, 5.0),
        ];
        let buy = effects.iter().map(|(q, _)| base + (1.0 - base) * q).collect();
        let net = effects.iter().map(|(_, cost)| margin - cost).collect();
        Customer { context, buy, net }
    }
}

/// Shop "table": the simplest world the acceptance text describes, where a plain linear
/// epsilon-greedy learner is at home. Calibrated risk (P(buy | nothing) = 1 − risk: low-risk
/// customers buy anyway), an uplift in probability per offer × segment read from a table
/// (scaled by the risk when `scaled`), costs per redeeming order, one order value per segment
/// (shown in the context when `order_value`). A 20 % discount loses money on low-risk customers;
/// the gift lifts only the two loyal segments.
pub struct Table {
    pub order_value: bool,
    pub scaled: bool,
    pub names: [&'static str; 5],
    /// Multiplies every uplift (3: incentives matter, most offers pay on most customers).
    pub strength: f64,
}

impl Table {
    pub fn new(order_value: bool, scaled: bool) -> Self {
        Table { order_value, scaled, names: ["Champions", "Loyal Customers", "At Risk", "Hibernating", "New Customers"], strength: 1.0 }
    }
    pub fn opaque() -> Self {
        Table { names: ["s1", "s2", "s3", "s4", "s5"], ..Table::new(false, true) }
    }
    pub fn strong(mut self) -> Self {
        self.strength = 3.0;
        self
    }
}

const TABLE_MARGIN_RATE: f64 = 0.35;

impl World for Table {
    fn name(&self) -> String {
        format!(
            "table{}{}{}{}",
            if self.strength > 1.0 { " strong" } else { "" },
            if self.scaled { ", uplift × risk" } else { "" },
            if self.order_value { "" } else { ", no order value" },
            if self.names[0] == "s1" { ", opaque names" } else { "" }
        )
    }
    fn offers(&self) -> Vec<OfferSpec> {
        vec![
            OfferSpec::new("none", "none", None),
            OfferSpec::new("p10", "percent_off", Some(10.0)),
            OfferSpec::new("p20", "percent_off", Some(20.0)),
            OfferSpec::new("ship", "free_shipping", Some(6.0)),
            OfferSpec::new("points", "bonus_points", Some(10.0)).with_cost(4.0),
            OfferSpec::new("cash5", "cashback", Some(5.0)),
            OfferSpec::new("gift", "gift", Some(15.0)).with_cost(6.0),
        ]
    }
    fn margin(&self) -> Option<f64> {
        Some(70.0 * TABLE_MARGIN_RATE)
    }
    fn draw(&mut self, rng: &mut Rng) -> Customer {
        let g = rng.below(5);
        // (mean risk, order value, CLV orders) per segment
        let (mean_risk, ov, orders) = [(0.15, 110.0, 12.0), (0.3, 80.0, 8.0), (0.65, 70.0, 3.0), (0.85, 50.0, 1.5), (0.55, 60.0, 2.0)][g];
        let risk = sigmoid(logit(mean_risk) + 0.6 * rng.normal());
        let clv = ov * TABLE_MARGIN_RATE * orders * (1.0 - risk) * (0.3 * rng.normal()).exp();
        // Uplift in purchase probability per offer (catalogue order) and segment.
        let uplift: [[f64; 5]; 7] = [
            [0.0; 5],
            [0.02, 0.04, 0.12, 0.10, 0.08],
            [0.04, 0.07, 0.22, 0.18, 0.14],
            [0.01, 0.03, 0.08, 0.05, 0.10],
            [0.05, 0.06, 0.05, 0.02, 0.04],
            [0.02, 0.03, 0.06, 0.05, 0.05],
            [0.12, 0.10, 0.0, 0.0, 0.0],
        ];
        let cost = [0.0, 0.10 * ov, 0.20 * ov, 6.0, 4.0, 0.05 * ov, 6.0];
        let base = 1.0 - risk;
        let factor = if self.scaled { 2.0 * risk } else { 1.0 };
        let buy = (0..7).map(|a| (base + self.strength * factor * uplift[a][g]).clamp(0.0, 1.0)).collect();
        let margin = ov * TABLE_MARGIN_RATE;
        let net = cost.iter().map(|c| margin - c).collect();
        let mut context = Context::new(risk, clv).with_segment(self.names[g]);
        if self.order_value {
            context.order_value = Some(ov);
        }
        Customer { context, buy, net }
    }
}

/// Shop "hunters" (the Rust twin of benches/offers_outside_world.mjs): five RFM segments with
/// P(buy | nothing) drawn per customer (calibrated risk = 1 − that), an uplift in probability per
/// offer × segment, a hidden third of price hunters among the non-loyal segments (a discount
/// moves them twice as much, cashback 1.5×, a gift not at all), percent costs on the order value,
/// a gift that works on loyal segments only and loses money everywhere. Order value shown or not.
pub struct Hunters {
    pub order_value: bool,
}

const HUNTERS_MARGIN_RATE: f64 = 0.35;

impl World for Hunters {
    fn name(&self) -> String {
        format!("hunters{}", if self.order_value { "" } else { ", no order value" })
    }
    fn offers(&self) -> Vec<OfferSpec> {
        vec![
            OfferSpec::new("none", "none", None),
            OfferSpec::new("pct10", "percent_off", Some(10.0)),
            OfferSpec::new("ship", "free_shipping", None).with_cost(6.0),
            OfferSpec::new("points", "bonus_points", Some(5.0)),
            OfferSpec::new("gift", "gift", None).with_cost(9.0),
            OfferSpec::new("cash", "cashback", Some(5.0)),
        ]
    }
    fn margin(&self) -> Option<f64> {
        Some(60.0 * HUNTERS_MARGIN_RATE)
    }
    fn draw(&mut self, rng: &mut Rng) -> Customer {
        // (name, share, P(buy | nothing) range, mean order value, lifts of pct10 ship points gift cash)
        const SEGMENTS: [(&str, f64, (f64, f64), f64, [f64; 5]); 5] = [
            ("Champions", 0.12, (0.6, 0.85), 90.0, [0.02, 0.01, 0.04, 0.12, 0.03]),
            ("Loyal", 0.18, (0.45, 0.7), 70.0, [0.04, 0.02, 0.06, 0.10, 0.05]),
            ("Potential", 0.2, (0.25, 0.45), 55.0, [0.07, 0.08, 0.03, 0.0, 0.04]),
            ("At Risk", 0.25, (0.1, 0.3), 60.0, [0.12, 0.06, 0.02, 0.0, 0.05]),
            ("Hibernating", 0.25, (0.02, 0.12), 45.0, [0.06, 0.03, 0.0, 0.0, 0.02]),
        ];
        let k = draw_index(rng, &SEGMENTS, |s| s.1);
        let (name, _, (lo, hi), mean_ov, lifts) = SEGMENTS[k];
        let buy_anyway = lo + (hi - lo) * rng.uniform();
        let ov = mean_ov * (0.5 * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5)).exp();
        let hunter = k >= 2 && rng.uniform() < 0.33;
        let mut lift = [0.0, lifts[0], lifts[1], lifts[2], lifts[3], lifts[4]];
        if hunter {
            lift[1] *= 2.0;
            lift[5] *= 1.5;
            lift[4] = 0.0;
        }
        let risk = 1.0 - buy_anyway;
        let clv = ov * HUNTERS_MARGIN_RATE * buy_anyway * 6.0 * (0.3 * (rng.uniform() - 0.5)).exp();
        let mut context = Context::new(risk, clv).with_segment(name);
        if self.order_value {
            context = context.with_order_value(ov);
        }
        // Points are redeemed 60 % of the time, cashback 80 %.
        let cost = [0.0, 0.1 * ov, 6.0, 0.05 * ov * 0.6, 9.0, 0.05 * ov * 0.8];
        let buy = lift.iter().map(|l| (buy_anyway + l).min(1.0)).collect();
        let net = cost.iter().map(|c| ov * HUNTERS_MARGIN_RATE - c).collect();
        Customer { context, buy, net }
    }
}
