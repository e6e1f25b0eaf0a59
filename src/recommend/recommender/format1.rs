//! Reading recommender bytes of layout 1 (regulars 0.1), full build only: they hold the ALS item
//! factors and the item-kNN parameters but not the customer factors or the neighbour lists, so
//! these are recomputed from the stored purchases by the same deterministic code that produced
//! them at fit time (which is why the serving build, without that code, refuses layout 1).

use super::bytes::{assemble_loaded, read_als_parameters, read_knn_parameters, Stored};
use super::scorers::als_matrix;
use super::Recommender;

use crate::codec::Reader;
use crate::error::{Error, Result};
use crate::recommend::item_knn::ItemKnnModel;

/// The scorers of layout-1 bytes (after the part every layout shares), recomputed.
pub(super) fn read_scorers(mut r: Reader, s: Stored) -> Result<Recommender> {
    let als = match read_als_parameters(&mut r, s.item_ids.len())? {
        Some(mut model) => {
            model.prepare_with(&als_matrix(&s.history, &s.als_ages, s.blend.als_recency_half_life_days));
            Some(model)
        }
        None => None,
    };
    let knn = match read_knn_parameters(&mut r)? {
        Some((weighting, neighbours)) => {
            // From the same (recency-weighted) counts as at fit time.
            let h = s.blend.knn_recency_half_life_days;
            let weighted = if h > 0.0 { Some(als_matrix(&s.history, &s.als_ages, h).transpose(s.item_ids.len())) } else { None };
            let knn = ItemKnnModel::fit(weighted.as_ref().unwrap_or(&s.by_item), s.customer_ids.len(), weighting, neighbours, &mut |_| {})
                .map_err(|_| Error::corrupt("item-kNN parameters are invalid"))?;
            Some(knn)
        }
        None => None,
    };
    r.finish()?;
    assemble_loaded(s, als, knn)
}
