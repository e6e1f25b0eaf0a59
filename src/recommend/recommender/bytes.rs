//! Model bytes of a [`Recommender`] ("RECO", layout version 2): everything scoring needs — the
//! purchases, popularity, the blend, the ALS item *and* customer factors, the item-kNN neighbour
//! lists — so that loading is decoding and validating only, with no fitting (the serving build
//! carries no ALS solver and no kNN fit, and an edge isolate's cold start pays no CPU for them).
//!
//! Layout 1 (regulars 0.1) stored only the item factors and the kNN parameters and recomputed the
//! rest on load; the full build still reads it ([`super::format1`], which recomputes exactly as
//! 0.1 did), the serving build refuses it with a message saying how to convert. The fixed part
//! before the scorers is the same in both layouts ([`read_stored`]).

use super::{Blend, Fitted, Recommender};

use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};
use crate::recommend::als::{AlsModel, ConfidenceScaling};
use crate::recommend::interactions::{InteractionValue, Interactions, Sparse};
use crate::recommend::item_knn::{ItemKnnModel, Weighting};
use crate::recommend::popular::PopularModel;
use crate::recommend::quantize::{self, Quantization};
use crate::recommend::simd;

const KIND: &[u8; 4] = b"RECO";
/// The layout this build writes; it reads 1 (full build) and 2.
const LAYOUT: u16 = 2;

/// How each kind of float is stored: `to_bytes_with(q)` stores everything with `q`;
/// [`Recommender::to_bytes`] uses [`DEFAULT_ENCODINGS`].
#[derive(Debug, Clone, Copy)]
struct Encodings {
    items: Quantization,
    customers: Quantization,
    neighbours: Quantization,
}

/// The default bytes: f16 item factors and neighbour weights, int8 customer factors (one scale
/// per customer). Measured on Online Retail's default model (4,000 customers × 64 factors, 3,394
/// items × up to 50 neighbours): all-f32 would be 3.3 MB and f32 items with f16 derived state
/// 2.5 MB, over the 2 MB budget of an edge worker's model; these encodings give 1.89 MB with the
/// same recall@10 as f32 (0.129, README). Customer factors take the coarsest encoding: they are
/// the largest block, and each only shifts one customer's scores, which a ranking absorbs
/// (int8's step is max |row| / 127); item factors and similarities, shared by every customer and
/// used raw by `similarItems` and the basket fold-in, keep 11 significant bits.
const DEFAULT_ENCODINGS: Encodings =
    Encodings { items: Quantization::F16, customers: Quantization::Int8, neighbours: Quantization::F16 };

/// The part of the bytes that is the same in every layout, validated.
pub(super) struct Stored {
    pub value: InteractionValue,
    pub blend: Blend,
    pub customer_ids: Vec<String>,
    pub item_ids: Vec<String>,
    pub history: Sparse,
    pub by_item: Sparse,
    pub buyers: Vec<f32>,
    pub item_age_days: Vec<f32>,
    pub als_ages: Vec<f32>,
}

impl Recommender {
    /// Model bytes in the default encodings ([`DEFAULT_ENCODINGS`]: f16 item factors and
    /// neighbour weights, int8 customer factors), small enough for an edge worker; a loaded model
    /// ranks as the fitted one up to those roundings. [`Recommender::to_bytes_with`]`(F32)`
    /// stores everything at f32 and loads bit for bit as fitted.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.write(DEFAULT_ENCODINGS)
    }

    /// Model bytes with item factors, customer factors and neighbour similarities all stored as
    /// f32, f16, or int8 (one f32 scale per factor row, per 64 neighbour weights) — smaller for
    /// the edge at a measured quality cost.
    pub fn to_bytes_with(&self, quantization: Quantization) -> Vec<u8> {
        self.write(Encodings { items: quantization, customers: quantization, neighbours: quantization })
    }

    fn write(&self, encodings: Encodings) -> Vec<u8> {
        let mut w = Writer::with_version(KIND, LAYOUT);
        w.put_u8(self.value.code());
        w.put_f32(self.blend.als);
        w.put_f32(self.blend.knn);
        w.put_f32(self.blend.popular);
        w.put_f32(self.blend.popularity_half_life_days);
        w.put_f32(self.blend.freshness_half_life_days);
        w.put_f32(self.blend.als_recency_half_life_days);
        w.put_f32(self.blend.knn_recency_half_life_days);
        w.put_strs(&self.customer_ids);
        w.put_strs(&self.item_ids);
        w.put_bytes(&quantize::encode_sparse_pattern(&self.history));
        quantize::put_counts(&mut w, &self.history.values);
        w.put_f32s(&self.popular.buyers);
        w.put_f32s(&self.item_age_days);
        if self.blend.uses_ages() {
            quantize::put_whole(&mut w, &self.als_ages);
        }
        match &self.als {
            Some(als) => {
                w.put_bool(true);
                w.put_u32(als.factors as u32);
                w.put_f32(als.regularization);
                w.put_f32(als.alpha);
                w.put_u8(als.scaling.code());
                quantize::put_rows(&mut w, &als.item_factors, als.stride, als.factors, encodings.items);
                quantize::put_rows(&mut w, &als.user_factors, als.stride, als.factors, encodings.customers);
            }
            None => w.put_bool(false),
        }
        match &self.knn {
            Some(knn) => {
                w.put_bool(true);
                let (code, a, b) = knn.weighting.encode();
                w.put_u8(code);
                w.put_f32(a);
                w.put_f32(b);
                w.put_u32(knn.neighbours_per_item as u32);
                w.put_bytes(&quantize::encode_sparse_pattern(&knn.neighbours));
                quantize::put_values(&mut w, &knn.neighbours.values, encodings.neighbours);
            }
            None => w.put_bool(false),
        }
        w.finish()
    }

    /// Reads [`Recommender::to_bytes`] output; every length, index and value is validated.
    pub fn from_bytes(bytes: &[u8]) -> Result<Recommender> {
        let (mut r, version) = Reader::open_versions(bytes, KIND, 1, LAYOUT)?;
        let stored = read_stored(&mut r)?;
        if version == 1 {
            #[cfg(feature = "fit")]
            return super::format1::read_scorers(r, stored);
            #[cfg(not(feature = "fit"))]
            return Err(Error::corrupt(
                "these recommender bytes were saved by regulars < 0.2 (format 1), which the serving build cannot load: load them with the full build (regulars) and save them again (toBytes)",
            ));
        }
        let customers = stored.customer_ids.len();
        let items = stored.item_ids.len();
        let als = match read_als_parameters(&mut r, items)? {
            Some(mut model) => {
                model.user_factors = quantize::get_rows(&mut r, customers, model.stride, model.factors)?;
                model.prepare_panels();
                Some(model)
            }
            None => None,
        };
        let knn = match read_knn_parameters(&mut r)? {
            Some((weighting, neighbours_per_item)) => {
                let pattern = r.get_bytes()?;
                let mut neighbours = quantize::decode_sparse_pattern(&pattern, items, items)?;
                neighbours.values = quantize::get_values(&mut r, neighbours.nnz())?;
                // >= 0: int8 and f16 may round a tiny similarity to zero.
                if neighbours.values.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
                    return Err(Error::corrupt("a neighbour similarity is negative"));
                }
                for i in 0..items {
                    let row = neighbours.row(i).0;
                    if row.len() > neighbours_per_item || row.binary_search(&(i as u32)).is_ok() {
                        return Err(Error::corrupt("a neighbour list is invalid"));
                    }
                }
                Some(ItemKnnModel { neighbours, weighting, neighbours_per_item })
            }
            None => None,
        };
        r.finish()?;
        assemble_loaded(stored, als, knn)
    }
}

/// Reads and validates the part every layout shares: the blend, ids, purchases, popularity and
/// ages.
pub(super) fn read_stored(r: &mut Reader) -> Result<Stored> {
    let value = InteractionValue::from_code(r.get_u8()?).ok_or_else(|| Error::corrupt("unknown interaction value"))?;
    let blend = Blend {
        als: r.get_f32()?,
        knn: r.get_f32()?,
        popular: r.get_f32()?,
        popularity_half_life_days: r.get_f32()?,
        freshness_half_life_days: r.get_f32()?,
        als_recency_half_life_days: r.get_f32()?,
        knn_recency_half_life_days: r.get_f32()?,
    };
    let half_lives = [
        blend.popularity_half_life_days,
        blend.freshness_half_life_days,
        blend.als_recency_half_life_days,
        blend.knn_recency_half_life_days,
    ];
    if half_lives.iter().any(|h| !(h.is_finite() && *h >= 0.0)) {
        return Err(Error::corrupt("a half-life is invalid"));
    }
    let weights = [blend.als, blend.knn, blend.popular];
    if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || (weights.iter().sum::<f32>() - 1.0).abs() > 1e-3 {
        return Err(Error::corrupt("blend weights are invalid"));
    }
    let customer_ids = r.get_strs()?;
    let item_ids = r.get_strs()?;
    let pattern = r.get_bytes()?;
    let mut history = quantize::decode_sparse_pattern(&pattern, customer_ids.len(), item_ids.len())?;
    history.values = quantize::get_values(r, history.nnz())?;
    if history.values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(Error::corrupt("an interaction value is not a positive number"));
    }
    let buyers = r.get_f32s()?;
    if buyers.len() != item_ids.len() || buyers.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(Error::corrupt("popularity is invalid"));
    }
    let item_age_days = r.get_f32s()?;
    if item_age_days.len() != item_ids.len() || item_age_days.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(Error::corrupt("item ages are invalid"));
    }
    let als_ages = if blend.uses_ages() { quantize::get_whole(r, history.nnz())? } else { Vec::new() };
    let by_item = history.transpose(item_ids.len());
    // Fitted models only hold bought items; a model imported from outside factors
    // (`from_factors`, pure ALS) may hold items nobody in it bought, which item-kNN alone cannot
    // score.
    if blend.knn > 0.0 && (0..by_item.rows()).any(|i| by_item.offsets[i] == by_item.offsets[i + 1]) {
        return Err(Error::corrupt("an item has no purchases"));
    }
    Ok(Stored { value, blend, customer_ids, item_ids, history, by_item, buyers, item_age_days, als_ages })
}

/// The ALS flag, hyper-parameters and item factors (user factors and panels still empty).
pub(super) fn read_als_parameters(r: &mut Reader, items: usize) -> Result<Option<AlsModel>> {
    if !r.get_bool()? {
        return Ok(None);
    }
    let factors = r.get_u32()? as usize;
    let regularization = r.get_f32()?;
    let alpha = r.get_f32()?;
    let scaling = ConfidenceScaling::from_code(r.get_u8()?).ok_or_else(|| Error::corrupt("unknown confidence scaling"))?;
    if factors == 0 || factors > 1024 || !(regularization.is_finite() && regularization >= 0.0) || !(alpha.is_finite() && alpha >= 0.0) {
        return Err(Error::corrupt("ALS parameters are invalid"));
    }
    let stride = simd::padded(factors);
    let item_factors = quantize::get_rows(r, items, stride, factors)?;
    Ok(Some(AlsModel { factors, stride, regularization, alpha, scaling, user_factors: Vec::new(), item_factors, item_panels: Vec::new() }))
}

/// The item-kNN flag, weighting and neighbours per item.
pub(super) fn read_knn_parameters(r: &mut Reader) -> Result<Option<(Weighting, usize)>> {
    if !r.get_bool()? {
        return Ok(None);
    }
    let code = r.get_u8()?;
    let (a, b) = (r.get_f32()?, r.get_f32()?);
    let weighting = Weighting::decode(code, a, b).ok_or_else(|| Error::corrupt("unknown item-kNN weighting"))?;
    let neighbours = r.get_u32()? as usize;
    if neighbours == 0 || neighbours > 10_000 {
        return Err(Error::corrupt("the number of item-kNN neighbours is invalid"));
    }
    Ok(Some((weighting, neighbours)))
}

/// The loaded recommender, after the checks that need all parts.
pub(super) fn assemble_loaded(s: Stored, als: Option<AlsModel>, knn: Option<ItemKnnModel>) -> Result<Recommender> {
    if (s.blend.als > 0.0 && als.is_none()) || (s.blend.knn > 0.0 && knn.is_none()) {
        return Err(Error::corrupt("the blend uses a scorer the bytes do not hold"));
    }
    let last_age_days = vec![0.0; s.history.nnz()];
    let m = Interactions { customer_ids: s.customer_ids, item_ids: s.item_ids, by_customer: s.history, by_item: s.by_item, last_age_days };
    let popular = PopularModel { buyers: s.buyers };
    let loaded = Recommender::assemble(m, s.value, Fitted { als, knn, popular }, s.blend, Vec::new(), s.item_age_days, s.als_ages);
    // The id → index maps hold one entry per distinct id.
    if loaded.customer_index.len() != loaded.customer_ids.len() {
        return Err(Error::corrupt("duplicate customer id"));
    }
    if loaded.item_index.len() != loaded.item_ids.len() {
        return Err(Error::corrupt("duplicate item id"));
    }
    Ok(loaded)
}
