// Number formatting for marketers: money, percentages, dates, plain counts.
let currency = "GBP";
export const setCurrency = (c) => { currency = c; };
export function money(v, digits = 0) {
  if (!Number.isFinite(v)) return "–";
  if (!currency) return new Intl.NumberFormat("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
  return new Intl.NumberFormat("en-GB", { style: "currency", currency, maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}
/** Percent with one decimal ("72.9 %"); the browser test formats the package's numbers the same way. */
export function percent(v, digits = 1) {
  if (!Number.isFinite(v)) return "–";
  return `${(v * 100).toFixed(digits)} %`;
}
export const count = (v) => (Number.isFinite(v) ? new Intl.NumberFormat("en-GB").format(Math.round(v)) : "–");
export const date = (ms) => new Date(ms).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
/** A span of days in words ("same day", "12 days", "5 months"). */
export const days = (d) => (d < 1 ? "same day" : d < 1.5 ? "1 day" : d < 60 ? `${Math.round(d)} days` : `${Math.round(d / 30.44)} months`);
export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
