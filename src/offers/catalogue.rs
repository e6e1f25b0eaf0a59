//! The offer catalogue: what each incentive is (kind, value, cost), who may see it (eligibility by
//! segment, churn risk and CLV), and the validation that turns the caller's specs into offers.
//!
//! The "none" offer (no incentive) is the control and is always present: when the caller does
//! not list an offer of kind `none`, one with id `"none"` is appended. It is always eligible.

use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::offers::context::Context;

/// The kinds of incentive a shop can offer, as named in the JS API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferKind {
    /// `value` = percent of the order value (0 < value ≤ 100), paid on every redeeming order.
    PercentOff,
    /// `value` = money off the order.
    AmountOff,
    /// `value` = the shipping fee the customer saves (money).
    FreeShipping,
    /// `value` = money value of the points granted.
    BonusPoints,
    /// `value` = percent of the order paid back (0 < value ≤ 100).
    Cashback,
    /// `value` = the gift's value to the customer (money); `cost` defaults to it.
    Gift,
    /// No incentive: the control.
    None,
}

impl OfferKind {
    pub const ALL: [OfferKind; 7] = [
        OfferKind::PercentOff,
        OfferKind::AmountOff,
        OfferKind::FreeShipping,
        OfferKind::BonusPoints,
        OfferKind::Cashback,
        OfferKind::Gift,
        OfferKind::None,
    ];

    /// The JS name (`"percent_off"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            OfferKind::PercentOff => "percent_off",
            OfferKind::AmountOff => "amount_off",
            OfferKind::FreeShipping => "free_shipping",
            OfferKind::BonusPoints => "bonus_points",
            OfferKind::Cashback => "cashback",
            OfferKind::Gift => "gift",
            OfferKind::None => "none",
        }
    }

    /// Words for the `reason` text.
    pub fn label(self) -> &'static str {
        match self {
            OfferKind::PercentOff => "percent discount",
            OfferKind::AmountOff => "amount off",
            OfferKind::FreeShipping => "free shipping",
            OfferKind::BonusPoints => "bonus points",
            OfferKind::Cashback => "cashback",
            OfferKind::Gift => "gift",
            OfferKind::None => "no offer",
        }
    }

    pub fn parse(name: &str) -> Option<OfferKind> {
        OfferKind::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    pub(crate) fn code(self) -> u8 {
        OfferKind::ALL.iter().position(|k| *k == self).unwrap_or(6) as u8
    }

    pub(crate) fn from_code(code: u8) -> Option<OfferKind> {
        OfferKind::ALL.get(code as usize).copied()
    }
}

/// Who may see an offer. Every rule left as `None` allows everyone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Eligibility {
    /// Segments (exact names) that may see the offer; a context without a segment does not match.
    pub segments: Option<Vec<String>>,
    pub min_risk: Option<f64>,
    pub max_risk: Option<f64>,
    pub min_clv: Option<f64>,
}

/// An offer as the caller describes it (the JS layer fills this from the options object).
/// `id` is optional here so that a missing id can be reported with the offer's index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferSpec {
    pub id: Option<String>,
    pub kind: String,
    pub value: Option<f64>,
    pub cost: Option<f64>,
    pub eligible: Eligibility,
}

impl OfferSpec {
    /// Shorthand for tests and the simulator.
    pub fn new(id: &str, kind: &str, value: Option<f64>) -> Self {
        OfferSpec { id: Some(id.to_string()), kind: kind.to_string(), value, ..Default::default() }
    }
    pub fn with_cost(mut self, cost: f64) -> Self {
        self.cost = Some(cost);
        self
    }
    pub fn with_eligibility(mut self, eligible: Eligibility) -> Self {
        self.eligible = eligible;
        self
    }
}

/// A validated offer.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub id: String,
    pub kind: OfferKind,
    /// Kind-specific value (see [`OfferKind`]); 0 for `none`.
    pub value: f64,
    /// The shop's cost per redeeming order when the caller gave one; otherwise the value model
    /// derives it from the kind and value.
    pub cost: Option<f64>,
    pub eligible: Eligibility,
}

impl Offer {
    /// Whether this offer may be shown in `context`. The control is always eligible.
    pub fn is_eligible(&self, context: &Context) -> bool {
        if self.kind == OfferKind::None {
            return true;
        }
        let e = &self.eligible;
        if let Some(segments) = &e.segments {
            match &context.segment {
                Some(s) if segments.iter().any(|x| x == s) => {}
                _ => return false,
            }
        }
        if e.min_risk.is_some_and(|m| context.risk < m) {
            return false;
        }
        if e.max_risk.is_some_and(|m| context.risk > m) {
            return false;
        }
        if e.min_clv.is_some_and(|m| context.clv < m) {
            return false;
        }
        true
    }
}

/// The validated list of offers; always holds exactly one offer of kind `none`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    offers: Vec<Offer>,
    none_index: usize,
}

/// Most offers a catalogue may hold (ranking cost grows with it).
pub const MAX_OFFERS: usize = 256;

fn check_opt(name: &str, v: Option<f64>, min: f64, max: f64) -> Result<Option<f64>> {
    match v {
        None => Ok(None),
        Some(x) if x.is_nan() => Err(Error::invalid(format!("{name} is NaN"))),
        Some(x) if !x.is_finite() => Err(Error::invalid(format!("{name} must be finite, got {x}", x = Decimal(x)))),
        Some(x) if x < min => Err(Error::invalid(format!("{name} must be at least {min}, got {x}", min = Decimal(min), x = Decimal(x)))),
        Some(x) if x > max => Err(Error::invalid(format!("{name} must be at most {max}, got {x}", max = Decimal(max), x = Decimal(x)))),
        Some(x) => Ok(Some(x)),
    }
}

impl Catalogue {
    /// Validates the specs: every offer needs a non-empty unique id and a known kind; value and
    /// cost must be finite and not negative, percentages at most 100; eligibility bounds must be
    /// sensible. Errors name the offer by index (`offers[2]`) and id.
    pub fn new(specs: Vec<OfferSpec>) -> Result<Catalogue> {
        if specs.len() >= MAX_OFFERS {
            return Err(Error::Limit(format!(
                "offers has {} entries; at most {} are supported",
                specs.len(),
                MAX_OFFERS - 1
            )));
        }
        let mut offers: Vec<Offer> = Vec::with_capacity(specs.len() + 1);
        let mut none_index = None;
        for (i, spec) in specs.into_iter().enumerate() {
            let id = match spec.id {
                None => return Err(Error::invalid(format!("offers[{i}] has no id"))),
                Some(id) if id.trim().is_empty() => {
                    return Err(Error::invalid(format!("offers[{i}] has an empty id")))
                }
                Some(id) => id,
            };
            let at = format!("offers[{i}] ('{id}')");
            if let Some(j) = offers.iter().position(|o| o.id == id) {
                return Err(Error::invalid(format!(
                    "{at}: duplicate id '{id}' (also offers[{j}])"
                )));
            }
            let kind = OfferKind::parse(&spec.kind).ok_or_else(|| {
                Error::invalid(format!(
                    "{at}: unknown kind '{}' (expected one of percent_off, amount_off, \
                     free_shipping, bonus_points, cashback, gift, none)",
                    spec.kind
                ))
            })?;
            let value = check_opt(&format!("{at}.value"), spec.value, 0.0, f64::INFINITY)?;
            let cost = check_opt(&format!("{at}.cost"), spec.cost, 0.0, f64::INFINITY)?;
            let value = match kind {
                OfferKind::None => {
                    if value.is_some_and(|v| v != 0.0) || cost.is_some_and(|c| c != 0.0) {
                        return Err(Error::invalid(format!(
                            "{at}: a 'none' offer has no value or cost"
                        )));
                    }
                    if none_index.is_some() {
                        return Err(Error::invalid(format!(
                            "{at}: only one offer may be of kind 'none'"
                        )));
                    }
                    none_index = Some(offers.len());
                    0.0
                }
                OfferKind::PercentOff | OfferKind::Cashback => {
                    let v = value.ok_or_else(|| {
                        Error::invalid(format!("{at}: {} needs a value (a percentage)", kind.as_str()))
                    })?;
                    if v > 100.0 {
                        return Err(Error::invalid(format!(
                            "{at}.value is a percentage and must be at most 100, got {v}",
                            v = Decimal(v)
                        )));
                    }
                    if v == 0.0 {
                        return Err(Error::invalid(format!("{at}.value must be above 0")));
                    }
                    v
                }
                _ => match (value, cost) {
                    (Some(v), _) => v,
                    (None, Some(c)) => c,
                    (None, None) => {
                        return Err(Error::invalid(format!(
                            "{at}: {} needs a value or a cost",
                            kind.as_str()
                        )))
                    }
                },
            };
            if kind != OfferKind::None && id == "none" {
                return Err(Error::invalid(format!(
                    "{at}: the id 'none' is reserved for the offer of kind 'none'"
                )));
            }
            let e = spec.eligible;
            let min_risk = check_opt(&format!("{at}.eligible.minRisk"), e.min_risk, 0.0, 1.0)?;
            let max_risk = check_opt(&format!("{at}.eligible.maxRisk"), e.max_risk, 0.0, 1.0)?;
            if let (Some(lo), Some(hi)) = (min_risk, max_risk) {
                if lo > hi {
                    return Err(Error::invalid(format!(
                        "{at}.eligible: minRisk {lo} is above maxRisk {hi}",
                        lo = Decimal(lo),
                        hi = Decimal(hi)
                    )));
                }
            }
            let min_clv =
                check_opt(&format!("{at}.eligible.minClv"), e.min_clv, f64::NEG_INFINITY, f64::INFINITY)?;
            if let Some(segments) = &e.segments {
                if segments.is_empty() {
                    return Err(Error::invalid(format!(
                        "{at}.eligible.segments is empty (omit it to allow every segment)"
                    )));
                }
                if let Some(k) = segments.iter().position(|s| s.is_empty()) {
                    return Err(Error::invalid(format!("{at}.eligible.segments[{k}] is empty")));
                }
            }
            offers.push(Offer {
                id,
                kind,
                value,
                cost,
                eligible: Eligibility { segments: e.segments, min_risk, max_risk, min_clv },
            });
        }
        let none_index = match none_index {
            Some(i) => i,
            None => {
                offers.push(Offer {
                    id: "none".to_string(),
                    kind: OfferKind::None,
                    value: 0.0,
                    cost: None,
                    eligible: Eligibility::default(),
                });
                offers.len() - 1
            }
        };
        Ok(Catalogue { offers, none_index })
    }

    pub fn offers(&self) -> &[Offer] {
        &self.offers
    }
    pub fn len(&self) -> usize {
        self.offers.len()
    }
    pub fn is_empty(&self) -> bool {
        self.offers.is_empty()
    }
    /// Index of the control offer.
    pub fn none_index(&self) -> usize {
        self.none_index
    }
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.offers.iter().position(|o| o.id == id)
    }
    /// Indices of the offers that may be shown in `context` (always includes the control).
    pub fn eligible(&self, context: &Context) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.offers.len());
        self.eligible_into(context, &mut out);
        out
    }
    pub(crate) fn eligible_into(&self, context: &Context, out: &mut Vec<usize>) {
        out.clear();
        out.extend((0..self.offers.len()).filter(|&i| self.offers[i].is_eligible(context)));
    }

    /// Back to specs (for saving the catalogue inside model bytes).
    pub fn specs(&self) -> Vec<OfferSpec> {
        self.offers
            .iter()
            .map(|o| OfferSpec {
                id: Some(o.id.clone()),
                kind: o.kind.as_str().to_string(),
                value: if o.kind == OfferKind::None { None } else { Some(o.value) },
                cost: o.cost,
                eligible: o.eligible.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(risk: f64, clv: f64, segment: Option<&str>) -> Context {
        Context { risk, clv, segment: segment.map(|s| s.to_string()), ..Default::default() }
    }

    #[test]
    fn none_is_added_and_eligibility_applies() {
        let c = Catalogue::new(vec![
            OfferSpec::new("p10", "percent_off", Some(10.0)).with_eligibility(Eligibility {
                min_risk: Some(0.5),
                ..Default::default()
            }),
            OfferSpec::new("gift", "gift", Some(5.0)).with_eligibility(Eligibility {
                segments: Some(vec!["Champions".into()]),
                min_clv: Some(100.0),
                ..Default::default()
            }),
        ])
        .unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c.offers()[c.none_index()].id, "none");
        assert_eq!(c.eligible(&ctx(0.2, 50.0, None)), vec![2]);
        assert_eq!(c.eligible(&ctx(0.7, 500.0, Some("Champions"))), vec![0, 1, 2]);
        assert_eq!(c.eligible(&ctx(0.7, 50.0, Some("Champions"))), vec![0, 2]);
    }

    #[test]
    fn validation_names_the_offer() {
        let err = |specs: Vec<OfferSpec>| Catalogue::new(specs).unwrap_err().to_string();
        let mut no_id = OfferSpec::new("x", "gift", Some(1.0));
        no_id.id = None;
        assert_eq!(err(vec![OfferSpec::new("a", "gift", Some(1.0)), no_id]), "offers[1] has no id");
        assert!(err(vec![OfferSpec::new("", "gift", Some(1.0))]).contains("offers[0] has an empty id"));
        let e = err(vec![OfferSpec::new("a", "gift", Some(1.0)), OfferSpec::new("a", "gift", Some(2.0))]);
        assert!(e.contains("offers[1]") && e.contains("duplicate id 'a'"), "{e}");
        assert!(err(vec![OfferSpec::new("a", "coupon", Some(1.0))]).contains("unknown kind 'coupon'"));
        assert!(err(vec![OfferSpec::new("a", "gift", Some(f64::NAN))]).contains("value is NaN"));
        assert!(err(vec![OfferSpec::new("a", "gift", Some(-1.0))]).contains("at least 0"));
        assert!(err(vec![OfferSpec::new("a", "percent_off", Some(120.0))]).contains("at most 100"));
        assert!(err(vec![OfferSpec::new("a", "percent_off", None)]).contains("needs a value"));
        assert!(err(vec![OfferSpec::new("a", "gift", Some(1.0)).with_cost(f64::NAN)]).contains("cost is NaN"));
        assert!(err(vec![OfferSpec::new("none", "gift", Some(1.0))]).contains("reserved"));
        assert!(err(vec![OfferSpec::new("a", "none", None), OfferSpec::new("b", "none", None)])
            .contains("only one"));
    }
}
