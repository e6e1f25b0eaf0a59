//! What the ranker knows about a customer when it chooses an offer ([`Context`]), and the checks
//! of its numbers. Shared by the catalogue (eligibility) and the value model (the prior).

use crate::decimal::Decimal;
use crate::error::{Error, Result};

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
                Error::invalid(format!("{name}.{what} must be finite, got {v}", v = Decimal(v)))
            }
        };
        if !self.risk.is_finite() {
            return Err(bad("risk", self.risk));
        }
        if !(0.0..=1.0).contains(&self.risk) {
            return Err(Error::invalid(format!(
                "{name}.risk must be between 0 and 1, got {}",
                Decimal(self.risk)
            )));
        }
        if !self.clv.is_finite() {
            return Err(bad("clv", self.clv));
        }
        if self.clv < 0.0 {
            return Err(Error::invalid(format!("{name}.clv is negative ({})", Decimal(self.clv))));
        }
        if let Some(v) = self.order_value {
            if !v.is_finite() {
                return Err(bad("orderValue", v));
            }
            if v <= 0.0 {
                return Err(Error::invalid(format!("{name}.orderValue must be above 0, got {v}", v = Decimal(v))));
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
