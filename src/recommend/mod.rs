//! Recommendations from implicit feedback (who bought what): the customer × item
//! [`interactions`] matrix, implicit [`als`] (Hu, Koren & Volinsky 2008, CG solver), [`item_knn`]
//! (cosine / BM25), [`popular`] items, the [`recommender`] facade that fits, blends, serves and
//! explains them, and the offline [`eval`] helper (time split, precision / recall / ndcg@k,
//! coverage).

// `!(x > 0.0)` is deliberate throughout: it is true for NaN too, which is what the guards want.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod als;
pub mod eval;
pub mod interactions;
pub mod item_knn;
pub mod popular;
pub mod quantize;
pub mod recommender;
pub mod simd;
pub mod topk;

#[cfg(feature = "fit")]
pub use als::AlsOptions;
pub use als::{AlsModel, ConfidenceScaling};
pub use eval::{evaluate, time_split, MetricsAccumulator, RankingMetrics, TimeSplit};
pub use interactions::{InteractionValue, Interactions, Sparse};
pub use item_knn::{ItemKnnModel, Weighting};
pub use popular::PopularModel;
pub use quantize::Quantization;
#[cfg(feature = "fit")]
pub use recommender::FactorOptions;
pub use recommender::{Algorithm, Blend, RecommendMany, RecommendManyIndices, Recommender, RecommenderOptions, ValidationResult};
