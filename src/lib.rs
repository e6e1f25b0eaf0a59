//! # regulars
//!
//! A shop's order history in, three decisions out — in the page or edge worker, with no server:
//!
//! 1. [`churn`]: churn risk and customer value from RFM summaries (BG/NBD, MBG/NBD, Pareto/NBD,
//!    Gamma-Gamma, CLV, and a calibrated `ChurnModel`);
//! 2. [`recommend`]: product recommendations by collaborative filtering (implicit ALS, item-kNN,
//!    popularity);
//! 3. [`offers`]: which retention offer to show, ranked by expected incremental margin, learned
//!    from rewards, with off-policy evaluation.
//!
//! Data flows one way: [`data::Transactions`] → [`data::Summary`] → churn models → scores
//! (risk, CLV, segment); `Transactions` → interactions → `Recommender`; scores and a customer's
//! context → `OfferRanker`. The core is plain Rust; the wasm-bindgen layer lives in `js/`
//! (compiled for wasm32 only) and does no computing of its own.

pub mod churn;
pub mod codec;
pub mod data;
pub mod error;
pub mod offers;
pub mod recommend;
pub mod rng;
pub mod sort;

#[cfg(target_arch = "wasm32")]
mod js;

pub use error::{Error, Result};
