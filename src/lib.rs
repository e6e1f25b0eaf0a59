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
//!
//! ## What serves and what fits
//!
//! Two builds come from this crate: `regulars` (default feature `fit`: everything) and
//! `regulars/serve` (`--no-default-features`: load saved models, score, recommend, rank). Per
//! capability, the modules only the full build compiles (`#[cfg(feature = "fit")]` on the module):
//!
//! | capability | serves (both builds) | fits (full build only) |
//! |---|---|---|
//! | [`data`] | `Transactions::from_columns`, `Summary`, RFM | `measures` (shop reports); CSV import is compiled (`csv` also holds `canonical_id`, which serving uses) but not exported |
//! | [`churn`] | each model's scoring and bytes, `clv`, `ChurnModel::score` | `simulate`; the likelihoods and `optimize` (still in the model files, see docs/size.md) |
//! | [`recommend`] | `recommender` (facade, bytes, options), `als` (model, `cg`: the plain fold-in solve), `item_knn` (neighbour lists, scoring), `popular`, `quantize` | `recommender::{fit, scorers, auto, format1}` (fitting, validation folds, reading 0.1 bytes), `als::{fit, kernels}` (training and its fast solves), `item_knn::fit`, `eval` |
//! | [`offers`] | `catalogue`, `context`, `value`, `bandit` (rank, decision records, bytes) | `ope` (off-policy evaluation), `simulator`, reward learning (JS: `js/fit/`) |
//!
//! In `js/`, each file declares its classes with their serving methods; `js/fit/` adds the
//! fitting methods to the same classes.

pub mod churn;
pub mod codec;
pub mod data;
pub mod decimal;
pub mod error;
pub mod offers;
pub mod recommend;
pub mod rng;
pub mod sort;

#[cfg(target_arch = "wasm32")]
mod js;

pub use error::{Error, Result};
