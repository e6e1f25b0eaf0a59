// The offline half of the offer loop: reads the decision log the edge worker wrote, joins each
// record with its outcome (the margin the order earned net of the offer's cost; no order within
// the window = 0), lets the current policy learn from them (`ranker.learn`, full build), and
// publishes the new bytes: models/ranker.bin (what the next deploy embeds) and POST /admin/policy
// (what the running worker reloads).
//   node learn.mjs [--url http://127.0.0.1:8787] [--token dev-admin-token] [--outcomes outcomes.json]
//                  [--window-hours 0] [--models models] [--pkg DIR]
// outcomes.json: { "<eventId>": reward, ... } — the shop's orders attributed to the decisions.
// Idempotent: learn() skips records it learned before (their ids are kept in the policy bytes),
// so a second run on the same log applies 0 and publishes nothing new. Exported as learnOnce()
// for the workerd test.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { importPackage } from "./build-models.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));

async function call(url, options = {}, timeoutMs = 10_000) {
  const res = await fetch(url, { ...options, signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.json();
  return { status: res.status, body };
}

/** Every record of the worker's log (GET /admin/log, page by page from position 0). */
export async function readLog(url, token) {
  const records = [];
  for (let since = 0; ;) {
    const { status, body } = await call(`${url}/admin/log?since=${since}`, { headers: { authorization: `Bearer ${token}` } });
    if (status !== 200) throw new Error(`GET /admin/log answered ${status}: ${body.error}`);
    records.push(...body.records);
    if (body.next <= since || body.records.length === 0) return records;
    since = body.next;
  }
}

/**
 * Decision records joined with outcomes: `outcomes` maps eventId → reward (a Map or an object);
 * a record without one earned 0 (no order in the window). Records whose window has not closed
 * yet (time + windowMs > now) are left out, to be learned by a later run.
 */
export function joinOutcomes(records, outcomes, { windowMs = 0, now = Date.now() } = {}) {
  const get = outcomes instanceof Map ? (id) => outcomes.get(id) : (id) => outcomes[id];
  return records
    .filter((r) => r.time + windowMs <= now)
    .map((r) => ({ ...r, reward: get(r.eventId) ?? 0 }));
}

/** Writes a file whole or not at all (a temporary sibling, then a rename). */
function writeAtomically(file, bytes) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

/**
 * One learning run: log → join → learn → publish. Returns { records, applied, skipped,
 * policyVersion, published } (published: the worker was sent the bytes and took them).
 */
export async function learnOnce({ regulars, url = "http://127.0.0.1:8787", token = "dev-admin-token", modelsDir = join(HERE, "models"), outcomes = {}, windowMs = 0, now } = {}) {
  regulars ??= await importPackage();
  const file = join(modelsDir, "ranker.bin");
  const ranker = regulars.OfferRanker.fromBytes(new Uint8Array(readFileSync(file)));
  try {
    const records = joinOutcomes(await readLog(url, token), outcomes, { windowMs, now });
    const { applied, skipped, policyVersion } = ranker.learn(records);
    if (applied > 0) writeAtomically(file, ranker.toBytes());
    // Publish when the worker runs an older version than the file: after learning, and also when
    // an earlier run wrote the file but its publish failed (so a rerun repairs it).
    const health = await call(`${url}/health`);
    let published = false;
    if (health.body.policyVersion < policyVersion) {
      const res = await call(`${url}/admin/policy`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
        body: readFileSync(file),
      });
      if (res.status !== 200) throw new Error(`POST /admin/policy answered ${res.status}: ${res.body.error}`);
      published = true;
    }
    return { records: records.length, applied, skipped, policyVersion, published };
  } finally {
    ranker.free?.();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const regulars = await importPackage(opt("--pkg") ? resolve(opt("--pkg")) : undefined);
  const outcomes = opt("--outcomes") ? JSON.parse(readFileSync(resolve(opt("--outcomes")), "utf8")) : {};
  const result = await learnOnce({
    regulars,
    url: opt("--url"),
    token: opt("--token"),
    modelsDir: opt("--models") ? resolve(opt("--models")) : undefined,
    outcomes,
    windowMs: Number(opt("--window-hours") ?? 0) * 3_600_000,
  });
  console.log(JSON.stringify(result));
}
