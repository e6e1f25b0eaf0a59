//! The offer loop as a fleet runs it (issue 14): rank with a frozen policy, log decision records,
//! learn from them in batches — against the simulator's known truth (`cargo test --release
//! --test offers_loop`).
//!
//! - Batch learning (5,000 per batch to 50,000, rewards only through `learn`) captures ≥ 75 % of
//!   the oracle's incremental margin (the goal is 80 %: not reached, see the test), beats
//!   every fixed offer, and stays within 4 points of the online learner on the same shop.
//! - Learning from a uniform log, or from an "always one offer" log, gives a policy better than
//!   the logging one (true values from the simulator's exact expectations).
//! - `learn` is idempotent, order-free within a batch, and atomic (a bad row names itself and
//!   changes nothing).
//! - The control group is a stable hash of the customer id; the lift report's 95 % intervals hold
//!   the true lift of each offer in ≥ 90 % of 100 simulated campaigns.

use regulars::offers::simulator::{Simulator, SimulatorConfig};
use regulars::offers::{in_control_group, report, Context, LearnRecord, OfferRanker, RankerOptions};
use regulars::rng::Rng;

/// Ranks `n` customers with `ranker` and returns the decision records with realised rewards.
fn campaign(sim: &mut Simulator, ranker: &mut OfferRanker, n: usize, rng: &mut Rng) -> Vec<LearnRecord> {
    (0..n)
        .map(|_| {
            let mut c = sim.draw_customer();
            c.context.customer = Some(format!("c{}", rng.next_u64()));
            let ranking = ranker.rank(&c.context).unwrap();
            let shown = &ranking.ranking[0];
            let a = sim.catalogue().index_of(&shown.offer).unwrap();
            let reward = sim.realized_reward(&c, a, rng.uniform(), rng.normal());
            LearnRecord {
                event_id: ranking.event_id,
                policy_version: ranking.policy_version,
                context: c.context,
                offer: shown.offer.clone(),
                probability: shown.probability,
                reward,
                control: ranking.control,
                intended: ranking.intended.map(|a| ranker.catalogue().offers()[a].id.clone()),
            }
        })
        .collect()
}

#[test]
fn batch_learning_captures_what_online_learning_does() {
    for (label, config) in [
        ("standard", SimulatorConfig::standard(2024)),
        ("hold-out", SimulatorConfig::alternative_with_order_value(77)),
    ] {
        let mut online_sim = Simulator::new(config.clone()).unwrap();
        let mut online = OfferRanker::new(online_sim.ranker_options(11)).unwrap();
        let online_report = online_sim.run(&mut online, 50_000).unwrap();
        let mut sim = Simulator::new(config).unwrap();
        let mut ranker = OfferRanker::new(sim.ranker_options(11)).unwrap();
        let batched = sim.run_batched(&mut ranker, 50_000, 5_000).unwrap();
        println!(
            "{label}: batched captured {:.1} %, online {:.1} %, policy version {}",
            100.0 * batched.captured_share,
            100.0 * online_report.captured_share,
            ranker.policy_version()
        );
        assert_eq!(ranker.policy_version(), 10);
        // Measured: standard 77.8 % batched vs 81.1 % online; hold-out 76.9 % vs 74.1 %. The
        // first frozen batch ranks with the prior alone (42.9 % when nothing is ever learned),
        // which costs ~4 points of the 50,000; with 1,000-record batches the loop reaches 82.1 %.
        assert!(batched.captured_share >= 0.75, "{label}: batched share {}", batched.captured_share);
        assert!(
            batched.captured_share >= online_report.captured_share - 0.04,
            "{label}: batched {} vs online {}",
            batched.captured_share,
            online_report.captured_share
        );
        for (id, value) in &batched.fixed_expected {
            assert!(batched.ranker_expected > *value, "{label}: always '{id}' earns {value} > batched ranker {}", batched.ranker_expected);
        }
    }
}

#[test]
fn learning_from_someone_elses_log_beats_the_logging_policy() {
    let mut sim = Simulator::new(SimulatorConfig::standard(5)).unwrap();
    // A uniform log.
    let log = sim.uniform_log(20_000);
    let uniform_value = {
        let mut probe = Simulator::new(SimulatorConfig::standard(5)).unwrap();
        let mut total = 0.0;
        for _ in 0..20_000 {
            let c = probe.draw_customer();
            let eligible = probe.catalogue().eligible(&c.context);
            total += eligible.iter().map(|&a| probe.expected_reward(&c, a)).sum::<f64>() / eligible.len() as f64;
        }
        total / 20_000.0
    };
    let records: Vec<LearnRecord> = log
        .iter()
        .enumerate()
        .map(|(i, row)| LearnRecord {
            event_id: format!("uniform-{i}"),
            policy_version: 0,
            context: row.context.clone(),
            offer: row.offer.clone(),
            probability: row.probability,
            reward: row.reward,
            control: false,
            intended: None,
        })
        .collect();
    let mut ranker = OfferRanker::new(RankerOptions { exploration: 0.0, ..sim.ranker_options(3) }).unwrap();
    let summary = ranker.learn(&records).unwrap();
    assert_eq!((summary.applied, summary.skipped, summary.policy_version), (20_000, 0, 1));
    let learned_value = sim.policy_value(&ranker, 20_000, 99).unwrap();
    println!("uniform log: logging policy {uniform_value:.3}/customer, learned {learned_value:.3}");
    assert!(learned_value > uniform_value, "learned {learned_value} vs uniform {uniform_value}");

    // An "always the 10 % discount" log (probability 1 where eligible, else none).
    let ten = sim.catalogue().offers().iter().position(|o| o.id.contains("10")).expect("a 10 % offer in the standard shop");
    let ten_id = sim.catalogue().offers()[ten].id.clone();
    let none_id = sim.catalogue().offers()[sim.catalogue().none_index()].id.clone();
    let mut rng = Rng::new(8);
    let mut always_value = 0.0;
    let records: Vec<LearnRecord> = (0..20_000)
        .map(|i| {
            let c = sim.draw_customer();
            let a = if sim.catalogue().offers()[ten].is_eligible(&c.context) { ten } else { sim.catalogue().none_index() };
            always_value += sim.expected_reward(&c, a);
            LearnRecord {
                event_id: format!("always-{i}"),
                policy_version: 0,
                reward: sim.realized_reward(&c, a, rng.uniform(), rng.normal()),
                context: c.context,
                offer: if a == ten { ten_id.clone() } else { none_id.clone() },
                probability: 1.0,
                control: false,
                intended: None,
            }
        })
        .collect();
    always_value /= 20_000.0;
    let mut ranker = OfferRanker::new(RankerOptions { exploration: 0.0, ..sim.ranker_options(3) }).unwrap();
    ranker.learn(&records).unwrap();
    let learned_value = sim.policy_value(&ranker, 20_000, 99).unwrap();
    println!("always-{ten_id} log: logging policy {always_value:.3}/customer, learned {learned_value:.3}");
    assert!(learned_value > always_value, "learned {learned_value} vs always {always_value}");
}

fn some_records(seed: u64, n: usize) -> (OfferRanker, Vec<LearnRecord>) {
    let mut sim = Simulator::new(SimulatorConfig::standard(seed)).unwrap();
    let mut ranker = OfferRanker::new(RankerOptions { instance: "worker.7".into(), ..sim.ranker_options(seed) }).unwrap();
    let mut rng = Rng::new(seed);
    let records = campaign(&mut sim, &mut ranker, n, &mut rng);
    (ranker, records)
}

#[test]
fn learning_is_idempotent_and_order_free() {
    let (ranker, records) = some_records(21, 3_000);
    assert!(records[0].event_id.contains("-worker.7-"), "{}", records[0].event_id);
    let mut once = ranker.clone();
    let first = once.learn(&records).unwrap();
    assert_eq!((first.applied, first.skipped, first.policy_version), (3_000, 0, 1));

    let mut twice = ranker.clone();
    twice.learn(&records).unwrap();
    let again = twice.learn(&records).unwrap();
    assert_eq!((again.applied, again.skipped, again.policy_version), (0, 3_000, 1));
    assert_eq!(once.to_bytes(), twice.to_bytes());

    let mut shuffled_records = records.clone();
    Rng::new(4).shuffle(&mut shuffled_records);
    // A duplicate inside the batch counts once too.
    shuffled_records.push(records[17].clone());
    let mut shuffled = ranker.clone();
    let s = shuffled.learn(&shuffled_records).unwrap();
    assert_eq!((s.applied, s.skipped), (3_000, 1));
    assert_eq!(once.to_bytes(), shuffled.to_bytes());

    // The learned state survives bytes: the same records are still skipped after a reload.
    let mut reloaded = OfferRanker::from_bytes(&once.to_bytes()).unwrap();
    assert_eq!(reloaded.policy_version(), 1);
    assert_eq!(reloaded.learn(&records).unwrap().skipped, 3_000);
    assert!(reloaded.stats().iter().map(|s| s.shown).sum::<u64>() == 3_000);
}

/// A loaded copy continues the saved event counter, so a worker that reloads published bytes
/// must rename its copy: otherwise it mints ids already logged, and `learn` skips their records.
#[test]
fn a_reloaded_copy_needs_its_own_instance_name_for_new_event_ids() {
    let (ranker, records) = some_records(22, 50);
    let bytes = ranker.to_bytes();
    let context = records[0].context.clone();
    let mut a = OfferRanker::from_bytes(&bytes).unwrap();
    let mut b = OfferRanker::from_bytes(&bytes).unwrap();
    assert_eq!(a.rank(&context).unwrap().event_id, b.rank(&context).unwrap().event_id);
    let mut a = OfferRanker::from_bytes(&bytes).unwrap();
    let mut b = OfferRanker::from_bytes(&bytes).unwrap();
    a.set_instance("edge1.aaaa").unwrap();
    b.set_instance("edge1.bbbb").unwrap();
    let (ra, rb) = (a.rank(&context).unwrap(), b.rank(&context).unwrap());
    assert_ne!(ra.event_id, rb.event_id);
    assert!(ra.event_id.contains("-edge1.aaaa-"), "{}", ra.event_id);
    assert_eq!(ra.ranking, rb.ranking, "only the name differs");
    assert_eq!(OfferRanker::from_bytes(&a.to_bytes()).unwrap().instance(), "edge1.aaaa");
    let err = a.set_instance("has space").unwrap_err().to_string();
    assert!(err.contains("instance must be"), "{err}");
    assert_eq!(a.instance(), "edge1.aaaa", "a refused name changes nothing");
}

#[test]
fn a_batch_with_one_bad_row_is_rejected_whole() {
    let (ranker, records) = some_records(22, 200);
    let before = ranker.to_bytes();
    let bad: Vec<(&str, Box<dyn Fn(&mut LearnRecord)>)> = vec![
        ("probability must be in (0, 1], got 0", Box::new(|r| r.probability = 0.0)),
        ("probability must be in (0, 1], got 1.5", Box::new(|r| r.probability = 1.5)),
        ("probability must be in (0, 1], got NaN", Box::new(|r| r.probability = f64::NAN)),
        ("offer: unknown offer 'nope'", Box::new(|r| r.offer = "nope".into())),
        ("reward must be a finite amount of money, got NaN", Box::new(|r| r.reward = f64::NAN)),
        ("policyVersion 5 is newer", Box::new(|r| r.policy_version = 5)),
        ("context.risk", Box::new(|r| r.context.risk = 2.0)),
        ("eventId is empty", Box::new(|r| r.event_id.clear())),
    ];
    for (expected, spoil) in bad {
        let mut batch = records.clone();
        spoil(&mut batch[137]);
        let mut r = ranker.clone();
        let message = r.learn(&batch).unwrap_err().to_string();
        assert!(message.contains("records[137]") && message.contains(expected), "{message}");
        assert_eq!(r.to_bytes(), before, "{expected}: the ranker changed");
    }
}

#[test]
fn the_control_group_is_a_stable_hash_of_the_customer() {
    let ids: Vec<String> = (0..20_000).map(|i| format!("customer-{i}")).collect();
    let share = ids.iter().filter(|id| in_control_group(id, 0.1)).count() as f64 / ids.len() as f64;
    assert!((share - 0.1).abs() < 0.01, "control share {share}");
    // Nested: the 5 % group lies inside the 10 % one.
    assert!(ids.iter().all(|id| !in_control_group(id, 0.05) || in_control_group(id, 0.1)));

    let sim = Simulator::new(SimulatorConfig::standard(1)).unwrap();
    let mut a = OfferRanker::new(RankerOptions { control_share: 0.1, ..sim.ranker_options(1) }).unwrap();
    let mut b = OfferRanker::new(RankerOptions { control_share: 0.1, instance: "other".into(), ..sim.ranker_options(2) }).unwrap();
    let none = &sim.catalogue().offers()[sim.catalogue().none_index()].id;
    for id in ids.iter().take(2_000) {
        let context = Context { customer: Some(id.clone()), ..Context::new(0.7, 300.0) };
        let (ra, rb) = (a.rank(&context).unwrap(), b.rank(&context).unwrap());
        assert_eq!(ra.control, in_control_group(id, 0.1));
        assert_eq!(ra.control, rb.control, "{id}: rankers disagree");
        if ra.control {
            assert_eq!(&ra.ranking[0].offer, none);
            assert!(ra.intended.is_some() && ra.ranking[0].reason.starts_with("control group"));
        } else {
            assert!(ra.intended.is_none());
        }
        let total: f64 = ra.ranking.iter().map(|r| r.probability).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
    }
    let missing = a.rank(&Context::new(0.5, 100.0)).unwrap_err().to_string();
    assert!(missing.contains("context.customer is required"), "{missing}");
}

#[test]
fn lift_intervals_hold_the_true_lift() {
    let (mut covered, mut checked) = (0usize, 0usize);
    for seed in 0..100u64 {
        let mut sim = Simulator::new(SimulatorConfig::standard(1000 + seed)).unwrap();
        let mut ranker = OfferRanker::new(RankerOptions { control_share: 0.3, ..sim.ranker_options(seed) }).unwrap();
        let mut rng = Rng::new(seed);
        let mut records = Vec::new();
        let mut truth = vec![(0.0, 0usize); sim.catalogue().len()];
        let none = sim.catalogue().none_index();
        for _ in 0..4_000 {
            let mut c = sim.draw_customer();
            c.context.customer = Some(format!("s{seed}-{}", rng.next_u64()));
            let ranking = ranker.rank(&c.context).unwrap();
            let a = sim.catalogue().index_of(&ranking.ranking[0].offer).unwrap();
            if !ranking.control {
                let t = &mut truth[a];
                t.0 += sim.expected_reward(&c, a) - sim.expected_reward(&c, none);
                t.1 += 1;
            }
            records.push(LearnRecord {
                event_id: ranking.event_id,
                policy_version: ranking.policy_version,
                reward: sim.realized_reward(&c, a, rng.uniform(), rng.normal()),
                context: c.context,
                offer: ranking.ranking[0].offer.clone(),
                probability: ranking.ranking[0].probability,
                control: ranking.control,
                intended: ranking.intended.map(|i| sim.catalogue().offers()[i].id.clone()),
            });
        }
        let lift = report(&ranker, &records).unwrap();
        assert!(lift.control_shown > 0);
        for line in &lift.offers {
            let a = sim.catalogue().index_of(&line.offer).unwrap();
            if a == none || line.shown < 30 || line.control_shown < 30 {
                continue;
            }
            let true_lift = truth[a].0 / truth[a].1 as f64;
            checked += 1;
            covered += (line.lift_interval.0 <= true_lift && true_lift <= line.lift_interval.1) as usize;
        }
    }
    let coverage = covered as f64 / checked as f64;
    println!("lift intervals: {covered} of {checked} hold the true lift ({:.1} %)", 100.0 * coverage);
    assert!(checked >= 100 && coverage >= 0.9, "coverage {coverage} over {checked}");
}


