// The edge-worker example under workerd, on the installed package: the example project is copied
// to target/edge-worker/<hash of the tarball>/ and the tarball `make pack` wrote is installed in it
// (so config.capnp embeds node_modules/regulars/, as a user's copy would); the models are fitted
// and saved in Node (build-models.mjs) into the copy's models/; then it starts `workerd serve` on 127.0.0.1 with a free
// port, asks GET /customer/<id> and compares the answer with the same computation in Node, and
// with the batch scores of the whole shop. workerd is stopped at the end; every wait is bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startWorkerd, get } from "./run-workerd.mjs";
import { buildModels } from "../../examples/edge-worker/build-models.mjs";
import { importInstalled, installedCopy } from "../../scripts/installed-package.mjs";
import { answer } from "../../examples/edge-worker/answer.js";
import { SAMPLE, ANALYSIS, IMPORT_OPTIONS, packageMapping } from "../../www/src/sample.js";

const EXAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), "../../examples/edge-worker");
const regulars = await importInstalled();
const project = installedCopy(EXAMPLE, "edge-worker");
const missing = ["ChurnModel", "Recommender", "OfferRanker"].filter((name) => typeof regulars[name] !== "function");

test("the edge worker answers /customer/<id> as Node computes it", { timeout: 120_000, skip: missing.length ? `the package has no ${missing.join(", ")} yet` : false }, async () => {
  const { customers, outDir } = await buildModels({ regulars, outDir: join(project, "models") });
  const read = (f) => new Uint8Array(readFileSync(join(outDir, f)));
  const models = {
    churn: regulars.ChurnModel.fromBytes(read("churn.bin")),
    recommender: regulars.Recommender.fromBytes(read("recommender.bin")),
    ranker: null, // loaded below under the worker's instance name, to replay its rankings
  };
  // Batch scores of the whole shop, to check the edge answer against.
  const text = readFileSync(join(EXAMPLE, "../../www/public/sample/online-retail-sample.csv"), "utf8");
  const tx = regulars.Transactions.fromCsv(text, packageMapping(SAMPLE.mapping), IMPORT_OPTIONS);
  const batch = regulars.ChurnModel.fit(tx, { horizon: ANALYSIS.horizon, seed: ANALYSIS.seed }).score(tx);
  const batchRisk = new Map(batch.customers.map((id, i) => [id, batch.risk[i]]));

  const ids = Object.keys(customers);
  const oneTimer = ids.find((id) => customers[id].time.length === 1);
  const regular = ids.reduce((a, b) => (customers[b].time.length > customers[a].time.length ? b : a));
  const picks = [...new Set([ids[0], oneTimer, regular].filter(Boolean))];

  const decisions = [];
  const server = await startWorkerd(join(project, "config.capnp"));
  try {
    const health = await get(`${server.url}/health`);
    const { memoryBytes, instance, ...rest } = health.body;
    const saved = regulars.OfferRanker.fromBytes(read("ranker.bin"));
    assert.deepEqual(rest, { ok: true, customers: ids.length, policyVersion: saved.policyVersion, embeddedVersion: saved.policyVersion });
    // The worker's one policy, named `<INSTANCE binding>.<nonce of this load>`.
    assert.match(instance, /^edge1\.[0-9a-f]{8}$/);
    // The same bytes under the same name rank as the worker does, request after request.
    models.ranker = regulars.OfferRanker.fromBytes(read("ranker.bin"), { instance });
    // The worker's whole wasm memory with the three models loaded: the edge memory budget.
    assert.ok(memoryBytes > 0 && memoryBytes < 64 * 1024 * 1024, `${memoryBytes}`);
    console.log(`edge worker: wasm memory ${(memoryBytes / 1024 / 1024).toFixed(1)} MB with the models loaded`);
    for (const id of picks) {
      const { status, body } = await get(`${server.url}/customer/${encodeURIComponent(id)}`);
      assert.equal(status, 200, JSON.stringify(body));
      const { body: want, decision } = JSON.parse(JSON.stringify(answer(regulars, models, id, customers[id])));
      assert.deepEqual(body, want, `answer for ${id}`);
      assert.equal(body.bestOffer.eventId, decision.eventId);
      assert.equal(body.bestOffer.policyVersion, saved.policyVersion);
      decisions.push(decision);
      assert.ok(body.risk >= 0 && body.risk <= 1);
      assert.ok(Math.abs(body.risk - batchRisk.get(id)) < 1e-9, `edge risk ${body.risk} vs batch risk ${batchRisk.get(id)} for ${id}`);
      assert.ok(body.topProducts.length > 0 && typeof body.topProducts[0].item === "string");
      assert.equal(typeof body.bestOffer.offer, "string");
    }
    // Each answer's decision record went to the log service, in order.
    const auth = { headers: { authorization: "Bearer dev-admin-token" } };
    const log = await (await fetch(`${server.url}/admin/log?since=0`, { ...auth, signal: AbortSignal.timeout(10_000) })).json();
    assert.equal(log.next, picks.length);
    assert.deepEqual(log.records.map(({ time, ...r }) => r), decisions.map(({ time, ...r }) => r));
    assert.equal((await fetch(`${server.url}/admin/log?since=0`, { signal: AbortSignal.timeout(10_000) })).status, 401);
    const after = await get(`${server.url}/health`);
    assert.ok(after.body.memoryBytes < 64 * 1024 * 1024);
    console.log(`edge worker: wasm memory ${(after.body.memoryBytes / 1024 / 1024).toFixed(1)} MB after answering`);
    const unknown = await get(`${server.url}/customer/no-such-customer`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /unknown customer 'no-such-customer'/);
  } finally {
    await server.stop();
  }
});
