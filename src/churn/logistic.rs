//! L2-penalised logistic regression by Newton's method (iteratively reweighted least squares),
//! for the churn model's supervised layer.
//!
//! It minimises `Σ log(1 + exp(−s_i z_i)) + ½ α ‖w‖²` with `z_i = w·x_i + b`, `s_i = ±1` and
//! the intercept `b` unpenalised — the objective of linfa-logistic's `LogisticRegression`
//! (`alpha`), which the tests use as the independent reference (tests/logistic_vs_linfa.rs).
//! The problem is strictly convex, so both reach the same optimum; Newton's method gets there in
//! a dozen steps on the layer's ~10 features, and keeps linfa's L-BFGS stack (ndarray generics,
//! argmin) out of the shipped wasm module, whose size budget it would otherwise break.

use crate::churn::optimize::invert_spd;
use crate::error::{Error, Result};

/// Fitted coefficients (one per feature) and intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticFit {
    pub coefficients: Vec<f64>,
    pub intercept: f64,
}

/// log(1 + e^x) without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `rows` is row-major, `features` values per row; `y[i]` is the positive class.
pub fn fit_logistic(rows: &[f64], features: usize, y: &[bool], alpha: f64) -> Result<LogisticFit> {
    let n = y.len();
    if features == 0 || rows.len() != n * features {
        return Err(Error::invalid(format!("logistic regression: {} values for {n} rows of {features} features", rows.len())));
    }
    if n == 0 || y.iter().all(|&v| v) || y.iter().all(|&v| !v) {
        return Err(Error::NotIdentifiable("logistic regression needs both classes".into()));
    }
    let p = features + 1; // weights, then the intercept
    let objective = |beta: &[f64]| -> f64 {
        let mut total = 0.0;
        for i in 0..n {
            let x = &rows[i * features..(i + 1) * features];
            let z: f64 = x.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() + beta[features];
            total += softplus(if y[i] { -z } else { z });
        }
        total + 0.5 * alpha * beta[..features].iter().map(|w| w * w).sum::<f64>()
    };
    let mut beta = vec![0.0; p];
    let mut value = objective(&beta);
    for _ in 0..100 {
        // Gradient and Hessian of the objective.
        let mut gradient = vec![0.0; p];
        let mut hessian = vec![0.0; p * p];
        for i in 0..n {
            let x = &rows[i * features..(i + 1) * features];
            let z: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>() + beta[features];
            let prob = sigmoid(z);
            let residual = prob - if y[i] { 1.0 } else { 0.0 };
            let weight = (prob * (1.0 - prob)).max(1e-12);
            for a in 0..p {
                let xa = if a < features { x[a] } else { 1.0 };
                gradient[a] += residual * xa;
                for b in 0..=a {
                    let xb = if b < features { x[b] } else { 1.0 };
                    hessian[a * p + b] += weight * xa * xb;
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                hessian[b * p + a] = hessian[a * p + b];
            }
        }
        for j in 0..features {
            gradient[j] += alpha * beta[j];
            hessian[j * p + j] += alpha;
        }
        // The intercept's own curvature is positive whenever both classes are present; a tiny
        // ridge keeps the solve well posed on separable data.
        hessian[features * p + features] += 1e-12;
        let inverse = invert_spd(&hessian, p)
            .ok_or_else(|| Error::NotIdentifiable("logistic regression: the Hessian is singular".into()))?;
        let step: Vec<f64> = (0..p).map(|a| (0..p).map(|b| inverse[a * p + b] * gradient[b]).sum()).collect();
        // Backtracking keeps every step a descent step (Newton's full step almost always is).
        let mut scale = 1.0;
        let mut next: Vec<f64>;
        let mut next_value;
        loop {
            next = beta.iter().zip(&step).map(|(b, s)| b - scale * s).collect();
            next_value = objective(&next);
            if next_value <= value || scale < 1e-10 {
                break;
            }
            scale *= 0.5;
        }
        let change = step.iter().map(|s| (s * scale).abs()).fold(0.0, f64::max);
        beta = next;
        value = next_value;
        if change < 1e-10 {
            break;
        }
    }
    if beta.iter().any(|v| !v.is_finite()) {
        return Err(Error::NotIdentifiable("logistic regression: coefficients are not finite".into()));
    }
    Ok(LogisticFit { coefficients: beta[..features].to_vec(), intercept: beta[features] })
}
