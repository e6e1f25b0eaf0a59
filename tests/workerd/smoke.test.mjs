// The package imported in workerd (its "workerd" export) answers a request: smoke/ is copied to
// target/workerd-smoke/<hash>/ with the tarball installed, and its config embeds node_modules/regulars/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startWorkerd, get } from "./run-workerd.mjs";
import { installedCopy } from "../../scripts/installed-package.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));

test("regulars imports and runs in workerd", { timeout: 60_000 }, async () => {
  const server = await startWorkerd(join(installedCopy(join(HERE, "smoke"), "workerd-smoke"), "config.capnp"));
  try {
    const { status, body } = await get(`${server.url}/`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.customers, 2);
    const ann = body.ids.indexOf("ann");
    assert.equal(body.frequency[ann], 1);
    assert.equal(body.T[ann], 4);
    assert.match(body.error ?? "", /time\[0\]/);
  } finally {
    await server.stop();
  }
});
