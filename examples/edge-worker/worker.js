// An edge worker (workerd / Cloudflare Workers module syntax) that answers, for one customer,
// the churn risk, the products to show and the best retention offer. The models were fitted
// offline (build-models.mjs) and are embedded as bytes; they are loaded once, at startup.
// Per-customer inputs (frequency, recency, age, segment, typical order value) would come from a
// KV store in production; here they are an embedded JSON file.
//
//   GET /customer/<id>  -> { customer, risk, probabilityAlive, clv, segment, topProducts, bestOffer }
//   GET /health         -> { ok, customers }
// The serving build (`regulars/serve`): loading models and answering, without the fitting code.
import * as regulars from "regulars/serve";
import { answer } from "./answer.js";
import churnBytes from "./models/churn.bin";
import recommenderBytes from "./models/recommender.bin";
import rankerBytes from "./models/ranker.bin";
import customers from "./models/customers.json";

const models = {
  churn: regulars.ChurnModel.fromBytes(new Uint8Array(churnBytes)),
  recommender: regulars.Recommender.fromBytes(new Uint8Array(recommenderBytes)),
  rankerBytes: new Uint8Array(rankerBytes),
};

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method !== "GET") return json({ error: "only GET is supported" }, 405);
    if (url.pathname === "/health") return json({ ok: true, customers: Object.keys(customers).length, memoryBytes: regulars.wasmMemoryBytes() });
    const match = url.pathname.match(/^\/customer\/([^/]+)$/);
    if (!match) return json({ error: "try GET /customer/<id>" }, 404);
    const id = decodeURIComponent(match[1]);
    const c = customers[id];
    if (!c) return json({ error: `unknown customer '${id}'` }, 404);
    try {
      return json(answer(regulars, models, id, c));
    } catch (err) {
      return json({ error: err.message }, 500);
    }
  },
};
