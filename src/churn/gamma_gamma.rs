//! The Gamma-Gamma model of monetary value (Fader & Hardie 2013, "The Gamma-Gamma Model of
//! Monetary Value"; Fader, Hardie & Lee 2005, "RFM and CLV"): each transaction's value is
//! Gamma(p, ν), ν ~ Gamma(q, γ) across customers, independent of the purchase process. Fitted
//! on the customers with frequency > 0, whose `monetary` (mean spend of the repeat
//! transactions) is the observed average of `x` transactions.
//!
//! Penalizer: like lifetimes, the fit minimises `-ll/N + penalizer * (p² + q² + γ²)`.

use crate::decimal::Decimal;
use super::optimize::{self, Objective, Settings};
use super::special::{digamma, ln_gamma};
use super::{check_fitted, check_output};
use crate::codec::{Reader, Writer};
use crate::data::Summary;
use crate::error::{check_non_negative, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaGammaParams {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GammaGammaOptions {
    /// L2 penalty `penalizer * (p² + q² + γ²)` added to the mean negative log-likelihood.
    pub penalizer: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GammaGamma {
    pub params: GammaGammaParams,
    /// Total log-likelihood over the repeat buyers, unpenalised.
    pub log_likelihood: f64,
    /// Standard errors of (p, q, γ); `None` when the information matrix is not positive definite.
    pub standard_errors: Option<Vec<f64>>,
    pub penalizer: f64,
    /// Number of repeat buyers the model was fitted on.
    pub customers: f64,
    /// How the fit went (`None`: built from parameters, or loaded from older bytes).
    pub diagnostics: Option<super::Diagnostics>,
}

/// (x, m̄) pairs merged with counts.
struct Spends {
    x: Vec<f64>,
    mean: Vec<f64>,
    weight: Vec<f64>,
    total_weight: f64,
}

impl Spends {
    fn from_summary(summary: &Summary) -> Result<Self> {
        super::check_summary(summary)?;
        if summary.monetary.len() != summary.len() {
            return Err(Error::invalid(format!(
                "summary columns differ in length: frequency {}, monetary {}",
                summary.len(),
                summary.monetary.len()
            )));
        }
        check_non_negative("monetary", &summary.monetary)?;
        let mut pairs = Vec::new();
        for i in 0..summary.len() {
            if summary.frequency[i] > 0.0 {
                let m = summary.monetary[i];
                if m <= 0.0 {
                    return Err(Error::invalid(format!(
                        "monetary[{i}] is {m}: Gamma-Gamma needs a positive mean spend for every customer with frequency > 0",
                        m = Decimal(m)
                    )));
                }
                pairs.push([summary.frequency[i].to_bits(), m.to_bits()]);
            }
        }
        if pairs.is_empty() {
            return Err(Error::NotIdentifiable(
                "Gamma-Gamma: no repeat buyers (every customer has frequency 0), so there is no spend to model".into(),
            ));
        }
        crate::sort::sort_by(&mut pairs, &|a, b| a.cmp(b));
        let mut s = Spends { x: Vec::new(), mean: Vec::new(), weight: Vec::new(), total_weight: pairs.len() as f64 };
        let mut previous = None;
        for pair in pairs {
            if previous == Some(pair) {
                *s.weight.last_mut().unwrap() += 1.0;
            } else {
                s.x.push(f64::from_bits(pair[0]));
                s.mean.push(f64::from_bits(pair[1]));
                s.weight.push(1.0);
                previous = Some(pair);
            }
        }
        Ok(s)
    }

    /// Total log-likelihood, FH 2013 eq. (4) / FHL "RFM and CLV" eq. (3):
    /// ln f(m̄ | x) = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + m̄x),
    /// with the analytic gradient in (p, q, γ) when asked.
    fn total(&self, params: &[f64], gradient: Option<&mut [f64; 3]>) -> f64 {
        let (p, q, gamma) = (params[0], params[1], params[2]);
        let want = gradient.is_some();
        let (lg_q, ln_gamma_param) = (ln_gamma(q), gamma.ln());
        let dg_q = if want { digamma(q) } else { 0.0 };
        let (mut total, mut d_p, mut d_q, mut d_g) = (0.0, 0.0, 0.0, 0.0);
        let mut cached_x = f64::NAN;
        let (mut lg_pxq, mut lg_px, mut dg_pxq, mut dg_px, mut ln_x) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..self.x.len() {
            let (x, m, w) = (self.x[i], self.mean[i], self.weight[i]);
            let px = p * x;
            if x != cached_x {
                // Rows are sorted by x: the x-only terms are computed once per distinct x.
                cached_x = x;
                lg_pxq = ln_gamma(px + q);
                lg_px = ln_gamma(px);
                ln_x = x.ln();
                if want {
                    dg_pxq = digamma(px + q);
                    dg_px = digamma(px);
                }
            }
            let ln_m = m.ln();
            let ln_gmx = (gamma + m * x).ln();
            total += w * (lg_pxq - lg_px - lg_q + q * ln_gamma_param + (px - 1.0) * ln_m + px * ln_x - (px + q) * ln_gmx);
            if want {
                d_p += w * x * (dg_pxq - dg_px + ln_m + ln_x - ln_gmx);
                d_q += w * (dg_pxq - dg_q + ln_gamma_param - ln_gmx);
                d_g += w * (q / gamma - (px + q) / (gamma + m * x));
            }
        }
        if let Some(g) = gradient {
            *g = [d_p, d_q, d_g];
        }
        total
    }
}

struct GammaGammaObjective<'a> {
    data: &'a Spends,
    penalizer: f64,
}

impl Objective for GammaGammaObjective<'_> {
    fn dimension(&self) -> usize {
        3
    }
    fn has_gradient(&self) -> bool {
        true
    }
    fn value(&self, theta: &[f64], gradient: Option<&mut [f64]>) -> f64 {
        let p = [theta[0].exp(), theta[1].exp(), theta[2].exp()];
        if p.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return f64::NAN;
        }
        let n = self.data.total_weight;
        let penalty: f64 = self.penalizer * p.iter().map(|v| v * v).sum::<f64>();
        match gradient {
            Some(out) => {
                let mut g = [0.0; 3];
                let ll = self.data.total(&p, Some(&mut g));
                for i in 0..3 {
                    out[i] = -g[i] * p[i] / n + 2.0 * self.penalizer * p[i] * p[i];
                }
                -ll / n + penalty
            }
            None => -self.data.total(&p, None) / n + penalty,
        }
    }
}

impl GammaGammaOptions {
    pub fn penalizer(mut self, penalizer: f64) -> Self {
        self.penalizer = penalizer;
        self
    }

    pub fn fit(&self, summary: &Summary) -> Result<GammaGamma> {
        let penalizer = self.penalizer;
        if !penalizer.is_finite() || penalizer < 0.0 {
            return Err(Error::invalid(format!("penalizer must be a finite number >= 0, got {penalizer}", penalizer = Decimal(penalizer))));
        }
        let data = Spends::from_summary(summary)?;
        if data.x.len() < 2 {
            return Err(Error::NotIdentifiable(
                "Gamma-Gamma: all repeat buyers have the same frequency and mean spend; at least two different values are needed".into(),
            ));
        }
        let objective = GammaGammaObjective { data: &data, penalizer };
        let mean_spend =
            data.mean.iter().zip(&data.weight).map(|(m, w)| m * w).sum::<f64>() / data.total_weight;
        // Starts: lifetimes' ones, and two with E[M] = pγ/(q−1) at the observed mean spend.
        let starts = vec![
            vec![0.0, 0.0, 0.0],
            vec![(5.0f64).ln(), (3.0f64).ln(), (0.4 * mean_spend).ln()],
            vec![(1.0f64).ln(), (2.0f64).ln(), mean_spend.ln()],
        ];
        let best = optimize::minimize(&objective, &starts, &Settings::default(), "Gamma-Gamma")?;
        let params: Vec<f64> = best.theta.iter().map(|t| t.exp()).collect();
        let log_likelihood = data.total(&params, None);
        check_fitted("Gamma-Gamma", &["p", "q", "gamma"], &params, log_likelihood)?;
        let n = data.total_weight;
        let standard_errors = optimize::penalised_standard_errors(
            |p, g: &mut [f64; 3]| {
                data.total(p, Some(g));
            },
            &params,
            n,
            penalizer,
        );
        let gradient_norm = optimize::gradient_norm(&objective, &best.theta);
        // Gamma-Gamma has no dropout process; its customers are the repeat buyers.
        let diagnostics = super::diagnostics::diagnose("Gamma-Gamma", &best, gradient_norm, &["p", "q", "gamma"], &params, &standard_errors, None, n);
        Ok(GammaGamma {
            params: GammaGammaParams { p: params[0], q: params[1], gamma: params[2] },
            log_likelihood,
            standard_errors,
            penalizer,
            customers: n,
            diagnostics: Some(diagnostics),
        })
    }
}

impl GammaGamma {
    pub fn fit(summary: &Summary) -> Result<Self> {
        GammaGammaOptions::default().fit(summary)
    }

    pub fn from_params(params: GammaGammaParams) -> Result<Self> {
        super::bg_nbd::check_params("Gamma-Gamma", &[params.p, params.q, params.gamma], &["p", "q", "gamma"])?;
        Ok(GammaGamma { params, log_likelihood: 0.0, standard_errors: None, penalizer: 0.0, customers: 0.0, diagnostics: None })
    }

    pub fn params(&self) -> Vec<(&'static str, f64)> {
        vec![("p", self.params.p), ("q", self.params.q), ("gamma", self.params.gamma)]
    }

    /// E[M | x, m̄] = p(γ + x m̄) / (px + q − 1) (FH 2013, eq. 5): a weighted mean of the
    /// population mean pγ/(q−1) and the customer's observed mean. For x = 0 it is the population
    /// mean, which exists only for q > 1 (NaN otherwise; the vectorised call reports it).
    pub fn expected_spend_one(&self, frequency: f64, monetary: f64) -> f64 {
        let GammaGammaParams { p, q, gamma } = self.params;
        let denominator = p * frequency + q - 1.0;
        if denominator <= 0.0 {
            return f64::NAN;
        }
        let m = if frequency > 0.0 { monetary } else { 0.0 };
        p * (gamma + frequency * m) / denominator
    }

    /// Expected spend per future transaction for every customer of the summary.
    pub fn expected_spend(&self, summary: &Summary) -> Result<Vec<f64>> {
        super::check_summary(summary)?;
        if summary.monetary.len() != summary.len() {
            return Err(Error::invalid("summary columns differ in length: monetary"));
        }
        check_non_negative("monetary", &summary.monetary)?;
        let out: Vec<f64> =
            (0..summary.len()).map(|i| self.expected_spend_one(summary.frequency[i], summary.monetary[i])).collect();
        if out.iter().any(|v| !v.is_finite()) {
            return Err(Error::NotIdentifiable(format!(
                "Gamma-Gamma: q = {} <= 1, so the mean spend of a customer without repeat purchases is infinite",
                Decimal(self.params.q)
            )));
        }
        check_output("Gamma-Gamma", "expectedSpend", &out)?;
        Ok(out)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"GAMG");
        w.put_f64s(&[self.params.p, self.params.q, self.params.gamma]);
        w.put_f64(self.log_likelihood);
        w.put_f64(self.penalizer);
        w.put_f64(self.customers);
        super::write_standard_errors(&mut w, &self.standard_errors);
        super::Diagnostics::write(&self.diagnostics, &mut w);
        w.finish()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open(bytes, b"GAMG")?;
        let params = super::read_positive_params(&mut r, 3)?;
        let log_likelihood = r.get_finite_f64()?;
        let penalizer = r.get_finite_f64()?;
        let customers = r.get_finite_f64()?;
        if penalizer < 0.0 || customers < 0.0 {
            return Err(Error::corrupt("negative penalizer or customer count"));
        }
        let standard_errors = super::read_standard_errors(&mut r, 3)?;
        let diagnostics = super::Diagnostics::read(&mut r)?;
        r.finish()?;
        Ok(GammaGamma {
            params: GammaGammaParams { p: params[0], q: params[1], gamma: params[2] },
            log_likelihood,
            standard_errors,
            penalizer,
            customers,
            diagnostics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytic_gradient_matches_central_differences() {
        let s = Summary::from_columns(
            None,
            vec![1.0, 2.0, 5.0, 0.0, 2.0],
            vec![1.0, 3.0, 9.0, 0.0, 4.0],
            vec![10.0, 10.0, 10.0, 10.0, 10.0],
            Some(vec![20.0, 35.5, 12.0, 0.0, 80.0]),
            crate::data::TimeUnit::Week,
        )
        .unwrap();
        let data = Spends::from_summary(&s).unwrap();
        let obj = GammaGammaObjective { data: &data, penalizer: 0.01 };
        let theta = [(3.0f64).ln(), (2.0f64).ln(), (10.0f64).ln()];
        let mut g = [0.0; 3];
        obj.value(&theta, Some(&mut g));
        for i in 0..3 {
            let h = 1e-6;
            let mut up = theta;
            up[i] += h;
            let mut down = theta;
            down[i] -= h;
            let numeric = (obj.value(&up, None) - obj.value(&down, None)) / (2.0 * h);
            assert!((numeric - g[i]).abs() < 1e-6, "i {i}: {numeric} vs {}", g[i]);
        }
    }
}
