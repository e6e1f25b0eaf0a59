// A small RFC 4180 CSV reader for the demo's own needs: the header and preview shown in the
// column-mapping step, and each customer's purchase history in the customer view. The package's
// importer (Transactions.fromCsv) does the real import and its report; this only displays.

/** Splits CSV text into rows of cells (quoted fields, "" escapes, CRLF or LF). */
export function parseCsv(text, maxRows = Infinity) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      cell += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ",") { row.push(cell); cell = ""; i++; continue; }
    if (c === "\r" || c === "\n") {
      row.push(cell); cell = "";
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
      if (rows.length >= maxRows) return rows;
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      continue;
    }
    cell += c; i++;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Parses the time formats a shop export typically has; epoch ms or NaN. Mirrors the importer's
 *  accepted forms closely enough for display (ISO date/datetime, YYYYMMDD, M/D/YYYY H:MM). */
export function parseTime(text) {
  const s = text.trim();
  if (/^\d{8}$/.test(s)) return Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8));
  if (/^\d{10,13}$/.test(s)) return s.length === 13 ? +s : +s * 1000;
  let m = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?/);
  if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
  m = s.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/);
  if (m) return Date.UTC(+m[3], +m[1] - 1, +m[2], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
  return NaN;
}

/** Guesses the column mapping from header names (case-insensitive, common export spellings). */
export function guessMapping(header) {
  const find = (...patterns) => {
    for (const p of patterns) {
      const hit = header.find((h) => p.test(h.trim()));
      if (hit !== undefined) return hit;
    }
    return "";
  };
  return {
    customer: find(/^customer[ _-]?id$/i, /customer/i, /^(user|client|buyer|email)/i),
    time: find(/invoice[ _-]?date/i, /^(order[ _-]?)?date/i, /time|date/i),
    item: find(/^(sku|stock[ _-]?code|product[ _-]?id|item[ _-]?id)$/i, /^(item|product)$/i, /^description$/i, /product[ _-]?name/i),
    itemName: find(/^description$/i, /product[ _-]?name/i, /^(item|product)[ _-]?(name|title)$/i),
    quantity: find(/^qty$/i, /quantity/i),
    price: find(/unit[ _-]?price/i, /^price$/i),
    amount: find(/^(amount|total|revenue|value|order[ _-]?total|sales)$/i),
    invoice: find(/^invoice[ _-]?(no|number|id)?$/i, /^order[ _-]?(id|no|number)$/i),
  };
}
