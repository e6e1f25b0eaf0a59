// The package as a user gets it: pkg/ packed with `npm pack` (or the tarball named by
// REGULARS_TGZ, e.g. the one `make pack` writes) and installed with `npm install` into a fresh
// temporary project, so the types tests see exactly the tarball's files and its exports map.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const NPM_QUIET = ["--no-audit", "--no-fund", "--loglevel=error"];

/** The tarball: REGULARS_TGZ if set, else `npm pack pkg/` into `dir`. */
export function packTarball(dir) {
  if (process.env.REGULARS_TGZ) return resolve(process.env.REGULARS_TGZ);
  const pkg = join(ROOT, "pkg");
  if (!existsSync(join(pkg, "package.json"))) throw new Error("pkg/ is missing: run `make build` first");
  execFileSync("npm", ["pack", pkg, "--pack-destination", dir, ...NPM_QUIET], { stdio: "pipe" });
  const tgz = readdirSync(dir).filter((f) => f.endsWith(".tgz"));
  if (tgz.length !== 1) throw new Error(`npm pack wrote ${tgz.length} tarballs in ${dir}`);
  return join(dir, tgz[0]);
}

/**
 * A temporary ESM project with the tarball installed as a dependency. Returns its directory and a
 * `cleanup()`; set KEEP_TMP=1 to keep it for inspection.
 */
export function installedProject(prefix = "regulars-types-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const tgz = packTarball(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  execFileSync("npm", ["install", tgz, "--offline", "--no-package-lock", ...NPM_QUIET], { cwd: dir, stdio: "pipe" });
  return { dir, tgz, cleanup: () => { if (!process.env.KEEP_TMP) rmSync(dir, { recursive: true, force: true }); } };
}
