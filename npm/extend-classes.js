// The few API methods that take "one of several classes" (wasm-bindgen cannot), dispatched here
// to the class-specific exports, results unpacked from one buffer, and factor rows flattened
// (`Recommender.fromFactors`). No computing. Installed on
// the classes of either build (`regulars` via extend.js, `regulars/serve` via serve-extend.js).
export function extend({ ChurnModel, OfferRanker, Recommender, Summary }) {

/** `churn.score(tx or s)`. */
ChurnModel.prototype.score = function score(input) {
  return input instanceof Summary ? this.scoreSummary(input) : this.scoreTransactions(input);
};

/** The scores' reasons come across as one "\n"-joined string (one decode from wasm memory
 * instead of one per customer) and are split here. */
for (const name of ["scoreSummary", "scoreTransactions"]) {
  const packed = ChurnModel.prototype[name];
  ChurnModel.prototype[name] = function (input) {
    const scores = packed.call(this, input);
    scores.reason = scores.reason.split("\n");
    return scores;
  };
}

/** Offer or item ids by index, fetched once per model (a model's catalogue never changes). */
const idCache = new WeakMap();
function ids(model, fetch) {
  let list = idCache.get(model);
  if (list === undefined) idCache.set(model, (list = fetch.call(model)));
  return list;
}

/** `ranker.rank(context)`: assembled from `__rankPacked`'s text (event id and reasons, one per
 * line), `__rankNumbers` (policy version, control flag, intended offer, then three numbers per
 * ranked offer) and the offer ids — JSON with 40 full-precision floats cost more to format and
 * parse than the ranking itself. The decision record is plain JSON, ready for a log. */
OfferRanker.prototype.rank = function rank(context) {
  const lines = this.__rankPacked(context).split("\n");
  const numbers = this.__rankNumbers();
  const offerIds = ids(this, this.__offerIds);
  const ranking = new Array(lines.length - 1);
  for (let k = 0; k < ranking.length; k++) {
    const at = 3 + 3 * k;
    ranking[k] = { offer: offerIds[numbers[at]], probability: numbers[at + 1], expectedValue: numbers[at + 2], reason: lines[k + 1] };
  }
  const eventId = lines[0], policyVersion = numbers[0], control = numbers[1] === 1;
  const used = { risk: context.risk, clv: context.clv };
  if (context.customer != null) used.customer = String(context.customer);
  if (context.segment != null) used.segment = context.segment;
  if (context.orderValue != null) used.orderValue = context.orderValue;
  if (context.features != null) used.features = { ...context.features };
  const decision = {
    eventId, policyVersion, time: Date.now(), context: used,
    eligible: ranking.map((r) => r.offer), offer: ranking[0].offer, probability: ranking[0].probability, control,
  };
  if (used.customer !== undefined) decision.customer = used.customer;
  if (control) decision.intended = offerIds[numbers[2]];
  return { eventId, policyVersion, ranking, decision };
};

/** `ranker.learn(records)` / `ranker.report(records)` (full build): the records are checked for
 * type and packed into columns here (`packRecords`), then cross into wasm in one call — reading
 * each field from wasm cost ~20 µs a record. Their values (NaN, a probability of 0, a version
 * from the future, a bad context) are the core's checks; every message names the record. */
if (OfferRanker.prototype.__learnColumns) {
  OfferRanker.prototype.learn = function learn(records) {
    return this.__learnColumns(false, ...packRecords(records, ids(this, this.__offerIds)));
  };
  OfferRanker.prototype.report = function report(records) {
    return this.__learnColumns(true, ...packRecords(records, ids(this, this.__offerIds)));
  };
}

function typeName(x) {
  return x === null ? "null" : Array.isArray(x) ? "an array" : typeof x;
}

/** The columns of `__learnColumns` for decision records with their rewards. */
function packRecords(records, offerIds) {
  if (!Array.isArray(records)) {
    throw new Error(`records must be an array of decision records (rank().decision with a reward), got ${typeName(records)}`);
  }
  const n = records.length;
  const offerIndex = new Map(offerIds.map((id, i) => [id, i]));
  const eventIds = new Array(n);
  const versions = new Float64Array(n), probability = new Float64Array(n), reward = new Float64Array(n);
  const risk = new Float64Array(n), clv = new Float64Array(n), orderValue = new Float64Array(n);
  const offers = new Uint32Array(n), control = new Uint8Array(n), intended = new Int32Array(n), segment = new Int32Array(n);
  const featureOffsets = new Uint32Array(n + 1), featureIndex = [], featureValues = [];
  const segments = new Map(), features = new Map();
  const object = (x, name) => {
    if (x == null) throw new Error(`${name} is required`);
    if (typeof x !== "object" || Array.isArray(x)) throw new Error(`${name} must be an object, got ${typeName(x)}`);
    return x;
  };
  const number = (x, name, what = "") => {
    if (x == null) throw new Error(`${name} is required${what}`);
    if (typeof x !== "number") throw new Error(`${name} must be a number, got ${typeName(x)}`);
    return x;
  };
  const text = (x, name) => {
    if (typeof x !== "string") throw new Error(x == null ? `${name} is required` : `${name} must be a string, got ${typeName(x)}`);
    if (x.includes("\n")) throw new Error(`${name} must not contain a line break`);
    return x;
  };
  const offer = (x, name) => {
    const a = offerIndex.get(text(x, name));
    if (a === undefined) throw new Error(`${name}: unknown offer '${x}'`);
    return a;
  };
  for (let i = 0; i < n; i++) {
    const at = `records[${i}]`;
    const r = object(records[i], at);
    eventIds[i] = text(r.eventId, `${at}.eventId`);
    const v = number(r.policyVersion, `${at}.policyVersion`);
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${at}.policyVersion must be a whole number >= 0, got ${v}`);
    versions[i] = v;
    offers[i] = offer(r.offer, `${at}.offer`);
    probability[i] = number(r.probability, `${at}.probability`);
    reward[i] = number(r.reward, `${at}.reward`);
    if (r.control != null && typeof r.control !== "boolean") throw new Error(`${at}.control must be true or false, got ${typeName(r.control)}`);
    control[i] = r.control ? 1 : 0;
    intended[i] = r.intended == null ? -1 : offer(r.intended, `${at}.intended`);
    const c = object(r.context, `${at}.context`);
    risk[i] = number(c.risk, `${at}.context.risk`, " (a probability)");
    clv[i] = number(c.clv, `${at}.context.clv`, " (money)");
    orderValue[i] = c.orderValue == null ? NaN : number(c.orderValue, `${at}.context.orderValue`);
    if (Number.isNaN(c.orderValue)) throw new Error(`${at}.context.orderValue is NaN`);
    if (c.segment == null) segment[i] = -1;
    else {
      const name = text(c.segment, `${at}.context.segment`);
      let k = segments.get(name);
      if (k === undefined) segments.set(name, (k = segments.size));
      segment[i] = k;
    }
    if (c.features != null) {
      const f = object(c.features, `${at}.context.features`);
      for (const name in f) {
        const value = number(f[name], `${at}.context.features.${name}`);
        if (name.includes("\n")) throw new Error(`${at}.context.features: a name must not contain a line break`);
        let k = features.get(name);
        if (k === undefined) features.set(name, (k = features.size));
        featureIndex.push(k);
        featureValues.push(value);
      }
    }
    featureOffsets[i + 1] = featureIndex.length;
  }
  return [eventIds.join("\n"), versions, offers, probability, reward, control, intended, risk, clv, orderValue,
    [...segments.keys()].join("\n"), segment, [...features.keys()].join("\n"), featureOffsets,
    Uint32Array.from(featureIndex), Float64Array.from(featureValues)];
}

/** `Recommender.fromFactors(options)` (full build only): the factors (a Float32Array, number[],
 * or an array of rows) checked for type and converted to row-major Float32Array here, and
 * `purchased` flattened (one id list, a count per customer); `__fromFactors` gets them with the
 * options and checks everything else (keys, ids, lengths, values). */
if (Recommender.__fromFactors) {
  const isRow = (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  const numbers = (values, name) => {
    for (let k = 0; k < values.length; k++) {
      if (typeof values[k] !== "number") throw new Error(`${name}[${k}] must be a number, got ${typeof values[k]}`);
    }
    return values;
  };
  const rowMajor = (value, name) => {
    if (value instanceof Float32Array) return value;
    if (!isRow(value)) throw new Error(`${name} must be a Float32Array, an array of numbers or an array of rows, got ${value === null ? "null" : typeof value}`);
    if (!isRow(value[0])) return Float32Array.from(Array.isArray(value) ? numbers(value, name) : value);
    const width = value[0].length, out = new Float32Array(value.length * width);
    value.forEach((row, r) => {
      if (!isRow(row)) throw new Error(`${name}[${r}] must be an array of numbers, got ${row === null ? "null" : typeof row}`);
      if (row.length !== width) throw new Error(`${name}[${r}] has ${row.length} factors, ${name}[0] has ${width}`);
      out.set(Array.isArray(row) ? numbers(row, `${name}[${r}]`) : row, r * width);
    });
    return out;
  };
  Recommender.fromFactors = function fromFactors(options) {
    if (options === null || typeof options !== "object") return Recommender.__fromFactors(options, new Float32Array(0));
    const given = (key) => options[key] !== undefined && options[key] !== null;
    const items = given("itemFactors") ? rowMajor(options.itemFactors, "options.itemFactors") : new Float32Array(0);
    const customers = given("customerFactors") ? rowMajor(options.customerFactors, "options.customerFactors") : undefined;
    let purchasedItems, counts;
    if (given("purchased")) {
      const lists = options.purchased;
      if (!Array.isArray(lists)) throw new Error(`options.purchased must be an array of item lists (one per customer), got ${typeof lists}`);
      counts = new Uint32Array(lists.length);
      lists.forEach((list, c) => {
        if (!Array.isArray(list)) throw new Error(`options.purchased[${c}] must be an array of item ids, got ${list === null ? "null" : typeof list}`);
        counts[c] = list.length;
      });
      purchasedItems = lists.flat();
    }
    const number = (key) => {
      if (!given(key)) return undefined;
      if (typeof options[key] !== "number") throw new Error(`options.${key} must be a number, got ${typeof options[key]}`);
      return options[key];
    };
    return Recommender.__fromFactors(options, items, customers, purchasedItems, counts, number("regularization"), number("alpha"));
  };
}

/** `rec.recommendMany(customers, opts)`: the lists come across packed (one index and one score
 * buffer for the whole batch, see `__recommendManyPacked`) and are unpacked here — a JS string
 * per recommendation decoded from wasm memory cost more than the recommending. */
Recommender.prototype.recommendMany = function recommendMany(customers, options) {
  const packed = this.__recommendManyPacked(customers, options);
  const itemIds = ids(this, this.__itemIds);
  const { counts, items, scores } = packed;
  const outItems = new Array(counts.length), outScores = new Array(counts.length);
  let at = 0;
  for (let c = 0; c < counts.length; c++) {
    const n = counts[c], list = new Array(n);
    for (let j = 0; j < n; j++) list[j] = itemIds[items[at + j]];
    outItems[c] = list;
    outScores[c] = scores.slice(at, at + n);
    at += n;
  }
  return { customers: packed.customers, items: outItems, scores: outScores };
};
}
