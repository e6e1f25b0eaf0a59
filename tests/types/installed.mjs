// The package as a user gets it: the tarball `make pack` writes (or the one named by
// REGULARS_TGZ) installed with `npm install` into a fresh
// temporary project, so the types tests see exactly the tarball's files and its exports map.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tarballPath } from "../../scripts/installed-package.mjs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const NPM_QUIET = ["--no-audit", "--no-fund", "--loglevel=error"];

/** The tarball `make pack` wrote (or REGULARS_TGZ). */
export function packTarball() {
  return tarballPath();
}

/**
 * A temporary ESM project with the tarball installed as a dependency. Returns its directory and a
 * `cleanup()`; set KEEP_TMP=1 to keep it for inspection.
 */
export function installedProject(prefix = "regulars-types-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const tgz = packTarball();
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  execFileSync("npm", ["install", tgz, "--offline", "--no-package-lock", ...NPM_QUIET], { cwd: dir, stdio: "pipe" });
  return { dir, tgz, cleanup: () => { if (!process.env.KEEP_TMP) rmSync(dir, { recursive: true, force: true }); } };
}
