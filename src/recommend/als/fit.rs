//! Training of implicit ALS: the hyper-parameters and the alternating sweeps from a seeded
//! random start (Hu, Koren & Volinsky 2008 §4), each half-sweep one CG solve per row
//! ([`super::kernels`]).

use crate::decimal::Decimal32;
use super::kernels::{confidences, solve_side};
use super::{AlsModel, ConfidenceScaling, FOLD_IN_CG_STEPS};
use crate::error::{Error, Result};
use crate::recommend::interactions::Sparse;
use crate::recommend::simd::padded;
use crate::rng::Rng;

/// ALS hyper-parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct AlsOptions {
    pub factors: usize,
    pub iterations: usize,
    pub regularization: f32,
    pub alpha: f32,
    pub scaling: ConfidenceScaling,
    /// CG steps per row and sweep (implicit uses 3).
    pub cg_steps: usize,
    pub seed: u64,
}

impl Default for AlsOptions {
    fn default() -> Self {
        AlsOptions {
            factors: 64,
            iterations: 15,
            regularization: 10.0,
            alpha: 1.0,
            scaling: ConfidenceScaling::Log,
            cg_steps: 3,
            seed: 42,
        }
    }
}

impl AlsOptions {
    pub fn validate(&self) -> Result<()> {
        if self.factors == 0 || self.factors > 1024 {
            return Err(Error::invalid(format!("factors must be between 1 and 1024, got {}", self.factors)));
        }
        if self.iterations > 1000 {
            return Err(Error::invalid(format!("iterations must be at most 1000, got {}", self.iterations)));
        }
        if !(self.regularization.is_finite() && self.regularization >= 0.0) {
            return Err(Error::invalid(format!(
                "regularization must be a finite number >= 0, got {}",
                Decimal32(self.regularization)
            )));
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::invalid(format!("alpha must be a finite number >= 0, got {}", Decimal32(self.alpha))));
        }
        if self.cg_steps == 0 || self.cg_steps > 64 {
            return Err(Error::invalid(format!("cg_steps must be between 1 and 64, got {}", self.cg_steps)));
        }
        Ok(())
    }
}

impl AlsModel {
    /// Fits on the customer × item matrix (CSR) and its transpose (CSC); `progress` gets the
    /// fraction done after every iteration.
    pub fn fit(
        by_customer: &Sparse,
        by_item: &Sparse,
        options: &AlsOptions,
        progress: &mut dyn FnMut(f64),
    ) -> Result<AlsModel> {
        options.validate()?;
        let stride = padded(options.factors);
        let (users, items) = (by_customer.rows(), by_item.rows());
        let mut rng = Rng::new(options.seed);
        // Small positive random start (as implicit: uniform [0, 0.01)); the padding stays zero.
        let mut init = |rows: usize| {
            let mut v = vec![0f32; rows * stride];
            for row in v.chunks_exact_mut(stride) {
                for x in row[..options.factors].iter_mut() {
                    *x = (rng.uniform() * 0.01) as f32;
                }
            }
            v
        };
        let mut user_factors = init(users);
        let mut item_factors = init(items);
        let user_conf = confidences(by_customer, options.scaling, options.alpha);
        let item_conf = confidences(by_item, options.scaling, options.alpha);
        for it in 0..options.iterations {
            solve_side(by_customer, &user_conf, &item_factors, &mut user_factors, stride, options.regularization, options.cg_steps, false);
            solve_side(by_item, &item_conf, &user_factors, &mut item_factors, stride, options.regularization, options.cg_steps, false);
            progress((it + 1) as f64 / options.iterations.max(1) as f64);
        }
        if options.iterations == 0 {
            progress(1.0);
        }
        if item_factors.iter().any(|v| !v.is_finite()) {
            return Err(Error::NotIdentifiable(
                "ALS diverged (non-finite factors); raise regularization".into(),
            ));
        }
        let mut model = AlsModel {
            factors: options.factors,
            stride,
            regularization: options.regularization,
            alpha: options.alpha,
            scaling: options.scaling,
            user_factors: Vec::new(),
            item_factors,
            item_panels: Vec::new(),
        };
        model.prepare_with(by_customer);
        Ok(model)
    }

    /// User factors solved from scratch against the item factors, deterministically: at the end
    /// of training, and when loading format-1 bytes (which did not store them).
    pub fn compute_user_factors(&self, by_customer: &Sparse) -> Vec<f32> {
        let mut user_factors = vec![0f32; by_customer.rows() * self.stride];
        let conf = confidences(by_customer, self.scaling, self.alpha);
        solve_side(by_customer, &conf, &self.item_factors, &mut user_factors, self.stride, self.regularization, FOLD_IN_CG_STEPS, true);
        user_factors
    }

    /// Derives user factors (from the purchases) and the scoring panels.
    pub fn prepare_with(&mut self, by_customer: &Sparse) {
        self.user_factors = self.compute_user_factors(by_customer);
        self.prepare_panels();
    }
}
