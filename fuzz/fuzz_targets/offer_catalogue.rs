//! The offer catalogue (what the JS `OfferRanker` constructor passes to the core) from arbitrary
//! specs: an error naming the offer, or a valid catalogue whose ranking is a distribution.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regulars::offers::{Context, Eligibility, OfferKind, OfferRanker, OfferSpec, RankerOptions};

const KINDS: [&str; 9] = ["percent_off", "amount_off", "free_shipping", "bonus_points", "cashback", "gift", "none", "", "bribe"];

fn number(bytes: &[u8]) -> Option<f64> {
    let raw = f64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    Some(raw)
}

fuzz_target!(|data: &[u8]| {
    let mut specs = Vec::new();
    for chunk in data.chunks(20).take(40) {
        if chunk.len() < 4 {
            break;
        }
        let id = match chunk[0] % 4 {
            0 => None,
            1 => Some(String::new()),
            _ => Some(format!("o{}", chunk[1] % 8)),
        };
        specs.push(OfferSpec {
            id,
            kind: KINDS[chunk[2] as usize % KINDS.len()].to_string(),
            value: number(chunk.get(4..).unwrap_or(&[])),
            cost: number(chunk.get(12..).unwrap_or(&[])),
            eligible: Eligibility {
                segments: (chunk[3] & 1 != 0).then(|| vec!["Champions".to_string()]),
                min_risk: (chunk[3] & 2 != 0).then_some(chunk[1] as f64 / 255.0),
                max_risk: (chunk[3] & 4 != 0).then_some(chunk[2] as f64 / 100.0),
                min_clv: (chunk[3] & 8 != 0).then_some(chunk[1] as f64),
            },
        });
    }
    let options = RankerOptions { offers: specs, seed: 1, ..Default::default() };
    if let Ok(mut ranker) = OfferRanker::new(options) {
        for (risk, segment) in [(0.9, "Champions"), (0.1, "Lost")] {
            let context = Context::new(risk, 200.0).with_segment(segment);
            let ranking = ranker.rank(&context).expect("a valid catalogue ranks a valid context");
            let total: f64 = ranking.ranking.iter().map(|r| r.probability).sum();
            assert!((total - 1.0).abs() < 1e-6);
            // The control (kind "none", under whatever id the caller gave it) is always a candidate.
            let control = ranker.catalogue().offers().iter().find(|o| o.kind == OfferKind::None).expect("a control offer");
            assert!(ranking.ranking.iter().any(|r| r.offer == control.id));
        }
    }
});
