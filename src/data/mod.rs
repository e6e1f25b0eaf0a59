//! Data in: columnar [`Transactions`] (from columns or CSV, with an import report), per-customer
//! [`Summary`] (frequency, recency, T, monetary; calibration / holdout), RFM scores and segments,
//! and the shop-level retention measures.

mod csv;
#[cfg(feature = "fit")]
mod measures;
mod rfm;
mod summary;
mod time;
mod transactions;

pub use csv::{canonical_id, CsvMapping, CsvOptions};
#[cfg(feature = "fit")]
pub use measures::{RetentionPeriod, ShopMeasures};
pub use rfm::{segment_for_scores, Rfm, SEGMENTS};
pub use summary::{Holdout, Summary, SummaryOptions, TimeUnit};
pub use time::{parse_time, DAY_MS};
pub use transactions::{ImportReport, Transactions, TransactionColumns, DEFAULT_MAX_ROWS};
