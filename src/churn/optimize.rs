//! The one optimiser of the churn models: Newton's method where the model has an analytic
//! Hessian (BG/NBD, MBG/NBD, Pareto/NBD: a handful of iterations, and the Hessian at the optimum
//! gives the standard errors for free), otherwise BFGS with a backtracking (Armijo) line search,
//! on log-parameters (so positivity needs no constraints), analytic gradients when the model
//! has them and central differences otherwise, several starting points, and standard errors
//! from the Hessian of the log-likelihood in the natural parameters (analytic, or by
//! differences of the gradient).
//!
//! Nothing here panics or loops forever: every evaluation is checked for finiteness, steps that
//! leave the finite region are shortened, and the iteration count is bounded.

use crate::error::{Error, Result};

/// An objective to minimise over log-parameters `theta`. `value` returns `f(theta)` and, when
/// `gradient` is `Some`, writes `∂f/∂theta` into it. Return a non-finite value where `f` is not
/// defined; the optimiser steps back.
pub trait Objective {
    fn dimension(&self) -> usize;
    fn value(&self, theta: &[f64], gradient: Option<&mut [f64]>) -> f64;
    /// Whether `value` fills the gradient analytically; if not, central differences are used.
    fn has_gradient(&self) -> bool;
    /// `f(theta)`, its gradient and its Hessian (row-major), analytically, for Newton's method.
    /// `None` where the model has no analytic Hessian or cannot compute it at `theta` (then the
    /// optimiser continues with BFGS from the best point found).
    fn value_gradient_hessian(&self, _theta: &[f64], _gradient: &mut [f64], _hessian: &mut [f64]) -> Option<f64> {
        None
    }
}

/// Gradient and Hessian in log-parameters θ = ln p of `f(p) = −ll(p)/n + penalizer · Σ p²`,
/// from the log-likelihood's gradient and Hessian in the natural parameters p:
/// ∂f/∂θ_i = p_i ∂f/∂p_i, ∂²f/∂θ_i∂θ_j = p_i p_j ∂²f/∂p_i∂p_j + δ_ij p_i ∂f/∂p_i.
pub fn log_parameter_derivatives<const K: usize>(
    p: &[f64; K],
    ll_gradient: &[f64; K],
    ll_hessian: &[[f64; K]; K],
    n: f64,
    penalizer: f64,
    gradient: &mut [f64],
    hessian: &mut [f64],
) {
    for i in 0..K {
        let natural = -ll_gradient[i] / n + 2.0 * penalizer * p[i];
        gradient[i] = p[i] * natural;
        for j in 0..K {
            let mut h = -ll_hessian[i][j] / n;
            if i == j {
                h += 2.0 * penalizer;
            }
            hessian[i * K + j] = p[i] * p[j] * h + if i == j { p[i] * natural } else { 0.0 };
        }
    }
}

/// Standard errors sqrt(diag(I⁻¹)) from the Hessian of the log-likelihood in the natural
/// parameters, with the observed information I = −H + 2 · n · penalizer · 1 of what a
/// penalised fit maximised (see [`penalised_standard_errors`]). `None` when I is not positive
/// definite.
pub fn standard_errors_from_hessian<const K: usize>(ll_hessian: &[[f64; K]; K], customers: f64, penalizer: f64) -> Option<Vec<f64>> {
    let mut information = vec![0.0; K * K];
    for i in 0..K {
        for j in 0..K {
            information[i * K + j] = -ll_hessian[i][j] + if i == j { 2.0 * customers * penalizer } else { 0.0 };
        }
    }
    covariance_diagonal_root(&information, K)
}

/// Settings of [`minimize`].
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub max_iterations: usize,
    /// Stop when every gradient component is below this (the objectives are per-customer means,
    /// so this is an absolute scale).
    pub gradient_tolerance: f64,
    /// Largest change of any log-parameter in one step (keeps exp() of the parameters finite).
    pub max_step: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { max_iterations: 400, gradient_tolerance: 1e-9, max_step: 3.0 }
    }
}

/// The best point found.
#[derive(Debug, Clone)]
pub struct Minimum {
    pub theta: Vec<f64>,
    pub value: f64,
    pub iterations: usize,
    pub converged: bool,
}

fn evaluate(objective: &dyn Objective, theta: &[f64], gradient: &mut [f64]) -> f64 {
    if objective.has_gradient() {
        return objective.value(theta, Some(gradient));
    }
    let f = objective.value(theta, None);
    if !f.is_finite() {
        return f;
    }
    let mut point = theta.to_vec();
    for i in 0..theta.len() {
        // Step ~ cbrt(machine epsilon) scaled, optimal for central differences.
        let h = 6e-6 * (1.0 + theta[i].abs());
        point[i] = theta[i] + h;
        let up = objective.value(&point, None);
        point[i] = theta[i] - h;
        let down = objective.value(&point, None);
        point[i] = theta[i];
        gradient[i] = if up.is_finite() && down.is_finite() {
            (up - down) / (2.0 * h)
        } else if up.is_finite() {
            (up - f) / h
        } else if down.is_finite() {
            (f - down) / h
        } else {
            f64::NAN
        };
    }
    f
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Iterations over which BFGS must gain something (see `bfgs`).
const DRIFT_WINDOW: usize = 10;

/// BFGS from one start.
fn bfgs(objective: &dyn Objective, start: &[f64], settings: &Settings) -> Option<Minimum> {
    let n = start.len();
    let mut theta = start.to_vec();
    let mut gradient = vec![0.0; n];
    let mut value = evaluate(objective, &theta, &mut gradient);
    if !value.is_finite() || gradient.iter().any(|g| !g.is_finite()) {
        return None;
    }
    // Inverse Hessian approximation, row-major.
    let mut inverse = identity(n);
    let mut direction = vec![0.0; n];
    let mut trial = vec![0.0; n];
    let mut trial_gradient = vec![0.0; n];
    let mut s = vec![0.0; n];
    let mut y = vec![0.0; n];
    let mut hy = vec![0.0; n];
    let mut stalled = 0;
    let mut value_window_ago = value;
    for iteration in 0..settings.max_iterations {
        if gradient.iter().all(|g| g.abs() < settings.gradient_tolerance) {
            return Some(Minimum { theta, value, iterations: iteration, converged: true });
        }
        if iteration > 0 && iteration % DRIFT_WINDOW == 0 {
            // A run that gains next to nothing over a whole window while the gradient is not
            // small is drifting along a flat valley (a parameter heading for 0 or infinity: data
            // that cannot identify the model); more iterations would not change the answer.
            if value_window_ago - value <= 1e-9 * (1.0 + value.abs()) {
                return Some(Minimum { theta, value, iterations: iteration, converged: gradient_small(&gradient, 1e-5) });
            }
            value_window_ago = value;
        }
        for i in 0..n {
            direction[i] = -(0..n).map(|j| inverse[i * n + j] * gradient[j]).sum::<f64>();
        }
        let mut slope = dot(&direction, &gradient);
        if !(slope < 0.0) {
            // Not a descent direction: restart from steepest descent.
            inverse = identity(n);
            for i in 0..n {
                direction[i] = -gradient[i];
            }
            slope = dot(&direction, &gradient);
        }
        let longest = direction.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        let mut step = if longest > settings.max_step { settings.max_step / longest } else { 1.0 };
        // Backtracking until the Armijo condition holds at a finite point.
        let mut accepted = false;
        let mut trial_value = f64::NAN;
        for _ in 0..60 {
            for i in 0..n {
                trial[i] = theta[i] + step * direction[i];
            }
            // With numerical gradients, pay for the gradient only at an accepted point.
            trial_value = if objective.has_gradient() {
                evaluate(objective, &trial, &mut trial_gradient)
            } else {
                objective.value(&trial, None)
            };
            if trial_value.is_finite() && trial_value <= value + 1e-4 * step * slope {
                if !objective.has_gradient() {
                    evaluate(objective, &trial, &mut trial_gradient);
                }
                if trial_gradient.iter().all(|g| g.is_finite()) {
                    accepted = true;
                    break;
                }
            }
            step *= if trial_value.is_finite() { 0.5 } else { 0.1 };
        }
        if !accepted {
            // No progress possible along this direction: at a minimum up to rounding, or the
            // Hessian approximation is poor. Retry once with steepest descent, then stop.
            if stalled > 0 {
                return Some(Minimum { theta, value, iterations: iteration, converged: gradient_small(&gradient, 1e-5) });
            }
            stalled += 1;
            inverse = identity(n);
            continue;
        }
        stalled = 0;
        for i in 0..n {
            s[i] = trial[i] - theta[i];
            y[i] = trial_gradient[i] - gradient[i];
        }
        let improvement = value - trial_value;
        theta.copy_from_slice(&trial);
        gradient.copy_from_slice(&trial_gradient);
        value = trial_value;
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() && sy > 0.0 {
            if iteration == 0 {
                // Scale the initial inverse Hessian (Nocedal & Wright eq. 6.20).
                let scale = sy / dot(&y, &y);
                for i in 0..n {
                    inverse[i * n + i] = scale;
                }
            }
            // H <- (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ (Nocedal & Wright eq. 6.17).
            let rho = 1.0 / sy;
            for i in 0..n {
                hy[i] = (0..n).map(|j| inverse[i * n + j] * y[j]).sum();
            }
            let yhy = dot(&y, &hy);
            for i in 0..n {
                for j in 0..n {
                    inverse[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        if improvement.abs() <= 1e-16 * (1.0 + value.abs()) && gradient_small(&gradient, 1e-6) {
            return Some(Minimum { theta, value, iterations: iteration + 1, converged: true });
        }
    }
    let converged = gradient_small(&gradient, 1e-6);
    Some(Minimum { theta, value, iterations: settings.max_iterations, converged })
}

fn gradient_small(gradient: &[f64], tolerance: f64) -> bool {
    gradient.iter().all(|g| g.abs() < tolerance)
}

fn identity(n: usize) -> Vec<f64> {
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
    }
    m
}

/// Newton's method stays within |ln p| <= this (parameters between e^-20 and e^20).
const NEWTON_BOX: f64 = 20.0;

/// Newton's method with a backtracking line search, for objectives with an analytic Hessian.
/// Where the Hessian is not positive definite (far from the optimum) a multiple of the identity
/// is added until it is (Levenberg's modification), so every step is a descent direction.
/// Returns `None` when the Hessian is unavailable at the start or the run heads out of
/// |ln p| <= [`NEWTON_BOX`] (the caller then runs BFGS from the start); a run that meets a point
/// where the Hessian is unavailable, or stops making progress, returns its best point
/// unconverged (the caller then continues with BFGS from there).
fn newton(objective: &dyn Objective, start: &[f64], settings: &Settings) -> Option<Minimum> {
    let n = start.len();
    let mut theta = start.to_vec();
    let mut gradient = vec![0.0; n];
    let mut hessian = vec![0.0; n * n];
    let mut value = objective.value_gradient_hessian(&theta, &mut gradient, &mut hessian)?;
    if !value.is_finite() || gradient.iter().chain(&hessian).any(|v| !v.is_finite()) {
        return None;
    }
    let mut direction = vec![0.0; n];
    let mut trial = vec![0.0; n];
    let mut trial_gradient = vec![0.0; n];
    let mut trial_hessian = vec![0.0; n * n];
    let mut modified = vec![0.0; n * n];
    let mut stalled = 0;
    for iteration in 0..settings.max_iterations {
        if gradient_small(&gradient, settings.gradient_tolerance) {
            return Some(Minimum { theta, value, iterations: iteration, converged: true });
        }
        // Solve (H + μ I) d = −g, with the smallest μ in 0, 1e-8·scale, ×10... that makes the
        // matrix positive definite.
        let scale = (0..n).fold(0.0f64, |m, i| m.max(hessian[i * n + i].abs())).max(1e-300);
        let mut shift = 0.0;
        let mut solved = false;
        for _ in 0..40 {
            modified.copy_from_slice(&hessian);
            for i in 0..n {
                modified[i * n + i] += shift;
            }
            if let Some(inverse) = invert_spd(&modified, n) {
                for i in 0..n {
                    direction[i] = -(0..n).map(|j| inverse[i * n + j] * gradient[j]).sum::<f64>();
                }
                if direction.iter().all(|d| d.is_finite()) {
                    solved = true;
                    break;
                }
            }
            shift = if shift == 0.0 { 1e-8 * scale } else { shift * 10.0 };
        }
        let slope = dot(&direction, &gradient);
        if !solved || !(slope < 0.0) {
            return Some(Minimum { theta, value, iterations: iteration, converged: false });
        }
        let longest = direction.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        let mut step = if longest > settings.max_step { settings.max_step / longest } else { 1.0 };
        let mut accepted = false;
        let mut trial_value = f64::NAN;
        for _ in 0..40 {
            for i in 0..n {
                trial[i] = theta[i] + step * direction[i];
            }
            trial_value = objective.value_gradient_hessian(&trial, &mut trial_gradient, &mut trial_hessian).unwrap_or(f64::NAN);
            let finite = trial_value.is_finite() && trial_gradient.iter().chain(&trial_hessian).all(|v| v.is_finite());
            if finite && trial_value <= value + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            step *= if finite { 0.5 } else { 0.1 };
        }
        if !accepted {
            // At the minimum up to rounding, or stuck: the caller decides (BFGS continues).
            return Some(Minimum { theta, value, iterations: iteration, converged: gradient_small(&gradient, 1e-6) });
        }
        if trial.iter().any(|t| t.abs() > NEWTON_BOX) {
            // Heading for a parameter at 0 or infinity: the data do not identify the model, and
            // where such a walk stops is arbitrary. Leave it to BFGS from the start, whose
            // behaviour on such data (an early stop, or a clear error) is the established one.
            return None;
        }
        let improvement = value - trial_value;
        theta.copy_from_slice(&trial);
        gradient.copy_from_slice(&trial_gradient);
        hessian.copy_from_slice(&trial_hessian);
        value = trial_value;
        if improvement.abs() <= 1e-16 * (1.0 + value.abs()) {
            if gradient_small(&gradient, 1e-6) {
                return Some(Minimum { theta, value, iterations: iteration + 1, converged: true });
            }
            // No progress with a gradient that is not small: the Hessian does not describe the
            // function here (e.g. series near their limits); BFGS continues from this point.
            stalled += 1;
            if stalled >= 2 {
                return Some(Minimum { theta, value, iterations: iteration + 1, converged: false });
            }
        } else {
            stalled = 0;
        }
    }
    let converged = gradient_small(&gradient, settings.gradient_tolerance);
    Some(Minimum { theta, value, iterations: settings.max_iterations, converged })
}

/// Newton's method where the objective has an analytic Hessian, BFGS otherwise and after a
/// Newton run that did not converge (continuing from its best point).
fn local_minimum(objective: &dyn Objective, start: &[f64], settings: &Settings) -> Option<Minimum> {
    match newton(objective, start, settings) {
        Some(found) if found.converged => Some(found),
        Some(found) => {
            let continued = bfgs(objective, &found.theta, settings);
            match continued {
                Some(c) if c.value <= found.value => Some(c),
                _ => Some(found),
            }
        }
        None => bfgs(objective, start, settings),
    }
}

/// Local runs [`minimize`] tries while none converges.
const MAX_UNCONVERGED_RUNS: usize = 3;

/// Multi-start minimisation with screening: the objective is evaluated at every start (one
/// cheap evaluation each), BFGS runs from the best of them, and further starts are tried in
/// order of their screening value only while no run has converged, at most
/// [`MAX_UNCONVERGED_RUNS`] runs in all. The lowest value found wins.
/// Errors when no start gives a finite objective, with `what` naming the model.
pub fn minimize(objective: &dyn Objective, starts: &[Vec<f64>], settings: &Settings, what: &str) -> Result<Minimum> {
    let mut order: Vec<(f64, usize)> = starts
        .iter()
        .enumerate()
        .map(|(i, start)| (objective.value(start, None), i))
        .filter(|(v, _)| v.is_finite())
        .collect();
    crate::sort::sort_by(&mut order, &|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut best: Option<Minimum> = None;
    for (run, &(_, i)) in order.iter().enumerate() {
        if run >= MAX_UNCONVERGED_RUNS {
            // Every run so far stopped short of a converged optimum: the data do not pin the
            // model down, and further starts (each as costly) have not changed that in practice.
            break;
        }
        if let Some(found) = local_minimum(objective, &starts[i], settings) {
            let better = match &best {
                None => true,
                Some(b) => found.value < b.value,
            };
            if better {
                best = Some(found);
            }
            if best.as_ref().is_some_and(|b| b.converged) {
                break;
            }
        }
    }
    best.ok_or_else(|| Error::NotIdentifiable(format!("{what}: the log-likelihood is not finite at any starting point")))
}

/// Euclidean norm of the objective's gradient at `theta` (log-parameters): the `gradientNorm` of
/// a fit's diagnostics, of the objective the fit minimised.
pub fn gradient_norm(objective: &dyn Objective, theta: &[f64]) -> f64 {
    let mut gradient = vec![0.0; theta.len()];
    evaluate(objective, theta, &mut gradient);
    dot(&gradient, &gradient).sqrt()
}

/// Hessian of `f` at `x` by central differences with relative steps (natural parameters).
pub fn numerical_hessian(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut h = vec![0.0; n];
    for i in 0..n {
        h[i] = 1e-4 * x[i].abs().max(1e-8);
    }
    let mut hessian = vec![0.0; n * n];
    let mut p = x.to_vec();
    let f0 = f(x);
    for i in 0..n {
        p[i] = x[i] + h[i];
        let up = f(&p);
        p[i] = x[i] - h[i];
        let down = f(&p);
        p[i] = x[i];
        hessian[i * n + i] = (up - 2.0 * f0 + down) / (h[i] * h[i]);
        for j in 0..i {
            let mut corner = |di: f64, dj: f64| {
                p[i] = x[i] + di * h[i];
                p[j] = x[j] + dj * h[j];
                let v = f(&p);
                p[i] = x[i];
                p[j] = x[j];
                v
            };
            let v = (corner(1.0, 1.0) - corner(1.0, -1.0) - corner(-1.0, 1.0) + corner(-1.0, -1.0)) / (4.0 * h[i] * h[j]);
            hessian[i * n + j] = v;
            hessian[j * n + i] = v;
        }
    }
    hessian
}

/// Hessian at `x` by central differences of an analytic gradient `gradient(point, out)`
/// (2n gradient evaluations instead of ~2n² values), symmetrised.
pub fn hessian_from_gradient(gradient: &dyn Fn(&[f64], &mut [f64]), x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut hessian = vec![0.0; n * n];
    let mut p = x.to_vec();
    let (mut up, mut down) = (vec![0.0; n], vec![0.0; n]);
    for j in 0..n {
        let h = 1e-5 * x[j].abs().max(1e-8);
        p[j] = x[j] + h;
        gradient(&p, &mut up);
        p[j] = x[j] - h;
        gradient(&p, &mut down);
        p[j] = x[j];
        for i in 0..n {
            hessian[i * n + j] = (up[i] - down[i]) / (2.0 * h);
        }
    }
    for i in 0..n {
        for j in 0..i {
            let v = 0.5 * (hessian[i * n + j] + hessian[j * n + i]);
            hessian[i * n + j] = v;
            hessian[j * n + i] = v;
        }
    }
    hessian
}

/// Standard errors from the gradient of the log-likelihood (see [`standard_errors`]).
/// Standard errors of a fit that maximised `total log-likelihood − N · penalizer · Σ p²` (every
/// model's L2 penalty): the observed information of what was maximised. `total_gradient` writes
/// the unpenalised total log-likelihood's gradient in natural parameters.
pub fn penalised_standard_errors<const K: usize>(
    total_gradient: impl Fn(&[f64], &mut [f64; K]),
    params: &[f64],
    customers: f64,
    penalizer: f64,
) -> Option<Vec<f64>> {
    let gradient = |p: &[f64], out: &mut [f64]| {
        let mut g = [0.0; K];
        total_gradient(p, &mut g);
        for i in 0..K {
            out[i] = g[i] - 2.0 * customers * penalizer * p[i];
        }
    };
    standard_errors_from_gradient(&gradient, params)
}

pub fn standard_errors_from_gradient(gradient: &dyn Fn(&[f64], &mut [f64]), x: &[f64]) -> Option<Vec<f64>> {
    let n = x.len();
    let information: Vec<f64> = hessian_from_gradient(gradient, x).into_iter().map(|v| -v).collect();
    covariance_diagonal_root(&information, n)
}

fn covariance_diagonal_root(information: &[f64], n: usize) -> Option<Vec<f64>> {
    let covariance = invert_spd(information, n)?;
    let se: Vec<f64> = (0..n).map(|i| covariance[i * n + i].sqrt()).collect();
    if se.iter().all(|v| v.is_finite() && *v > 0.0) {
        Some(se)
    } else {
        None
    }
}

/// Inverse of a symmetric positive-definite matrix by Cholesky; `None` if it is not SPD.
pub fn invert_spd(matrix: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = matrix[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if !(sum > 0.0) || !sum.is_finite() {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    // Invert column by column: solve L Lᵀ x = e_c.
    let mut inverse = vec![0.0; n * n];
    let mut z = vec![0.0; n];
    for c in 0..n {
        for i in 0..n {
            let mut sum = if i == c { 1.0 } else { 0.0 };
            for k in 0..i {
                sum -= l[i * n + k] * z[k];
            }
            z[i] = sum / l[i * n + i];
        }
        for i in (0..n).rev() {
            let mut sum = z[i];
            for k in i + 1..n {
                sum -= l[k * n + i] * inverse[k * n + c];
            }
            inverse[i * n + c] = sum / l[i * n + i];
        }
    }
    Some(inverse)
}

/// Standard errors sqrt(diag((−∇² ll)⁻¹)) at the maximum `x` of the log-likelihood `ll`
/// (natural parameters). `None` when the observed information is not positive definite
/// (a flat or boundary optimum), so callers never report NaN standard errors.
pub fn standard_errors(ll: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Option<Vec<f64>> {
    let n = x.len();
    let information: Vec<f64> = numerical_hessian(ll, x).into_iter().map(|v| -v).collect();
    covariance_diagonal_root(&information, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rosenbrock {
        analytic: bool,
    }
    impl Objective for Rosenbrock {
        fn dimension(&self) -> usize {
            2
        }
        fn value(&self, t: &[f64], g: Option<&mut [f64]>) -> f64 {
            let (x, y) = (t[0], t[1]);
            if let Some(g) = g {
                g[0] = -2.0 * (1.0 - x) - 400.0 * x * (y - x * x);
                g[1] = 200.0 * (y - x * x);
            }
            (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
        }
        fn has_gradient(&self) -> bool {
            self.analytic
        }
    }

    #[test]
    fn bfgs_finds_rosenbrock_minimum_with_both_gradients() {
        for analytic in [true, false] {
            let m = minimize(&Rosenbrock { analytic }, &[vec![-1.2, 1.0]], &Settings::default(), "test").unwrap();
            assert!((m.theta[0] - 1.0).abs() < 1e-5 && (m.theta[1] - 1.0).abs() < 1e-5, "{m:?}");
        }
    }

    #[test]
    fn standard_errors_of_a_gaussian_log_likelihood() {
        // ll = -(x-1)^2/(2*0.04) - (y-2)^2/(2*9): standard errors 0.2 and 3.
        let ll = |p: &[f64]| -(p[0] - 1.0).powi(2) / 0.08 - (p[1] - 2.0).powi(2) / 18.0;
        let se = standard_errors(&ll, &[1.0, 2.0]).unwrap();
        assert!((se[0] - 0.2).abs() < 1e-4 && (se[1] - 3.0).abs() < 1e-3, "{se:?}");
        let gradient = |p: &[f64], g: &mut [f64]| {
            g[0] = -(p[0] - 1.0) / 0.04;
            g[1] = -(p[1] - 2.0) / 9.0;
        };
        let se = standard_errors_from_gradient(&gradient, &[1.0, 2.0]).unwrap();
        assert!((se[0] - 0.2).abs() < 1e-6 && (se[1] - 3.0).abs() < 1e-6, "{se:?}");
        assert!(standard_errors(&|p: &[f64]| p[0] * p[0], &[1.0]).is_none());
    }
}
