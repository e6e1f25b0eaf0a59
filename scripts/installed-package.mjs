// The package as a user gets it: the tarball `make pack` writes (regulars-<version>.tgz at the
// repository root, or REGULARS_TGZ) installed with npm into a temporary project,
// target/installed/<hash of the tarball>/. Tests, the demo and the benches import the package from
// there, so they use exactly the tarball's files and its exports map. The install is reused while
// the tarball's hash is unchanged.
//   node scripts/installed-package.mjs   # installs (if needed) and prints the project's directory
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const NPM_QUIET = ["--no-audit", "--no-fund", "--loglevel=error"];

/** The tarball `make pack` writes: REGULARS_TGZ if set, else regulars-<npm/package.json version>.tgz. */
export function tarballPath() {
  if (process.env.REGULARS_TGZ) return resolve(process.env.REGULARS_TGZ);
  const { version } = JSON.parse(readFileSync(join(ROOT, "npm", "package.json"), "utf8"));
  const tgz = join(ROOT, `regulars-${version}.tgz`);
  if (!existsSync(tgz)) throw new Error(`${tgz} is missing: run \`make pack\` first`);
  return tgz;
}

/** Hex SHA-256 of a file, shortened: the cache key of everything installed from it. */
export function fileHash(file, length = 16) {
  return createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, length);
}

/** The files of a project directory (not its node_modules), sorted, for cache keys. */
function projectFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile() && !path.includes("node_modules")) files.push(path);
  }
  return files.sort();
}

/** One hash over several files' names and contents. */
function treeHash(files, length = 16) {
  const hash = createHash("sha256");
  for (const file of files) hash.update(file).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex").slice(0, length);
}

/**
 * Installs `tgz` into `dir` (a new project: package.json + npm install), atomically: into a
 * sibling temporary directory first, renamed into place when done, so concurrent test processes
 * never see half an install. `copyFrom`: a project to copy first (its files, not its
 * node_modules), e.g. an example with its own package.json.
 */
export function installInto(dir, tgz, { copyFrom } = {}) {
  if (existsSync(join(dir, ".installed"))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  if (copyFrom) cpSync(copyFrom, tmp, { recursive: true, filter: (src) => !/[\\/](node_modules|models)$/.test(src) });
  if (!existsSync(join(tmp, "package.json"))) {
    writeFileSync(join(tmp, "package.json"), JSON.stringify({ name: "regulars-consumer", private: true, type: "module" }, null, 2) + "\n");
  }
  // The package has no dependencies, so nothing but the tarball is fetched (--offline).
  execFileSync("npm", ["install", tgz, "--offline", "--no-package-lock", ...NPM_QUIET], { cwd: tmp, stdio: "pipe" });
  // A module whose dynamic import() resolves from inside the project, as the project's own code would.
  writeFileSync(join(tmp, "load.mjs"), "// import() as the project's own code would resolve it.\nexport const load = (specifier) => import(specifier);\n");
  writeFileSync(join(tmp, ".installed"), `${tgz}\n`);
  try {
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true }); // another process finished first
    if (!existsSync(join(dir, ".installed"))) throw err;
  }
  return dir;
}

/** The temporary project with the tarball installed: target/installed/<hash>/ (installed once). */
export function installedProject() {
  const tgz = tarballPath();
  const hash = fileHash(tgz);
  const base = join(ROOT, "target", "installed");
  const dir = join(base, hash);
  if (!existsSync(join(dir, ".installed"))) {
    installInto(dir, tgz);
    // Older installs of other tarballs are no longer needed.
    for (const old of readdirSync(base)) if (old !== hash && !old.includes(".tmp-")) rmSync(join(base, old), { recursive: true, force: true });
  }
  return { dir, tgz, hash };
}

/**
 * A copy of the project `source` (e.g. examples/edge-worker) with the tarball installed in it:
 * target/<name>/<hash of the tarball>/, made once per tarball.
 */
export function installedCopy(source, name) {
  const tgz = tarballPath();
  // Keyed by the tarball and the copied project's own files, so an edited example is re-copied.
  const dir = join(ROOT, "target", name, treeHash([tgz, ...projectFiles(source)]));
  return installInto(dir, tgz, { copyFrom: source });
}

/** node_modules/regulars inside the installed project. */
export function installedPackageDir() {
  return join(installedProject().dir, "node_modules", "regulars");
}

/** `import("regulars" + subpath)` resolved from the installed project (ESM conditions: node, import). */
export async function importInstalled(subpath = "") {
  const { load } = await import(pathToFileURL(join(installedProject().dir, "load.mjs")).href);
  return load(`regulars${subpath}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(installedProject().dir);
}
