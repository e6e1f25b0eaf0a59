//! `OfferRanker::rank` with 20 offers (goal: ≤ 20 µs in wasm, a few µs natively), after the model
//! has learned from 5,000 simulated rewards so every offer's regression is in use.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use regulars::offers::simulator::{Simulator, SimulatorConfig};
use regulars::offers::{Eligibility, OfferRanker, OfferSpec, RankerOptions};

fn twenty_offers() -> Vec<OfferSpec> {
    let mut offers = Vec::new();
    for (i, pct) in [5.0, 10.0, 15.0, 20.0, 25.0].iter().enumerate() {
        offers.push(OfferSpec::new(&format!("pct{i}"), "percent_off", Some(*pct)));
    }
    for (i, amount) in [5.0, 10.0, 15.0].iter().enumerate() {
        offers.push(OfferSpec::new(&format!("amt{i}"), "amount_off", Some(*amount)));
    }
    for (i, pts) in [5.0, 10.0, 20.0].iter().enumerate() {
        offers.push(OfferSpec::new(&format!("pts{i}"), "bonus_points", Some(*pts)));
    }
    for (i, cash) in [3.0, 5.0, 10.0].iter().enumerate() {
        offers.push(OfferSpec::new(&format!("cash{i}"), "cashback", Some(*cash)));
    }
    offers.push(OfferSpec::new("ship", "free_shipping", Some(6.0)));
    offers.push(OfferSpec::new("ship_lapsing", "free_shipping", Some(6.0)).with_eligibility(Eligibility {
        min_risk: Some(0.5),
        ..Default::default()
    }));
    for (i, cost) in [4.0, 8.0].iter().enumerate() {
        offers.push(OfferSpec::new(&format!("gift{i}"), "gift", Some(2.5 * cost)).with_cost(*cost));
    }
    offers.push(OfferSpec::new("vip", "percent_off", Some(30.0)).with_eligibility(Eligibility {
        segments: Some(vec!["Champions".into(), "Can't Lose Them".into()]),
        ..Default::default()
    }));
    offers.push(OfferSpec::new("none", "none", None));
    assert_eq!(offers.len(), 20);
    offers
}

fn bench_rank(c: &mut Criterion) {
    let mut sim = Simulator::new(SimulatorConfig::standard(1)).unwrap();
    let mut ranker = OfferRanker::new(RankerOptions {
        offers: twenty_offers(),
        margin: Some(sim.average_margin()),
        seed: 1,
        ..Default::default()
    })
    .unwrap();
    for _ in 0..5_000 {
        let customer = sim.draw_customer();
        let r = ranker.rank(&customer.context).unwrap();
        ranker.reward(&r.event_id, 20.0 * (1.0 - customer.context.risk)).unwrap();
    }
    let contexts: Vec<_> = (0..64).map(|_| sim.draw_customer().context).collect();
    let mut i = 0;
    c.bench_function("offers/rank_20_offers", |b| {
        b.iter(|| {
            i = (i + 1) % contexts.len();
            black_box(ranker.rank(black_box(&contexts[i])).unwrap())
        })
    });
    let mut j = 0;
    c.bench_function("offers/rank_and_reward_20_offers", |b| {
        b.iter(|| {
            j = (j + 1) % contexts.len();
            let r = ranker.rank(&contexts[j]).unwrap();
            ranker.reward(&r.event_id, 5.0).unwrap();
        })
    });
}

criterion_group!(benches, bench_rank);
criterion_main!(benches);
