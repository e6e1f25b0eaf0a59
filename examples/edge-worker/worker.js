// An edge worker (workerd / Cloudflare Workers module syntax) that answers, for one customer,
// the churn risk, the products to show and the best retention offer, and runs its side of the
// offer loop: rank with ONE loaded policy → log each decision → (learn.mjs learns offline from
// the log and the outcomes) → a new policy is published → the worker reloads it.
//
//   GET  /customer/<id>      -> { customer, risk, probabilityAlive, clv, segment, topProducts, bestOffer }
//   POST /offer              body: an offer context { customer?, risk, clv, segment?, orderValue?, features? }
//                            -> { eventId, policyVersion, bestOffer, ranking }
//   GET  /health             -> { ok, customers, memoryBytes, policyVersion, instance }
//   POST /admin/policy       body: OfferRanker bytes (toBytes) -> { policyVersion, previous }   (409 if not newer)
//   GET  /admin/log?since=N  -> the log service's records from position N (for the learner)
// The admin routes need `authorization: Bearer <ADMIN_TOKEN>`.
//
// Bindings (config.capnp / wrangler.jsonc): LOG, a service binding to the decision log (log.js;
// in production a queue); INSTANCE, this worker's name, part of every event id; ADMIN_TOKEN.
// The churn model and recommender were fitted offline (build-models.mjs) and are embedded as bytes,
// loaded once at startup. Per-customer inputs would come from a KV store in production; here they
// are an embedded JSON file.
import * as regulars from "regulars/serve";
import { answer } from "./answer.js";
import churnBytes from "./models/churn.bin";
import recommenderBytes from "./models/recommender.bin";
import rankerBytes from "./models/ranker.bin";
import customers from "./models/customers.json";

const models = {
  churn: regulars.ChurnModel.fromBytes(new Uint8Array(churnBytes)),
  recommender: regulars.Recommender.fromBytes(new Uint8Array(recommenderBytes)),
  ranker: null, // the one policy, see policy()
};
// The policy embedded at deploy time, checked now so a worker with corrupt bytes fails to start.
const embeddedPolicy = new Uint8Array(rankerBytes);
const embeddedVersion = regulars.OfferRanker.fromBytes(embeddedPolicy).policyVersion;

/**
 * Loads policy bytes under a fresh instance name, `<INSTANCE>.<nonce>`: event ids are
 * `<seed>-<instance>-<counter>` and the counter restarts at the bytes' own on every load, so
 * without a new name per load a reload (or a restarted isolate) would mint ids that were already
 * logged, and learn() would skip those records as learned. The nonce needs a random value, which
 * workerd allows only inside a handler: hence the first load happens on the first request.
 */
function loadPolicy(bytes, env) {
  const base = env.INSTANCE || "edge";
  const nonce = crypto.randomUUID().slice(0, 8);
  return regulars.OfferRanker.fromBytes(bytes, { instance: `${base}.${nonce}` });
}

function policy(env) {
  models.ranker ??= loadPolicy(embeddedPolicy, env);
  return models.ranker;
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

/** Appends a decision record to the log; false (and the answer still goes out) when it fails. */
async function logDecision(env, decision) {
  if (!env.LOG) return false;
  try {
    const res = await env.LOG.fetch("http://log/append", { method: "POST", body: JSON.stringify(decision) });
    return res.ok;
  } catch {
    return false;
  }
}

async function admin(request, env, url) {
  if (!env.ADMIN_TOKEN || request.headers.get("authorization") !== `Bearer ${env.ADMIN_TOKEN}`) {
    return json({ error: "admin routes need authorization: Bearer <ADMIN_TOKEN>" }, 401);
  }
  if (request.method === "POST" && url.pathname === "/admin/policy") {
    const bytes = new Uint8Array(await request.arrayBuffer());
    let next;
    try {
      next = loadPolicy(bytes, env);
    } catch (err) {
      return json({ error: `not a policy: ${err.message}` }, 400);
    }
    const current = policy(env);
    const previous = current.policyVersion;
    // Publishes may arrive out of order; an older or equal version never replaces a newer one.
    if (next.policyVersion <= previous) {
      const refused = next.policyVersion;
      next.free?.();
      return json({ error: `policy version ${refused} is not newer than the loaded ${previous}`, policyVersion: previous }, 409);
    }
    models.ranker = next;
    current.free?.();
    return json({ policyVersion: next.policyVersion, previous, instance: next.instance });
  }
  if (request.method === "GET" && url.pathname === "/admin/log") {
    if (!env.LOG) return json({ error: "no LOG binding" }, 501);
    const res = await env.LOG.fetch(`http://log/records?since=${encodeURIComponent(url.searchParams.get("since") ?? "0")}`);
    return new Response(res.body, { status: res.status, headers: { "content-type": "application/json; charset=utf-8" } });
  }
  return json({ error: "try POST /admin/policy or GET /admin/log?since=N" }, 404);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (url.pathname.startsWith("/admin/")) return await admin(request, env, url);
      if (url.pathname === "/offer") {
        if (request.method !== "POST") return json({ error: "POST /offer with the offer context as JSON" }, 405);
        let context;
        try {
          context = await request.json();
        } catch {
          return json({ error: "the body must be an offer context as JSON" }, 400);
        }
        let ranked;
        try {
          ranked = policy(env).rank(context);
        } catch (err) {
          return json({ error: err.message }, 400);
        }
        const { eventId, policyVersion, ranking, decision } = ranked;
        const logged = await logDecision(env, decision);
        return json({ eventId, policyVersion, bestOffer: ranking[0], ranking, logged });
      }
      if (request.method !== "GET") return json({ error: "only GET is supported here" }, 405);
      if (url.pathname === "/health") {
        const p = policy(env);
        return json({ ok: true, customers: Object.keys(customers).length, memoryBytes: regulars.wasmMemoryBytes(), policyVersion: p.policyVersion, instance: p.instance, embeddedVersion });
      }
      const match = url.pathname.match(/^\/customer\/([^/]+)$/);
      if (!match) return json({ error: "try GET /customer/<id>" }, 404);
      const id = decodeURIComponent(match[1]);
      const c = customers[id];
      if (!c) return json({ error: `unknown customer '${id}'` }, 404);
      policy(env);
      const { body, decision } = answer(regulars, models, id, c);
      await logDecision(env, decision);
      return json(body);
    } catch (err) {
      return json({ error: err.message }, 500);
    }
  },
};
