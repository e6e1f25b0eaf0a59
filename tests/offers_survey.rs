//! A survey, not an acceptance test (ignored; run by hand):
//! `cargo test --release --test offers_survey -- --ignored --nocapture`
//! prints the captured share of the ranker and of the plain linear epsilon-greedy baseline on
//! every shop and several seeds.

mod offers_worlds;
use offers_worlds::*;
use regulars::offers::simulator::SimulatorConfig;

fn worlds(seed: u64) -> Vec<Box<dyn World>> {
    vec![
        Box::new(Builtin::new("standard", SimulatorConfig::standard(seed))),
        Box::new(Builtin::new("alternative+ov", SimulatorConfig::alternative_with_order_value(seed))),
        Box::new(Builtin::new("alternative", SimulatorConfig::alternative(seed))),
        Box::new(Logistic::new(true)),
        Box::new(Logistic::new(false)),
        Box::new(Logistic::lapsing()),
        Box::new(Additive::new()),
        Box::new(Opaque),
        Box::new(Table::new(true, true)),
        Box::new(Table::opaque()),
        Box::new(Table::new(true, false).strong()),
        Box::new(Table::new(false, false).strong()),
        Box::new(Table::new(true, true).strong()),
        Box::new(Table::opaque().strong()),
        Box::new(Hunters { order_value: true }),
        Box::new(Hunters { order_value: false }),
    ]
}

#[test]
#[ignore]
fn survey() {
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let seeds: Vec<u64> = std::env::var("SEEDS")
        .ok()
        .map(|v| v.split(',').map(|s| s.parse().unwrap()).collect())
        .unwrap_or(vec![11, 12, 13]);
    let baseline = std::env::var("BASELINE").is_ok();
    let only: Option<String> = std::env::var("ONLY").ok();
    let n = worlds(0).len();
    let (mut all_sum, mut all_n, mut all_min) = (0.0, 0usize, 1.0f64);
    for w in 0..n {
        let name = worlds(0)[w].name();
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let mut line = format!("{name:40}");
        let mut min: f64 = 1.0;
        let mut sum = 0.0;
        for &seed in &seeds {
            let mut world = worlds(seed).remove(w);
            let mut ranker = RankerPolicy::new(world.as_ref(), 3, 0.1);
            let o = run(world.as_mut(), &mut ranker, rounds, seed);
            let mark = if o.beats_every_fixed_offer() { "" } else { "!" };
            line += &format!(" {:5.1}{mark} [g {:4.1}]", 100.0 * o.captured, 100.0 * o.greedy_late);
            min = min.min(o.captured);
            if std::env::var("TRACE").is_ok() {
                let b: Vec<String> = o.blocks.iter().map(|x| format!("{:.0}", 100.0 * x)).collect();
                println!("  seed {seed}: {}", b.join(" "));
            }
            sum += o.captured;
            if baseline {
                let mut world = worlds(seed).remove(w);
                let mut b = LinearEpsilonGreedy::new(world.as_ref(), 3, 0.1);
                let o = run(world.as_mut(), &mut b, rounds, seed);
                line += &format!(" (base {:5.1} g {:4.1})", 100.0 * o.captured, 100.0 * o.greedy_late);
            }
        }
        println!("{line}   mean {:5.1} min {:5.1}", 100.0 * sum / seeds.len() as f64, 100.0 * min);
        all_sum += sum;
        all_n += seeds.len();
        all_min = all_min.min(min);
    }
    println!("all shops: mean {:5.1} min {:5.1}", 100.0 * all_sum / all_n as f64, 100.0 * all_min);
}

#[test]
#[ignore]
fn describe() {
    for mut world in worlds(11) {
        let mut b = LinearEpsilonGreedy::new(world.as_ref(), 3, 1.0);
        let o = run(world.as_mut(), &mut b, 50_000, 11);
        let r = |x: f64| x / 50_000.0;
        let fixed: Vec<String> = o.fixed.iter().map(|(id, v)| format!("{id} {:.2}", r(*v - o.none))).collect();
        println!(
            "{}: none {:.2}/round, oracle +{:.2}, uniform {:+.2}; fixed: {}",
            world.name(),
            r(o.none),
            r(o.oracle - o.none),
            r(o.policy - o.none),
            fixed.join(", ")
        );
    }
}

/// The JS demo case `new OfferSimulator({setup: "alternative", seed})`, ranker seed 3, 50,000
/// rounds, through the crate's own `Simulator::run`.
#[test]
#[ignore]
fn builtin_runs() {
    use regulars::offers::simulator::Simulator;
    use regulars::offers::OfferRanker;
    for (label, make) in [
        ("standard", SimulatorConfig::standard as fn(u64) -> SimulatorConfig),
        ("alternative (JS)", SimulatorConfig::alternative_with_order_value),
        ("alternative, no order value", SimulatorConfig::alternative),
    ] {
        let mut line = format!("{label:30}");
        for seed in [11, 12, 13, 14, 15] {
            let mut sim = Simulator::new(make(seed)).unwrap();
            let mut ranker = OfferRanker::new(sim.ranker_options(3)).unwrap();
            let report = sim.run(&mut ranker, 50_000).unwrap();
            line += &format!(" {:5.1}", 100.0 * report.captured_share);
        }
        println!("{line}");
    }
}
