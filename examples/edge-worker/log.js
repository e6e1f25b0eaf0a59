// The decision log of the edge example: a second module worker in the same workerd config, which
// the main worker calls through a service binding (env.LOG). It keeps the records in memory, in
// arrival order, standing in for a queue (Cloudflare Queues, Kafka, a log file): the learner
// (learn.mjs) reads them back by position.
//
//   POST /append          body: one decision record (JSON)  -> { seq }   (its position + 1)
//   GET  /records?since=N -> { records: [...from position N], next }    (pass `next` as since)
// Memory is bounded: past MAX_RECORDS it refuses appends (507) rather than dropping records.

const MAX_RECORDS = 200_000;
const records = [];

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/append") {
      if (records.length >= MAX_RECORDS) return json({ error: `the log is full (${MAX_RECORDS} records)` }, 507);
      let record;
      try {
        record = await request.json();
      } catch {
        return json({ error: "the body must be one decision record as JSON" }, 400);
      }
      if (!record || typeof record !== "object" || Array.isArray(record) || typeof record.eventId !== "string") {
        return json({ error: "a decision record needs an eventId" }, 400);
      }
      records.push(record);
      return json({ seq: records.length });
    }
    if (request.method === "GET" && url.pathname === "/records") {
      const since = Number(url.searchParams.get("since") ?? "0");
      if (!Number.isInteger(since) || since < 0) return json({ error: `since must be a whole number >= 0, got '${url.searchParams.get("since")}'` }, 400);
      return json({ records: records.slice(since), next: records.length });
    }
    return json({ error: "try POST /append or GET /records?since=N" }, 404);
  },
};
