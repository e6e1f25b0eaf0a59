// Type definitions for the `regulars` npm package.
//
// regulars turns a shop's order history into three decisions: which customers are slipping away
// (churn risk and customer lifetime value), what to recommend to each of them, and which
// retention offer is worth showing. It is WebAssembly and runs in Node >= 20, browsers (with or
// without a bundler) and edge workers (workerd / Cloudflare Workers).
//
// Conventions (see the README):
// - Times are epoch milliseconds (like `Date.getTime()`); money is a plain number.
// - Bulk columns are accepted as plain arrays or typed arrays; bulk results are typed arrays
//   aligned with the input order.
// - Every failure throws a JS `Error` whose message names the argument and the problem
//   (`"amount[17] is NaN"`, `"unknown customer 'abc'"`); the module stays usable afterwards.
// - Every model has `toBytes()` and a static `fromBytes(bytes)`, which rejects truncated,
//   corrupted or wrong-version input with an `Error`.
// - Randomness is seeded (`seed` option): the same inputs and seed give the same outputs.
// - Objects live in WebAssembly memory: call `free()` (or use `using`) to release big ones early;
//   otherwise they are released when garbage-collected.

/** A numeric column: a plain array of numbers or any typed array. */
export type NumericColumn = ArrayLike<number>;

/** Customer or item ids: strings, or numbers (converted as `String(x)` would). */
export type IdColumn = ArrayLike<string | number>;

/** The time unit of a summary's ages (`recency`, `T`) and of model horizons. Days are UTC calendar days. */
export type TimeUnit = "day" | "week";

/** The 11 segments of the common RFM map. */
export type Segment =
  | "Champions" | "Loyal Customers" | "Potential Loyalists" | "New Customers" | "Promising"
  | "Need Attention" | "About To Sleep" | "At Risk" | "Can't Lose Them" | "Hibernating" | "Lost";

/** Bytes accepted by `fromBytes` and by `initSync`/`init`. */
export type Bytes = Uint8Array | ArrayBuffer;

// Types that exist only in some setups (the DOM lib, @types/node, `esnext.disposable` / ES2025
// libs) are taken from the global scope when they are there and left out when they are not, so
// these declarations type-check under plain ES2022 libs too (`skipLibCheck: false`) without
// adding anything to the user's globals.

/** `typeof Symbol.dispose` where the lib declares it (ES2025, `esnext.disposable`, @types/node), else `never`. */
type DisposeSymbol = SymbolConstructor extends { readonly dispose: infer S extends symbol } ? S : never;
/** `[Symbol.dispose](): void` where the lib has `Symbol.dispose`, else nothing. */
type DisposeMethod = { [K in DisposeSymbol]: () => void };
/** The instance type of the global class `Name` (e.g. `URL`, `Response`) where the lib declares it, else `never`. */
type GlobalInstance<Name extends string> = typeof globalThis extends { [K in Name]: { prototype: infer T } } ? T : never;
/** `WebAssembly.Module` where the lib declares it (DOM, @types/node, workers' types), else `never`. */
type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer T } } } ? T : never;
/** The DOM's `BufferSource`, spelled with ES2022 types. */
type BufferSourceLike = ArrayBuffer | ArrayBufferView;

/**
 * Something that owns WebAssembly memory. Where the lib has `Symbol.dispose`, it also has
 * `[Symbol.dispose]()` (the same as `free()`), so `using x = ...` releases it at the end of the block.
 */
export interface Disposable extends DisposeMethod {
  /** Releases the object's WebAssembly memory now; the object is unusable afterwards. */
  free(): void;
}

// ---------------------------------------------------------------------------------------------
// Initialisation
// ---------------------------------------------------------------------------------------------

/** What `init` and `initSync` accept: the compiled module, its bytes, or (for `init`) a URL/response. */
export type InitInput =
  | string | GlobalInstance<"URL"> | GlobalInstance<"Request"> | GlobalInstance<"Response">
  | BufferSourceLike | WasmModule;

/**
 * Loads the WebAssembly module. Needed once in browsers without a bundler (`import init from
 * "regulars"; await init();`); a no-op in Node and workerd, where the package's entry has already
 * instantiated it. Calling it again is harmless.
 * @param moduleOrPath where to load `regulars_bg.wasm` from; defaults to next to the JS file.
 */
export default function init(
  moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<unknown>;

/**
 * Instantiates the module synchronously from a compiled `WebAssembly.Module` or its bytes
 * (e.g. in a worker that already has them).
 */
export function initSync(module: { module: WasmModule | BufferSourceLike } | WasmModule | BufferSourceLike): unknown;

/** Installs the module's panic hook; called automatically at instantiation (exported by the glue). */
export function start(): void;

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

/** Columns for `Transactions.fromColumns`, one entry per order line (all of equal length). */
export interface TransactionColumns {
  /** Customer id of each line. */
  customer: IdColumn;
  /** Time of each line, epoch milliseconds. */
  time: NumericColumn;
  /** Money spent on each line (non-negative). */
  amount?: NumericColumn;
  /** Product id of each line (needed by the recommender). */
  item?: IdColumn;
  /** Quantity of each line. */
  quantity?: NumericColumn;
}

/**
 * Which CSV header names hold which field. Only `customer` and `time` are required.
 * `amount = quantity * price` when both are given and `amount` is not.
 */
export interface CsvMapping {
  /** Column with the customer id. Float-looking ids such as `17850.0` are read as `17850`. */
  customer: string;
  /**
   * Column with the order time: ISO dates and datetimes (`2011-12-09 12:50:00`), `YYYYMMDD`,
   * US `M/D/YYYY H:MM`, or epoch seconds/milliseconds.
   */
  time: string;
  /** Column with the line's money amount. */
  amount?: string;
  /** Column with the product id or name. */
  item?: string;
  /** Column with the quantity. */
  quantity?: string;
  /** Column with the unit price. */
  price?: string;
  /** Column with the invoice number; invoices starting with `C` are cancellations and are dropped. */
  invoice?: string;
}

/** Parsing options for `Transactions.fromCsv`. */
export interface CsvOptions {
  /** Field delimiter; detected from the header line when absent. `" "` means runs of spaces or tabs. */
  delimiter?: string;
  /** `false` when the file has no header line: the mapping then names columns by 0-based position (`"0"`, `"1"`, …). Default `true`. */
  header?: boolean;
  /** Keep lines whose amount is exactly 0 (a free order is still a purchase). Default `false`. */
  keepZeroAmounts?: boolean;
  /**
   * Net each cancellation (needs `item` and `quantity` columns) against the same customer's latest
   * earlier purchases of that item: their quantity and amount shrink, and a line cancelled in full is
   * dropped as "cancelled by a later return". Default `false` (lines are kept as the file has them).
   */
  netCancellations?: boolean;
  /** Row cap (default 50,000,000); a longer file throws an `Error`. */
  maxRows?: number;
}

/** What an import kept and what it dropped, and why. `kept + sum(dropped) === rows`. */
export interface ImportReport {
  /** Data lines read (header excluded). */
  rows: number;
  /** Lines kept as transactions. */
  kept: number;
  /**
   * Lines dropped, counted by reason, e.g. `"missing customer"`, `"unparsable time"`,
   * `"cancellation"`, `"non-positive amount"`.
   */
  dropped: { [reason: string]: number };
}

/** Options for `tx.summary`. */
export interface SummaryOptions {
  /** End of the observation period, epoch ms, inclusive. Default: the last transaction's time. */
  observationEnd?: number;
  /**
   * End of the calibration period, epoch ms, inclusive. When given, the summary describes the
   * calibration period and the holdout columns describe (calibrationEnd, observationEnd].
   */
  calibrationEnd?: number;
  /** Unit of `recency`, `T` and `holdoutDuration`. Default `"day"`. */
  unit?: TimeUnit;
}

/** Shop-level measures from the domain notes. */
export interface ShopMeasures {
  /** Share of customers (0–1) who came back for at least a second purchase (on another day). */
  repeatPurchaseRate: number;
  /** Share of revenue (0–1) brought by the top 20 % of customers by spend. */
  top20RevenueShare: number;
}

/** Customer retention rate of one period: CRR = (E − N) / S × 100. */
export interface RetentionPeriod {
  /** Period start, epoch ms. */
  start: number;
  /** Period end, epoch ms. */
  end: number;
  /** S: customers active before the period who count as customers at its start. */
  customersAtStart: number;
  /** N: customers whose first purchase falls in the period. */
  newCustomers: number;
  /** E: customers at the end of the period. */
  customersAtEnd: number;
  /** CRR in percent, `null` when there were no customers at the start. */
  retentionRate: number | null;
}

/** A shop's order history: one row per order line, sorted by customer then time. */
export class Transactions implements Disposable {
  private constructor();
  /** Builds transactions from columns; every problem is an `Error` naming the column and row (`"time[3] is NaN"`). */
  static fromColumns(columns: TransactionColumns, options?: { /** Row cap (default 50,000,000); more rows throw an `Error`. */ maxRows?: number }): Transactions;
  /**
   * Imports a CSV export (a string or UTF-8 bytes). Unusable lines (no customer, unparsable
   * time, cancellation, non-positive amount) are dropped and counted in `report`; a file with no
   * usable line, or a mapping naming a missing column, is an `Error`.
   */
  static fromCsv(text: string | Uint8Array, mapping: CsvMapping, options?: CsvOptions): Transactions;
  /** What the import kept and dropped, and why. */
  readonly report: ImportReport;
  /** Number of transaction rows kept. */
  readonly length: number;
  /** Number of distinct customers. */
  readonly customerCount: number;
  /** Number of distinct items (0 without an item column). */
  readonly itemCount: number;
  /** Distinct customer ids, in order of first appearance. */
  readonly customers: string[];
  /** Distinct item ids, in order of first appearance. */
  readonly items: string[];
  /** Per-customer frequency / recency / age / spend, in the buy-till-you-die conventions. */
  summary(options?: SummaryOptions): Summary;
  /** Repeat-purchase rate and the revenue share of the top 20 % of customers. */
  shopMeasures(): ShopMeasures;
  /** Customer retention rate for consecutive periods of `periodDays` days (e.g. 30 for monthly). */
  retentionRates(periodDays: number): RetentionPeriod[];
  free(): void;
}
export interface Transactions extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it

/** Columns for `Summary.fromColumns` (all of equal length). */
export interface SummaryColumns {
  /** Customer ids; default `"0"`, `"1"`, … */
  customer?: IdColumn;
  /** Repeat transactions (purchases after the first, same-day purchases counted once). */
  frequency: NumericColumn;
  /** Age at the last purchase, measured from the first (≤ T). */
  recency: NumericColumn;
  /** Age at the end of the observation (or calibration) period. */
  T: NumericColumn;
  /** Mean spend of the repeat transactions (0 when there are none). */
  monetary?: NumericColumn;
  /** Unit of `recency` and `T`. Default `"day"`. */
  unit?: TimeUnit;
}

/** RFM scores and segments. */
export interface Rfm {
  /** Recency score, 1 (long ago) … bins (recent). */
  r: Uint8Array;
  /** Frequency score, 1 … bins. */
  f: Uint8Array;
  /** Monetary score, 1 … bins. */
  m: Uint8Array;
  /** Segment of the 11-segment RFM map. */
  segment: Segment[];
}

/**
 * One row per customer, in the buy-till-you-die conventions (as in the Fader–Hardie papers and
 * lifetimes): purchases on the same day are one transaction; `frequency` = repeat transactions;
 * `recency` = age at the last purchase measured from the first; `T` = age at the end of the
 * period; `monetary` = mean spend of the repeat transactions.
 */
export class Summary implements Disposable {
  private constructor();
  /** A summary from columns, validated: finite, non-negative, `recency <= T`. */
  static fromColumns(columns: SummaryColumns): Summary;
  readonly customers: string[];
  readonly frequency: Float64Array;
  readonly recency: Float64Array;
  readonly T: Float64Array;
  readonly monetary: Float64Array;
  /** Total spend in the period, first purchase included. */
  readonly totalSpend: Float64Array;
  /** Number of customers. */
  readonly length: number;
  /** Unit of `recency`, `T` and `holdoutDuration`. */
  readonly unit: TimeUnit;
  /** Repeat transactions in the holdout period (when `calibrationEnd` was given). */
  readonly holdoutFrequency: Float64Array | undefined;
  /** Mean spend in the holdout period (when `calibrationEnd` was given). */
  readonly holdoutMonetary: Float64Array | undefined;
  /** Length of the holdout period, in `unit` (when `calibrationEnd` was given). */
  readonly holdoutDuration: number | undefined;
  /** RFM scores (quantile bins, default 5) and the 11-segment map. */
  rfm(options?: { bins?: number }): Rfm;
  free(): void;
}
export interface Summary extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it

// ---------------------------------------------------------------------------------------------
// Churn and customer value
// ---------------------------------------------------------------------------------------------

/** Fitting options shared by the BTYD models. */
export interface FitOptions {
  /** L2 penalty on the log-parameters, as in lifetimes; default 0. */
  penalizer?: number;
}

/**
 * How a fit went (`m.diagnostics`). Computed when the model is fitted and saved in its bytes;
 * `null` for a model built from parameters or loaded from bytes saved before diagnostics existed
 * (not recorded: bytes of an older version end before the field, and still load).
 */
export interface FitDiagnostics<P = { [param: string]: number }> {
  /** The optimiser met its own criterion (every gradient component of the objective below its tolerance). */
  converged: boolean;
  iterations: number;
  /** Norm of the gradient, at the optimum, of the objective the fit minimised (mean penalised negative log-likelihood per customer, in log-parameters). */
  gradientNorm: number;
  /** Standard errors from the Hessian, by parameter; `NaN` where the information matrix gave none. */
  standardErrors: { [K in keyof P]: number };
  /**
   * Plain-words warnings, `[]` when all is well: dropout not identified (BG/NBD a < 1e-3 or
   * a/(a+b) < 1e-3; Pareto/NBD s < 0.01 or β/s > 1000 × the mean observation time), a parameter
   * at a bound (outside [1e-6, 1e6]), fewer than 30 repeat buyers, flat likelihood (no standard
   * errors, or one over 10× its parameter), no convergence.
   */
  warnings: string[];
}

/** Members shared by the buy-till-you-die purchase models. */
export interface PurchaseModel extends Disposable {
  /** Total log-likelihood at the fitted parameters, in the papers' convention (unpenalised). */
  readonly logLikelihood: number;
  /** Standard errors of the parameters (from the observed information), by parameter name, or `null`. */
  readonly standardErrors: { [param: string]: number } | null;
  /** How the fit went, or `null` when not recorded (see `FitDiagnostics`). */
  readonly diagnostics: FitDiagnostics | null;
  /** P(the customer is still alive) at the end of the period. */
  probabilityAlive(s: Summary): Float64Array;
  /** Conditional expected number of purchases in (T, T + t], `t` in the summary's unit. */
  expectedPurchases(t: number, s: Summary): Float64Array;
  /** P(no purchase in (T, T + t]), `t` in the summary's unit. */
  probabilityNoPurchase(t: number, s: Summary): Float64Array;
  toBytes(): Uint8Array;
}

/** BG/NBD parameters (Fader, Hardie & Lee 2005). */
export interface BetaGeoParams { r: number; alpha: number; a: number; b: number }
/** Pareto/NBD parameters (Schmittlein, Morrison & Colombo 1987). */
export interface ParetoNbdParams { r: number; alpha: number; s: number; beta: number }

/** The BG/NBD model ("Counting your customers the easy way", Fader, Hardie & Lee 2005). */
export class BetaGeo implements PurchaseModel {
  private constructor();
  static fit(s: Summary, options?: FitOptions): BetaGeo;
  static fromBytes(bytes: Bytes): BetaGeo;
  /** The fitted parameters, named as in the papers. */
  readonly params: BetaGeoParams;
  /** Total log-likelihood at the fitted parameters (papers' convention, unpenalised). */
  readonly logLikelihood: number;
  /** Standard errors of the parameters (observed information), or `null` when not available. */
  readonly standardErrors: { [K in keyof BetaGeoParams]: number } | null;
  /** How the fit went, or `null` when not recorded (see `FitDiagnostics`). */
  readonly diagnostics: FitDiagnostics<BetaGeoParams> | null;
  probabilityAlive(s: Summary): Float64Array;
  expectedPurchases(t: number, s: Summary): Float64Array;
  probabilityNoPurchase(t: number, s: Summary): Float64Array;
  toBytes(): Uint8Array;
  free(): void;
}
export interface BetaGeo extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it

/** The MBG/NBD model (Batislam, Denizel & Filiztekin 2007): BG/NBD where customers can also drop out at time zero. */
export class ModifiedBetaGeo implements PurchaseModel {
  private constructor();
  static fit(s: Summary, options?: FitOptions): ModifiedBetaGeo;
  static fromBytes(bytes: Bytes): ModifiedBetaGeo;
  /** The fitted parameters, named as in the papers. */
  readonly params: BetaGeoParams;
  /** Total log-likelihood at the fitted parameters (papers' convention, unpenalised). */
  readonly logLikelihood: number;
  /** Standard errors of the parameters (observed information), or `null` when not available. */
  readonly standardErrors: { [K in keyof BetaGeoParams]: number } | null;
  /** How the fit went, or `null` when not recorded (see `FitDiagnostics`). */
  readonly diagnostics: FitDiagnostics<BetaGeoParams> | null;
  probabilityAlive(s: Summary): Float64Array;
  expectedPurchases(t: number, s: Summary): Float64Array;
  probabilityNoPurchase(t: number, s: Summary): Float64Array;
  toBytes(): Uint8Array;
  free(): void;
}
export interface ModifiedBetaGeo extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it

/** The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; Fader & Hardie's notes). */
export class ParetoNbd implements PurchaseModel {
  private constructor();
  static fit(s: Summary, options?: FitOptions): ParetoNbd;
  static fromBytes(bytes: Bytes): ParetoNbd;
  /** The fitted parameters, named as in the papers. */
  readonly params: ParetoNbdParams;
  /** Total log-likelihood at the fitted parameters (papers' convention, unpenalised). */
  readonly logLikelihood: number;
  /** Standard errors of the parameters (observed information), or `null` when not available. */
  readonly standardErrors: { [K in keyof ParetoNbdParams]: number } | null;
  /** How the fit went, or `null` when not recorded (see `FitDiagnostics`). */
  readonly diagnostics: FitDiagnostics<ParetoNbdParams> | null;
  probabilityAlive(s: Summary): Float64Array;
  expectedPurchases(t: number, s: Summary): Float64Array;
  probabilityNoPurchase(t: number, s: Summary): Float64Array;
  toBytes(): Uint8Array;
  free(): void;
}
export interface ParetoNbd extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it

/** Gamma-Gamma spend model parameters (Fader, Hardie & Lee 2005, "RFM and CLV"). */
export interface GammaGammaParams { p: number; q: number; gamma: number }

/** The Gamma-Gamma model of spend per transaction; fitted on customers with frequency > 0. */
export class GammaGamma implements Disposable {
  private constructor();
  static fit(s: Summary, options?: FitOptions): GammaGamma;
  static fromBytes(bytes: Bytes): GammaGamma;
  /** The fitted parameters, named as in the papers. */
  readonly params: GammaGammaParams;
  /** Total log-likelihood at the fitted parameters (papers' convention, unpenalised). */
  readonly logLikelihood: number;
  /** Standard errors of the parameters (observed information), or `null` when not available. */
  readonly standardErrors: { [K in keyof GammaGammaParams]: number } | null;
  /** How the fit went, or `null` when not recorded (see `FitDiagnostics`). */
  readonly diagnostics: FitDiagnostics<GammaGammaParams> | null;
  /** Conditional expected spend per transaction of each customer. */
  expectedSpend(s: Summary): Float64Array;
  toBytes(): Uint8Array;
  free(): void;
}
export interface GammaGamma extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it

/** Options of `customerLifetimeValue`. */
export interface ClvOptions {
  /** How far ahead, in the summary's unit (e.g. 365 days). */
  horizon: number;
  /** Discount rate per unit of the summary (e.g. 0.0003 per day ≈ 10 % a year). */
  discountRate: number;
}

/**
 * Bytes of WebAssembly linear memory the module holds now (memory grows and is never returned):
 * what an edge worker's memory budget has to cover.
 */
export function wasmMemoryBytes(): number;

/** Discounted customer lifetime value (money) over `horizon`: expected purchases × expected spend. */
export function customerLifetimeValue(model: PurchaseModel, spend: GammaGamma, s: Summary, options: ClvOptions): Float64Array;

/** Options of `reliability`. */
export interface ReliabilityOptions {
  /** Equal-width bins over [0, 1], 2–100; default 10. */
  bins?: number;
}

/** A reliability diagram: per bin, the mean predicted risk, the observed share and the count. */
export interface Reliability {
  /** Mean risk of each bin (`NaN` for an empty bin). */
  predicted: Float64Array;
  /** Share of outcomes that happened in each bin (`NaN` for an empty bin). */
  observed: Float64Array;
  count: Uint32Array;
  /** Expected calibration error: Σ count/N · |predicted − observed| over the bins. */
  ece: number;
}

/**
 * Checks calibration on your own shop: `risk` (probabilities in [0, 1]) against what happened
 * (`outcome[i]` true, or 1, when customer i churned). Bin k holds k/bins ≤ risk < (k+1)/bins
 * (the last bin also risk = 1). Throws on a length mismatch, empty input, a risk outside
 * [0, 1], an outcome other than true/false (0/1 in a Uint8Array), or bins outside 2–100.
 */
export function reliability(risk: Float64Array | number[], outcome: boolean[] | Uint8Array, options?: ReliabilityOptions): Reliability;

/** Options of `ChurnModel.fit`. */
export interface ChurnOptions {
  /** Days ahead that "risk" looks at. Default 90. */
  horizon?: number;
  /** End of the observation period, epoch ms. Default: the last transaction's time. */
  observationEnd?: number;
  /** Seed of the model's held-out split. */
  seed?: number;
  /** Days of future spend counted in `clv`. Default 365. */
  clvHorizon?: number;
  /** Yearly discount rate of `clv` (0.1 = 10 % a year). Default 0.1. */
  annualDiscountRate?: number;
  /**
   * L2 penalizer of every BG/NBD fit (`-ll/N + penalizer · Σ param²`, as in lifetimes): a finite
   * number >= 0, default 0. When a fit cannot be identified (a small or very loyal shop), the fit
   * retries with penalizer 0.01, then 0.1, then a no-dropout NBD model, each step a `warnings` entry.
   */
  penalizer?: number;
}

/** Per-customer scores of a `ChurnModel`, aligned with `customers`. */
export interface ChurnScores {
  customers: string[];
  /** Calibrated probability of no purchase in the next `horizon` days (0–1). */
  risk: Float64Array;
  /** Probability the customer is still "alive" (still buying from the shop). */
  probabilityAlive: Float64Array;
  /** Expected purchases in the next `horizon` days. */
  expectedPurchases: Float64Array;
  /** Customer lifetime value: discounted expected spend over `clvHorizon` days, in money. */
  clv: Float64Array;
  /** RFM segment. */
  segment: Segment[];
  /**
   * A short reason per customer, from the frequency, recency and usual gap the model reads:
   * "one purchase, 300 days ago", "no purchase for 140 days; usually every 35" (silent for more
   * than twice the usual gap), "buys every 20 days; last 5 days ago".
   */
  reason: string[];
}

/** How the churn model checked its supervised layer against the BG/NBD alone on held-out customers. */
export interface ChurnValidation {
  /** Days of the label window of the internal time split. */
  labelWindow: number;
  /** Held-out customers. */
  heldOut: number;
  btydLogLoss: number;
  supervisedLogLoss: number;
  btydAuc: number;
  supervisedAuc: number;
  /** Why the layer is not used, or `null`. */
  fallbackReason: string | null;
}

/**
 * The turnkey churn and value model: picks and fits a purchase model and a spend model on the
 * transactions, and calibrates risk against a holdout period.
 */
export class ChurnModel implements Disposable {
  private constructor();
  static fit(tx: Transactions, options?: ChurnOptions): ChurnModel;
  static fromBytes(bytes: Bytes): ChurnModel;
  /**
   * Scores every customer of `tx` as of the model's observation end (later transactions are
   * ignored), or every row of a summary (any unit, ages as of its own end). Scoring a single
   * customer's transactions gives the same numbers as scoring the whole shop; a summary built
   * with `Summary.fromColumns` lacks first/total spend, so prefer transactions for risk.
   */
  score(data: Transactions | Summary): ChurnScores;
  /** `score` for transactions. */
  scoreTransactions(tx: Transactions): ChurnScores;
  /** `score` for a summary. */
  scoreSummary(s: Summary): ChurnScores;
  /** Days ahead the risk is about. */
  readonly horizon: number;
  /** `"supervised"` when the logistic layer validated better than the BG/NBD alone, else `"btyd"`. */
  readonly method: "supervised" | "btyd";
  /** The internal validation behind `method`. */
  readonly validation: ChurnValidation;
  /**
   * Plain-words warnings, `[]` when all is well: fallback fits ("BG/NBD did not converge on 20
   * customers (…); refitted with penalizer 0.01"), dropout not identified, fewer than 30 repeat
   * buyers, a chosen risk whose held-out AUC is within noise of 0.5. Saved with the model bytes.
   */
  readonly warnings: string[];
  toBytes(): Uint8Array;
  free(): void;
}
export interface ChurnModel extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it

// ---------------------------------------------------------------------------------------------
// Recommendations
// ---------------------------------------------------------------------------------------------

/** Options of `Recommender.fit`. */
export interface RecommenderOptions {
  /** `"als"` (implicit-feedback matrix factorisation), `"itemknn"`, `"popular"`, or `"auto"` (default). */
  algorithm?: "als" | "itemknn" | "popular" | "auto";
  /** Latent factors (ALS). */
  factors?: number;
  /** Training sweeps (ALS). */
  iterations?: number;
  /** L2 regularisation (ALS). */
  regularization?: number;
  /** Confidence weight of a purchase in implicit-feedback ALS (c = 1 + alpha · count). */
  alpha?: number;
  /** Neighbours kept per item (item-kNN). */
  neighbours?: number;
  seed?: number;
  /** Memory budget of the fit in MiB (default 512): a larger model is refused with an `Error`. */
  maxMemoryMb?: number;
  /** Called with the fraction done (0–1) while fitting. */
  onProgress?: (fraction: number) => void;
}

/**
 * Factor rows: row-major (`Float32Array` or `number[]`, `rows × factors` values; the number of
 * factors is the length over the number of ids), or one array per row (all of one length).
 */
export type FactorRows = Float32Array | number[] | (Float32Array | number[])[];

/**
 * Options of `Recommender.fromFactors`: ALS factors trained elsewhere (Spark MLlib, Python
 * `implicit`, …). The recommender is pure ALS: a customer's score of an item is the dot product
 * of their factor rows.
 */
export interface FactorImportOptions {
  /** Item ids, one per row of `itemFactors` (non-empty, unique). */
  items: string[];
  /** Item factors, `items.length × f` with f in 1..1024. */
  itemFactors: FactorRows;
  /** Customer ids (non-empty, unique), one per row of `customerFactors` and list of `purchased`. */
  customers?: string[];
  /** Customer factors, `customers.length × f` (required with `customers`). */
  customerFactors?: FactorRows;
  /**
   * Per customer, the items they bought (repeats count): not recommended to them again
   * (`excludePurchased`), what `explain` attributes to, and the popularity unknown customers get.
   */
  purchased?: string[][];
  /**
   * L2 regularisation λ the factors were trained with: used to fold in a basket
   * (`recommendForItems`) and by `explain`. Default 0.01 (`implicit`'s default).
   */
  regularization?: number;
  /**
   * Confidence weight α of the training, c = 1 + α · count (Hu et al., Spark). Default 1.
   * `implicit` ≥ 0.5 uses c = α · count: for its factors on 0/1 data, pass its α − 1.
   */
  alpha?: number;
}

/** A recommended (or similar) item and its score (higher is better). */
export interface ScoredItem { item: string; score: number }

/** Options of `rec.recommend`. */
export interface RecommendOptions {
  /** How many items. Default 10. */
  k?: number;
  /** Leave out what the customer already bought. Default true. */
  excludePurchased?: boolean;
  /** Items never to recommend (e.g. out of stock). */
  exclude?: string[];
  /** Only recommend among these items. */
  candidates?: string[];
}

/** Recommendations for many customers at once (for email campaigns), aligned with `customers`. */
export interface BatchRecommendations {
  customers: string[];
  items: string[][];
  scores: Float32Array[];
}

/** One past purchase's share in a recommendation: "because you bought …". */
export interface Explanation { item: string; contribution: number }

/** Product recommendations learnt from who bought what. */
export class Recommender implements Disposable {
  private constructor();
  static fit(tx: Transactions, options?: RecommenderOptions): Recommender;
  static fromBytes(bytes: Bytes): Recommender;
  /**
   * A serving recommender from ALS factors trained elsewhere (e.g. Spark or `implicit`), with
   * every method below and `toBytes` (whose bytes also load in `regulars/serve`). Bad input
   * (lengths, non-finite values, duplicate or empty ids, unknown purchased items) is an `Error`
   * naming the field and index.
   */
  static fromFactors(options: FactorImportOptions): Recommender;
  /** Top-k items for a customer; a customer unknown to the model gets popular items, not an error. */
  recommend(customer: string, options?: RecommendOptions): ScoredItem[];
  /** Top-k items for each customer (batch, for email campaigns). */
  recommendMany(customers: string[], options?: { k?: number; onProgress?: (fraction: number) => void }): BatchRecommendations;
  /** Top-k items for an anonymous basket or session, with no retraining. */
  recommendForItems(items: string[], options?: { k?: number }): ScoredItem[];
  /** Items most similar to `item`; an unknown item is an `Error`. */
  similarItems(item: string, options?: { k?: number }): ScoredItem[];
  /** Which of the customer's past purchases led to `item` being recommended, largest first. */
  explain(customer: string, item: string): Explanation[];
  /** The scorer or blend in use, e.g. `"als"` or `"0.6 als + 0.3 itemknn + 0.1 popular"`. */
  readonly algorithm: string;
  /** Customers known to the model. */
  readonly customerCount: number;
  /** Items known to the model. */
  readonly itemCount: number;
  /**
   * Model bytes, holding everything scoring needs (item and customer factors, neighbour lists), so
   * `fromBytes` fits nothing. Default: f16 item factors and similarities, int8 customer factors
   * (small enough for an edge worker, the same recall); `"f32"` loads bit for bit as fitted;
   * `"f16"` / `"int8"` store all of them so.
   */
  toBytes(options?: { quantization?: "f32" | "f16" | "int8" }): Uint8Array;
  free(): void;
}
export interface Recommender extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it

/** Options of `evaluateRecommender`: the split and any `Recommender.fit` option. */
export interface RecommenderEvaluationOptions extends RecommenderOptions {
  /** Train on the rows before this time (epoch ms); score the items first bought on or after it. */
  splitTime: number;
  /** List length scored. Default 10. */
  k?: number;
}

/** How well a recommender trained before `splitTime` predicted what customers bought after it. */
export interface RecommenderEvaluation {
  /** Training customers who bought something new after the split (the ones scored). */
  customers: number;
  /** Precision@k. */
  precision: number;
  /** Recall@k. */
  recall: number;
  /** Recall@k with the denominator capped at k. */
  recallCapped: number;
  /** NDCG@k. */
  ndcg: number;
  /** Share of the catalogue that appears in some list. */
  coverage: number;
  /** The scorer or blend evaluated. */
  algorithm: string;
}

/** Checks a recommender on the shop's own data: trains on the rows before `splitTime`, scores the items each customer first bought on or after it. */
export function evaluateRecommender(tx: Transactions, options: RecommenderEvaluationOptions): RecommenderEvaluation;

// ---------------------------------------------------------------------------------------------
// Offers
// ---------------------------------------------------------------------------------------------

export type OfferKind =
  | "percent_off" | "amount_off" | "free_shipping" | "bonus_points" | "cashback" | "gift" | "none";

/** Who may receive an offer. All given conditions must hold. */
export interface Eligibility {
  segments?: string[];
  minRisk?: number;
  maxRisk?: number;
  minClv?: number;
}

/** A retention offer. */
export interface Offer {
  id: string;
  kind: OfferKind;
  /** Percent for `percent_off` / `bonus_points` / `cashback`, money for `amount_off`. */
  value?: number;
  /** Cost to the shop when redeemed (money), e.g. shipping or the gift's price. */
  cost?: number;
  eligible?: Eligibility;
}

/** Options of `new OfferRanker(...)`. */
export interface OfferRankerOptions {
  /** The offer catalogue. A `"none"` offer (no incentive) is always a candidate even when not listed. */
  offers: Offer[];
  /**
   * Gross margin of an average order, in money, for value estimates. Without it (and without
   * `orderValue` in the context) the prior assumes orders of 100 money units: pass it. A value of
   * at most 1 is read as a share of the order value, i.e. as `marginRate` (an error if a
   * different, non-default `marginRate` is given too).
   */
  margin?: number;
  /** Gross margin as a share of the order value (0–1). Default 0.3. */
  marginRate?: number;
  /** Share of traffic that explores. Default 0.1. */
  exploration?: number;
  /** Pending events kept for `reward`; an event expires after `capacity` later events. Default 1000. */
  capacity?: number;
  seed?: number;
  /**
   * Name of this copy of the policy (a worker, a tab): part of every event id, so a fleet that
   * loaded the same bytes never mints the same id. Letters, digits, `_`, `.`, `:`; at most 64.
   */
  instance?: string;
  /**
   * Share of customers (0–0.5, by a fixed hash of `context.customer`, which it then requires) held
   * out as a control group that always gets `"none"`, so lift can be measured. Default 0.
   */
  controlShare?: number;
}

/** Who the offer is for. */
export interface OfferContext {
  customer?: string;
  /** Churn risk (0–1), e.g. from `ChurnModel.score`. */
  risk: number;
  /** Customer lifetime value (money). */
  clv: number;
  segment?: string;
  /** Expected order value, to price percent offers. */
  orderValue?: number;
  /** Extra numeric features for the ranker. */
  features?: { [name: string]: number };
}

/** One offer in a ranking. */
export interface RankedOffer {
  offer: string;
  /** The chance the ranker shows this offer first (log it for off-policy evaluation). */
  probability: number;
  /** Expected value of showing it: expected margin from the order minus the offer's cost. */
  expectedValue: number;
  /** Plain-language reason. */
  reason: string;
}

/** The answer of `ranker.rank`: the first entry is the offer to show. */
export interface Ranking {
  /** Pass to `reward` once the outcome is known. */
  eventId: string;
  /** The version of the policy that ranked. */
  policyVersion: number;
  ranking: RankedOffer[];
  /** The record to log (plain JSON); add `reward` once the outcome is known and pass it to `learn`. */
  decision: Decision;
}

/** A logged decision of `rank`, plain JSON. */
export interface Decision {
  eventId: string;
  policyVersion: number;
  /** `Date.now()` when ranked. */
  time: number;
  customer?: string;
  /** The context the ranker used. */
  context: OfferContext;
  /** Every eligible offer, best first. */
  eligible: string[];
  /** The offer shown. */
  offer: string;
  /** The probability with which it was shown (marginal over customers when there is a control group). */
  probability: number;
  /** The customer is in the control group (shown `"none"`). */
  control: boolean;
  /** For a control customer, the offer the policy would have shown. */
  intended?: string;
}

/** A decision record joined with its outcome, for `learn` and `report`. */
export interface DecisionOutcome extends Decision {
  /** What the decision earned (margin net of the offer's cost; 0 for no order in the window). */
  reward: number;
}

/** A logged decision, for off-policy evaluation. */
export interface LoggedDecision {
  context: OfferContext;
  offer: string;
  /** The probability with which the logging policy chose `offer`. */
  probability: number;
  reward: number;
}

/** Off-policy estimates of a policy's mean reward per decision. */
export interface PolicyValue {
  /** Inverse propensity scoring. */
  ips: number;
  /** Self-normalised IPS. */
  snips: number;
  /** Doubly robust. */
  dr: number;
}

/** `ranker.report(records)`. NaN where a group is empty. */
export interface LiftReport {
  control: { shown: number; meanReward: number };
  offers: {
    [offer: string]: {
      shown: number;
      meanReward: number;
      /** Control records whose `intended` offer this is. */
      controlShown: number;
      /** Mean reward minus that of its control records (money per decision). */
      lift: number;
      liftInterval: [number, number];
      /** The control's purchase rate times the offer's expected cost per order, over its records. */
      costToBuyersAnyway: number;
    };
  };
  total: { incrementalMargin: number; interval: [number, number] };
}

/** A learning ranker of retention offers (a contextual bandit): ranks, learns from rewards. */
export class OfferRanker implements Disposable {
  constructor(options: OfferRankerOptions);
  /**
   * Loads saved bytes. `instance` renames the loaded copy (part of every later event id): each
   * worker of a fleet that loads the same bytes, and each reload, should pass its own.
   */
  static fromBytes(bytes: Bytes, options?: { instance?: string }): OfferRanker;
  /** Ranks the eligible offers for one customer; the first is the one to show. */
  rank(context: OfferContext): Ranking;
  /** Feeds back the outcome of a ranked event, e.g. the margin earned after the offer (0 if no order). */
  reward(eventId: string, reward: number): void;
  /** Estimates how `policy` (default: this ranker) would have done on a logged history. */
  evaluate(log: LoggedDecision[], policy?: OfferRanker): PolicyValue;
  /** Rewards received so far. */
  readonly rewardsSeen: number;
  /** 0 when created; bumped by every `reward` and every `learn` batch that applied a record. */
  readonly policyVersion: number;
  /** The `instance` name given at construction (`""` when none). */
  readonly instance: string;
  /**
   * Learns from logged decision records with their rewards (direct-method ridge updates). All or
   * nothing: one bad record rejects the batch with its row number. A record learned before (same
   * `eventId`) is skipped, so a batch may be replayed.
   */
  learn(records: DecisionOutcome[]): { applied: number; skipped: number; policyVersion: number };
  /** Per offer: rewards learned, their mean and its 95 % interval (NaN where too few). */
  stats(): { [offer: string]: { shown: number; meanReward: number; valueInterval: [number, number] } };
  /** The lift of each offer against the control customers the policy intended it for, with 95 % intervals. */
  report(records: DecisionOutcome[]): LiftReport;
  toBytes(): Uint8Array;
  free(): void;
}
export interface OfferRanker extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it

/** What `OfferSimulator.run` reports: expected cumulative rewards (money) over the rounds. */
export interface SimulationReport {
  rounds: number;
  /** The ranker's expected reward (true effects, its actual choices). */
  ranker: number;
  /** The rewards the ranker was actually fed (with the simulated luck). */
  rankerRealized: number;
  /** The best possible policy, which knows the true effects. */
  oracle: number;
  /** Always "none" (no incentive). */
  none: number;
  /** Always the same offer, by offer id. */
  fixed: { [offer: string]: number };
  /** (ranker − none) / (oracle − none): the share of the possible gain the ranker captured. */
  capturedShare: number;
}

/** Options of `new OfferSimulator(...)`. */
export interface OfferSimulatorOptions {
  /** The simulated shop: "standard" (default) or "alternative" (other true effects, order values in the context). */
  setup?: "standard" | "alternative";
  seed?: number;
}

/**
 * A simulated shop whose true reaction to each offer is known per segment (customers who buy
 * anyway, offers that lose money on some customers, a gift that works only on loyal segments):
 * to see an `OfferRanker` learn, and to check off-policy estimates against the truth.
 */
export class OfferSimulator implements Disposable {
  constructor(options?: OfferSimulatorOptions);
  /** Options for an `OfferRanker` on this shop: `{ offers, margin, marginRate, seed }`. */
  rankerOptions(seed?: number): OfferRankerOptions;
  /** Runs `rounds` customers past `ranker`, feeding back the rewards; the expected totals of each policy. */
  run(ranker: OfferRanker, rounds: number): SimulationReport;
  /** The fleet's loop: ranks `batch` customers with `ranker` frozen, then `learn`s from their records; `rounds` in all. */
  runBatched(ranker: OfferRanker, rounds: number, batch: number): SimulationReport;
  /** A log of `rows` decisions by a uniform-random policy, with realised rewards (for `evaluate`). */
  uniformLog(rows: number): LoggedDecision[];
  /** The true mean reward per customer of `ranker`'s current policy, over `customers` simulated customers. */
  policyValue(ranker: OfferRanker, customers: number, seed?: number): number;
  free(): void;
}
export interface OfferSimulator extends Disposable {} // free(), and [Symbol.dispose]() where the lib has it
