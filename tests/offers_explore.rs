//! No offer written off too early (issue 14 item 4), run with `--release`:
//! `cargo test --release --test offers_explore`.
//!
//! - Reasons carry each offer's reward count and the 95 % half-width of its value.
//! - OPEN (ignored, run by hand with `-- --ignored --nocapture`, ~5 min): the hunters shops
//!   (tests/offers_worlds, with and without order values) in every one of 100 seeds at
//!   ≥ `HUNTERS_FLOOR` of the oracle's incremental margin over 50,000 rounds. This FAILS today
//!   (12 runs in 200 below 60 %), and failed with every exploration change tried
//!   (docs/offers-exploration.md): it is the acceptance test for the fix.

mod offers_worlds;
use offers_worlds::{run, Hunters, RankerPolicy, World};
use regulars::offers::context::Context;

/// Smallest captured share accepted in any run. The worst 50,000-round runs are at 29–57 %;
/// typical runs at 72–86 %.
const HUNTERS_FLOOR: f64 = 0.60;

fn hunters_rounds() -> usize {
    std::env::var("HUNTERS_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000)
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
#[ignore = "open: fails today and with every exploration change tried (docs/offers-exploration.md)"]
fn hunters_shop_keeps_every_seed_above_the_floor() {
    check_hunters(true);
}

#[test]
#[ignore = "open: fails today and with every exploration change tried (docs/offers-exploration.md)"]
fn hunters_shop_without_order_value_keeps_every_seed_above_the_floor() {
    check_hunters(false);
}

/// Reasons carry the count and the ± half-width (integer formatting, tenths); "(prior)" before data.
#[test]
fn reasons_show_counts_and_uncertainty() {
    let mut world = Hunters { order_value: true };
    let mut ranker = RankerPolicy::new(&world, 3, 0.1).ranker;
    let context = Context::new(0.7, 40.0).with_segment("At Risk").with_order_value(60.0);
    let fresh = ranker.rank(&context).unwrap();
    for o in fresh.ranking.iter().filter(|o| o.offer != "none") {
        assert!(o.reason.contains(" expected margin (prior); "), "{}", o.reason);
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
