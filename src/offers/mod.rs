//! Retention offers: which incentive (if any) to show a customer, learned from what happens.
//!
//! - [`catalogue`]: offers (kind, value, cost, eligibility) and their validation; the control
//!   "none" is always present.
//! - [`context`]: what the ranker knows about the customer at the moment of choosing.
//! - [`value`]: the value model — expected incremental margin per offer and context: a documented
//!   prior from churn risk, CLV, segment and cost, then ridge regressions learned from rewards.
//! - [`bandit`]: [`OfferRanker`]: rank, pick with logged probabilities, learn from rewards,
//!   save and load.
//! - [`learn`]: the offer loop's learning side — batch learning from logged decision records
//!   (importance-weighted, idempotent, atomic), per-offer stats, the lift report against the
//!   control group.
//! - [`ope`]: off-policy evaluation (IPS, SNIPS, doubly robust) of a ranker from logged rows.
//! - [`simulator`]: customers with known true uplift per offer and segment, for tests, benches
//!   and the demo.

pub mod bandit;
pub mod catalogue;
pub mod context;
#[cfg(feature = "fit")]
pub mod learn;
#[cfg(feature = "fit")]
pub mod ope;
#[cfg(feature = "fit")]
pub mod simulator;
pub mod value;

pub use bandit::{in_control_group, OfferRanker, RankedOffer, Ranking, RankerOptions};
#[cfg(feature = "fit")]
pub use learn::{report, LearnRecord, LearnSummary, LiftReport, OfferLift, OfferStats};
pub use catalogue::{Catalogue, Eligibility, Offer, OfferKind, OfferSpec};
#[cfg(feature = "fit")]
pub use ope::{evaluate, LoggedRow, OffPolicyEstimate};
#[cfg(feature = "fit")]
pub use simulator::{SimulationReport, Simulator, SimulatorConfig};
pub use context::Context;
pub use value::{Economics, PriorEstimate};
