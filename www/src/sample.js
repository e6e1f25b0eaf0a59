// The embedded sample shop and the analysis settings the page uses; the browser test imports
// this file too, so that its Node-side answers are computed exactly as the page computes them.
export const SAMPLE = {
  url: "./sample/online-retail-sample.csv",
  name: "Online Retail sample shop (UK gift retailer, 2010–2011)",
  mapping: { customer: "CustomerID", time: "InvoiceDate", quantity: "Quantity", price: "UnitPrice", item: "Description", invoice: "InvoiceNo" },
  currency: "GBP",
};

/** Options of the analysis: churn horizon in days and the seed of every seeded step. */
export const ANALYSIS = { horizon: 90, seed: 42, recommender: { algorithm: "auto" }, k: 6, offerWarmup: 2000 };
