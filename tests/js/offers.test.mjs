// The offer ranker through the package: learning in a simulator with known uplift, honest
// off-policy estimates against the simulator's true values, and clear errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { r, throwsError } from "./helpers.mjs";

const { OfferRanker, OfferSimulator } = r;

for (const setup of ["standard", "alternative"]) {
  test(`${setup} shop: over 50,000 rounds the ranker captures >= 75 % of the oracle's gain and beats every fixed offer`, () => {
    const sim = new OfferSimulator({ setup, seed: 11 });
    const ranker = new OfferRanker(sim.rankerOptions(3));
    const report = sim.run(ranker, 50000);
    const captured = (report.ranker - report.none) / (report.oracle - report.none);
    assert.ok(Math.abs(captured - report.capturedShare) < 1e-9);
    assert.ok(captured >= 0.75, `captured ${captured}`);
    for (const [offer, value] of Object.entries(report.fixed)) assert.ok(report.ranker > value, `fixed ${offer}: ${value} >= ${report.ranker}`);
  });
}

test("off-policy estimates from uniform-random logs: SNIPS within 3 %, DR within 2.5 % (mean abs. relative error, 20 logs)", () => {
  const sim = new OfferSimulator({ setup: "standard", seed: 5 });
  const target = new OfferRanker({ ...sim.rankerOptions(9), exploration: 0.1 });
  sim.run(target, 5000); // a learned, then fixed, target policy
  const truth = sim.policyValue(target, 200000, 77);
  const errors = { ips: [], snips: [], dr: [] };
  for (let i = 0; i < 20; i++) {
    const log = sim.uniformLog(10000);
    const estimate = target.evaluate(log);
    for (const k of Object.keys(errors)) errors[k].push(Math.abs(estimate[k] - truth) / Math.abs(truth));
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(errors.snips) <= 0.03, `SNIPS ${mean(errors.snips)}`);
  assert.ok(mean(errors.dr) <= 0.025, `DR ${mean(errors.dr)}`);
});

const offers = [
  { id: "10-off", kind: "percent_off", value: 10 },
  { id: "ship", kind: "free_shipping", cost: 4 },
  { id: "points", kind: "bonus_points", value: 5 },
  { id: "gift", kind: "gift", cost: 3, eligible: { segments: ["Champions"] } },
];

// A decision's time is Date.now() at each call: the one field two equal rankers may differ in.
const untimed = ({ decision, ...rest }) => ({ ...rest, decision: { ...decision, time: 0 } });

test("rank: probabilities sum to 1, 'none' always present, ineligible offers absent, same seed same answers", () => {
  const a = new OfferRanker({ offers, margin: 12, seed: 4 });
  const b = new OfferRanker({ offers, margin: 12, seed: 4 });
  for (const context of [{ risk: 0.8, clv: 300, segment: "At Risk", orderValue: 40 }, { risk: 0.1, clv: 900, segment: "Champions" }]) {
    const ra = a.rank(context), rb = b.rank(context);
    assert.deepEqual(untimed(ra), untimed(rb));
    const sum = ra.ranking.reduce((s, x) => s + x.probability, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `${sum}`);
    assert.ok(ra.ranking.some((x) => x.offer === "none"));
    if (context.segment !== "Champions") assert.ok(!ra.ranking.some((x) => x.offer === "gift"));
    for (const x of ra.ranking) assert.ok(x.probability > 0 && Number.isFinite(x.expectedValue) && x.reason.length > 0);
    a.reward(ra.eventId, 5);
    b.reward(rb.eventId, 5);
  }
  assert.deepEqual([...a.toBytes()], [...b.toBytes()]);
  const back = OfferRanker.fromBytes(a.toBytes());
  assert.deepEqual(untimed(back.rank({ risk: 0.5, clv: 100 })), untimed(a.rank({ risk: 0.5, clv: 100 })));
});

test("offers: clear errors for bad input, and the ranker keeps working", () => {
  const ranker = new OfferRanker({ offers, seed: 1 });
  throwsError(assert, () => ranker.reward("nope", 1), /unknown event 'nope'/);
  const { eventId } = ranker.rank({ risk: 0.5, clv: 100 });
  throwsError(assert, () => ranker.reward(eventId, NaN), /reward is NaN/);
  throwsError(assert, () => new OfferRanker({ offers: [{ kind: "gift", cost: 2 }] }), /offers\[0\].*id/);
  throwsError(assert, () => new OfferRanker({ offers: [{ id: "a", kind: "gift", cost: 2 }, { id: "a", kind: "cashback", value: 5 }] }), /duplicate id 'a'/);
  throwsError(assert, () => new OfferRanker({ offers: [{ id: "a", kind: "bribe" }] }), /bribe/);
  throwsError(assert, () => ranker.rank({ risk: NaN, clv: 1 }), /context\.risk/);
  throwsError(assert, () => ranker.rank({ clv: 1 }), /context\.risk is required/);
  const row = { context: { risk: 0.5, clv: 10 }, offer: "none", reward: 1 };
  throwsError(assert, () => ranker.evaluate([{ ...row, probability: 0 }]), /probability/);
  throwsError(assert, () => ranker.evaluate([{ ...row, probability: 1.5 }]), /probability/);
  throwsError(assert, () => ranker.evaluate([]), /empty/);
  ranker.reward(eventId, 3);
  throwsError(assert, () => ranker.reward(eventId, 3), /.+/); // a second reward for one event
  assert.equal(ranker.rewardsSeen, 1);
});
