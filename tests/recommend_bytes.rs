//! Recommender model bytes, layout 2 (customer factors and neighbour lists stored, nothing refitted
//! on load) against the in-memory model and against layout-1 bytes (regulars 0.1), which the full
//! build still loads by recomputing (`cargo test --release --test recommend_bytes`).
//!
//! References, none produced by the code under test from its own output: the fitted in-memory
//! model (what the bytes must reproduce), the layout-1 fixtures in
//! `tests/data/fixtures/recommender-v1/` (written by main's build before layout 2 existed, see
//! `make.mjs` there), and the error bounds of the encodings (f16: relative 2⁻¹¹; int8: half a
//! step, max |row| / 254).

mod common;

use regulars::data::{CsvMapping, CsvOptions, Transactions};
use regulars::recommend::{Algorithm, Quantization, Recommender, RecommenderOptions};

/// The fixtures' data: the first 3,000 lines of the demo's Online Retail sample, imported with
/// make.mjs's mapping.
fn sample() -> Transactions {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/public/sample/online-retail-sample.csv");
    let text = std::fs::read_to_string(path).expect("sample csv");
    let head: Vec<&str> = text.split('\n').take(3000).collect();
    let mapping = CsvMapping {
        customer: "CustomerID".into(),
        time: "InvoiceDate".into(),
        item: Some("StockCode".into()),
        quantity: Some("Quantity".into()),
        price: Some("UnitPrice".into()),
        invoice: Some("InvoiceNo".into()),
        ..Default::default()
    };
    Transactions::from_csv(head.join("\n").as_bytes(), &mapping, &CsvOptions::default()).expect("import")
}

/// make.mjs's options.
fn options(algorithm: Algorithm) -> RecommenderOptions {
    RecommenderOptions { algorithm, factors: 16, iterations: 8, neighbours: 20, seed: 5, ..Default::default() }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::test_data(&format!("fixtures/recommender-v1/{name}.bin"))).expect("fixture")
}

/// Every answer of the API for a spread of customers and items, as comparable values.
#[derive(Debug, PartialEq)]
struct Answers {
    recommend: Vec<Vec<(String, f32)>>,
    with_purchased: Vec<Vec<(String, f32)>>,
    many: regulars::recommend::RecommendMany,
    baskets: Vec<Vec<(String, f32)>>,
    similar: Vec<Vec<(String, f32)>>,
    explain: Vec<Vec<(String, f64)>>,
}

fn answers(m: &Recommender) -> Answers {
    let customers: Vec<String> =
        m.customer_ids().iter().step_by(7).cloned().chain(["nobody".to_string()]).collect();
    let items: Vec<String> = m.item_ids().iter().step_by(23).cloned().collect();
    let recommend: Vec<Vec<(String, f32)>> = customers.iter().map(|c| m.recommend(c, 10, true, &[], None)).collect();
    let explain = customers
        .iter()
        .zip(&recommend)
        .filter_map(|(c, recs)| recs.first().map(|(item, _)| m.explain(c, item).unwrap()))
        .collect();
    Answers {
        with_purchased: customers.iter().map(|c| m.recommend(c, 10, false, &[], None)).collect(),
        many: m.recommend_many(&customers, 5, &mut |_| {}),
        baskets: items.windows(3).map(|b| m.recommend_for_items(b, 8)).collect(),
        similar: items.iter().map(|i| m.similar_items(i, 8).unwrap()).collect(),
        recommend,
        explain,
    }
}

const KINDS: [Algorithm; 4] = [Algorithm::Als, Algorithm::ItemKnn, Algorithm::Popular, Algorithm::Auto];

#[test]
fn f32_bytes_load_to_exactly_the_fitted_model() {
    let tx = sample();
    for algorithm in KINDS {
        let model = Recommender::fit(&tx, &options(algorithm), &mut |_| {}).unwrap();
        let bytes = model.to_bytes_with(Quantization::F32);
        assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 2, "layout version");
        let loaded = Recommender::from_bytes(&bytes).unwrap();
        assert_eq!(answers(&loaded), answers(&model), "{algorithm:?}");
        assert_eq!(loaded.als().map(|a| &a.user_factors), model.als().map(|a| &a.user_factors), "{algorithm:?}");
        assert_eq!(loaded.to_bytes_with(Quantization::F32), bytes, "{algorithm:?}: re-saving gives the same bytes");
    }
}

/// Element-wise error bound of an encoding for a value `v` in a row whose largest |value| is
/// `row_max`: f16 rounds to 11 significant bits (relative 2⁻¹¹, plus the subnormal step 2⁻²⁵);
/// int8 to the nearest of 127 steps of row_max / 127.
fn bound(q: Quantization, v: f32, row_max: f32) -> f32 {
    match q {
        Quantization::F32 => 0.0,
        Quantization::F16 => v.abs() * (2f32).powi(-11) + (2f32).powi(-25),
        Quantization::Int8 => row_max / 254.0 * (1.0 + 1e-5),
    }
}

fn check_rows(name: &str, q: Quantization, loaded: &[f32], fitted: &[f32], stride: usize) {
    assert_eq!(loaded.len(), fitted.len(), "{name}");
    for (l, f) in loaded.chunks_exact(stride).zip(fitted.chunks_exact(stride)) {
        let row_max = f.iter().fold(0f32, |m, v| m.max(v.abs()));
        for (a, b) in l.iter().zip(f) {
            assert!((a - b).abs() <= bound(q, *b, row_max), "{name} {q:?}: {a} vs {b}");
        }
    }
}

/// Quantised bytes: item and customer factors each within their encoding's bound of the fitted
/// ones (the default `to_bytes`: f16 items, int8 customers), and the top-10 lists close.
#[test]
fn quantised_bytes_stay_within_the_encoding_bounds() {
    let tx = sample();
    for algorithm in [Algorithm::Als, Algorithm::Auto] {
        let model = Recommender::fit(&tx, &options(algorithm), &mut |_| {}).unwrap();
        let Some(als) = model.als() else { continue };
        for (bytes, items_q, customers_q) in [
            (model.to_bytes(), Quantization::F16, Quantization::Int8),
            (model.to_bytes_with(Quantization::F16), Quantization::F16, Quantization::F16),
            (model.to_bytes_with(Quantization::Int8), Quantization::Int8, Quantization::Int8),
        ] {
            let loaded = Recommender::from_bytes(&bytes).unwrap();
            let l = loaded.als().unwrap();
            check_rows("items", items_q, &l.item_factors, &als.item_factors, als.stride);
            check_rows("customers", customers_q, &l.user_factors, &als.user_factors, als.stride);
            let (mut same, mut total) = (0, 0);
            for c in model.customer_ids().iter().step_by(5) {
                let a = model.recommend(c, 10, true, &[], None);
                let b = loaded.recommend(c, 10, true, &[], None);
                same += a.iter().filter(|x| b.iter().any(|y| y.0 == x.0)).count();
                total += a.len();
            }
            assert!(same * 100 >= total * 90, "{algorithm:?} {customers_q:?}: {same} of {total} top-10 entries kept");
        }
    }
}

/// Layout-1 bytes (regulars 0.1) still load in the full build, and re-saved as layout 2 they load
/// to the same answers, bit for bit — what recomputing on load gave is what layout 2 stores.
#[test]
fn format_1_bytes_load_and_convert_without_changing_an_answer() {
    for name in ["als", "als-int8", "itemknn", "popular", "auto", "auto-f16"] {
        let old = fixture(name);
        assert_eq!(u16::from_le_bytes([old[4], old[5]]), 1, "{name}: a layout-1 fixture");
        let v1 = Recommender::from_bytes(&old).unwrap();
        let v2 = Recommender::from_bytes(&v1.to_bytes_with(Quantization::F32)).unwrap();
        assert_eq!(answers(&v2), answers(&v1), "{name}");
    }
}

/// The layout-1 fixtures were fitted by main's wasm build on the same data: item-kNN and
/// popularity involve no solver whose wasm and native arithmetic differ, so a native fit now
/// reproduces them exactly; ALS (16 factors: wasm has no fixed-stride kernel for them, natively
/// there is one, with an f32 Gramian) is compared by its recommendations.
#[test]
fn format_1_bytes_answer_as_the_model_fitted_now() {
    let tx = sample();
    for (name, algorithm) in [("itemknn", Algorithm::ItemKnn), ("popular", Algorithm::Popular)] {
        let fitted = Recommender::fit(&tx, &options(algorithm), &mut |_| {}).unwrap();
        assert_eq!(answers(&Recommender::from_bytes(&fixture(name)).unwrap()), answers(&fitted), "{name}");
    }
    let fitted = Recommender::fit(&tx, &options(Algorithm::Als), &mut |_| {}).unwrap();
    let old = Recommender::from_bytes(&fixture("als")).unwrap();
    let (mut same, mut total) = (0, 0);
    for c in fitted.customer_ids() {
        let a = fitted.recommend(c, 10, true, &[], None);
        let b = old.recommend(c, 10, true, &[], None);
        same += a.iter().filter(|x| b.iter().any(|y| y.0 == x.0)).count();
        total += a.len();
    }
    assert!(same * 100 >= total * 95, "{same} of {total}");
}

/// Quantised layout-1 bytes against the same model quantised in layout 2: the item factors are
/// the same values (re-encoding decoded int8 / f16 values is lossless), the customer factors are
/// those layout 1 recomputed against them, within the encoding's bound.
#[test]
fn quantised_format_1_and_format_2_agree_within_the_encoding_bound() {
    for (name, q) in [("als-int8", Quantization::Int8), ("auto-f16", Quantization::F16)] {
        let v1 = Recommender::from_bytes(&fixture(name)).unwrap();
        let v2 = Recommender::from_bytes(&v1.to_bytes_with(q)).unwrap();
        let (a, b) = (v1.als().unwrap(), v2.als().unwrap());
        assert_eq!(b.item_factors, a.item_factors, "{name}");
        check_rows(name, q, &b.user_factors, &a.user_factors, a.stride);
    }
}

#[test]
fn layout_2_bytes_reject_a_damaged_neighbour_list_or_factor() {
    let tx = sample();
    let model = Recommender::fit(&tx, &options(Algorithm::Auto), &mut |_| {}).unwrap();
    let bytes = model.to_bytes();
    for cut in [bytes.len() - 9, bytes.len() / 2, bytes.len() * 3 / 4] {
        assert!(Recommender::from_bytes(&bytes[..cut]).is_err(), "truncated at {cut}");
    }
    // An older reader's view: a version it does not know is named.
    let mut newer = bytes.clone();
    newer[4] = 3;
    let err = Recommender::from_bytes(&newer).err().unwrap().to_string();
    assert!(err.contains("format version 3 of 'RECO' models is not supported"), "{err}");
}
