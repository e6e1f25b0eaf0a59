//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987): purchases are Poisson(λ) while alive, the
//! lifetime is Exponential(μ), λ ~ Gamma(r, α), μ ~ Gamma(s, β). The likelihood follows Fader &
//! Hardie's note "A Note on Deriving the Pareto/NBD Model and Related Expressions" (2005), with
//! its two cases α >= β and α < β so that the Gauss hypergeometric series has a non-negative
//! argument below 1 and all-positive terms; both 2F1 terms are carried as logarithms.
//!
//! Fitted by Newton's method with an analytic gradient and Hessian: the 2F1 series is
//! differentiated twice term by term in its parameters and argument, once per distinct
//! (x, τ) node shared by the rows, and the Hessian at the optimum gives the standard errors.
//! Rows where the series fails or F(tx) − F(T) cancels are integrated directly and
//! differentiated numerically; with such rows the fit continues by BFGS (see optimize).
//!
//! Penalizer: like lifetimes, the fit minimises `-ll/N + penalizer * (r² + α² + s² + β²)`.

use super::optimize::{self, Objective, Settings};
#[cfg(test)]
use super::special::ln_hyp2f1_with_derivatives;
use super::special::{digamma, gauss_legendre_20, ln_gamma, ln_hyp2f1, ln_hyp2f1_a_a1_second_order, log_add_exp, log_sub_exp, trigamma};
use super::{check_fit_input, check_fitted, Grouped, TransactionModel};
use crate::data::Summary;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParetoNbdParams {
    pub r: f64,
    pub alpha: f64,
    pub s: f64,
    pub beta: f64,
}

impl ParetoNbdParams {
    pub fn to_array(&self) -> [f64; 4] {
        [self.r, self.alpha, self.s, self.beta]
    }
    pub fn from_array(v: &[f64]) -> Self {
        ParetoNbdParams { r: v[0], alpha: v[1], s: v[2], beta: v[3] }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ParetoNbdOptions {
    /// L2 penalty `penalizer * (r² + α² + s² + β²)` added to the mean negative log-likelihood.
    pub penalizer: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParetoNbd {
    pub params: ParetoNbdParams,
    /// Total log-likelihood over the fitted customers, unpenalised.
    pub log_likelihood: f64,
    /// Standard errors of (r, α, s, β); `None` when the information matrix is not positive definite.
    pub standard_errors: Option<Vec<f64>>,
    pub penalizer: f64,
    pub customers: f64,
    /// How the fit went (`None`: built from parameters, or loaded from older bytes).
    pub diagnostics: Option<super::Diagnostics>,
}

/// ln of the two parts of the individual likelihood, without the factor
/// Γ(r+x) α^r β^s / Γ(r) (FH 2005 note, eq. 22):
/// L = Γ(r+x)α^rβ^s/Γ(r) · [ (α+T)^{−(r+x)} (β+T)^{−s} + s/(r+s+x) · A0 ],
/// returns (ln of the first term = "alive at T", ln of the second = "dropped out in (tx, T]").
fn log_parts(p: &[f64], x: f64, tx: f64, t: f64) -> (f64, f64) {
    log_parts_with(p, x, tx, t, &mut |x, tau| ln_f(p, x, tau))
}

/// ln F(τ) of the FH note: α >= β: F(τ) = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+τ)) / (α+τ)^{r+s+x};
/// α < β: F(τ) = 2F1(r+s+x, r+x; r+s+x+1; (β−α)/(β+τ)) / (β+τ)^{r+s+x}. A0 = F(tx) − F(T).
fn ln_f(p: &[f64], x: f64, tau: f64) -> Option<f64> {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let rsx = r + s + x;
    if alpha >= beta {
        Some(ln_hyp2f1(rsx, s + 1.0, rsx + 1.0, (alpha - beta) / (alpha + tau))? - rsx * (alpha + tau).ln())
    } else {
        Some(ln_hyp2f1(rsx, r + x, rsx + 1.0, (beta - alpha) / (beta + tau))? - rsx * (beta + tau).ln())
    }
}

/// [`log_parts`] with ln F supplied by the caller (scoring caches it per distinct (x, τ)).
fn log_parts_with(p: &[f64], x: f64, tx: f64, t: f64, ln_f: &mut dyn FnMut(f64, f64) -> Option<f64>) -> (f64, f64) {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let rsx = r + s + x;
    let alive = -(r + x) * (alpha + t).ln() - s * (beta + t).ln();
    if tx >= t {
        return (alive, f64::NEG_INFINITY);
    }
    let dropped = match (ln_f(x, tx), ln_f(x, t)) {
        (Some(a), Some(b)) if a > b => s.ln() - rsx.ln() + log_sub_exp(a, b),
        // Series too slow (argument extremely close to 1) or cancellation: integrate directly.
        _ => s.ln() + ln_dropout_integral(p, x, tx, t),
    };
    (alive, dropped)
}

/// P(alive) for every customer of a summary, with ln F cached per distinct (x, τ): customers on
/// a day grid share few of those pairs, so scoring costs a hash lookup instead of two series.
fn probability_alive_many(p: &[f64], summary: &Summary) -> Vec<f64> {
    let mut cache: std::collections::HashMap<[u64; 2], Option<f64>, super::BitsHasher> =
        std::collections::HashMap::with_capacity_and_hasher(1024, super::BitsHasher::default());
    let mut lookup = |x: f64, tau: f64| *cache.entry([x.to_bits(), tau.to_bits()]).or_insert_with(|| ln_f(p, x, tau));
    (0..summary.len())
        .map(|i| {
            let x = summary.frequency[i];
            let tx = if x == 0.0 { 0.0 } else { summary.recency[i] };
            let (alive, dropped) = log_parts_with(p, x, tx, summary.t[i], &mut lookup);
            1.0 / (1.0 + (dropped - alive).exp())
        })
        .collect()
}

/// ln ∫_{tx}^{T} (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ — the "dropped out at τ" part of the likelihood
/// before integrating over τ (s · this integral = s/(r+s+x) · A0) — by Gauss-Legendre in
/// v = ln((α+τ)/(α+tx)), used when the hypergeometric series is impractical.
fn ln_dropout_integral(p: &[f64], x: f64, tx: f64, t: f64) -> f64 {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let upper = ((alpha + t) / (alpha + tx)).ln();
    let log_integrand = |v: f64| {
        let tau = (alpha + tx) * v.exp() - alpha;
        // dτ = (α+τ) dv.
        -(r + x - 1.0) * (alpha + tau).ln() - (s + 1.0) * (beta + tau).ln()
    };
    let reference = log_integrand(0.0);
    let panels = 16;
    let width = upper / panels as f64;
    let mut total = 0.0;
    for k in 0..panels {
        let mid = (k as f64 + 0.5) * width;
        for &(node, weight) in gauss_legendre_20() {
            total += weight * 0.5 * width * (log_integrand(mid + 0.5 * width * node) - reference).exp();
        }
    }
    reference + total.ln()
}

/// Total log-likelihood over grouped rows, with ln F computed once per node (the value-only
/// evaluations: screening the starting points, line searches of the BFGS fallback).
fn total_log_likelihood_by_nodes(data: &Grouped, nodes: &Nodes, p: &[f64]) -> f64 {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let lg_r = ln_gamma(r);
    let (ln_alpha, ln_beta) = (alpha.ln(), beta.ln());
    let mut total = 0.0;
    for (&x, &w) in data.distinct_x.iter().zip(&data.distinct_weight) {
        total += w * (ln_gamma(r + x) - lg_r + r * ln_alpha + s * ln_beta);
    }
    let node_values: Vec<Option<f64>> = nodes
        .x_index
        .iter()
        .zip(&nodes.tau)
        .map(|(&xi, &tau)| ln_f(p, data.distinct_x[xi as usize], tau))
        .collect();
    let ln_at: Vec<f64> = data.distinct_t.iter().map(|t| (alpha + t).ln()).collect();
    let ln_bt: Vec<f64> = data.distinct_t.iter().map(|t| (beta + t).ln()).collect();
    let ln_s = s.ln();
    for i in 0..data.x.len() {
        let (x, tx, t, w) = (data.x[i], data.tx[i], data.t[i], data.weight[i]);
        let ti = data.t_index[i] as usize;
        let alive = -(r + x) * ln_at[ti] - s * ln_bt[ti];
        let Some((n1, n2)) = data_row_nodes(nodes, i) else {
            total += w * alive;
            continue;
        };
        let dropped = match (node_values[n1], node_values[n2]) {
            (Some(a), Some(b)) if a > b => ln_s - (r + s + x).ln() + log_sub_exp(a, b),
            _ => ln_s + ln_dropout_integral(p, x, tx, t),
        };
        total += w * log_add_exp(alive, dropped);
    }
    total
}

/// One row's log-likelihood from [`log_parts`] (which integrates directly when the series
/// fails), with its gradient by central differences in the natural parameters: the fallback
/// of [`total_with_hessian`]'s gradient for rows the series cannot handle.
fn row_by_differences(p: &[f64], x: f64, tx: f64, t: f64) -> (f64, [f64; 4]) {
    let row = |q: &[f64]| {
        let (alive, dropped) = log_parts(q, x, tx, t);
        log_add_exp(alive, dropped)
    };
    let mut gradient = [0.0; 4];
    let mut q = [p[0], p[1], p[2], p[3]];
    for i in 0..4 {
        let h = 1e-6 * p[i];
        q[i] = p[i] + h;
        let up = row(&q);
        q[i] = p[i] - h;
        let down = row(&q);
        q[i] = p[i];
        gradient[i] = (up - down) / (2.0 * h);
    }
    (row(p), gradient)
}

/// The distinct (x, τ) pairs at which a likelihood evaluation needs ln F(τ) — every row's
/// (x, tx) and (x, T) — so that rows sharing one (all frequency-0 rows share F(0); customers on
/// a day grid share their T) pay for the series once. Built once per fit.
struct Nodes {
    /// Index into `Grouped::distinct_x`, and τ.
    x_index: Vec<u32>,
    tau: Vec<f64>,
    /// Per row, the nodes of F(tx) and F(T); `None` for rows with tx >= T (no dropout term).
    row_nodes: Vec<Option<(u32, u32)>>,
}

impl Nodes {
    /// Rows come sorted by frequency, so each frequency's rows are one run: its nodes are the
    /// sorted distinct values among the run's tx and T (sorting, not hashing, keeps the wasm
    /// module small).
    fn new(data: &Grouped) -> Nodes {
        let mut nodes = Nodes {
            x_index: Vec::new(),
            tau: Vec::new(),
            row_nodes: Vec::with_capacity(data.x.len()),
        };
        let mut start = 0;
        while start < data.x.len() {
            let xi = data.x_index[start];
            let mut end = start;
            while end < data.x.len() && data.x_index[end] == xi {
                end += 1;
            }
            let mut taus: Vec<f64> = Vec::with_capacity(2 * (end - start));
            for i in start..end {
                if data.tx[i] < data.t[i] {
                    taus.push(data.tx[i]);
                    taus.push(data.t[i]);
                }
            }
            crate::sort::sort_by(&mut taus, &|a, b| a.total_cmp(b));
            taus.dedup();
            let first = nodes.tau.len() as u32;
            let position =
                |tau: f64| first + taus.binary_search_by(|v| v.total_cmp(&tau)).unwrap_or(0) as u32;
            for i in start..end {
                let row = if data.tx[i] < data.t[i] {
                    Some((position(data.tx[i]), position(data.t[i])))
                } else {
                    None
                };
                nodes.row_nodes.push(row);
            }
            nodes.x_index.extend(std::iter::repeat(xi).take(taus.len()));
            nodes.tau.extend_from_slice(&taus);
            start = end;
        }
        nodes
    }
}

/// ln F(τ) of one node with its gradient and Hessian in (r, α, s, β), from the series'
/// derivatives in (a, b, z) ([`ln_hyp2f1_a_a1_second_order`]) by the chain rule:
/// α >= β: a = r+s+x, b = s+1, z = (α−β)/(α+τ), ln F = ln 2F1 − a ln(α+τ);
/// α < β: a = r+s+x, b = r+x, z = (β−α)/(β+τ), ln F = ln 2F1 − a ln(β+τ).
/// ∇ ln F = Σ_m g_m ∇u_m + ∇(−a L), ∇² ln F = Σ_mn H_mn ∇u_m ∇u_nᵀ + g_z ∇²z + ∇²(−a L)
/// for u = (a, b, z).
fn ln_f_second_order(p: &[f64; 4], x: f64, tau: f64) -> Option<(f64, [f64; 4], [[f64; 4]; 4])> {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let a = r + s + x;
    // (b, index of the parameter b moves with, base index (α or β), other index).
    let (b, b_param, base_param, other_param, other) = if alpha >= beta {
        (s + 1.0, 2, 1, 3, beta)
    } else {
        (r + x, 0, 3, 1, alpha)
    };
    let base = p[base_param] + tau;
    let inv_base = 1.0 / base;
    let ln_base = base.ln();
    let z = (p[base_param] - other) * inv_base;
    let (value, g, h) = ln_hyp2f1_a_a1_second_order(a, b, z)?;
    // ∇u for u = (a, b, z).
    let mut du = [[0.0; 4]; 3];
    du[0][0] = 1.0;
    du[0][2] = 1.0;
    du[1][b_param] = 1.0;
    du[2][base_param] = (other + tau) * inv_base * inv_base;
    du[2][other_param] = -inv_base;
    let mut gradient = [0.0; 4];
    let mut hessian = [[0.0; 4]; 4];
    for i in 0..4 {
        gradient[i] = g[0] * du[0][i] + g[1] * du[1][i] + g[2] * du[2][i];
        for j in i..4 {
            let mut v = 0.0;
            for m in 0..3 {
                for n in 0..3 {
                    v += h[m][n] * du[m][i] * du[n][j];
                }
            }
            hessian[i][j] = v;
        }
    }
    // g_z ∇²z: z_bb = −2(other+τ)/base³, z_b,other = 1/base² (b = the base's parameter).
    let (lo, hi) = if base_param < other_param {
        (base_param, other_param)
    } else {
        (other_param, base_param)
    };
    hessian[base_param][base_param] += g[2] * -2.0 * (other + tau) * inv_base * inv_base * inv_base;
    hessian[lo][hi] += g[2] * inv_base * inv_base;
    // −a ln(base): ∂r = ∂s = −L, ∂base = −a/base; ∂r∂base = ∂s∂base = −1/base, ∂base² = a/base².
    gradient[0] -= ln_base;
    gradient[2] -= ln_base;
    gradient[base_param] -= a * inv_base;
    hessian[0][base_param] -= inv_base;
    let (s_lo, s_hi) = if base_param < 2 {
        (base_param, 2)
    } else {
        (2, base_param)
    };
    hessian[s_lo][s_hi] -= inv_base;
    hessian[base_param][base_param] += a * inv_base * inv_base;
    for i in 0..4 {
        for j in 0..i {
            hessian[i][j] = hessian[j][i];
        }
    }
    Some((value - a * ln_base, gradient, hessian))
}

/// Total log-likelihood with its gradient and Hessian in (r, α, s, β), analytically, over
/// grouped rows with ln F shared per node. A row's ℓ = ln(e^A + e^D), A = "alive at T",
/// D = ln s − ln(r+s+x) + ln(F(tx) − F(T)) (see [`log_parts`]):
/// ∇ℓ = w_A ∇A + w_D ∇D and ∇²ℓ = w_A ∇²A + w_D ∇²D + w_A w_D (∇A − ∇D)(∇A − ∇D)ᵀ; with
/// ρ = F(T)/F(tx), ∇ ln(F1 − F2) = (∇f1 − ρ∇f2)/(1 − ρ) =: u and
/// ∇² ln(F1 − F2) = (∇²f1 + ∇f1∇f1ᵀ − ρ(∇²f2 + ∇f2∇f2ᵀ))/(1 − ρ) − u uᵀ (f = ln F).
/// Rows where a series does not converge or F(tx) − F(T) cancels (rare: T − tx tiny next to
/// α + T, or z extremely close to 1) have no analytic Hessian here: with `need_hessian` the
/// result is then `None` (Newton's method hands over to BFGS, and the standard errors come from
/// differences of the gradient); without it, such rows are integrated directly and
/// differentiated numerically ([`row_by_differences`]) and the Hessian is not filled in.
#[allow(clippy::type_complexity)]
fn total_with_hessian(data: &Grouped, nodes: &Nodes, p: &[f64; 4], need_hessian: bool) -> Option<(f64, [f64; 4], [[f64; 4]; 4])> {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let mut total = 0.0;
    let mut grad = [0.0; 4];
    let mut h = [[0.0; 4]; 4];
    let (lg_r, dg_r, tg_r) = (ln_gamma(r), digamma(r), trigamma(r));
    let (ln_alpha, ln_beta) = (alpha.ln(), beta.ln());
    for (&x, &w) in data.distinct_x.iter().zip(&data.distinct_weight) {
        total += w * (ln_gamma(r + x) - lg_r + r * ln_alpha + s * ln_beta);
        grad[0] += w * (digamma(r + x) - dg_r + ln_alpha);
        grad[1] += w * r / alpha;
        grad[2] += w * ln_beta;
        grad[3] += w * s / beta;
        h[0][0] += w * (trigamma(r + x) - tg_r);
        h[0][1] += w / alpha;
        h[1][1] -= w * r / (alpha * alpha);
        h[2][3] += w / beta;
        h[3][3] -= w * s / (beta * beta);
    }
    let node_values: Vec<_> = nodes
        .x_index
        .iter()
        .zip(&nodes.tau)
        .map(|(&xi, &tau)| ln_f_second_order(p, data.distinct_x[xi as usize], tau))
        .collect();
    let ln_at: Vec<f64> = data.distinct_t.iter().map(|t| (alpha + t).ln()).collect();
    let ln_bt: Vec<f64> = data.distinct_t.iter().map(|t| (beta + t).ln()).collect();
    // ln s − ln(r+s+x) per distinct frequency.
    let ln_s = s.ln();
    let ln_s_over_a: Vec<f64> = data
        .distinct_x
        .iter()
        .map(|x| ln_s - (r + s + x).ln())
        .collect();
    for i in 0..data.x.len() {
        let (x, t, w) = (data.x[i], data.t[i], data.weight[i]);
        let ti = data.t_index[i] as usize;
        let (inv_at, inv_bt) = (1.0 / (alpha + t), 1.0 / (beta + t));
        let rx = r + x;
        // A = −(r+x) ln(α+T) − s ln(β+T).
        let log_alive = -rx * ln_at[ti] - s * ln_bt[ti];
        let d_alive = [-ln_at[ti], -rx * inv_at, -ln_bt[ti], -s * inv_bt];
        let mut h_alive = [[0.0; 4]; 4];
        h_alive[0][1] = -inv_at;
        h_alive[1][1] = rx * inv_at * inv_at;
        h_alive[2][3] = -inv_bt;
        h_alive[3][3] = s * inv_bt * inv_bt;
        let Some((n1, n2)) = data_row_nodes(nodes, i) else {
            total += w * log_alive;
            for j in 0..4 {
                grad[j] += w * d_alive[j];
                for l in j..4 {
                    h[j][l] += w * h_alive[j][l];
                }
            }
            continue;
        };
        // ρ = e^d, d = f2 − f1 < 0, and 1 − ρ = −expm1(d) without cancellation.
        let usable = match (&node_values[n1], &node_values[n2]) {
            (Some(one), Some(two)) if one.0 > two.0 && -(two.0 - one.0).exp_m1() >= 1e-6 => {
                Some((one, two))
            }
            _ => None,
        };
        let Some(((f1, d1, h1), (f2, d2, h2))) = usable else {
            if need_hessian {
                return None;
            }
            let (value, row_gradient) = row_by_differences(p, x, data.tx[i], t);
            total += w * value;
            for j in 0..4 {
                grad[j] += w * row_gradient[j];
            }
            continue;
        };
        let one_minus_rho = -(f2 - f1).exp_m1();
        let rho = 1.0 - one_minus_rho;
        let a = r + s + x;
        let inv_one_minus = 1.0 / one_minus_rho;
        let log_dropped = ln_s_over_a[data.x_index[i] as usize] + f1 + one_minus_rho.ln();
        let mut d_dropped = [0.0; 4];
        for j in 0..4 {
            d_dropped[j] = (d1[j] - rho * d2[j]) * inv_one_minus;
        }
        let mut h_dropped = [[0.0; 4]; 4];
        for j in 0..4 {
            for l in j..4 {
                h_dropped[j][l] = (h1[j][l] + d1[j] * d1[l] - rho * (h2[j][l] + d2[j] * d2[l]))
                    * inv_one_minus
                    - d_dropped[j] * d_dropped[l];
            }
        }
        // ln s − ln(r+s+x): ∂r = −1/a, ∂s = 1/s − 1/a; ∂rr = ∂rs = 1/a², ∂ss = 1/a² − 1/s².
        let inv_a2 = 1.0 / (a * a);
        d_dropped[0] -= 1.0 / a;
        d_dropped[2] += 1.0 / s - 1.0 / a;
        h_dropped[0][0] += inv_a2;
        h_dropped[0][2] += inv_a2;
        h_dropped[2][2] += inv_a2 - 1.0 / (s * s);
        // ln(e^A + e^D) and the two shares with one exp and one ln1p.
        let e = (-(log_dropped - log_alive).abs()).exp();
        let (w_alive, w_dropped) = if log_dropped > log_alive {
            (e / (1.0 + e), 1.0 / (1.0 + e))
        } else {
            (1.0 / (1.0 + e), e / (1.0 + e))
        };
        let value = log_alive.max(log_dropped) + e.ln_1p();
        total += w * value;
        let ww = w * w_alive * w_dropped;
        for j in 0..4 {
            grad[j] += w * (w_alive * d_alive[j] + w_dropped * d_dropped[j]);
            for l in j..4 {
                h[j][l] += w * (w_alive * h_alive[j][l] + w_dropped * h_dropped[j][l])
                    + ww * (d_alive[j] - d_dropped[j]) * (d_alive[l] - d_dropped[l]);
            }
        }
    }
    for j in 0..4 {
        for l in 0..j {
            h[j][l] = h[l][j];
        }
    }
    Some((total, grad, h))
}

fn data_row_nodes(nodes: &Nodes, row: usize) -> Option<(usize, usize)> {
    nodes.row_nodes[row].map(|(a, b)| (a as usize, b as usize))
}

struct ParetoObjective<'a> {
    data: &'a Grouped,
    nodes: &'a Nodes,
    penalizer: f64,
}

impl Objective for ParetoObjective<'_> {
    fn dimension(&self) -> usize {
        4
    }
    fn has_gradient(&self) -> bool {
        true
    }
    fn value_gradient_hessian(
        &self,
        theta: &[f64],
        gradient: &mut [f64],
        hessian: &mut [f64],
    ) -> Option<f64> {
        let p = [theta[0].exp(), theta[1].exp(), theta[2].exp(), theta[3].exp()];
        if p.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Some(f64::NAN);
        }
        let n = self.data.total_weight;
        let (ll, ll_gradient, ll_hessian) = total_with_hessian(self.data, self.nodes, &p, true)?;
        optimize::log_parameter_derivatives(
            &p,
            &ll_gradient,
            &ll_hessian,
            n,
            self.penalizer,
            gradient,
            hessian,
        );
        Some(-ll / n + self.penalizer * p.iter().map(|v| v * v).sum::<f64>())
    }
    fn value(&self, theta: &[f64], gradient: Option<&mut [f64]>) -> f64 {
        let p = [theta[0].exp(), theta[1].exp(), theta[2].exp(), theta[3].exp()];
        if p.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return f64::NAN;
        }
        let n = self.data.total_weight;
        let penalty: f64 = self.penalizer * p.iter().map(|v| v * v).sum::<f64>();
        match gradient {
            Some(out) => {
                let (ll, g, _) = total_with_hessian(self.data, self.nodes, &p, false).unwrap_or((f64::NAN, [f64::NAN; 4], [[0.0; 4]; 4]));
                for i in 0..4 {
                    out[i] = -g[i] * p[i] / n + 2.0 * self.penalizer * p[i] * p[i];
                }
                -ll / n + penalty
            }
            None => -total_log_likelihood_by_nodes(self.data, self.nodes, &p) / n + penalty,
        }
    }
}

impl ParetoNbdOptions {
    pub fn penalizer(mut self, penalizer: f64) -> Self {
        self.penalizer = penalizer;
        self
    }

    pub fn fit(&self, summary: &Summary) -> Result<ParetoNbd> {
        let model = "Pareto/NBD";
        let penalizer = self.penalizer;
        let data = Grouped::from_summary(summary)?;
        check_fit_input(model, &data, penalizer)?;
        let nodes = Nodes::new(&data);
        let objective = ParetoObjective { data: &data, nodes: &nodes, penalizer };
        let mean_t = data.t.iter().zip(&data.weight).map(|(t, w)| t * w).sum::<f64>() / data.total_weight;
        let scale = (mean_t.max(1e-6) / 3.0).ln();
        // Screened starting points (see optimize::minimize): lifetimes' all-ones and a small
        // grid in the scale of the data's T (α and β are time scales).
        let mut starts = vec![vec![0.0, 0.0, 0.0, 0.0]];
        for shape in [0.5f64, 1.5] {
            for offset in [-1.0, 0.0, 1.0] {
                starts.push(vec![shape.ln(), scale + offset, shape.ln(), scale + offset + 0.1]);
            }
        }
        let settings = Settings::default();
        let best = optimize::minimize(&objective, &starts, &settings, model)?;
        let params: Vec<f64> = best.theta.iter().map(|t| t.exp()).collect();
        let n = data.total_weight;
        let natural = [params[0], params[1], params[2], params[3]];
        // The analytic Hessian at the optimum gives the standard errors; where some row has
        // none, differences of the gradient do.
        let (log_likelihood, standard_errors) = match total_with_hessian(&data, &nodes, &natural, true) {
            Some((ll, _, hessian)) => (ll, optimize::standard_errors_from_hessian(&hessian, n, penalizer)),
            None => {
                let gradient = |p: &[f64], g: &mut [f64; 4]| {
                    if let Some((_, d, _)) = total_with_hessian(&data, &nodes, &[p[0], p[1], p[2], p[3]], false) {
                        *g = d;
                    }
                };
                (total_log_likelihood_by_nodes(&data, &nodes, &params), optimize::penalised_standard_errors(gradient, &params, n, penalizer))
            }
        };
        check_fitted(model, &["r", "alpha", "s", "beta"], &params, log_likelihood)?;
        // β/s is the mean time to dropout's scale: beyond 1000 observation periods, hardly
        // anyone drops out within the data (module docs of `diagnostics`).
        let (s, beta) = (params[2], params[3]);
        let dropout = (s < 1e-2 || beta / s > 1e3 * mean_t).then_some("s → 0 or β/s → ∞");
        let gradient_norm = optimize::gradient_norm(&objective, &best.theta);
        let diagnostics =
            super::diagnostics::diagnose(model, &best, gradient_norm, &["r", "alpha", "s", "beta"], &params, &standard_errors, dropout, data.repeat_weight);
        Ok(ParetoNbd {
            params: ParetoNbdParams::from_array(&params),
            log_likelihood,
            standard_errors,
            penalizer,
            customers: n,
            diagnostics: Some(diagnostics),
        })
    }
}

impl ParetoNbd {
    pub fn fit(summary: &Summary) -> Result<Self> {
        ParetoNbdOptions::default().fit(summary)
    }

    pub fn from_params(params: ParetoNbdParams) -> Result<Self> {
        super::bg_nbd::check_params("Pareto/NBD", &params.to_array(), &["r", "alpha", "s", "beta"])?;
        Ok(ParetoNbd { params, log_likelihood: 0.0, standard_errors: None, penalizer: 0.0, customers: 0.0, diagnostics: None })
    }

    /// E[X(t)] for a new customer: r β / (α (s−1)) · [1 − (β/(β+t))^{s−1}] (SMC 1987, eq. 17;
    /// the limit r/α · β ln(1 + t/β) at s = 1).
    pub fn expected_purchases_new_customer(&self, t: f64) -> Result<f64> {
        super::check_horizon(t)?;
        let ParetoNbdParams { r, alpha, s, beta } = self.params;
        let v = r / alpha * beta * one_minus_power_over(s - 1.0, (beta / (beta + t)).ln());
        super::bg_nbd::finite_or_error(v, "Pareto/NBD", "expected purchases of a new customer")
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        super::bg_nbd::write_model(b"PNBD", &self.params.to_array(), self.log_likelihood, self.penalizer, self.customers, &self.standard_errors, &self.diagnostics)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (params, log_likelihood, penalizer, customers, standard_errors, diagnostics) = super::bg_nbd::read_model(bytes, b"PNBD")?;
        Ok(ParetoNbd { params: ParetoNbdParams::from_array(&params), log_likelihood, standard_errors, penalizer, customers, diagnostics })
    }
}

/// (1 − e^{k·l}) / k, with its limit −l at k = 0 (used for (1 − (β/(β+t))^{s−1}) / (s−1)).
fn one_minus_power_over(k: f64, l: f64) -> f64 {
    if k.abs() < 1e-12 {
        -l
    } else {
        -(k * l).exp_m1() / k
    }
}

impl TransactionModel for ParetoNbd {
    fn model_name(&self) -> &'static str {
        "Pareto/NBD"
    }
    fn params(&self) -> Vec<(&'static str, f64)> {
        let p = self.params;
        vec![("r", p.r), ("alpha", p.alpha), ("s", p.s), ("beta", p.beta)]
    }
    fn log_likelihood(&self) -> f64 {
        self.log_likelihood
    }

    fn probability_alive(&self, summary: &Summary) -> Result<Vec<f64>> {
        super::check_summary(summary)?;
        let out = probability_alive_many(&self.params.to_array(), summary);
        super::check_output("Pareto/NBD", "probabilityAlive", &out)?;
        Ok(out)
    }

    fn expected_purchases(&self, horizon: f64, summary: &Summary) -> Result<Vec<f64>> {
        super::check_horizon(horizon)?;
        super::check_summary(summary)?;
        let ParetoNbdParams { r, alpha, s, beta } = self.params;
        let alive = probability_alive_many(&self.params.to_array(), summary);
        let out: Vec<f64> = (0..summary.len())
            .map(|i| {
                let (x, t) = (summary.frequency[i], summary.t[i]);
                let l = ((beta + t) / (beta + t + horizon)).ln();
                (r + x) / (alpha + t) * (beta + t) * one_minus_power_over(s - 1.0, l) * alive[i]
            })
            .collect();
        super::check_output("Pareto/NBD", "expectedPurchases", &out)?;
        Ok(out)
    }

    /// P(alive) = 1 / (1 + s/(r+s+x) (α+T)^{r+x} (β+T)^s A0) (FH 2005 note, eq. 24):
    /// the share of the "alive at T" term in the likelihood.
    fn probability_alive_one(&self, x: f64, tx: f64, t: f64) -> f64 {
        let tx = if x == 0.0 { 0.0 } else { tx };
        let (alive, dropped) = log_parts(&self.params.to_array(), x, tx, t);
        1.0 / (1.0 + (dropped - alive).exp())
    }

    /// E[Y(t) | x, tx, T] = (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^{s−1}] · P(alive)
    /// (SMC 1987, eq. 22; FH 2005 note, eq. 25).
    fn expected_purchases_one(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        let ParetoNbdParams { r, alpha, s, beta } = self.params;
        let l = ((beta + t) / (beta + t + horizon)).ln();
        (r + x) / (alpha + t) * (beta + t) * one_minus_power_over(s - 1.0, l) * self.probability_alive_one(x, tx, t)
    }

    /// P(no purchase in (T, T+t]).
    ///
    /// Derivation: given alive at T and (x, tx, T), the likelihood in (λ, μ) is λ^x e^{−(λ+μ)T},
    /// so λ ~ Gamma(r+x, α+T) and μ ~ Gamma(s, β+T), independent. For known (λ, μ) the first
    /// purchase after T comes at rate λ while alive, and alive-ness decays at rate μ, so
    /// P(some purchase in (T,T+t]) = ∫0^t λ e^{−λu} e^{−μu} du. Averaging inside the integral,
    /// E[λ e^{−λu}] = (r'/α') (α'/(α'+u))^{r'+1} and E[e^{−μu}] = (β'/(β'+u))^s with r' = r+x,
    /// α' = α+T, β' = β+T. The remaining one-dimensional integral is done by Gauss-Legendre in
    /// w = ln(1 + u/α'), where it becomes ∫ r' e^{−r'w} (1 + α'(e^w − 1)/β')^{−s} dw, on panels
    /// that each span one decade of e^{−r'w}. Not alive: no purchase. Hence
    /// P = (1 − P(alive)) + P(alive) · (1 − that integral).
    fn probability_no_purchase_one(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        let ParetoNbdParams { r, alpha, s, beta } = self.params;
        let alive = self.probability_alive_one(x, tx, t);
        if horizon == 0.0 {
            return 1.0;
        }
        let (rp, ap, bp) = (r + x, alpha + t, beta + t);
        let upper = (horizon / ap).ln_1p();
        let decade = std::f64::consts::LN_10 / rp;
        let mut purchase = 0.0;
        let mut lo = 0.0;
        // Beyond 18 decades e^{−r'w} no longer matters in double precision.
        for _ in 0..18 {
            if lo >= upper {
                break;
            }
            let hi = (lo + decade).min(upper);
            let (mid, half) = (0.5 * (lo + hi), 0.5 * (hi - lo));
            for &(node, weight) in gauss_legendre_20() {
                let w = mid + half * node;
                purchase += weight * half * rp * (-rp * w).exp() * (1.0 + ap * w.exp_m1() / bp).powf(-s);
            }
            lo = hi;
        }
        let quiet_if_alive = (1.0 - purchase).clamp(0.0, 1.0);
        (1.0 - alive) + alive * quiet_if_alive
    }
}

/// ln(e^A + e^B) of one row (the part of the log-likelihood that is not a function of x
/// alone) and its gradient in (r, α, s, β), analytically: A's derivatives are elementary, and
/// ln A0 = ln(F(tx) − F(T)) is differentiated through the 2F1 series and its parameter
/// derivatives ([`ln_hyp2f1_with_derivatives`]), with the chain rule through a = r+s+x,
/// b = s+1 (α >= β) or r+x (α < β), c = a+1 and the argument z(α, β, τ).
/// `None` when a series does not converge or A0 loses all precision. The fit's former gradient,
/// kept as the tests' independent reference for [`total_with_hessian`].
#[cfg(test)]
fn row_with_gradient(p: &[f64], x: f64, tx: f64, t: f64) -> Option<(f64, [f64; 4])> {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let log_alive = -(r + x) * (alpha + t).ln() - s * (beta + t).ln();
    let d_alive = [-(alpha + t).ln(), -(r + x) / (alpha + t), -(beta + t).ln(), -s / (beta + t)];
    if tx >= t {
        return Some((log_alive, d_alive));
    }
    let a = r + s + x;
    let ln_f = |tau: f64| -> Option<(f64, [f64; 4])> {
        if alpha >= beta {
            let base = alpha + tau;
            let d = ln_hyp2f1_with_derivatives(a, s + 1.0, a + 1.0, (alpha - beta) / base)?;
            let ln_base = base.ln();
            Some((
                d[0] - a * ln_base,
                [
                    d[1] + d[3] - ln_base,
                    d[4] * (beta + tau) / (base * base) - a / base,
                    d[1] + d[2] + d[3] - ln_base,
                    -d[4] / base,
                ],
            ))
        } else {
            let base = beta + tau;
            let d = ln_hyp2f1_with_derivatives(a, r + x, a + 1.0, (beta - alpha) / base)?;
            let ln_base = base.ln();
            Some((
                d[0] - a * ln_base,
                [
                    d[1] + d[2] + d[3] - ln_base,
                    -d[4] / base,
                    d[1] + d[3] - ln_base,
                    d[4] * (alpha + tau) / (base * base) - a / base,
                ],
            ))
        }
    };
    let (f1, d1) = ln_f(tx)?;
    let (f2, d2) = ln_f(t)?;
    if !(f1 > f2) {
        return None;
    }
    // ln(F1 − F2) and its derivative (dF1/F1 − ρ dF2/F2) / (1 − ρ), ρ = F2/F1.
    let rho = (f2 - f1).exp();
    if rho > 1.0 - 1e-6 {
        return None; // cancellation would eat the derivative's precision
    }
    let log_dropped = s.ln() - a.ln() + log_sub_exp(f1, f2);
    let mut d_dropped = [0.0; 4];
    for i in 0..4 {
        d_dropped[i] = (d1[i] - rho * d2[i]) / (1.0 - rho);
    }
    d_dropped[0] -= 1.0 / a;
    d_dropped[2] += 1.0 / s - 1.0 / a;
    let value = log_add_exp(log_alive, log_dropped);
    let w_dropped = (log_dropped - value).exp();
    let w_alive = (log_alive - value).exp();
    let mut gradient = [0.0; 4];
    for i in 0..4 {
        gradient[i] = w_alive * d_alive[i] + w_dropped * d_dropped[i];
    }
    Some((value, gradient))
}

/// Total log-likelihood over grouped rows and, when asked, its gradient in (r, α, s, β), row by
/// row without shared nodes: the fit's former code, kept as the tests' independent reference.
#[cfg(test)]
fn total_log_likelihood(data: &Grouped, p: &[f64], gradient: Option<&mut [f64; 4]>) -> f64 {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let want = gradient.is_some();
    let lg_r = ln_gamma(r);
    let dg_r = if want { digamma(r) } else { 0.0 };
    let (ln_alpha, ln_beta) = (alpha.ln(), beta.ln());
    let mut total = 0.0;
    let mut g = [0.0; 4];
    for (&x, &w) in data.distinct_x.iter().zip(&data.distinct_weight) {
        total += w * (ln_gamma(r + x) - lg_r + r * ln_alpha + s * ln_beta);
        if want {
            g[0] += w * (digamma(r + x) - dg_r + ln_alpha);
            g[1] += w * r / alpha;
            g[2] += w * ln_beta;
            g[3] += w * s / beta;
        }
    }
    for i in 0..data.x.len() {
        let (x, tx, t, w) = (data.x[i], data.tx[i], data.t[i], data.weight[i]);
        if want {
            let (value, row_gradient) = row_with_gradient(p, x, tx, t).unwrap_or_else(|| {
                row_by_differences(p, x, tx, t)
            });
            total += w * value;
            for k in 0..4 {
                g[k] += w * row_gradient[k];
            }
        } else {
            let (alive, dropped) = log_parts(p, x, tx, t);
            total += w * log_add_exp(alive, dropped);
        }
    }
    if let Some(out) = gradient {
        *out = g;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analytic Hessian against central differences of the analytic gradient (itself
    /// checked against differences of values below), in both cases α >= β and α < β, with
    /// frequency-0 rows, rows with tx = T, rows sharing nodes; and a row whose F(tx) − F(T)
    /// cancels (T − tx = 1e-7): its gradient by the difference fallback, no Hessian.
    /// The fit's standard errors (analytic Hessian) against the former computation: central
    /// differences of the row-by-row analytic gradient, with and without a penalizer.
    #[test]
    fn standard_errors_match_differences_of_the_reference_gradient() {
        use crate::churn::simulate::{simulate_pareto_nbd, CohortOptions};
        let truth = ParetoNbdParams { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
        let summary = simulate_pareto_nbd(truth, &CohortOptions { customers: 3000, seed: 5, ..CohortOptions::default() }).unwrap();
        let data = Grouped::from_summary(&summary).unwrap();
        for penalizer in [0.0, 0.01] {
            let fit = ParetoNbdOptions::default().penalizer(penalizer).fit(&summary).unwrap();
            let got = fit.standard_errors.unwrap();
            let params = fit.params.to_array();
            let want = optimize::penalised_standard_errors(
                |p, g: &mut [f64; 4]| {
                    total_log_likelihood(&data, p, Some(g));
                },
                &params,
                data.total_weight,
                penalizer,
            )
            .unwrap();
            for i in 0..4 {
                assert!((got[i] - want[i]).abs() < 1e-6 * want[i], "penalizer {penalizer} #{i}: {} vs {}", got[i], want[i]);
            }
        }
    }

    #[test]
    fn analytic_hessian_matches_differences_of_the_gradient() {
        let rows = [
            (0.0, 0.0, 10.0),
            (0.0, 0.0, 40.0),
            (1.0, 5.0, 30.0),
            (3.0, 20.0, 35.0),
            (7.0, 30.0, 31.0),
            (2.0, 2.0, 2.0),
            (1.0, 5.0, 40.0),
            (40.0, 100.0, 400.0),
            (2.0, 30.0, 30.0 + 1e-7),
        ];
        // Without the cancelling row: value, gradient and Hessian; with it: value and gradient
        // (that row by differences), and no Hessian.
        for count in [8, 9] {
            let s = Summary::from_columns(
                None,
                rows[..count].iter().map(|r| r.0).collect(),
                rows[..count].iter().map(|r| r.1).collect(),
                rows[..count].iter().map(|r| r.2).collect(),
                None,
                crate::data::TimeUnit::Week,
            )
            .unwrap();
            let data = Grouped::from_summary(&s).unwrap();
            let nodes = Nodes::new(&data);
            for p in [
                [0.553, 10.578, 0.606, 11.669],
                [0.8, 14.0, 1.3, 6.0],
                [2.0, 3.0, 0.4, 3.0],
                [0.3, 2.0, 0.9, 60.0],
            ] {
                if count == 9 {
                    // The cancelling row has no analytic Hessian: Newton's method hands over.
                    assert!(total_with_hessian(&data, &nodes, &p, true).is_none());
                }
                let (ll, gradient, hessian) = total_with_hessian(&data, &nodes, &p, count == 8).unwrap();
                let mut g = [0.0; 4];
                let reference = total_log_likelihood(&data, &p, Some(&mut g));
                let by_nodes = total_log_likelihood_by_nodes(&data, &nodes, &p);
                assert!(
                    (by_nodes - total_log_likelihood(&data, &p, None)).abs()
                        < 1e-12 * reference.abs()
                );
                assert!(
                    (ll - reference).abs() < 1e-10 * reference.abs(),
                    "{p:?}: {ll} vs {reference}"
                );
                for j in 0..4 {
                    assert!(
                        (gradient[j] - g[j]).abs() < 1e-8 * (1.0 + g[j].abs()),
                        "{p:?} g#{j}: {} vs {}",
                        gradient[j],
                        g[j]
                    );
                    if count == 9 {
                        continue;
                    }
                    let step = 1e-5 * p[j];
                    let (mut up, mut down) = (p, p);
                    up[j] += step;
                    down[j] -= step;
                    let (mut gu, mut gd) = ([0.0; 4], [0.0; 4]);
                    total_log_likelihood(&data, &up, Some(&mut gu));
                    total_log_likelihood(&data, &down, Some(&mut gd));
                    for i in 0..4 {
                        let numeric = (gu[i] - gd[i]) / (2.0 * step);
                        assert!(
                            (numeric - hessian[i][j]).abs() < 1e-5 * (1.0 + numeric.abs()),
                            "{p:?} H[{i}][{j}]: {numeric} vs {}",
                            hessian[i][j]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn hypergeometric_form_matches_direct_integration_in_both_cases() {
        for p in [[0.553, 10.578, 0.606, 11.669], [0.8, 14.0, 1.3, 6.0], [2.0, 3.0, 0.4, 3.0]] {
            for (x, tx, t) in [(1.0, 5.0, 35.0), (7.0, 20.0, 38.0), (40.0, 100.0, 400.0)] {
                let (_, dropped) = log_parts(&p, x, tx, t);
                let direct = p[2].ln() + ln_dropout_integral(&p, x, tx, t);
                assert!((dropped - direct).abs() < 1e-9, "{p:?} {x} {tx} {t}: {dropped} vs {direct}");
                let (value, gradient) = row_with_gradient(&p, x, tx, t).unwrap();
                let (_, numeric) = row_by_differences(&p, x, tx, t);
                assert!((value - log_add_exp(log_parts(&p, x, tx, t).0, dropped)).abs() < 1e-12);
                for i in 0..4 {
                    assert!((gradient[i] - numeric[i]).abs() < 1e-6 * (1.0 + numeric[i].abs()), "{p:?} {x}: #{i} {} vs {}", gradient[i], numeric[i]);
                }
            }
        }
    }
}
