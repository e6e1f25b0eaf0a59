//! `Recommender::from_factors` (full build only): a serving recommender from ALS factors trained
//! elsewhere — Spark MLlib, Python `implicit` — so that a model too big to train in one wasm
//! instance still serves with the same `recommend`, `recommend_for_items`, `similar_items`,
//! `explain` and `to_bytes`.
//!
//! The result is pure ALS ([`Blend::ALS`]: no freshness, recency or item-kNN), so a known
//! customer's score of item i is the plain dot product x_uᵀ y_i of the given factors (the rows
//! are zero-padded to the scoring stride, which adds nothing, and a single-scorer blend keeps the
//! raw scores). Importing is a full-build call (the serving build's size budget has no room for
//! it); the bytes it saves load in both builds.

use super::{Blend, Recommender};

use std::collections::HashMap;

use crate::data::canonical_id;
use crate::error::{Error, Result};
use crate::recommend::als::{AlsModel, ConfidenceScaling};
use crate::recommend::interactions::{InteractionValue, Sparse};
use crate::recommend::popular::PopularModel;
use crate::recommend::simd;

/// What the fold-in of a basket (`recommend_for_items`) and `explain` need to know about the
/// training that produced the factors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FactorOptions {
    /// L2 regularisation λ of the training (default 0.01, `implicit`'s default).
    pub regularization: f64,
    /// Confidence weight α: c = 1 + α r (Hu et al. eq. 5, linear, as Spark; default 1). Python
    /// `implicit` ≥ 0.5 uses c = α r: on 0/1 data its α − 1 is the same model.
    pub alpha: f64,
}

impl Default for FactorOptions {
    fn default() -> Self {
        FactorOptions { regularization: 0.01, alpha: 1.0 }
    }
}

/// Id → index (of its last occurrence, for repeated ids).
fn id_index(ids: &[String]) -> HashMap<String, u32> {
    ids.iter().enumerate().map(|(i, c)| (c.clone(), i as u32)).collect()
}

/// Checks that ids are non-empty and unique, naming the first offender and its index; `index`
/// is the recommender's id → index map, which keeps an id's last position.
fn check_ids(name: &str, ids: &[String], index: &HashMap<String, u32>) -> Result<()> {
    for (i, id) in ids.iter().enumerate() {
        if id.is_empty() {
            return Err(Error::invalid(format!("{name}[{i}] is an empty id")));
        }
        match index.get(id) {
            Some(&last) if last as usize != i => {
                return Err(Error::invalid(format!("{name}[{last}] \"{id}\" repeats {name}[{i}]")))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Row-major factors (`rows` × `factors`), checked for length and finite values, padded to the
/// scoring stride.
fn padded_rows(name: &str, values: &[f32], rows: usize, factors: usize) -> Result<Vec<f32>> {
    if values.len() != rows * factors {
        return Err(Error::invalid(format!("{name} must hold {rows} x {factors} values (ids x factors), got {}", values.len())));
    }
    if let Some(at) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(format!("{name}: row {}, factor {} is not a finite number", at / factors, at % factors)));
    }
    let stride = simd::padded(factors);
    let mut out = vec![0f32; rows * stride];
    for (to, from) in out.chunks_exact_mut(stride).zip(values.chunks_exact(factors)) {
        to[..factors].copy_from_slice(from);
    }
    Ok(out)
}

impl Recommender {
    /// A pure-ALS recommender from outside factors: `item_factors` row-major `items` × f (f is
    /// its length over the number of items, 1..=1024); `customer_factors` row-major `customers` ×
    /// f; `purchased[c]` the items customer c bought (repeats count; excluded from `recommend`
    /// as for a fitted model, and what `explain` attributes to). An unknown customer gets the
    /// most bought items (all tied at 0 without purchases).
    pub fn from_factors(
        items: Vec<String>,
        item_factors: &[f32],
        customers: Option<Vec<String>>,
        customer_factors: Option<&[f32]>,
        purchased: Option<Vec<Vec<String>>>,
        options: &FactorOptions,
    ) -> Result<Recommender> {
        for (name, value) in [("regularization", options.regularization), ("alpha", options.alpha)] {
            crate::error::check_scalar(name, value, 0.0, 1e6)?;
        }
        // No items: factors 0, refused with the counts.
        let factors = item_factors.len().checked_div(items.len()).unwrap_or(0);
        if factors * items.len() != item_factors.len() || !(1..=1024).contains(&factors) {
            return Err(Error::invalid(format!(
                "itemFactors must hold items x factors values, factors between 1 and 1024: {} values for {} items",
                item_factors.len(),
                items.len()
            )));
        }
        // Without customers, customerFactors and purchased must be empty (their length checks say so).
        // As for transactions' ids: `recommend` looks customers up by their canonical form.
        let mut customers = customers.unwrap_or_default();
        for c in customers.iter_mut() {
            let canonical = canonical_id(c);
            if canonical.len() != c.len() {
                *c = canonical.to_string();
            }
        }
        let (n_items, n_customers) = (items.len(), customers.len());
        // The recommender first, without scorers: its id maps check the ids and resolve purchases.
        let item_index = id_index(&items);
        let customer_index = id_index(&customers);
        let mut r = Recommender {
            customer_ids: customers,
            item_ids: items,
            customer_index,
            item_index,
            value: InteractionValue::Lines,
            history: Sparse { offsets: Vec::new(), indices: Vec::new(), values: Vec::new() },
            popular: PopularModel { buyers: Vec::new() },
            als: None,
            knn: None,
            blend: Blend::ALS,
            item_age_days: vec![0.0; n_items],
            freshness: Vec::new(),
            als_ages: Vec::new(),
            validation: Vec::new(),
        };
        check_ids("items", &r.item_ids, &r.item_index)?;
        check_ids("customers", &r.customer_ids, &r.customer_index)?;
        let mut als = AlsModel {
            factors,
            stride: simd::padded(factors),
            regularization: options.regularization as f32,
            alpha: options.alpha as f32,
            scaling: ConfidenceScaling::Linear,
            user_factors: Vec::new(),
            item_factors: padded_rows("itemFactors", item_factors, n_items, factors)?,
            item_panels: Vec::new(),
        };
        // Customers without their factors: the length check names customerFactors.
        als.user_factors = padded_rows("customerFactors", customer_factors.unwrap_or_default(), n_customers, factors)?;
        als.prepare_panels();
        r.history = purchases(&r.item_index, n_customers, purchased)?;
        // Popularity (for customers the model does not know): distinct buyers.
        let mut buyers = vec![0f32; n_items];
        for &i in &r.history.indices {
            buyers[i as usize] += 1.0;
        }
        r.popular = PopularModel { buyers };
        r.als = Some(als);
        Ok(r)
    }
}

/// The customer × item counts of `purchased` (one list per customer; empty without it). An
/// unknown item is an error naming it and where it is.
fn purchases(index: &HashMap<String, u32>, customers: usize, purchased: Option<Vec<Vec<String>>>) -> Result<Sparse> {
    let mut offsets = vec![0usize];
    let Some(purchased) = purchased else {
        offsets.resize(customers + 1, 0);
        return Ok(Sparse { offsets, indices: Vec::new(), values: Vec::new() });
    };
    if purchased.len() != customers {
        return Err(Error::invalid(format!(
            "purchased must hold one list per customer: {} lists for {customers} customers",
            purchased.len()
        )));
    }
    let mut indices: Vec<u32> = Vec::new();
    let mut values: Vec<f32> = Vec::new();
    for (c, list) in purchased.iter().enumerate() {
        let mut row = Vec::with_capacity(list.len());
        for (j, item) in list.iter().enumerate() {
            let &i = index.get(item).ok_or_else(|| Error::invalid(format!("purchased[{c}][{j}]: \"{item}\" is not in items")))?;
            row.push(i);
        }
        crate::sort::sort_by(&mut row, &|a, b| a.cmp(b));
        // Repeats add up, as in a basket.
        for i in row {
            match values.last_mut() {
                Some(v) if indices.len() > offsets[c] && indices.last() == Some(&i) => *v += 1.0,
                _ => {
                    indices.push(i);
                    values.push(1.0);
                }
            }
        }
        offsets.push(indices.len());
    }
    Ok(Sparse { offsets, indices, values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::quantize::Quantization;
    use crate::rng::Rng;

    const ITEMS: usize = 60;
    const CUSTOMERS: usize = 25;
    /// Not a multiple of the SIMD lanes: the padding path is exercised.
    const F: usize = 7;

    fn ids(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    fn random(rng: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.normal() as f32 * 0.5).collect()
    }

    struct Case {
        items: Vec<f32>,
        customers: Vec<f32>,
        purchased: Vec<Vec<String>>,
    }

    fn case(seed: u64) -> Case {
        let mut rng = Rng::new(seed);
        let items = random(&mut rng, ITEMS * F);
        let customers = random(&mut rng, CUSTOMERS * F);
        // Some customers buy nothing, some the same item twice; items 50.. are never bought.
        let purchased = (0..CUSTOMERS)
            .map(|c| (0..c % 6).map(|j| format!("i{}", (c * 7 + j * 3) % 50)).chain((c % 4 == 0).then(|| format!("i{}", c % 50))).collect())
            .collect();
        Case { items, customers, purchased }
    }

    fn model(c: &Case) -> Recommender {
        Recommender::from_factors(ids("i", ITEMS), &c.items, Some(ids("c", CUSTOMERS)), Some(&c.customers), Some(c.purchased.clone()), &FactorOptions::default()).unwrap()
    }

    /// Top-k by f64 dot products of the given rows, excluding `skip`: the independent reference.
    fn reference_top(c: &Case, user: &[f64], k: usize, skip: &[String]) -> Vec<(String, f64)> {
        let mut all: Vec<(String, f64)> = (0..ITEMS)
            .map(|i| (format!("i{i}"), (0..F).map(|d| user[d] * c.items[i * F + d] as f64).sum()))
            .filter(|(id, _)| !skip.contains(id))
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1));
        all.truncate(k);
        all
    }

    fn assert_same(got: &[(String, f32)], want: &[(String, f64)], what: &str) {
        assert_eq!(got.len(), want.len(), "{what}");
        for ((gi, gs), (wi, ws)) in got.iter().zip(want) {
            assert_eq!(gi, wi, "{what}: {got:?} vs {want:?}");
            assert!((*gs as f64 - ws).abs() <= 1e-5 * ws.abs().max(1e-3), "{what}: {gi} {gs} vs {ws}");
        }
    }

    #[test]
    fn recommend_scores_are_the_dot_products_of_the_given_factors() {
        let c = case(11);
        let r = model(&c);
        assert_eq!(r.blend(), Blend::ALS);
        let all_customers = ids("c", CUSTOMERS);
        let many = r.recommend_many(&all_customers, 10, &mut |_| {});
        for u in 0..CUSTOMERS {
            let user: Vec<f64> = c.customers[u * F..(u + 1) * F].iter().map(|v| *v as f64).collect();
            let want = reference_top(&c, &user, 10, &c.purchased[u]);
            let got = r.recommend(&format!("c{u}"), 10, true, &[], None);
            assert_same(&got, &want, &format!("recommend c{u}"));
            let batch: Vec<(String, f32)> = many.items[u].iter().cloned().zip(many.scores[u].iter().cloned()).collect();
            assert_same(&batch, &want, &format!("recommend_many c{u}"));
            // Without the exclusion, bought items come back with their dot products.
            let want = reference_top(&c, &user, 10, &[]);
            assert_same(&r.recommend(&format!("c{u}"), 10, false, &[], None), &want, &format!("c{u}, purchases kept"));
        }
    }

    #[test]
    fn similar_items_are_cosines_of_the_item_factors() {
        let c = case(12);
        let r = model(&c);
        let norm = |i: usize| (0..F).map(|d| (c.items[i * F + d] as f64).powi(2)).sum::<f64>().sqrt();
        let mut want: Vec<(String, f64)> = (1..ITEMS)
            .map(|j| (format!("i{j}"), (0..F).map(|d| c.items[d] as f64 * c.items[j * F + d] as f64).sum::<f64>() / (norm(0) * norm(j))))
            .collect();
        want.sort_by(|a, b| b.1.total_cmp(&a.1));
        want.truncate(5);
        assert_same(&r.similar_items("i0", 5).unwrap(), &want, "similar to i0");
    }

    /// The exact fold-in (Hu et al. eq. 4 with c = 1 + α r), by Gaussian elimination in f64.
    fn exact_fold_in(c: &Case, basket: &[(usize, f64)], lambda: f64, alpha: f64) -> Vec<f64> {
        let mut a = vec![vec![0f64; F + 1]; F];
        for i in 0..ITEMS {
            for p in 0..F {
                for q in 0..F {
                    a[p][q] += c.items[i * F + p] as f64 * c.items[i * F + q] as f64;
                }
            }
        }
        for (p, row) in a.iter_mut().enumerate() {
            row[p] += lambda;
        }
        for &(i, r) in basket {
            let conf = 1.0 + alpha * r;
            for p in 0..F {
                a[p][F] += conf * c.items[i * F + p] as f64;
                for q in 0..F {
                    a[p][q] += (conf - 1.0) * c.items[i * F + p] as f64 * c.items[i * F + q] as f64;
                }
            }
        }
        for p in 0..F {
            for q in p + 1..F {
                let m = a[q][p] / a[p][p];
                for k in p..=F {
                    a[q][k] -= m * a[p][k];
                }
            }
        }
        let mut x = vec![0f64; F];
        for p in (0..F).rev() {
            x[p] = (a[p][F] - (p + 1..F).map(|q| a[p][q] * x[q]).sum::<f64>()) / a[p][p];
        }
        x
    }

    #[test]
    fn baskets_fold_in_with_the_given_regularization_and_alpha() {
        let c = case(13);
        let options = FactorOptions { regularization: 0.5, alpha: 2.0 };
        let r = Recommender::from_factors(ids("i", ITEMS), &c.items, None, None, None, &options).unwrap();
        let basket: Vec<String> = ["i3", "i8", "i8", "i20"].iter().map(|s| s.to_string()).collect();
        let x = exact_fold_in(&c, &[(3, 1.0), (8, 2.0), (20, 1.0)], 0.5, 2.0);
        let want = reference_top(&c, &x, 10, &basket);
        let got = r.recommend_for_items(&basket, 10);
        assert_eq!(got.iter().map(|g| &g.0).collect::<Vec<_>>(), want.iter().map(|w| &w.0).collect::<Vec<_>>());
        for ((_, g), (_, w)) in got.iter().zip(&want) {
            assert!((*g as f64 - w).abs() < 1e-3 * w.abs().max(1e-2), "{g} vs {w}");
        }
    }

    #[test]
    fn bytes_round_trip_gives_the_same_answers() {
        let c = case(15);
        let r = model(&c);
        let loaded = Recommender::from_bytes(&r.to_bytes_with(Quantization::F32)).unwrap();
        let basket = vec!["i1".to_string(), "i55".to_string()];
        for u in 0..CUSTOMERS {
            let id = format!("c{u}");
            assert_eq!(r.recommend(&id, 10, true, &[], None), loaded.recommend(&id, 10, true, &[], None));
            for (item, _) in r.recommend(&id, 3, true, &[], None) {
                assert_eq!(r.explain(&id, &item).unwrap(), loaded.explain(&id, &item).unwrap());
            }
        }
        assert_eq!(r.recommend_for_items(&basket, 10), loaded.recommend_for_items(&basket, 10));
        assert_eq!(r.similar_items("i59", 10).unwrap(), loaded.similar_items("i59", 10).unwrap());
        assert_eq!(r.recommend("nobody", 5, true, &[], None), loaded.recommend("nobody", 5, true, &[], None));
        // The default (quantised) bytes load too, with never-bought items in the catalogue.
        let small = Recommender::from_bytes(&r.to_bytes()).unwrap();
        assert_eq!(small.item_ids(), r.item_ids());
        assert_eq!(small.recommend("c3", 10, true, &[], None).len(), 10);
    }

    fn error(result: Result<Recommender>) -> String {
        result.map(|_| ()).unwrap_err().to_string()
    }

    #[test]
    fn bad_input_is_an_error_naming_the_field_and_index() {
        let c = case(16);
        let o = FactorOptions::default();
        let build = |items: Vec<String>, f: &[f32], customers: Option<Vec<String>>, cf: Option<&[f32]>, p: Option<Vec<Vec<String>>>| {
            error(Recommender::from_factors(items, f, customers, cf, p, &o))
        };
        let (items, cust) = (ids("i", ITEMS), ids("c", CUSTOMERS));
        let cases: Vec<(String, &str)> = vec![
            (build(vec![], &[], None, None, None), "0 values for 0 items"),
            (build(items.clone(), &c.items[..ITEMS * F - 1], None, None, None), "itemFactors must hold items x factors values, factors between 1 and 1024: 419 values for 60 items"),
            (build(ids("i", 1), &vec![0.5; 1025], None, None, None), "1025 values for 1 items"),
            (build(items.clone(), &{ let mut v = c.items.clone(); v[3 * F + 2] = f32::NAN; v }, None, None, None), "itemFactors: row 3, factor 2 is not a finite number"),
            (build({ let mut v = items.clone(); v[9] = "i2".into(); v }, &c.items, None, None, None), "items[9] \"i2\" repeats items[2]"),
            (build({ let mut v = items.clone(); v[4] = String::new(); v }, &c.items, None, None, None), "items[4] is an empty id"),
            (build(items.clone(), &c.items, Some(cust.clone()), Some(&c.customers[F..]), None), "customerFactors must hold 25 x 7 values (ids x factors), got 168"),
            (build(items.clone(), &c.items, Some(cust.clone()), Some(&{ let mut v = c.customers.clone(); v[F * 5] = f32::INFINITY; v }), None), "customerFactors: row 5, factor 0 is not a finite number"),
            (build(items.clone(), &c.items, Some({ let mut v = cust.clone(); v[7] = "c1".into(); v }), Some(&c.customers), None), "customers[7] \"c1\" repeats customers[1]"),
            (build(items.clone(), &c.items, None, Some(&c.customers), None), "customerFactors must hold 0 x 7 values (ids x factors), got 175"),
            (build(items.clone(), &c.items, None, None, Some(c.purchased.clone())), "purchased must hold one list per customer: 25 lists for 0 customers"),
            (build(items.clone(), &c.items, Some(cust.clone()), None, None), "customerFactors must hold 25 x 7 values (ids x factors), got 0"),
            (build(items.clone(), &c.items, Some(cust.clone()), Some(&c.customers), Some(c.purchased[1..].to_vec())), "purchased must hold one list per customer: 24 lists for 25 customers"),
            (build(items.clone(), &c.items, Some(cust.clone()), Some(&c.customers), Some({ let mut p = c.purchased.clone(); p[2][1] = "x".into(); p })), "purchased[2][1]: \"x\" is not in items"),
        ];
        for (got, want) in cases {
            assert!(got.contains(want), "{got:?} should contain {want:?}");
        }
        let bad = FactorOptions { regularization: -1.0, alpha: 1.0 };
        assert!(error(Recommender::from_factors(items.clone(), &c.items, None, None, None, &bad)).contains("regularization"));
        let bad = FactorOptions { regularization: 0.1, alpha: f64::NAN };
        assert!(error(Recommender::from_factors(items, &c.items, None, None, None, &bad)).contains("alpha"));
    }
}
