//! The value model: the expected margin of showing each offer to a customer in a given context.
//!
//! What matters is *incremental* margin against showing nothing: the lift in purchase probability
//! the offer causes, times the margin at stake, minus its expected cost — and the cost is paid on
//! every redeeming order, including the orders of customers who would have bought anyway ("if the
//! customer would have bought anyway, the money is wasted", DOMAIN.md).
//!
//! Two layers:
//! - [`prior`]: a documented, hand-built model from churn risk, CLV, segment, the offer's kind,
//!   value and cost. It is what the ranker believes before any reward arrives.
//! - [`LinearValueModel`]: after feedback, ridge regressions of the observed reward (relative to
//!   the prior) on context features: one regression pooled over all offers (the shared baseline,
//!   learned from every reward) plus one per offer shrunk towards the pooled one. The prior is the
//!   regressions' mean before data, so early decisions follow the prior and later ones the data.

use crate::error::{Error, Result};
use crate::offers::catalogue::{Offer, OfferKind};

/// What the ranker knows about the customer at the moment of choosing an offer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub customer: Option<String>,
    /// Churn risk: probability of no purchase in the horizon, in [0, 1].
    pub risk: f64,
    /// Customer lifetime value (money, ≥ 0).
    pub clv: f64,
    pub segment: Option<String>,
    /// Expected order value (money), to price percent offers; defaults to margin / margin rate.
    pub order_value: Option<f64>,
    /// Extra numeric features by name (e.g. `days_since_last_order`).
    pub features: Vec<(String, f64)>,
}

impl Context {
    pub fn new(risk: f64, clv: f64) -> Self {
        Context { risk, clv, ..Default::default() }
    }
    pub fn with_segment(mut self, segment: &str) -> Self {
        self.segment = Some(segment.to_string());
        self
    }
    pub fn with_order_value(mut self, value: f64) -> Self {
        self.order_value = Some(value);
        self
    }
    pub fn with_feature(mut self, name: &str, value: f64) -> Self {
        self.features.push((name.to_string(), value));
        self
    }

    /// Checks every number; `name` prefixes the messages (`context.risk is NaN`).
    pub fn validate(&self, name: &str) -> Result<()> {
        let bad = |what: &str, v: f64| -> Error {
            if v.is_nan() {
                Error::invalid(format!("{name}.{what} is NaN"))
            } else {
                Error::invalid(format!("{name}.{what} must be finite, got {v}"))
            }
        };
        if !self.risk.is_finite() {
            return Err(bad("risk", self.risk));
        }
        if !(0.0..=1.0).contains(&self.risk) {
            return Err(Error::invalid(format!(
                "{name}.risk must be between 0 and 1, got {}",
                self.risk
            )));
        }
        if !self.clv.is_finite() {
            return Err(bad("clv", self.clv));
        }
        if self.clv < 0.0 {
            return Err(Error::invalid(format!("{name}.clv is negative ({})", self.clv)));
        }
        if let Some(v) = self.order_value {
            if !v.is_finite() {
                return Err(bad("orderValue", v));
            }
            if v <= 0.0 {
                return Err(Error::invalid(format!("{name}.orderValue must be above 0, got {v}")));
            }
        }
        for (k, v) in &self.features {
            if !v.is_finite() {
                return Err(bad(&format!("features.{k}"), *v));
            }
        }
        Ok(())
    }
}

/// The shop-level numbers the prior needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Economics {
    /// Gross margin of an average order (money). Without it (and without `order_value` in the
    /// context) the prior has no money scale and rates every offer at 0: the ranker then learns
    /// from rewards alone.
    pub margin: Option<f64>,
    /// Gross margin as a share of the order value (default 0.3): turns an order value into the
    /// margin at stake, and the margin into an average order value.
    pub margin_rate: f64,
}

impl Default for Economics {
    fn default() -> Self {
        Economics { margin: None, margin_rate: 0.3 }
    }
}

impl Economics {
    /// Margin at stake on this customer's next order.
    pub fn margin_at_stake(&self, context: &Context) -> Option<f64> {
        match context.order_value {
            Some(v) => Some(v * self.margin_rate),
            None => self.margin,
        }
    }
    /// Expected order value of this customer's next order.
    pub fn order_value(&self, context: &Context) -> Option<f64> {
        context.order_value.or(self.margin.map(|m| m / self.margin_rate))
    }
    /// The money unit the learned model works in: an average order value (100 when unknown).
    pub fn money_scale(&self) -> f64 {
        self.margin.map(|m| m / self.margin_rate).filter(|s| *s > 0.0).unwrap_or(100.0)
    }
}

/// The prior's view of one offer in one context.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriorEstimate {
    /// P(buy | no offer) = 1 − risk.
    pub buy_anyway: f64,
    /// Extra purchase probability the offer causes.
    pub lift: f64,
    /// Margin earned on an order before the offer's cost.
    pub margin_at_stake: f64,
    /// The shop's expected cost per redeeming order.
    pub cost_per_order: f64,
    /// (buy_anyway + lift) × (margin_at_stake − cost_per_order): the expected reward.
    pub expected_reward: f64,
    /// expected_reward − buy_anyway × margin_at_stake: the gain over showing nothing.
    pub incremental: f64,
}

/// Segments where gifts and points work (DOMAIN.md: "gifts, early access, surprises: work on loyal
/// customers, little on price hunters"). The 11-segment RFM names plus common spellings.
pub fn is_loyal_segment(segment: &str) -> bool {
    let s = segment.to_ascii_lowercase();
    matches!(
        s.as_str(),
        "champions" | "loyal customers" | "potential loyalists" | "can't lose them" | "cant lose them"
    ) || s.contains("loyal")
        || s.contains("vip")
        || s.contains("champion")
        || s.contains("advocate")
        || s.contains("adherent")
}

// Prior assumptions (each a documented guess; the learned model replaces them with data):
/// Largest share of would-not-buy customers an incentive can win.
const MAX_PERSUASION: f64 = 0.5;
/// Incentive (as a share of the order value) that wins 1 − 1/e of `MAX_PERSUASION`.
const INCENTIVE_SCALE: f64 = 0.25;
/// Points: about 30 % are never redeemed (breakage), the rest are redeemed against goods whose
/// cost to the shop is below their price: the shop pays about 60 % of the face value.
const POINTS_COST_SHARE: f64 = 0.6;
/// Customers value points below money (delayed, conditional on coming back).
const POINTS_PERCEIVED_SHARE: f64 = 0.7;
/// About 15 % of cashback is never claimed.
const CASHBACK_COST_SHARE: f64 = 0.85;
const CASHBACK_PERCEIVED_SHARE: f64 = 0.8;
/// A gift moves non-loyal customers only a fifth as much.
const GIFT_NON_LOYAL_EFFECT: f64 = 0.2;
/// Price incentives move high-value customers less: the persuasion of percent and amount offers
/// is divided by 1 + clv / (CLV_PRICE_INSENSITIVITY × margin at stake).
const CLV_PRICE_INSENSITIVITY: f64 = 50.0;

/// The prior expected reward of `offer` in `context`:
///
/// - P(buy anyway) = 1 − risk (risk is the probability of no purchase in the horizon).
/// - Only the `risk` share of customers who would not buy can be moved: lift = risk × persuasion,
///   persuasion = MAX_PERSUASION × (1 − exp(−incentive / INCENTIVE_SCALE)), where incentive is the
///   offer's perceived value as a share of the order value (points and cashback count for less
///   than money, a gift counts only on loyal segments or customers with a CLV above 20 margins,
///   percent and amount offers count less for high-CLV customers).
/// - The cost is paid on every redeeming order: cost per order × (1 − risk + lift). Percent off:
///   value % × order value; amount off / free shipping: the value; bonus points: 0.6 × value;
///   cashback: 0.85 × value % × order value; gift: its cost (default its value). An explicit
///   `cost` replaces the derived one.
///
/// Without a money scale (no `margin` and no `order_value`) every offer gets 0.
pub fn prior(offer: &Offer, context: &Context, economics: &Economics) -> PriorEstimate {
    let buy_anyway = (1.0 - context.risk).clamp(0.0, 1.0);
    let (margin, order_value) = match (economics.margin_at_stake(context), economics.order_value(context)) {
        (Some(m), Some(v)) if m.is_finite() && v.is_finite() && v > 0.0 => (m, v),
        _ => {
            return PriorEstimate {
                buy_anyway,
                lift: 0.0,
                margin_at_stake: 0.0,
                cost_per_order: 0.0,
                expected_reward: 0.0,
                incremental: 0.0,
            }
        }
    };
    let loyal = context.segment.as_deref().is_some_and(is_loyal_segment)
        || context.clv >= 20.0 * margin.max(f64::MIN_POSITIVE);
    let price_damping = 1.0 / (1.0 + context.clv / (CLV_PRICE_INSENSITIVITY * margin.max(1e-9)));
    let v = offer.value;
    let (incentive, derived_cost) = match offer.kind {
        OfferKind::None => (0.0, 0.0),
        OfferKind::PercentOff => (v / 100.0 * price_damping, v / 100.0 * order_value),
        OfferKind::AmountOff => (v / order_value * price_damping, v),
        OfferKind::FreeShipping => (v / order_value, v),
        OfferKind::BonusPoints => (POINTS_PERCEIVED_SHARE * v / order_value, POINTS_COST_SHARE * v),
        OfferKind::Cashback => (
            CASHBACK_PERCEIVED_SHARE * v / 100.0 * price_damping,
            CASHBACK_COST_SHARE * v / 100.0 * order_value,
        ),
        OfferKind::Gift => {
            let effect = if loyal { 1.0 } else { GIFT_NON_LOYAL_EFFECT };
            (effect * v / order_value, v)
        }
    };
    let cost_per_order = if offer.kind == OfferKind::None { 0.0 } else { offer.cost.unwrap_or(derived_cost) };
    let persuasion = MAX_PERSUASION * (1.0 - (-incentive / INCENTIVE_SCALE).exp());
    let lift = context.risk * persuasion;
    let expected_reward = (buy_anyway + lift) * (margin - cost_per_order);
    let incremental = expected_reward - buy_anyway * margin;
    PriorEstimate { buy_anyway, lift, margin_at_stake: margin, cost_per_order, expected_reward, incremental }
}

// ---------------------------------------------------------------------------------------------
// Features

/// Fixed features: [1, risk, risk², c, c·risk, o, o·risk, prior] with c = ln(1 + clv / S),
/// o = order value / S (1 when unknown), prior = the prior's expected reward / S, and S the money
/// scale. Then one-hot segments and user features (asinh-compressed), added as first seen.
pub const FIXED_FEATURES: usize = 8;
/// Index of the prior feature (the only one that differs between offers).
pub const PRIOR_FEATURE: usize = 7;
/// Most segment and user-feature dimensions the model learns; names beyond it are ignored.
pub const MAX_EXTRA_FEATURES: usize = 48;

/// What an extra feature dimension stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum ExtraFeature {
    Segment(String),
    User(String),
}

/// The context → feature-vector map. It grows as new segments and feature names appear.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureMap {
    pub extras: Vec<ExtraFeature>,
}

impl FeatureMap {
    pub fn dim(&self) -> usize {
        FIXED_FEATURES + self.extras.len()
    }

    /// Adds dimensions for names not seen before (up to the cap); returns whether it grew.
    pub fn learn_names(&mut self, context: &Context) -> bool {
        let mut grew = false;
        if let Some(s) = &context.segment {
            if self.extras.len() < MAX_EXTRA_FEATURES
                && !self.extras.iter().any(|e| matches!(e, ExtraFeature::Segment(x) if x == s))
            {
                self.extras.push(ExtraFeature::Segment(s.clone()));
                grew = true;
            }
        }
        for (name, _) in &context.features {
            if self.extras.len() < MAX_EXTRA_FEATURES
                && !self.extras.iter().any(|e| matches!(e, ExtraFeature::User(x) if x == name))
            {
                self.extras.push(ExtraFeature::User(name.clone()));
                grew = true;
            }
        }
        grew
    }

    /// Writes the shared features (prior slot left 0) into `out` (length `dim()`).
    pub fn shared_features(&self, context: &Context, economics: &Economics, out: &mut Vec<f64>) {
        let s = economics.money_scale();
        let r = context.risk;
        let c = (context.clv.max(0.0) / s).ln_1p();
        let o = context.order_value.map(|v| v / s).unwrap_or(1.0);
        out.clear();
        out.extend_from_slice(&[1.0, r, r * r, c, c * r, o, o * r, 0.0]);
        for e in &self.extras {
            let x = match e {
                ExtraFeature::Segment(name) => {
                    if context.segment.as_deref() == Some(name.as_str()) {
                        1.0
                    } else {
                        0.0
                    }
                }
                ExtraFeature::User(name) => context
                    .features
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.asinh())
                    .unwrap_or(0.0),
            };
            out.push(x);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ridge regression pieces

/// Sufficient statistics of one ridge regression: Σ x xᵀ, Σ x y and the count, plus the Cholesky
/// factor of Σ x xᵀ + λI (always recomputed from the statistics, so a model rebuilt from saved
/// statistics is bit-identical).
#[derive(Debug, Clone, PartialEq)]
pub struct RidgeStats {
    pub dim: usize,
    pub gram: Vec<f64>,
    pub xy: Vec<f64>,
    pub count: u64,
    pub lambda: f64,
    /// Lower-triangular factor L with L Lᵀ = gram + λI (row-major, dim × dim).
    chol: Vec<f64>,
}

impl RidgeStats {
    pub fn new(dim: usize, lambda: f64) -> Self {
        let mut r = RidgeStats {
            dim,
            gram: vec![0.0; dim * dim],
            xy: vec![0.0; dim],
            count: 0,
            lambda,
            chol: vec![0.0; dim * dim],
        };
        r.refactor();
        r
    }

    /// Rebuilds from saved statistics; fails if they are not a valid Gram matrix.
    pub fn from_parts(dim: usize, lambda: f64, gram: Vec<f64>, xy: Vec<f64>, count: u64) -> Result<Self> {
        if gram.len() != dim * dim || xy.len() != dim {
            return Err(Error::corrupt("ridge statistics have inconsistent lengths"));
        }
        if gram.iter().chain(xy.iter()).any(|v| !v.is_finite()) || !(lambda > 0.0 && lambda.is_finite()) {
            return Err(Error::corrupt("ridge statistics are not finite"));
        }
        let mut r = RidgeStats { dim, gram, xy, count, lambda, chol: vec![0.0; dim * dim] };
        if !r.refactor() {
            return Err(Error::corrupt("ridge statistics are not positive definite"));
        }
        Ok(r)
    }

    /// Cholesky of gram + λI; false if not positive definite (cannot happen for real data).
    fn refactor(&mut self) -> bool {
        let d = self.dim;
        let l = &mut self.chol;
        for i in 0..d {
            for j in 0..=i {
                let mut sum = self.gram[i * d + j] + if i == j { self.lambda } else { 0.0 };
                for k in 0..j {
                    sum -= l[i * d + k] * l[j * d + k];
                }
                if i == j {
                    if !(sum > 0.0) || !sum.is_finite() {
                        return false;
                    }
                    l[i * d + i] = sum.sqrt();
                } else {
                    l[i * d + j] = sum / l[j * d + j];
                }
            }
            for j in i + 1..d {
                l[i * d + j] = 0.0;
            }
        }
        true
    }

    /// Adds one observation (x padded with zeros to `dim`).
    pub fn add(&mut self, x: &[f64], y: f64) {
        self.accumulate(x, y);
        if !self.refactor() {
            // Numerically impossible for finite inputs with λ > 0; undo to stay usable.
            let d = self.dim;
            let n = x.len().min(d);
            for i in 0..n {
                for j in 0..n {
                    self.gram[i * d + j] -= x[i] * x[j];
                }
                self.xy[i] -= x[i] * y;
            }
            self.count -= 1;
            self.refactor();
        }
    }

    /// Refactors after a batch of [`accumulate`](Self::accumulate) calls.
    pub fn refresh(&mut self) -> bool {
        self.refactor()
    }

    /// Adds one observation to the statistics without refactoring (batch fits).
    pub fn accumulate(&mut self, x: &[f64], y: f64) {
        let d = self.dim;
        let n = x.len().min(d);
        for i in 0..n {
            let xi = x[i];
            if xi == 0.0 {
                continue;
            }
            let row = &mut self.gram[i * d..i * d + n];
            for (g, xj) in row.iter_mut().zip(&x[..n]) {
                *g += xi * xj;
            }
            self.xy[i] += xi * y;
        }
        self.count += 1;
    }

    /// Adds zero rows/columns for new feature dimensions.
    pub fn grow(&mut self, new_dim: usize) {
        let d = self.dim;
        if new_dim <= d {
            return;
        }
        let mut gram = vec![0.0; new_dim * new_dim];
        for i in 0..d {
            gram[i * new_dim..i * new_dim + d].copy_from_slice(&self.gram[i * d..i * d + d]);
        }
        self.gram = gram;
        self.xy.resize(new_dim, 0.0);
        self.dim = new_dim;
        self.chol = vec![0.0; new_dim * new_dim];
        self.refactor();
    }

    /// Solves (gram + λI) z = rhs in place.
    pub fn solve(&self, rhs: &mut [f64]) {
        self.forward(rhs);
        let d = self.dim;
        let l = &self.chol;
        for i in (0..d).rev() {
            let mut s = rhs[i];
            for k in i + 1..d {
                s -= l[k * d + i] * rhs[k];
            }
            rhs[i] = s / l[i * d + i];
        }
    }

    /// z = L⁻¹ rhs in place (so ‖z‖² = rhsᵀ (gram + λI)⁻¹ rhs).
    pub fn forward(&self, rhs: &mut [f64]) {
        let d = self.dim;
        let l = &self.chol;
        for i in 0..d {
            let row = &l[i * d..i * d + i];
            let mut s = rhs[i];
            for (lk, zk) in row.iter().zip(rhs[..i].iter()) {
                s -= lk * zk;
            }
            rhs[i] = s / l[i * d + i];
        }
    }
}

/// The learned model: a ridge regression pooled over every offer (coefficients w) and one per
/// offer whose coefficients are shrunk towards w rather than towards 0:
/// θ_a = argmin Σ_{rewards of a} (y − xᵀθ)² + λ_a ‖θ − w‖², i.e. θ_a = u_a + λ_a v_a with
/// u_a = S_a⁻¹ Σxy, v_a = S_a⁻¹ w, S_a = Σxxᵀ + λ_a I. The target y is the reward in money-scale
/// units minus the prior's expected reward, so with no data every offer is valued at its prior and
/// the pooled part learns what all offers share (e.g. how often customers buy anyway).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearValueModel {
    pub pooled: RidgeStats,
    pub per_offer: Vec<RidgeStats>,
    /// θ_a per offer, recomputed after every update.
    coefficients: Vec<Vec<f64>>,
    /// Welford statistics of y, for the noise scale that sizes the confidence widths.
    pub y_count: u64,
    pub y_mean: f64,
    pub y_m2: f64,
}

/// Ridge strength of the pooled regression, in pseudo-observations of unit-scale features.
pub const POOLED_LAMBDA: f64 = 4.0;
/// Ridge strength pulling each offer's regression towards the pooled one.
pub const OFFER_LAMBDA: f64 = 12.0;

impl LinearValueModel {
    pub fn new(offers: usize, dim: usize) -> Self {
        let mut m = LinearValueModel {
            pooled: RidgeStats::new(dim, POOLED_LAMBDA),
            per_offer: (0..offers).map(|_| RidgeStats::new(dim, OFFER_LAMBDA)).collect(),
            coefficients: vec![vec![0.0; dim]; offers],
            y_count: 0,
            y_mean: 0.0,
            y_m2: 0.0,
        };
        m.recompute();
        m
    }

    pub fn from_parts(pooled: RidgeStats, per_offer: Vec<RidgeStats>, y_count: u64, y_mean: f64, y_m2: f64) -> Result<Self> {
        let dim = pooled.dim;
        if per_offer.iter().any(|r| r.dim != dim) {
            return Err(Error::corrupt("offer models have inconsistent dimensions"));
        }
        if !y_mean.is_finite() || !y_m2.is_finite() || y_m2 < 0.0 {
            return Err(Error::corrupt("reward statistics are not finite"));
        }
        let offers = per_offer.len();
        let mut m = LinearValueModel {
            pooled,
            per_offer,
            coefficients: vec![vec![0.0; dim]; offers],
            y_count,
            y_mean,
            y_m2,
        };
        m.recompute();
        Ok(m)
    }

    pub fn dim(&self) -> usize {
        self.pooled.dim
    }

    fn recompute(&mut self) {
        let d = self.pooled.dim;
        let mut w = self.pooled.xy.clone();
        self.pooled.solve(&mut w);
        for (a, stats) in self.per_offer.iter().enumerate() {
            let mut u = stats.xy.clone();
            stats.solve(&mut u);
            let mut v = w.clone();
            stats.solve(&mut v);
            let c = &mut self.coefficients[a];
            c.resize(d, 0.0);
            for i in 0..d {
                c[i] = u[i] + stats.lambda * v[i];
            }
        }
    }

    pub fn grow(&mut self, new_dim: usize) {
        if new_dim <= self.dim() {
            return;
        }
        self.pooled.grow(new_dim);
        for s in &mut self.per_offer {
            s.grow(new_dim);
        }
        self.recompute();
    }

    /// Records reward target `y` for offer `offer` with features `x`.
    pub fn update(&mut self, offer: usize, x: &[f64], y: f64) {
        self.pooled.add(x, y);
        self.per_offer[offer].add(x, y);
        self.y_count += 1;
        let delta = y - self.y_mean;
        self.y_mean += delta / self.y_count as f64;
        self.y_m2 += delta * (y - self.y_mean);
        self.recompute();
    }

    /// Batch fit: adds observations without refactoring; call [`finish_batch`](Self::finish_batch).
    pub fn accumulate(&mut self, offer: usize, x: &[f64], y: f64) {
        self.pooled.accumulate(x, y);
        self.per_offer[offer].accumulate(x, y);
        self.y_count += 1;
        let delta = y - self.y_mean;
        self.y_mean += delta / self.y_count as f64;
        self.y_m2 += delta * (y - self.y_mean);
    }

    pub fn finish_batch(&mut self) -> Result<()> {
        let ok = self.pooled.refresh() && self.per_offer.iter_mut().all(|s| s.refresh());
        if !ok {
            return Err(Error::invalid("the reward model could not be fitted (non-finite features)"));
        }
        self.recompute();
        Ok(())
    }

    /// Learned correction to the prior for offer `a`: θ_aᵀx.
    #[inline]
    pub fn correction(&self, offer: usize, x: &[f64]) -> f64 {
        let c = &self.coefficients[offer];
        c.iter().zip(x).map(|(a, b)| a * b).sum()
    }

    /// Noise variance of y (with two pseudo-observations of variance 0.15² so it is sane early).
    pub fn noise_variance(&self) -> f64 {
        (self.y_m2 + 2.0 * 0.0225) / (self.y_count as f64 + 2.0)
    }

    /// xᵀ S_a⁻¹ x: how uncertain offer `a`'s estimate is at x (times the noise variance).
    pub fn leverage(&self, offer: usize, x: &[f64], scratch: &mut Vec<f64>) -> f64 {
        scratch.clear();
        scratch.extend_from_slice(x);
        self.per_offer[offer].forward(scratch);
        scratch.iter().map(|z| z * z).sum()
    }

    pub fn rewards_seen(&self, offer: usize) -> u64 {
        self.per_offer[offer].count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offers::catalogue::{Catalogue, OfferSpec};

    #[test]
    fn prior_counts_the_cost_paid_to_buyers_anyway() {
        let cat = Catalogue::new(vec![OfferSpec::new("p20", "percent_off", Some(20.0))]).unwrap();
        let econ = Economics { margin: Some(30.0), margin_rate: 0.3 };
        let p20 = &cat.offers()[0];
        // A loyal low-risk customer buys anyway: the discount only costs.
        let safe = prior(p20, &Context::new(0.05, 500.0).with_order_value(100.0), &econ);
        assert!(safe.incremental < -10.0, "{safe:?}");
        // Independent computation: 0.95 buy anyway, lift 0.05 * 0.5 * (1 - e^{-0.8/(1+500/1500)})...
        let damping = 1.0 / (1.0 + 500.0 / (50.0 * 30.0));
        let lift = 0.05 * 0.5 * (1.0 - (-(0.2 * damping) / 0.25f64).exp());
        let expected = (0.95 + lift) * (30.0 - 20.0) - 0.95 * 30.0;
        assert!((safe.incremental - expected).abs() < 1e-12);
        // A lapsing customer: the lift can pay for it only when the margin is large enough.
        let lapsing = prior(p20, &Context::new(0.9, 50.0).with_order_value(100.0), &econ);
        assert!(lapsing.incremental > safe.incremental);
        let none = prior(&cat.offers()[1], &Context::new(0.9, 50.0), &econ);
        assert_eq!(none.incremental, 0.0);
    }

    #[test]
    fn ridge_matches_normal_equations() {
        // y = 1 + 2 x exactly, λ tiny relative to the data: coefficients close to (1, 2).
        let mut r = RidgeStats::new(2, 1e-6);
        for i in 0..50 {
            let x = i as f64 / 10.0;
            r.add(&[1.0, x], 1.0 + 2.0 * x);
        }
        let mut c = r.xy.clone();
        r.solve(&mut c);
        assert!((c[0] - 1.0).abs() < 1e-6 && (c[1] - 2.0).abs() < 1e-6, "{c:?}");
        r.grow(3);
        let mut c = r.xy.clone();
        r.solve(&mut c);
        assert!((c[1] - 2.0).abs() < 1e-6 && c[2] == 0.0);
    }
}
