//! The fitting half of the JS API (compiled with the `fit` feature, i.e. into `regulars` but not
//! `regulars/serve`): `fit` methods, CSV import, shop reports, offer learning and evaluation, the
//! simulator and `evaluateRecommender`. Each file adds `impl` blocks to the classes declared by
//! its serving twin in `js/`.

mod churn;
mod data;
mod offers;
mod recommend;
