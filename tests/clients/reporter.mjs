//! A node:test reporter for the client matrix: one line per client (✔/✖, name, seconds), the
//! failure's message under a failed one, and last the plain count line
//! "clients: N passed, N failed" that `make test` and CI read.
export default async function* clientsReporter(source) {
  let passed = 0;
  let failed = 0;
  for await (const { type, data } of source) {
    if ((type === "test:pass" || type === "test:fail") && data.nesting === 0) {
      const seconds = ((data.details?.duration_ms ?? 0) / 1000).toFixed(1);
      if (type === "test:pass" && !data.skip) {
        passed++;
        yield `✔ ${data.name} (${seconds} s)\n`;
      } else if (type === "test:fail") {
        failed++;
        const err = data.details?.error;
        const message = String(err?.cause?.stack ?? err?.cause ?? err?.message ?? err).split("\n").slice(0, 40).join("\n    ");
        yield `✖ ${data.name} (${seconds} s)\n    ${message}\n`;
      }
    } else if (type === "test:stderr" || type === "test:stdout") {
      yield data.message;
    }
  }
  yield `clients: ${passed} passed, ${failed} failed\n`;
}
