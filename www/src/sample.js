// The embedded sample shop and the analysis settings the page uses; the browser test imports
// this file too, so that its Node-side answers are computed exactly as the page computes them.
export const SAMPLE = {
  url: "./sample/online-retail-sample.csv",
  name: "Online Retail sample shop (UK gift retailer, 2010–2011)",
  // Products are identified by StockCode (one code can have several spellings of its name);
  // `itemName` is the demo's own extra field: the column that names products on screen.
  mapping: { customer: "CustomerID", time: "InvoiceDate", quantity: "Quantity", price: "UnitPrice", item: "StockCode", invoice: "InvoiceNo", itemName: "Description" },
  currency: "GBP",
};

/** Options of the analysis: churn horizon in days and the seed of every seeded step. */
/** The mapping to pass to Transactions.fromCsv (without the demo's display-only fields). */
export const packageMapping = ({ itemName, ...mapping }) => mapping;

/** Import options: cancellations net against the purchases they cancel, so spend and CLV are real. */
export const IMPORT_OPTIONS = { netCancellations: true };

export const ANALYSIS = { horizon: 90, seed: 42, recommender: { algorithm: "auto" }, k: 6, offerWarmup: 2000 };
