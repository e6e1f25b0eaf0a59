//! MBG/NBD, the modified BG/NBD of Batislam, Denizel & Filiztekin (2007), "Empirical validation
//! and comparison of models for customer base analysis", IJRM 24(3): as BG/NBD, but a customer
//! may also drop out right after the first purchase, so customers with no repeat purchase are
//! not certainly alive. The formulas share their code with [`super::bg_nbd`] (`shift` = 1).
//!
//! Penalizer: like lifetimes, the fit minimises `-ll/N + penalizer * (r² + α² + a² + b²)`.

use super::bg_nbd::{self, BetaGeoOptions};
use super::TransactionModel;
use crate::data::Summary;
use crate::error::Result;

/// MBG/NBD parameters: λ ~ Gamma(shape r, rate α), p ~ Beta(a, b).
pub type ModifiedBetaGeoParams = bg_nbd::BetaGeoParams;

/// Hyper-parameters of an MBG/NBD fit.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ModifiedBetaGeoOptions {
    /// L2 penalty `penalizer * (r² + α² + a² + b²)` added to the mean negative log-likelihood.
    pub penalizer: f64,
}

impl ModifiedBetaGeoOptions {
    pub fn penalizer(mut self, penalizer: f64) -> Self {
        self.penalizer = penalizer;
        self
    }
    pub fn fit(&self, summary: &Summary) -> Result<ModifiedBetaGeo> {
        ModifiedBetaGeo::fit_with(summary, BetaGeoOptions { penalizer: self.penalizer })
    }
}

/// A fitted MBG/NBD model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModifiedBetaGeo {
    pub params: ModifiedBetaGeoParams,
    /// Total log-likelihood over the fitted customers, unpenalised.
    pub log_likelihood: f64,
    /// Standard errors of (r, α, a, b); `None` when the information matrix is not positive definite.
    pub standard_errors: Option<Vec<f64>>,
    pub penalizer: f64,
    pub customers: f64,
    /// How the fit went (`None`: built from parameters, or loaded from older bytes).
    pub diagnostics: Option<super::Diagnostics>,
}

impl ModifiedBetaGeo {
    pub fn fit(summary: &Summary) -> Result<Self> {
        Self::fit_with(summary, BetaGeoOptions::default())
    }

    pub fn fit_with(summary: &Summary, options: BetaGeoOptions) -> Result<Self> {
        let fit = bg_nbd::fit_beta_geometric(summary, options.penalizer, 1, "MBG/NBD")?;
        Ok(ModifiedBetaGeo {
            params: ModifiedBetaGeoParams::from_array(&fit.params),
            log_likelihood: fit.log_likelihood,
            standard_errors: fit.standard_errors,
            penalizer: options.penalizer,
            customers: fit.customers,
            diagnostics: fit.diagnostics,
        })
    }

    pub fn from_params(params: ModifiedBetaGeoParams) -> Result<Self> {
        bg_nbd::check_params("MBG/NBD", &params.to_array(), &["r", "alpha", "a", "b"])?;
        Ok(ModifiedBetaGeo { params, log_likelihood: 0.0, standard_errors: None, penalizer: 0.0, customers: 0.0, diagnostics: None })
    }

    /// E[X(t)] for a new customer (Batislam et al. 2007, eq. 12).
    pub fn expected_purchases_new_customer(&self, t: f64) -> Result<f64> {
        super::check_horizon(t)?;
        let p = self.params;
        let v = bg_nbd::unconditional_expected(p.r, p.alpha, p.a, p.b, t, 1);
        bg_nbd::finite_or_error(v, "MBG/NBD", "expected purchases of a new customer")
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        bg_nbd::write_model(b"MBGN", &self.params.to_array(), self.log_likelihood, self.penalizer, self.customers, &self.standard_errors, &self.diagnostics)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (params, log_likelihood, penalizer, customers, standard_errors, diagnostics) = bg_nbd::read_model(bytes, b"MBGN")?;
        Ok(ModifiedBetaGeo { params: ModifiedBetaGeoParams::from_array(&params), log_likelihood, standard_errors, penalizer, customers, diagnostics })
    }
}

impl TransactionModel for ModifiedBetaGeo {
    fn model_name(&self) -> &'static str {
        "MBG/NBD"
    }
    fn params(&self) -> Vec<(&'static str, f64)> {
        let p = self.params;
        vec![("r", p.r), ("alpha", p.alpha), ("a", p.a), ("b", p.b)]
    }
    fn log_likelihood(&self) -> f64 {
        self.log_likelihood
    }
    fn probability_alive_one(&self, x: f64, tx: f64, t: f64) -> f64 {
        bg_nbd::probability_alive(&self.params.to_array(), x, tx, t, 1)
    }
    fn expected_purchases_one(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        bg_nbd::conditional_expected(&self.params.to_array(), horizon, x, tx, t, 1)
    }
    fn expected_purchases(&self, horizon: f64, summary: &Summary) -> Result<Vec<f64>> {
        bg_nbd::conditional_expected_many(&self.params.to_array(), horizon, summary, 1, "MBG/NBD")
    }
    fn probability_no_purchase_one(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        bg_nbd::probability_no_purchase(&self.params.to_array(), horizon, x, tx, t, 1)
    }
}
