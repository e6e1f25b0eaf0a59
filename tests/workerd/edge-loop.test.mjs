// The offer loop end to end in workerd (issue 14, item 6): the edge-worker example ranks with one
// loaded policy and logs every decision to its log service; learn.mjs joins the log with the
// outcomes, learns (full build) and publishes; the worker reloads. The shop is the package's
// OfferSimulator, ten rounds.
//
// Customers: customer j is the first customer of a fresh `OfferSimulator({ seed: s_j })`.
// `uniformLog(1)` of that simulator gives the context the worker sees; `run(anyRanker, 1)` of
// another fresh one with the same seed meets the same customer and reports the true expected
// reward of every fixed offer (`fixed`), of the oracle and of "none" for that customer; and
// `policyValue(ranker, 1, s_j)` is the true value of a policy for that same customer. So the
// outcome of what the worker showed is the true expected reward of that offer (noise-free, no
// luck of the draw), and each published policy is scored on a fixed panel of customers by
// share = (value − none) / (oracle − none), all three on the same customers. The test checks
// that the seed alignment holds before relying on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startWorkerd } from "./run-workerd.mjs";
import { buildModels } from "../../examples/edge-worker/build-models.mjs";
import { learnOnce, joinOutcomes } from "../../examples/edge-worker/learn.mjs";
import { importInstalled, installedCopy } from "../../scripts/installed-package.mjs";

const EXAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), "../../examples/edge-worker");
const regulars = await importInstalled();
const { OfferRanker, OfferSimulator } = regulars;
const missing = typeof OfferSimulator !== "function" || typeof OfferRanker?.prototype?.learn !== "function";

const ROUNDS = 10;
const PER_ROUND = 300;
const PANEL = 1500;
const SHOP_SEED = 1_000_000;
const PANEL_SEED = 9_000_000;
const TOKEN = "dev-admin-token";

/** The customer of seed `s`: the context the worker sees and the true expected rewards. */
function customer(s, anyRanker) {
  const context = new OfferSimulator({ seed: s }).uniformLog(1)[0].context;
  const truth = new OfferSimulator({ seed: s }).run(anyRanker, 1);
  return { context, fixed: truth.fixed, oracle: truth.oracle, none: truth.none };
}

async function post(url, body, headers = {}) {
  const res = await fetch(url, { method: "POST", body, headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json() };
}

test("the edge loop: rank → log → learn → publish → reload, ten rounds, and the share of the oracle rises", { timeout: 60_000, skip: missing ? "the package has no OfferSimulator / learn yet" : false }, async () => {
  const started = performance.now();
  // Its own copy (the edge-worker test writes models into the other one at the same time).
  const project = installedCopy(EXAMPLE, "edge-loop");
  const modelsDir = join(project, "models");
  await buildModels({ regulars, outDir: modelsDir, rounds: 1 });
  // Round 0 ships a policy that has learnt nothing (its prior only), so the rise is the loop's.
  const sim = new OfferSimulator({ seed: 3 });
  writeFileSync(join(modelsDir, "ranker.bin"), new OfferRanker(sim.rankerOptions(3)).toBytes());
  const probe = new OfferRanker(sim.rankerOptions(5)); // any ranker, for run(…, 1)

  // The evaluation panel; first the seed alignment: Σ p(offer | context) × fixed[offer] from the
  // context uniformLog gave must equal policyValue's value of the same customer.
  const panel = Array.from({ length: PANEL }, (_, i) => customer(PANEL_SEED + i, probe));
  const round0 = OfferRanker.fromBytes(readFileSync(join(modelsDir, "ranker.bin")));
  for (let i = 0; i < 20; i++) {
    const { ranking } = round0.rank(panel[i].context);
    const byHand = ranking.reduce((sum, x) => sum + x.probability * panel[i].fixed[x.offer], 0);
    const value = sim.policyValue(round0, 1, PANEL_SEED + i);
    assert.ok(Math.abs(byHand - value) <= 1e-9 * Math.max(1, Math.abs(value)), `customer ${i}: ${byHand} vs ${value}`);
  }
  const oracle = panel.reduce((s, c) => s + c.oracle, 0) / PANEL;
  const none = panel.reduce((s, c) => s + c.none, 0) / PANEL;
  assert.ok(oracle > none);
  const share = (ranker) => {
    let v = 0;
    for (let i = 0; i < PANEL; i++) v += sim.policyValue(ranker, 1, PANEL_SEED + i);
    return (v / PANEL - none) / (oracle - none);
  };

  // joinOutcomes: no outcome = no order in the window = 0; an open window waits.
  assert.deepEqual(
    joinOutcomes([{ eventId: "a", time: 0 }, { eventId: "b", time: 0 }, { eventId: "c", time: 50 }], { a: 4.5 }, { windowMs: 10, now: 20 }),
    [{ eventId: "a", time: 0, reward: 4.5 }, { eventId: "b", time: 0, reward: 0 }],
  );

  const server = await startWorkerd(join(project, "config.capnp"));
  const shares = [share(round0)];
  const shownShares = [];
  const outcomes = new Map();
  try {
    const auth = { authorization: `Bearer ${TOKEN}` };
    assert.equal((await post(`${server.url}/admin/policy`, readFileSync(join(modelsDir, "ranker.bin")))).status, 401);
    let version = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      // The shop: customers arrive, the worker shows its best offer, the outcome comes back.
      let shown = 0, best = 0, base = 0;
      for (let j = 0; j < PER_ROUND; j++) {
        const s = SHOP_SEED + round * PER_ROUND + j;
        const c = customer(s, probe);
        const { status, body } = await post(`${server.url}/offer`, JSON.stringify({ ...c.context, customer: `c${s}` }));
        assert.equal(status, 200, JSON.stringify(body));
        assert.equal(body.logged, true);
        assert.equal(body.policyVersion, version, "the worker ranks with the last published policy");
        const reward = c.fixed[body.bestOffer.offer];
        assert.equal(typeof reward, "number", body.bestOffer.offer);
        assert.ok(!outcomes.has(body.eventId), `event id ${body.eventId} minted twice`);
        outcomes.set(body.eventId, reward);
        shown += reward; best += c.oracle; base += c.none;
      }
      shownShares.push((shown - base) / (best - base));
      // learn → publish → the worker reloads.
      const learned = await learnOnce({ regulars, url: server.url, token: TOKEN, modelsDir, outcomes });
      assert.equal(learned.records, round * PER_ROUND);
      assert.equal(learned.applied, PER_ROUND, "only this round's records are new");
      assert.equal(learned.skipped, (round - 1) * PER_ROUND);
      assert.ok(learned.policyVersion > version, `version ${learned.policyVersion} after ${version}`);
      assert.equal(learned.published, true);
      version = learned.policyVersion;
      // The same log again: nothing applied, nothing published, the same bytes.
      const bytes = readFileSync(join(modelsDir, "ranker.bin"));
      const again = await learnOnce({ regulars, url: server.url, token: TOKEN, modelsDir, outcomes });
      assert.deepEqual(again, { records: round * PER_ROUND, applied: 0, skipped: round * PER_ROUND, policyVersion: version, published: false });
      assert.deepEqual(readFileSync(join(modelsDir, "ranker.bin")), bytes);
      const health = await (await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(10_000) })).json();
      assert.equal(health.policyVersion, version);
      const published = OfferRanker.fromBytes(bytes);
      assert.equal(published.policyVersion, version);
      shares.push(share(published));
      published.free();
    }
    // An old version is refused; the worker keeps the newest.
    const stale = await post(`${server.url}/admin/policy`, new OfferRanker(sim.rankerOptions(3)).toBytes(), auth);
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    const bad = await post(`${server.url}/admin/policy`, new Uint8Array([1, 2, 3]), auth);
    assert.equal(bad.status, 400);
  } finally {
    await server.stop();
  }
  const pct = (xs) => xs.map((x) => (100 * x).toFixed(1)).join(" ");
  console.log(`edge loop: share of the oracle's margin of the published policy, rounds 0..${ROUNDS}: ${pct(shares)} %`);
  console.log(`edge loop: share captured by the offers the worker showed, rounds 1..${ROUNDS}: ${pct(shownShares)} %`);
  console.log(`edge loop: ${ROUNDS} rounds of ${PER_ROUND} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(shares.slice(0, 3)), last = mean(shares.slice(-3));
  assert.ok(last > first + 0.1, `the published policy's share rose from ${first} (rounds 0-2) to ${last} (rounds 8-10)`);
  assert.ok(mean(shownShares.slice(-3)) > mean(shownShares.slice(0, 3)), `shown share ${pct(shownShares)}`);
});
