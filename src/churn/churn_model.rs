//! `ChurnModel`: a calibrated churn risk — the probability that a customer makes no purchase in
//! the next `horizon` days — with P(alive), expected purchases, CLV and the RFM segment.
//!
//! # Design (measured on the full CDNOW cohort; see docs/churn-model-findings.md)
//! 1. **BTYD base.** A BG/NBD model (Fader, Hardie & Lee 2005) fitted on the whole history gives
//!    P(alive), expected purchases and P(no purchase in (T, T+t]) for any `t`.
//! 2. **Supervised layer, where the history is long enough.** The history is split in time at
//!    `split = observation_end − w` with a label window `w = min(horizon, span / 2)` (`span` =
//!    first transaction to `observation_end`): as much history for the features as for the
//!    labels, and never more than the horizon asked for. A BG/NBD is refitted on the data up to
//!    `split` only, and an L2-penalised logistic regression (the objective of linfa-logistic, see
//!    [`crate::churn::logistic`]) learns `y = no purchase in
//!    (split, split + w]` from features of the customer at `split`: the BTYD outputs (logit of
//!    P(no purchase in w), logit P(alive)), log frequency, recency / T, log time since the last
//!    purchase, log T, log total spend, log first spend, log of the time since the last purchase
//!    over the customer's usual gap, and a "never came back" flag. It is used only when it beats
//!    the BTYD probability on held-out customers (30 %, seeded) in log loss.
//! 3. **From the label window to the horizon, through the BTYD model.** The layer predicts
//!    `p_w = P(no purchase in w)`. In a BTYD model `P(no purchase in t) = 1 − P(alive)·(1 − q_t)`
//!    with `q_t = P(no purchase in t | alive)`, so the layer's `p_w` implies a corrected
//!    P(alive)' = (1 − p_w)/(1 − q_w), and the horizon's probability is
//!    `1 − (1 − p_w)·(1 − P0_h)/(1 − P0_w)` (P(alive) cancels: only the BTYD's ratio of the
//!    purchase probabilities over `h` and over `w` is used). When `w = horizon` this is `p_w`.
//! 4. **Calibration.** The layer's probabilities are calibrated on the internal split by
//!    construction (logistic regression is a proper scoring fit; held-out ECE ~0.014 on CDNOW
//!    in the prototype).
//!    The conversion of step 3 is customer-specific and slightly scrambles the layer's ranking, so
//!    the final risk is a Platt map `σ(a + b·logit p_w)` fitted (cross-entropy, soft targets) to
//!    the step-3 probabilities: the ranking of the supervised score, the level of the horizon's
//!    BTYD-converted probabilities. Platt rather than isotonic: two parameters, smooth, monotone,
//!    no bins to tune, and isotonic against soft targets would just reproduce them.
//!    Without the layer (short history, too few customers, or the layer does not validate
//!    better) the risk is the BTYD probability itself, which is model-based and needs no labels.
//!
//! 5. **Small shops: a fallback ladder instead of an error.** Every BG/NBD fit (the whole history
//!    and the internal split) is tried with the requested `penalizer` (default 0), then, when it
//!    cannot be identified — the fit fails ("parameter a diverged") or a parameter ends outside
//!    [1e-6, 1e6] ([`RUNAWAY_BOUND`]: running off to 0 or ∞, so the optimum is a boundary, not a
//!    point; on a shop whose customers all keep buying r, α → ∞ and a → 0) — with penalizer
//!    0.01, then 0.1 ([`FALLBACK_PENALIZERS`]), then as the no-dropout NBD
//!    ([`crate::churn::no_dropout`]: the a → 0 limit of BG/NBD — P(alive) = 1, purchases from the
//!    gamma-Poisson part alone — read off the BG/NBD fit with penalizer max(requested, 0.1) when
//!    that fit runs a → 0; the penalty is needed as a shop of identical buyers also sends r, α → ∞). Each step is a
//!    plain-words entry of [`ChurnModel::warnings`]; only when the last rung fails too does the fit
//!    fail, saying so.
//! 6. **Warnings.** Besides the fallback steps, `warnings` says when the dropout process is not
//!    identified (BG/NBD a < 1e-3 or mean dropout probability a/(a+b) < 1e-3: P(alive) ≈ 1 for
//!    everyone), when fewer than [`MIN_REPEAT_BUYERS`] customers have a repeat purchase, and when
//!    the chosen risk's held-out AUC is within noise of 0.5 (|AUC − 0.5| < 1.96 × its standard
//!    deviation under no signal at equal classes, [`auc_within_noise`]).
//!    Then the BG/NBD model's own fit diagnostics ([`crate::churn::diagnostics`]: a parameter at a
//!    bound, flat likelihood, no convergence), each once.
//!    Numbers in warnings are written with integer formatting (float formatting is heavy in wasm).
//!
//! On the full CDNOW cohort (fit to 1997-09-30, horizon 273 days) this gives AUC 0.7719 and
//! ECE 0.0175, against 0.7466 / 0.0397 for the BG/NBD probability alone
//! (tests/churn_model_cdnow.rs). Only the transactions up to `observation_end` are ever read,
//! in fitting and in [`ChurnModel::score`].

use crate::decimal::{Decimal, Fixed};

use crate::churn::bg_nbd::{BetaGeo, BetaGeoOptions};
use crate::churn::no_dropout::fit_no_dropout;
use crate::churn::clv::{customer_lifetime_value, ClvOptions};
use crate::churn::gamma_gamma::GammaGamma;
use crate::churn::logistic::fit_logistic as fit_logistic_regression;
use crate::churn::TransactionModel;
use crate::codec::{Reader, Writer};
use crate::data::{Summary, SummaryOptions, TimeUnit, Transactions, DAY_MS};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Number of features of the supervised layer (see [`features`]).
pub const FEATURE_COUNT: usize = 10;
/// Names of the features, in order (for reports and debugging).
pub const FEATURE_NAMES: [&str; FEATURE_COUNT] = [
    "logit P(no purchase in window)",
    "logit P(alive)",
    "log(1 + frequency)",
    "recency / T",
    "log(1 + weeks since last purchase)",
    "log(1 + T in weeks)",
    "log(1 + total spend)",
    "log(1 + first spend)",
    "log(1 + time since last purchase / usual gap)",
    "no repeat purchase",
];

/// Minimum label window (days) for the internal split; shorter histories use the BTYD alone.
pub const MIN_LABEL_WINDOW_DAYS: f64 = 14.0;
/// Minimum customers in the internal split, and minimum of each label class.
pub const MIN_SPLIT_CUSTOMERS: usize = 200;
pub const MIN_CLASS_COUNT: usize = 20;
/// Share of the internal split's customers held out to validate the layer against the BTYD.
pub const HELD_OUT_SHARE: f64 = 0.3;

/// Penalizers tried, in order, after a BG/NBD fit with the requested one fails (with their text,
/// so warnings need no float formatting); the last one is also the no-dropout fit's minimum.
pub const FALLBACK_PENALIZERS: [(f64, &str); 2] = [(0.01, " with penalizer 0.01"), (0.1, " with penalizer 0.1")];
/// A fitted BG/NBD parameter outside [1/RUNAWAY_BOUND, RUNAWAY_BOUND] counts as not converged
/// (module docs, step 5). CDNOW's are 0.24–4.4; a real shop's time scale α in weeks stays far below.
pub const RUNAWAY_BOUND: f64 = 1e6;
/// Fewer customers with a repeat purchase than this gets a warning.
pub const MIN_REPEAT_BUYERS: usize = 30;

const KIND: &[u8; 4] = b"CHRN";
const EPS: f64 = 1e-9;

/// Options of [`ChurnModel::fit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChurnOptions {
    /// Days ahead the risk is about; default 90.
    pub horizon: f64,
    /// Epoch ms, inclusive; defaults to the last transaction. Later transactions are ignored.
    pub observation_end: Option<f64>,
    /// Seed of the held-out split.
    pub seed: u64,
    /// Days of future spend counted in `clv`; default 365.
    pub clv_horizon: f64,
    /// Yearly discount rate of `clv` (0.1 = 10 % a year); default 0.1.
    pub annual_discount_rate: f64,
    /// L2 penalizer of every BG/NBD fit (`-ll/N + penalizer · Σ param²`, as lifetimes); default 0.
    /// The first rung of the fallback ladder (module docs, step 5).
    pub penalizer: f64,
}

impl Default for ChurnOptions {
    fn default() -> Self {
        ChurnOptions { horizon: 90.0, observation_end: None, seed: 0, clv_horizon: 365.0, annual_discount_rate: 0.1, penalizer: 0.0 }
    }
}

/// How the risk is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskMethod {
    /// BG/NBD P(no purchase in the horizon), uncalibrated by data (short history or the layer
    /// did not validate better).
    Btyd,
    /// Supervised logistic layer on an internal time split, converted to the horizon through the
    /// BTYD model and Platt-mapped (module docs).
    Supervised,
}

/// The logistic layer and its calibration map.
#[derive(Debug, Clone, PartialEq)]
pub struct SupervisedLayer {
    /// Standardisation of the features: `(x − mean) / scale`.
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    /// Logistic coefficients on the standardised features; the model gives P(no purchase in w).
    pub coefficients: Vec<f64>,
    pub intercept: f64,
    /// Platt map `risk = σ(platt_a + platt_b · logit p_w)`.
    pub platt_a: f64,
    pub platt_b: f64,
}

/// What the internal validation measured (on held-out customers of the internal split).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChurnValidation {
    /// Label window of the internal split in days (0 when no split was possible).
    pub label_window: f64,
    /// Customers in the internal split, and how many were held out.
    pub split_customers: usize,
    pub held_out: usize,
    /// Held-out mean log loss of the BTYD probability and of the layer.
    pub btyd_log_loss: f64,
    pub supervised_log_loss: f64,
    /// Held-out AUC (for no purchase) of the BTYD probability and of the layer.
    pub btyd_auc: f64,
    pub supervised_auc: f64,
    /// Why the layer is not used, when it is not.
    pub fallback_reason: Option<String>,
}

/// Scores of [`ChurnModel::score`], aligned with `customers`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnScores {
    pub customers: Vec<String>,
    /// Calibrated probability of no purchase in the next `horizon` days.
    pub risk: Vec<f64>,
    pub probability_alive: Vec<f64>,
    /// Expected purchases in the next `horizon` days.
    pub expected_purchases: Vec<f64>,
    /// Customer lifetime value: discounted expected spend over the next `clv_horizon` days
    /// (BG/NBD × Gamma-Gamma, [`customer_lifetime_value`]). When the Gamma-Gamma model cannot be
    /// fitted, expected purchases × the customer's mean spend per purchase (undiscounted);
    /// 0 when the transactions have no amounts.
    pub clv: Vec<f64>,
    pub segment: Vec<String>,
    /// A short reason per customer ("no purchase for 140 days; usually every 35",
    /// [`crate::churn::reason`]).
    pub reason: Vec<String>,
}

/// A fitted churn model.
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnModel {
    /// Horizon in days.
    pub horizon: f64,
    /// CLV horizon in days and yearly discount rate.
    pub clv_horizon: f64,
    pub annual_discount_rate: f64,
    /// Whether the fitted transactions had amounts (otherwise `clv` is 0).
    pub has_amounts: bool,
    /// Epoch ms of the end of the fitted history; `score(tx)` summarises up to it.
    pub observation_end: f64,
    pub method: RiskMethod,
    /// BG/NBD fitted on the whole history (weeks).
    pub btyd: BetaGeo,
    /// Spend model, when the data have amounts and it can be fitted.
    pub spend: Option<GammaGamma>,
    pub layer: Option<SupervisedLayer>,
    pub validation: ChurnValidation,
    /// Plain-words warnings: fallback steps and identification problems (module docs, steps 5
    /// and 6); empty when all is well.
    pub warnings: Vec<String>,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(EPS, 1.0 - EPS);
    (p / (1.0 - p)).ln()
}

/// Re-expresses a summary in weeks (the unit every fit and feature of this module uses).
fn in_weeks(summary: &Summary) -> Summary {
    if summary.unit == TimeUnit::Week {
        return summary.clone();
    }
    let factor = summary.unit.days() / 7.0;
    let mut s = summary.clone();
    s.recency.iter_mut().for_each(|v| *v *= factor);
    s.t.iter_mut().for_each(|v| *v *= factor);
    if let Some(h) = s.holdout.as_mut() {
        h.duration *= factor;
    }
    s.unit = TimeUnit::Week;
    s
}

/// The layer's features for every customer of a weekly summary (names in [`FEATURE_NAMES`]);
/// `p0_window` and `alive` are the BTYD's P(no purchase in the label window) and P(alive).
/// Row-major, [`FEATURE_COUNT`] values per customer (plain slices rather than ndarray: its
/// generic code cost the full build ~1 KB gzipped for what is a strided loop here).
fn features(s: &Summary, p0_window: &[f64], alive: &[f64]) -> Vec<f64> {
    let n = s.len();
    let mut x = Vec::with_capacity(n * FEATURE_COUNT);
    for i in 0..n {
        let frequency = s.frequency[i];
        let t = s.t[i];
        let gap = (t - s.recency[i]).max(0.0);
        let first_spend = (s.total_spend[i] - s.monetary[i] * frequency).max(0.0);
        // The customer's usual gap between purchases; at least a day so the ratio stays finite.
        let overdue = if frequency > 0.0 { gap / (s.recency[i] / frequency).max(1.0 / 7.0) } else { 0.0 };
        let row = [
            logit(p0_window[i]),
            logit(alive[i]),
            frequency.ln_1p(),
            if t > 0.0 { s.recency[i] / t } else { 0.0 },
            gap.ln_1p(),
            t.ln_1p(),
            s.total_spend[i].max(0.0).ln_1p(),
            first_spend.ln_1p(),
            overdue.ln_1p(),
            if frequency == 0.0 { 1.0 } else { 0.0 },
        ];
        x.extend_from_slice(&row);
    }
    x
}

impl SupervisedLayer {
    fn probability(&self, row: &[f64]) -> f64 {
        let mut z = self.intercept;
        for j in 0..FEATURE_COUNT {
            z += self.coefficients[j] * (row[j] - self.mean[j]) / self.scale[j];
        }
        sigmoid(z)
    }
}

/// Mean log loss of probabilities of `y = true`.
fn log_loss(p: &[f64], y: &[bool]) -> f64 {
    let total: f64 = p
        .iter()
        .zip(y)
        .map(|(p, y)| {
            let p = p.clamp(1e-12, 1.0 - 1e-12);
            if *y {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum();
    total / p.len().max(1) as f64
}

/// AUC of `score` for `y = true` by the rank-sum (Mann-Whitney) formula, ties at mid-rank.
pub fn auc(score: &[f64], y: &[bool]) -> f64 {
    let n = score.len();
    let mut order: Vec<usize> = (0..n).collect();
    crate::sort::sort_by(&mut order, &|&a, &b| score[a].total_cmp(&score[b]).then(a.cmp(&b)));
    let mut rank = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && score[order[j + 1]] == score[order[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            rank[order[k]] = mid;
        }
        i = j + 1;
    }
    let positives = y.iter().filter(|v| **v).count() as f64;
    let negatives = n as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return f64::NAN;
    }
    let rank_sum: f64 = (0..n).filter(|&i| y[i]).map(|i| rank[i]).sum();
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// Platt map fitted by Newton's method to soft targets: minimises the cross-entropy
/// `−Σ t ln σ(a + b z) + (1 − t) ln(1 − σ(a + b z))` (Platt 1999, with the targets being the
/// horizon probabilities instead of labels). Returns `None` if it does not converge to a finite,
/// increasing map.
fn platt_soft(z: &[f64], target: &[f64]) -> Option<(f64, f64)> {
    let (mut a, mut b) = (0.0f64, 1.0f64);
    for _ in 0..100 {
        let (mut g0, mut g1, mut h00, mut h01, mut h11) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (zi, ti) in z.iter().zip(target) {
            let p = sigmoid(a + b * zi);
            let w = (p * (1.0 - p)).max(1e-12);
            g0 += p - ti;
            g1 += (p - ti) * zi;
            h00 += w;
            h01 += w * zi;
            h11 += w * zi * zi;
        }
        // A tiny ridge keeps the 2×2 system solvable when z barely varies.
        h00 += 1e-9;
        h11 += 1e-9;
        let det = h00 * h11 - h01 * h01;
        if !(det.is_finite() && det > 0.0) {
            return None;
        }
        let da = (h11 * g0 - h01 * g1) / det;
        let db = (h00 * g1 - h01 * g0) / det;
        a -= da;
        b -= db;
        if !(a.is_finite() && b.is_finite()) {
            return None;
        }
        if da.abs() < 1e-10 && db.abs() < 1e-10 {
            break;
        }
    }
    (b > 0.0).then_some((a, b))
}

/// BTYD-converted horizon probability (module docs, step 3):
/// `1 − (1 − p_w)(1 − P0_h)/(1 − P0_w)`, clamped to [0, 1].
fn to_horizon(p_window: f64, p0_window: f64, p0_horizon: f64) -> f64 {
    let buy_window = 1.0 - p0_window;
    if buy_window < 1e-12 {
        // The BTYD sees (almost) no chance of a purchase in either period: keep its horizon value.
        return p0_horizon;
    }
    (1.0 - (1.0 - p_window) * (1.0 - p0_horizon) / buy_window).clamp(0.0, 1.0)
}

/// A layer fitted on the internal split, with its validation numbers, or why there is none.
struct LayerFit {
    mean: Vec<f64>,
    scale: Vec<f64>,
    coefficients: Vec<f64>,
    intercept: f64,
}

fn fit_logistic(x: &[f64], y: &[bool]) -> Result<LayerFit> {
    let n = x.len() / FEATURE_COUNT;
    let mut mean = vec![0.0; FEATURE_COUNT];
    let mut scale = vec![1.0; FEATURE_COUNT];
    for j in 0..FEATURE_COUNT {
        let column = || x.iter().skip(j).step_by(FEATURE_COUNT);
        let m = column().sum::<f64>() / n as f64;
        let var = column().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64;
        mean[j] = m;
        // A constant feature (e.g. spend without amounts) is left unscaled; its coefficient is 0.
        scale[j] = if var > 1e-18 { var.sqrt() } else { 1.0 };
    }
    let rows: Vec<f64> = x.iter().enumerate().map(|(k, v)| (v - mean[k % FEATURE_COUNT]) / scale[k % FEATURE_COUNT]).collect();
    // A light L2 penalty (alpha = 1 on a summed loss over hundreds+ of customers), the objective
    // of linfa-logistic's LogisticRegression::default().alpha(1.0) (see churn::logistic).
    let fitted = fit_logistic_regression(&rows, FEATURE_COUNT, y, 1.0)
        .map_err(|e| Error::NotIdentifiable(format!("churn layer: {e}")))?;
    Ok(LayerFit { mean, scale, coefficients: fitted.coefficients, intercept: fitted.intercept })
}

impl ChurnModel {
    /// Fits the churn model on the transactions up to `observation_end` (module docs).
    pub fn fit(tx: &Transactions, options: ChurnOptions) -> Result<Self> {
        if !options.horizon.is_finite() || options.horizon <= 0.0 {
            return Err(Error::invalid(format!("horizon must be a finite number of days > 0, got {}", Decimal(options.horizon))));
        }
        if tx.is_empty() {
            return Err(Error::invalid("transactions are empty: nothing to fit"));
        }
        let (first_time, last_time) = tx.time_range();
        let observation_end = match options.observation_end {
            Some(t) if !t.is_finite() => {
                return Err(Error::invalid(format!("observationEnd must be a finite time, got {t}", t = Decimal(t))))
            }
            Some(t) => t,
            None => last_time,
        };
        if observation_end < first_time {
            return Err(Error::invalid("observationEnd is before the first transaction: no history to fit"));
        }
        let clv_horizon = crate::error::check_scalar("clvHorizon", options.clv_horizon, 0.0, 36_500.0)?;
        let annual_discount_rate =
            crate::error::check_scalar("annualDiscountRate", options.annual_discount_rate, 0.0, 100.0)?;
        let has_amounts = tx.amount().is_some();
        let horizon = options.horizon;
        let horizon_weeks = horizon / 7.0;
        let full = tx.summary(SummaryOptions { observation_end: Some(observation_end), calibration_end: None, unit: TimeUnit::Week })?;
        // Checked (finite, >= 0) by the first BG/NBD fit, which names it.
        let penalizer = options.penalizer;
        let mut warnings = Vec::new();
        let btyd = fit_with_fallback(&full, penalizer, &mut warnings)?;
        let spend = if tx.amount().is_some() { GammaGamma::fit(&full).ok() } else { None };

        let mut validation = ChurnValidation::default();
        let span_days = (observation_end - first_time) / DAY_MS;
        let window = horizon.min(span_days / 2.0).floor();
        validation.label_window = window;
        let layer = if window < MIN_LABEL_WINDOW_DAYS {
            validation.fallback_reason = Some(format!(
                "history of {span_days} days is too short for an internal split (label window {window} < {MIN_LABEL_WINDOW_DAYS} days)",
                span_days = Fixed(span_days, 0),
                window = Decimal(window),
                MIN_LABEL_WINDOW_DAYS = Decimal(MIN_LABEL_WINDOW_DAYS)
            ));
            None
        } else {
            let fit = LayerContext { observation_end, window_days: window, horizon_weeks, seed: options.seed, penalizer };
            match Self::fit_layer(tx, &full, &btyd, &fit, &mut validation, &mut warnings) {
                Ok(layer) => layer,
                Err(e) => {
                    validation.fallback_reason = Some(e.to_string());
                    None
                }
            }
        };
        let method = if layer.is_some() { RiskMethod::Supervised } else { RiskMethod::Btyd };
        identification_warnings(&btyd, &full, &validation, method, &mut warnings);
        Ok(ChurnModel {
            horizon,
            clv_horizon,
            annual_discount_rate,
            has_amounts,
            observation_end,
            method,
            btyd,
            spend,
            layer,
            validation,
            warnings,
        })
    }

    /// Internal split, layer fit, held-out validation, and the Platt map to the horizon.
    fn fit_layer(
        tx: &Transactions,
        full: &Summary,
        btyd: &BetaGeo,
        context: &LayerContext,
        validation: &mut ChurnValidation,
        warnings: &mut Vec<String>,
    ) -> Result<Option<SupervisedLayer>> {
        let LayerContext { observation_end, window_days, horizon_weeks, seed, penalizer } = *context;
        let window_weeks = window_days / 7.0;
        let split = observation_end - window_days * DAY_MS;
        let internal = tx.summary(SummaryOptions {
            observation_end: Some(observation_end),
            calibration_end: Some(split),
            unit: TimeUnit::Week,
        })?;
        let n = internal.len();
        validation.split_customers = n;
        let holdout = internal.holdout.as_ref().ok_or_else(|| Error::invalid("internal split has no holdout"))?;
        let labels: Vec<bool> = holdout.frequency.iter().map(|f| *f == 0.0).collect();
        let no_purchase = labels.iter().filter(|v| **v).count();
        if n < MIN_SPLIT_CUSTOMERS || no_purchase < MIN_CLASS_COUNT || n - no_purchase < MIN_CLASS_COUNT {
            validation.fallback_reason = Some(format!(
                "internal split too small: {n} customers, {no_purchase} without and {} with a purchase in the label window",
                n - no_purchase
            ));
            return Ok(None);
        }
        let split_btyd = fit_with_fallback(&internal, penalizer, warnings)?;
        let p0_split = split_btyd.probability_no_purchase(window_weeks, &internal)?;
        let alive_split = split_btyd.probability_alive(&internal)?;
        let x = features(&internal, &p0_split, &alive_split);

        // Seeded held-out customers for the layer-vs-BTYD decision.
        let mut order: Vec<usize> = (0..n).collect();
        Rng::new(seed).shuffle(&mut order);
        let held_count = ((n as f64) * HELD_OUT_SHARE).round() as usize;
        let (held, train) = order.split_at(held_count);
        let pick = |rows: &[usize]| -> (Vec<f64>, Vec<bool>) {
            let x_rows = rows.iter().flat_map(|&r| x[r * FEATURE_COUNT..(r + 1) * FEATURE_COUNT].iter().copied()).collect();
            (x_rows, rows.iter().map(|&r| labels[r]).collect())
        };
        let (x_train, y_train) = pick(train);
        let (x_held, y_held) = pick(held);
        validation.held_out = held.len();
        let trial = fit_logistic(&x_train, &y_train)?;
        let trial_layer = SupervisedLayer {
            mean: trial.mean,
            scale: trial.scale,
            coefficients: trial.coefficients,
            intercept: trial.intercept,
            platt_a: 0.0,
            platt_b: 1.0,
        };
        let p_layer: Vec<f64> = x_held.chunks_exact(FEATURE_COUNT).map(|r| trial_layer.probability(r)).collect();
        let p_btyd: Vec<f64> = held.iter().map(|&r| p0_split[r]).collect();
        validation.btyd_log_loss = log_loss(&p_btyd, &y_held);
        validation.supervised_log_loss = log_loss(&p_layer, &y_held);
        validation.btyd_auc = auc(&p_btyd, &y_held);
        validation.supervised_auc = auc(&p_layer, &y_held);
        // Written so that a NaN loss also counts as "not better".
        let layer_is_better = validation.supervised_log_loss < validation.btyd_log_loss;
        if !layer_is_better {
            validation.fallback_reason = Some(format!(
                "the supervised layer does not validate better (held-out log loss {} vs BTYD {})",
                Fixed(validation.supervised_log_loss, 4),
                Fixed(validation.btyd_log_loss, 4)
            ));
            return Ok(None);
        }

        // Refit on every customer of the split, then map to the horizon on the full history.
        let all = fit_logistic(&x, &labels)?;
        let mut layer = SupervisedLayer {
            mean: all.mean,
            scale: all.scale,
            coefficients: all.coefficients,
            intercept: all.intercept,
            platt_a: 0.0,
            platt_b: 1.0,
        };
        let p0_window = btyd.probability_no_purchase(window_weeks, full)?;
        let p0_horizon = btyd.probability_no_purchase(horizon_weeks, full)?;
        let alive = btyd.probability_alive(full)?;
        let x_full = features(full, &p0_window, &alive);
        let z: Vec<f64> = x_full.chunks_exact(FEATURE_COUNT).map(|r| logit(layer.probability(r))).collect();
        let target: Vec<f64> =
            (0..full.len()).map(|i| to_horizon(sigmoid(z[i]), p0_window[i], p0_horizon[i])).collect();
        match platt_soft(&z, &target) {
            Some((a, b)) => {
                layer.platt_a = a;
                layer.platt_b = b;
                Ok(Some(layer))
            }
            None => {
                validation.fallback_reason = Some("the calibration map to the horizon did not converge".into());
                Ok(None)
            }
        }
    }

    /// Scores the customers of `tx` as of the model's `observation_end` (later transactions are
    /// ignored, so scoring the fitting data never looks past the fitted history).
    pub fn score(&self, tx: &Transactions) -> Result<ChurnScores> {
        let (first_time, _) = tx.time_range();
        if tx.is_empty() || first_time > self.observation_end {
            return Err(Error::invalid("transactions have no purchase up to the model's observationEnd: nothing to score"));
        }
        let s = tx.summary(SummaryOptions { observation_end: Some(self.observation_end), calibration_end: None, unit: TimeUnit::Week })?;
        self.score_summary(&s)
    }

    /// Scores the customers of a summary (any unit; ages are taken as of its own end).
    pub fn score_summary(&self, summary: &Summary) -> Result<ChurnScores> {
        if summary.is_empty() {
            return Err(Error::invalid("the summary has no customers"));
        }
        let n = summary.len();
        for (name, len) in [("recency", summary.recency.len()), ("T", summary.t.len()), ("monetary", summary.monetary.len()), ("total_spend", summary.total_spend.len()), ("customers", summary.customers.len())] {
            if len != n {
                return Err(Error::invalid(format!("summary columns differ in length: frequency {n}, {name} {len}")));
            }
        }
        crate::error::check_non_negative("monetary", &summary.monetary)?;
        crate::error::check_non_negative("total_spend", &summary.total_spend)?;
        let s = in_weeks(summary);
        let horizon_weeks = self.horizon / 7.0;
        let probability_alive = self.btyd.probability_alive(&s)?;
        let p0_horizon = self.btyd.probability_no_purchase(horizon_weeks, &s)?;
        let expected_purchases = self.btyd.expected_purchases(horizon_weeks, &s)?;
        let risk: Vec<f64> = match &self.layer {
            Some(layer) => {
                let p0_window = self.btyd.probability_no_purchase(self.validation.label_window / 7.0, &s)?;
                let x = features(&s, &p0_window, &probability_alive);
                x.chunks_exact(FEATURE_COUNT)
                    .map(|r| sigmoid(layer.platt_a + layer.platt_b * logit(layer.probability(r))))
                    .collect()
            }
            None => p0_horizon,
        };
        if let Some(i) = risk.iter().position(|v| !v.is_finite()) {
            return Err(Error::NotIdentifiable(format!("churn risk is not finite for customer {i}")));
        }
        let clv = self.clv(&s)?;
        let segment = s.rfm(5)?.segment.into_iter().map(String::from).collect();
        let reason = (0..n).map(|i| crate::churn::reason::reason(s.frequency[i], s.recency[i], s.t[i])).collect();
        Ok(ChurnScores { customers: s.customers.clone(), risk, probability_alive, expected_purchases, clv, segment, reason })
    }

    /// CLV of every customer of a weekly summary (see [`ChurnScores::clv`]).
    fn clv(&self, s: &Summary) -> Result<Vec<f64>> {
        if !self.has_amounts {
            return Ok(vec![0.0; s.len()]);
        }
        let weeks = self.clv_horizon / 7.0;
        if let Some(gg) = &self.spend {
            // The yearly rate as a weekly one: (1 + d_year)^(7 / 365.25) − 1.
            let weekly_rate = (1.0 + self.annual_discount_rate).powf(7.0 / 365.25) - 1.0;
            if let Ok(clv) = customer_lifetime_value(&self.btyd, gg, s, ClvOptions { horizon: weeks, discount_rate: weekly_rate }) {
                return Ok(clv);
            }
        }
        let purchases = self.btyd.expected_purchases(weeks, s)?;
        Ok((0..s.len()).map(|i| purchases[i] * s.total_spend[i] / (s.frequency[i] + 1.0)).collect())
    }

    /// Model bytes (crate::codec, kind "CHRN").
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(KIND);
        w.put_f64(self.horizon);
        w.put_f64(self.clv_horizon);
        w.put_f64(self.annual_discount_rate);
        w.put_bool(self.has_amounts);
        w.put_f64(self.observation_end);
        w.put_bytes(&self.btyd.to_bytes());
        w.put_bool(self.spend.is_some());
        if let Some(gg) = &self.spend {
            w.put_bytes(&gg.to_bytes());
        }
        let v = &self.validation;
        w.put_f64(v.label_window);
        w.put_u64(v.split_customers as u64);
        w.put_u64(v.held_out as u64);
        w.put_f64s(&[v.btyd_log_loss, v.supervised_log_loss, v.btyd_auc, v.supervised_auc]);
        w.put_bool(v.fallback_reason.is_some());
        if let Some(reason) = &v.fallback_reason {
            w.put_str(reason);
        }
        w.put_bool(self.layer.is_some());
        if let Some(layer) = &self.layer {
            w.put_f64s(&layer.mean);
            w.put_f64s(&layer.scale);
            w.put_f64s(&layer.coefficients);
            w.put_f64s(&[layer.intercept, layer.platt_a, layer.platt_b]);
        }
        // Trailing and optional: bytes written before warnings existed end here and still load.
        w.put_strs(&self.warnings);
        w.finish()
    }

    /// Reads and validates model bytes written by [`ChurnModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open(bytes, KIND)?;
        let horizon = r.get_finite_f64()?;
        if horizon <= 0.0 {
            return Err(Error::corrupt("churn horizon must be > 0"));
        }
        let clv_horizon = r.get_finite_f64()?;
        let annual_discount_rate = r.get_finite_f64()?;
        if clv_horizon < 0.0 || annual_discount_rate < 0.0 {
            return Err(Error::corrupt("CLV horizon and discount rate must be >= 0"));
        }
        let has_amounts = r.get_bool()?;
        let observation_end = r.get_finite_f64()?;
        let btyd = BetaGeo::from_bytes(&r.get_bytes()?)?;
        let spend = if r.get_bool()? { Some(GammaGamma::from_bytes(&r.get_bytes()?)?) } else { None };
        let label_window = r.get_finite_f64()?;
        let split_customers = r.get_u64()? as usize;
        let held_out = r.get_u64()? as usize;
        let numbers = r.get_f64s()?;
        if numbers.len() != 4 {
            return Err(Error::corrupt("churn validation numbers are malformed"));
        }
        let fallback_reason = if r.get_bool()? { Some(r.get_str()?) } else { None };
        let layer = if r.get_bool()? {
            let mean = r.get_f64s()?;
            let scale = r.get_f64s()?;
            let coefficients = r.get_f64s()?;
            let rest = r.get_f64s()?;
            let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
            if mean.len() != FEATURE_COUNT
                || scale.len() != FEATURE_COUNT
                || coefficients.len() != FEATURE_COUNT
                || rest.len() != 3
                || !finite(&mean)
                || !finite(&coefficients)
                || !finite(&rest)
                || scale.iter().any(|s| !(s.is_finite() && *s > 0.0))
                || rest[2] <= 0.0
            {
                return Err(Error::corrupt("churn layer is malformed"));
            }
            if label_window <= 0.0 {
                return Err(Error::corrupt("churn label window must be > 0 with a layer"));
            }
            Some(SupervisedLayer { mean, scale, coefficients, intercept: rest[0], platt_a: rest[1], platt_b: rest[2] })
        } else {
            None
        };
        let warnings = if r.remaining() > 0 { r.get_strs()? } else { Vec::new() };
        r.finish()?;
        let method = if layer.is_some() { RiskMethod::Supervised } else { RiskMethod::Btyd };
        let validation = ChurnValidation {
            label_window,
            split_customers,
            held_out,
            btyd_log_loss: numbers[0],
            supervised_log_loss: numbers[1],
            btyd_auc: numbers[2],
            supervised_auc: numbers[3],
            fallback_reason,
        };
        Ok(ChurnModel {
            horizon,
            clv_horizon,
            annual_discount_rate,
            has_amounts,
            observation_end,
            method,
            btyd,
            spend,
            layer,
            validation,
            warnings,
        })
    }
}

/// What [`ChurnModel::fit_layer`] needs besides the data.
#[derive(Clone, Copy)]
struct LayerContext {
    observation_end: f64,
    window_days: f64,
    horizon_weeks: f64,
    seed: u64,
    penalizer: f64,
}

/// A BG/NBD fit down the fallback ladder (module docs, step 5), each step a warning (the internal
/// split's fit names its own, smaller, customer count). Errors other than "not identifiable"
/// (bad input) are returned at once.
fn fit_with_fallback(s: &Summary, penalizer: f64, warnings: &mut Vec<String>) -> Result<BetaGeo> {
    // (penalizer, how the warnings name that fit): the requested one, then the larger rungs, then
    // the no-dropout model with the strongest penalizer (or the requested one when larger).
    let [(p1, l1), (p2, l2)] = FALLBACK_PENALIZERS;
    let requested = if penalizer == 0.0 { "" } else { " (requested penalizer)" };
    let rungs = [(penalizer, requested), (p1, l1), (p2, l2)];
    let no_dropout = if penalizer > p2 { (penalizer, requested) } else { (p2, l2) };
    for (i, &(p, label)) in rungs.iter().enumerate() {
        if i > 0 && p <= penalizer {
            continue;
        }
        let why = match BetaGeoOptions::default().penalizer(p).fit(s) {
            Ok(model) => match runaway(&model) {
                None => return Ok(model),
                Some(why) => why,
            },
            Err(Error::NotIdentifiable(e)) => e,
            Err(e) => return Err(e),
        };
        let (next, last) = match rungs[i + 1..].iter().find(|(q, _)| *q > penalizer) {
            Some(&(_, next)) => (next, ""),
            None => (NO_DROPOUT_STEP, no_dropout.1),
        };
        warnings.push(format!("BG/NBD{label} did not converge on {} customers ({why}); refitted{next}{last}", s.len()));
    }
    fit_no_dropout(s, no_dropout.0)
        .map_err(|e| Error::NotIdentifiable(format!("no model fits: BG/NBD and NBD did not converge ({e})")))
}

/// How a warning names the last rung (followed by its penalizer's label).
const NO_DROPOUT_STEP: &str = " without dropout (NBD)";

/// Whether a fitted BG/NBD counts as not converged: a parameter beyond [`RUNAWAY_BOUND`].
fn runaway(model: &BetaGeo) -> Option<String> {
    let bounds = 1.0 / RUNAWAY_BOUND..=RUNAWAY_BOUND;
    (!model.params.to_array().iter().all(|v| bounds.contains(v))).then(|| "a parameter ran off to 0 or ∞".into())
}

/// The identification warnings of a fitted model (module docs, step 6).
fn identification_warnings(btyd: &BetaGeo, full: &Summary, v: &ChurnValidation, method: RiskMethod, warnings: &mut Vec<String>) {
    let p = btyd.params;
    // The no-dropout model (a = 1e-300) gets it too: it has no dropout process to identify.
    if p.a < 1e-3 || p.a / (p.a + p.b) < 1e-3 {
        warnings.push("BG/NBD: dropout not identified (a → 0 or b → ∞): P(alive) ≈ 1".into());
    }
    let repeat_buyers = full.frequency.iter().filter(|f| **f > 0.0).count();
    if repeat_buyers < MIN_REPEAT_BUYERS {
        warnings.push(format!("only {repeat_buyers} repeat buyers (< 30): rates poorly determined"));
    }
    let auc = if method == RiskMethod::Supervised { v.supervised_auc } else { v.btyd_auc };
    if v.held_out > 0 && auc_within_noise(auc, v.held_out) {
        // Which risk was chosen is `method`; the AUCs and the count are in `validation`.
        warnings.push("the chosen risk ranks no better than chance (held-out AUC within noise of 0.5)".into());
    }
    // The BTYD model's own fit diagnostics (`crate::churn::diagnostics`), less what was said
    // above in the same words (dropout not identified, few repeat buyers).
    for w in btyd.diagnostics.iter().flat_map(|d| &d.warnings) {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
}

/// Whether an AUC on `n` held-out customers is within noise of 0.5: |AUC − 0.5| < 1.96 σ with
/// σ = √((n+1)/(3n²)), the Mann-Whitney null standard deviation √((n₁+n₀+1)/(12 n₁ n₀)) at equal
/// classes — its smallest value, so a warned AUC is within noise whatever the class balance.
/// A NaN AUC (one class only) counts as within noise.
pub fn auc_within_noise(auc: f64, n: usize) -> bool {
    let n = n as f64;
    !((auc - 0.5).abs() >= 1.96 * ((n + 1.0) / (3.0 * n * n)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_matches_hand_computation_with_ties() {
        // positives: 0.8, 0.5; negatives: 0.5, 0.1 → pairs: (0.8>0.5)=1, (0.8>0.1)=1, (0.5=0.5)=0.5, (0.5>0.1)=1
        let a = auc(&[0.8, 0.5, 0.5, 0.1], &[true, true, false, false]);
        assert!((a - 3.5 / 4.0).abs() < 1e-12);
    }

    #[test]
    fn platt_soft_recovers_a_known_map() {
        let z: Vec<f64> = (0..200).map(|i| -4.0 + i as f64 * 0.04).collect();
        let target: Vec<f64> = z.iter().map(|z| sigmoid(0.3 + 0.7 * z)).collect();
        let (a, b) = platt_soft(&z, &target).unwrap();
        assert!((a - 0.3).abs() < 1e-6 && (b - 0.7).abs() < 1e-6, "{a} {b}");
    }

    #[test]
    fn auc_noise_band() {
        // 136 held out: σ ≈ 0.05, so 0.55 is noise and 0.65 is not (nor 0.35).
        assert!(auc_within_noise(0.55, 136));
        assert!(!auc_within_noise(0.65, 136));
        assert!(!auc_within_noise(0.35, 136));
        assert!(auc_within_noise(f64::NAN, 136));
    }

    #[test]
    fn horizon_conversion_is_identity_at_the_window() {
        assert!((to_horizon(0.4, 0.6, 0.6) - 0.4).abs() < 1e-12);
        // A longer horizon lowers the risk.
        assert!(to_horizon(0.4, 0.6, 0.5) < 0.4);
    }
}
