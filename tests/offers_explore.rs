//! No offer written off too early (issue 14 item 4), run with `--release`:
//! `cargo test --release --test offers_explore`.
//!
//! - The hunters shops (tests/offers_worlds, with and without order values): before the
//!   exploration floor, 4 runs in 32 of 50,000 rounds captured only 29–54 % of the oracle's
//!   incremental margin (an offer judged bad early stayed at the uniform floor). Now every one of
//!   100 seeds on both shops captures at least `HUNTERS_FLOOR` over `HUNTERS_ROUNDS` rounds (set
//!   `HUNTERS_ROUNDS` to run longer; docs/offers-exploration.md has the 50,000-round numbers).
//! - The rule itself, checked from outside through `probabilities` along a run: while an offer
//!   has fewer than 50 rewards it keeps at least ε/(2K); probabilities always sum to 1.

mod offers_worlds;
use offers_worlds::{run, Hunters, RankerPolicy, World};
use regulars::offers::context::Context;
use regulars::offers::OfferRanker;
use regulars::offers::RankerOptions;

/// Smallest captured share accepted in any run. Before the floor the worst 50,000-round runs
/// were at 29–54 %; the survey's typical runs are at 72–82 %.
const HUNTERS_FLOOR: f64 = 0.60;

fn hunters_rounds() -> usize {
    std::env::var("HUNTERS_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000)
}

/// Captured share of each seed 1..=100 on one hunters shop, two threads.
fn captured_shares(order_value: bool, rounds: usize) -> Vec<(u64, f64)> {
    let seeds: Vec<u64> = (1..=100).collect();
    let run_seed = |seed: u64| {
        let mut world = Hunters { order_value };
        let mut ranker = RankerPolicy::new(&world, 3, 0.1);
        (seed, run(&mut world, &mut ranker, rounds, seed).captured)
    };
    std::thread::scope(|scope| {
        let (first, second) = seeds.split_at(seeds.len() / 2);
        let other = scope.spawn(move || second.iter().map(|&s| run_seed(s)).collect::<Vec<_>>());
        let mut out: Vec<(u64, f64)> = first.iter().map(|&s| run_seed(s)).collect();
        out.extend(other.join().unwrap());
        out
    })
}

fn check_hunters(order_value: bool) {
    let rounds = hunters_rounds();
    let shares = captured_shares(order_value, rounds);
    let name = Hunters { order_value }.name();
    let worst = shares.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    let mean = shares.iter().map(|s| s.1).sum::<f64>() / shares.len() as f64;
    println!("{name}, {rounds} rounds, 100 seeds: mean {:.1} %, worst {:.1} % (seed {})", 100.0 * mean, 100.0 * worst.1, worst.0);
    let low: Vec<String> =
        shares.iter().filter(|s| s.1 < HUNTERS_FLOOR).map(|s| format!("seed {} {:.1} %", s.0, 100.0 * s.1)).collect();
    assert!(low.is_empty(), "{name}: runs below {:.0} %: {}", 100.0 * HUNTERS_FLOOR, low.join(", "));
}

#[test]
fn hunters_shop_keeps_every_seed_above_the_floor() {
    check_hunters(true);
}

#[test]
fn hunters_shop_without_order_value_keeps_every_seed_above_the_floor() {
    check_hunters(false);
}

/// Along 3,000 rounds of the hunters shop with ε = 0.2: every eligible offer with fewer than 50
/// rewards has probability ≥ ε/(2K) (K eligible offers), and the probabilities sum to 1. And
/// the floor is not a uniform one: by the end some offer is settled below it somewhere.
#[test]
fn an_offer_with_few_rewards_keeps_the_floor() {
    let mut world = Hunters { order_value: true };
    let epsilon = 0.2;
    let mut ranker = OfferRanker::new(RankerOptions {
        offers: world.offers(),
        margin: world.margin(),
        exploration: epsilon,
        seed: 5,
        ..Default::default()
    })
    .unwrap();
    let mut rng = regulars::rng::Rng::new(9);
    let mut below_floor_seen = false;
    for round in 0..3000 {
        let c = world.draw(&mut rng);
        let ranking = ranker.rank(&c.context).unwrap();
        // rank reports the probabilities it drew from (the model is unchanged until the reward).
        let probabilities = ranker.probabilities(&c.context).unwrap();
        for o in &ranking.ranking {
            let p = probabilities.iter().find(|x| x.0 == o.index).unwrap().1;
            assert_eq!(o.probability, p);
        }
        let k = probabilities.len() as f64;
        let floor = epsilon / (2.0 * k);
        let total: f64 = probabilities.iter().map(|p| p.1).sum();
        assert!((total - 1.0).abs() < 1e-9, "round {round}: probabilities sum to {total}");
        let counts: Vec<u64> = ranker.stats().iter().map(|s| s.shown).collect();
        for &(offer, p) in &probabilities {
            if counts[offer] < 50 {
                assert!(p >= floor - 1e-12, "round {round}: offer {offer} with {} rewards has p = {p} < {floor}", counts[offer]);
            } else if p < floor {
                below_floor_seen = true;
            }
        }
        let a = ranking.ranking[0].index;
        let reward = if rng.uniform() < c.buy[a] { c.net[a] } else { 0.0 };
        ranker.reward(&ranking.event_id, reward).unwrap();
    }
    assert!(below_floor_seen, "no offer was ever settled below the floor");
}

/// Reasons carry the count, the ± half-width and "exploring" (integer formatting, tenths).
#[test]
fn reasons_show_counts_and_uncertainty() {
    let mut world = Hunters { order_value: true };
    let mut ranker = RankerPolicy::new(&world, 3, 0.1).ranker;
    let context = Context::new(0.7, 40.0).with_segment("At Risk").with_order_value(60.0);
    let fresh = ranker.rank(&context).unwrap();
    let best = fresh.ranking.iter().max_by(|a, b| a.expected_value.total_cmp(&b.expected_value)).unwrap().offer.clone();
    for o in fresh.ranking.iter().filter(|o| o.offer != "none") {
        // Before any reward every offer but the greedy one is unsettled.
        let expected = if o.offer == best { "(prior); " } else { "(prior, exploring); " };
        assert!(o.reason.contains(expected), "{}", o.reason);
    }
    let mut rng = regulars::rng::Rng::new(1);
    for _ in 0..2000 {
        let c = world.draw(&mut rng);
        let r = ranker.rank(&c.context).unwrap();
        let a = r.ranking[0].index;
        ranker.reward(&r.event_id, if rng.uniform() < c.buy[a] { c.net[a] } else { 0.0 }).unwrap();
    }
    let stats = ranker.stats();
    let later = ranker.rank(&context).unwrap();
    for o in later.ranking.iter().filter(|o| o.offer != "none") {
        let n = stats.iter().find(|s| s.offer == o.offer).unwrap().shown;
        assert!(n > 0, "{}", o.offer);
        assert!(o.reason.contains(&format!("({n} rewards")), "{}: {}", o.offer, o.reason);
        // "+d.d expected margin ±d.d": tenths only.
        let pm = o.reason.split('\u{b1}').nth(1).unwrap_or_else(|| panic!("no ± in {}", o.reason));
        let number = pm.split(' ').next().unwrap();
        let (whole, tenth) = number.split_once('.').unwrap();
        assert!(whole.chars().all(|c| c.is_ascii_digit()) && tenth.len() == 1, "{}", o.reason);
        assert!(number.parse::<f64>().unwrap() > 0.0, "{}", o.reason);
    }
}
