//! Simulators of the count models, for parameter-recovery tests and benchmarks: customers drawn
//! from the model's mixing distributions with the crate's seeded [`Rng`], their purchases
//! generated event by event, and the result returned as a [`Summary`].
//!
//! Times can be put on a grid (`resolution`, e.g. 1/7 of a week = one day) as real order
//! histories are: the last purchase time is rounded down to the grid and T is drawn on it. That
//! is also what makes grouping effective on a million customers.

use super::bg_nbd::BetaGeoParams;
use super::pareto_nbd::ParetoNbdParams;
use crate::data::{Summary, TimeUnit};
use crate::error::{check_scalar, Error, Result};
use crate::rng::Rng;


/// Cohort shape for the simulators.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CohortOptions {
    pub customers: usize,
    /// T is uniform in [min_t, max_t] (customers acquired uniformly over that window), in `unit`.
    pub min_t: f64,
    pub max_t: f64,
    /// Time grid in `unit` (1/7 for days when the unit is the week); 0 for continuous times.
    pub resolution: f64,
    pub unit: TimeUnit,
    pub seed: u64,
}

impl Default for CohortOptions {
    /// A CDNOW-like cohort: acquired over 12 weeks, observed to week 39, daily resolution.
    fn default() -> Self {
        CohortOptions { customers: 10_000, min_t: 27.0, max_t: 39.0, resolution: 1.0 / 7.0, unit: TimeUnit::Week, seed: 1 }
    }
}

fn check_options(o: &CohortOptions) -> Result<()> {
    if o.customers == 0 {
        return Err(Error::invalid("customers must be at least 1"));
    }
    check_scalar("minT", o.min_t, 0.0, f64::MAX)?;
    check_scalar("maxT", o.max_t, o.min_t, f64::MAX)?;
    check_scalar("resolution", o.resolution, 0.0, f64::MAX)?;
    Ok(())
}

fn on_grid(value: f64, resolution: f64) -> f64 {
    if resolution > 0.0 {
        (value / resolution).floor() * resolution
    } else {
        value
    }
}

/// Builds the summary; `draw` returns (frequency, recency) for a customer observed for T.
fn simulate(options: &CohortOptions, mut draw: impl FnMut(&mut Rng, f64) -> (f64, f64)) -> Result<Summary> {
    check_options(options)?;
    let mut rng = Rng::new(options.seed);
    let n = options.customers;
    let (mut frequency, mut recency, mut t_column) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let t = on_grid(options.min_t + (options.max_t - options.min_t) * rng.uniform(), options.resolution).max(options.min_t.min(options.max_t));
        let (x, last) = draw(&mut rng, t);
        frequency.push(x);
        recency.push(if x > 0.0 { on_grid(last, options.resolution).min(t) } else { 0.0 });
        t_column.push(t);
    }
    Summary::from_columns(None, frequency, recency, t_column, None, options.unit)
}

/// Customers from BG/NBD (Fader, Hardie & Lee 2005): Poisson(λ) purchases, dropout with
/// probability p after each repeat purchase.
pub fn simulate_bg_nbd(params: BetaGeoParams, options: &CohortOptions) -> Result<Summary> {
    super::bg_nbd::check_params("BG/NBD", &params.to_array(), &["r", "alpha", "a", "b"])?;
    simulate(options, |rng, t| {
        let lambda = rng.gamma(params.r, params.alpha);
        let p = rng.beta(params.a, params.b);
        let (mut clock, mut x, mut last) = (0.0, 0.0, 0.0);
        loop {
            clock += -(1.0 - rng.uniform()).ln() / lambda;
            if !(clock <= t) {
                return (x, last);
            }
            x += 1.0;
            last = clock;
            if rng.uniform() < p {
                return (x, last);
            }
        }
    })
}

/// Customers from Pareto/NBD (Schmittlein, Morrison & Colombo 1987): Poisson(λ) purchases
/// during an Exponential(μ) lifetime.
pub fn simulate_pareto_nbd(params: ParetoNbdParams, options: &CohortOptions) -> Result<Summary> {
    super::bg_nbd::check_params("Pareto/NBD", &params.to_array(), &["r", "alpha", "s", "beta"])?;
    simulate(options, |rng, t| {
        let lambda = rng.gamma(params.r, params.alpha);
        let mu = rng.gamma(params.s, params.beta);
        let lifetime = -(1.0 - rng.uniform()).ln() / mu;
        let end = lifetime.min(t);
        let (mut clock, mut x, mut last) = (0.0, 0.0, 0.0);
        loop {
            clock += -(1.0 - rng.uniform()).ln() / lambda;
            if !(clock <= end) {
                return (x, last);
            }
            x += 1.0;
            last = clock;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_and_beta_samplers_have_the_right_moments() {
        let mut rng = Rng::new(3);
        for (shape, rate) in [(0.3, 2.0), (2.5, 0.5)] {
            let n = 200_000;
            let draws: Vec<f64> = (0..n).map(|_| rng.gamma(shape, rate)).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n as f64;
            assert!((mean - shape / rate).abs() < 0.01 * shape / rate * 3.0, "{mean}");
            assert!((var - shape / rate / rate).abs() < 0.05 * shape / rate / rate, "{var}");
        }
        let n = 100_000;
        let mean = (0..n).map(|_| rng.beta(0.8, 2.4)).sum::<f64>() / n as f64;
        assert!((mean - 0.25).abs() < 0.005, "{mean}");
    }
}
