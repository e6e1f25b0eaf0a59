//! Model bytes of a [`Recommender`]: what is stored (purchases, item factors, popularity, the
//! blend) and the validating reader; user factors and neighbour lists are recomputed on load.

use super::{als_matrix, Blend, Fitted, Recommender};
use std::collections::HashSet;

use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};
use crate::recommend::als::{AlsModel, ConfidenceScaling};
use crate::recommend::interactions::{InteractionValue, Interactions};
use crate::recommend::item_knn::{ItemKnnModel, Weighting};
use crate::recommend::popular::PopularModel;
use crate::recommend::quantize::{self, Quantization};
use crate::recommend::simd;

impl Recommender {
    /// Model bytes with f32 item factors.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with(Quantization::F32)
    }

    /// Model bytes with item factors and neighbour similarities stored as f32, f16, or int8
    /// (one f32 scale per row) — smaller for the edge at a measured quality cost.
    pub fn to_bytes_with(&self, quantization: Quantization) -> Vec<u8> {
        let mut w = Writer::new(b"RECO");
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
                quantize::put_rows(&mut w, &als.item_factors, als.stride, als.factors, quantization);
            }
            None => w.put_bool(false),
        }
        // Neighbour lists are recomputed on load from the purchases (deterministic, and much
        // smaller than storing them): only the parameters are stored.
        match &self.knn {
            Some(knn) => {
                w.put_bool(true);
                let (code, a, b) = knn.weighting.encode();
                w.put_u8(code);
                w.put_f32(a);
                w.put_f32(b);
                w.put_u32(knn.neighbours_per_item as u32);
            }
            None => w.put_bool(false),
        }
        w.finish()
    }

    /// Reads [`Recommender::to_bytes`] output; every length, index and value is validated.
    pub fn from_bytes(bytes: &[u8]) -> Result<Recommender> {
        let mut r = Reader::open(bytes, b"RECO")?;
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
        history.values = quantize::get_values(&mut r, history.nnz())?;
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
        let als_ages = if blend.uses_ages() {
            quantize::get_whole(&mut r, history.nnz())?
        } else {
            Vec::new()
        };
        let by_item = history.transpose(item_ids.len());
        if (0..by_item.rows()).any(|i| by_item.offsets[i] == by_item.offsets[i + 1]) {
            return Err(Error::corrupt("an item has no purchases"));
        }
        let als = if r.get_bool()? {
            let factors = r.get_u32()? as usize;
            let regularization = r.get_f32()?;
            let alpha = r.get_f32()?;
            let scaling = ConfidenceScaling::from_code(r.get_u8()?).ok_or_else(|| Error::corrupt("unknown confidence scaling"))?;
            if factors == 0 || factors > 1024 || !(regularization.is_finite() && regularization >= 0.0) || !(alpha.is_finite() && alpha >= 0.0) {
                return Err(Error::corrupt("ALS parameters are invalid"));
            }
            let stride = simd::padded(factors);
            let item_factors = quantize::get_rows(&mut r, item_ids.len(), stride, factors)?;
            let mut model = AlsModel {
                factors,
                stride,
                regularization,
                alpha,
                scaling,
                user_factors: Vec::new(),
                item_factors,
                item_panels: Vec::new(),
            };
            model.prepare_with(&als_matrix(&history, &als_ages, blend.als_recency_half_life_days));
            Some(model)
        } else {
            None
        };
        let knn = if r.get_bool()? {
            let code = r.get_u8()?;
            let (a, b) = (r.get_f32()?, r.get_f32()?);
            let weighting = Weighting::decode(code, a, b).ok_or_else(|| Error::corrupt("unknown item-kNN weighting"))?;
            let neighbours = r.get_u32()? as usize;
            // Recomputed from the same (recency-weighted) counts as at fit time.
            let h = blend.knn_recency_half_life_days;
            let weighted = if h > 0.0 { Some(als_matrix(&history, &als_ages, h).transpose(item_ids.len())) } else { None };
            let knn = ItemKnnModel::fit(weighted.as_ref().unwrap_or(&by_item), customer_ids.len(), weighting, neighbours, &mut |_| {})
                .map_err(|e| Error::corrupt(format!("item-kNN parameters are invalid: {e}")))?;
            Some(knn)
        } else {
            None
        };
        r.finish()?;
        if (blend.als > 0.0 && als.is_none()) || (blend.knn > 0.0 && knn.is_none()) {
            return Err(Error::corrupt("the blend uses a scorer the bytes do not hold"));
        }
        let last_age_days = vec![0.0; history.nnz()];
        let m = Interactions { customer_ids, item_ids, by_customer: history, by_item, last_age_days };
        let mut seen = HashSet::new();
        if !m.customer_ids.iter().all(|c| seen.insert(c.as_str())) {
            return Err(Error::corrupt("duplicate customer id"));
        }
        let mut seen = HashSet::new();
        if !m.item_ids.iter().all(|c| seen.insert(c.as_str())) {
            return Err(Error::corrupt("duplicate item id"));
        }
        let popular = PopularModel { buyers };
        Ok(Self::assemble(m, value, Fitted { als, knn, popular }, blend, Vec::new(), item_age_days, als_ages))
    }
}
