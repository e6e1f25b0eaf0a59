//! Helpers for the client matrix: a fresh project per client under target/clients/<name>/ with the
//! packed tarball npm-installed in it and the shared job copied beside its entry; running a
//! command with a time limit; loading a built page in headless Chromium and reading its answer;
//! comparing two answers.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { tarballPath } from "../../scripts/installed-package.mjs";
import { launchChromium, serve, watchErrors } from "../browser/harness.mjs";
import { CLIENTS_DIR } from "./tools.mjs";

const execFileAsync = promisify(execFile);
const JOB = new URL("./job.mjs", import.meta.url);

/**
 * A new project target/clients/<name>/ (removed first): package.json (ESM unless `type` says
 * otherwise), `files` ({ relative path: text }), job.mjs, and the tarball installed with npm.
 */
export async function clientProject(name, files, { type = "module" } = {}) {
  const dir = join(CLIENTS_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `client-${name}`, private: true, type }, null, 2) + "\n");
  copyFileSync(JOB, join(dir, "job.mjs"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await run("npm", ["install", tarballPath(), "--offline", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir });
  return dir;
}

/** Runs a command (time limit 90 s); resolves to its stdout, rejects with its output. */
export async function run(cmd, args, { cwd, env, timeout = 90_000 } = {}) {
  try {
    const { stdout } = await execFileAsync(cmd, args, { cwd, env: { ...process.env, ...env }, timeout, maxBuffer: 64 << 20 });
    return stdout;
  } catch (err) {
    throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  }
}

/** The answer a client printed: the last line of its stdout, parsed. */
export function printedAnswer(stdout) {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/**
 * Serves `dir`, opens `page` in headless Chromium and returns the answer the page stored in
 * `window.__answer` (JSON text). A page error, a failed request or `window.__error` fails; with
 * `expectError`, returns the text of `window.__error` instead (null if the page succeeded).
 */
export async function answerInChromium(dir, page = "index.html", { expectError = false } = {}) {
  const server = await serve(dir);
  const profile = join(CLIENTS_DIR, ".chromium-profile");
  rmSync(profile, { recursive: true, force: true });
  let browser;
  try {
    browser = await launchChromium(profile);
    const tab = await browser.newPage();
    const errors = [];
    watchErrors(tab, errors);
    tab.on("response", (res) => { if (res.status() >= 400) errors.push(`HTTP ${res.status()} for ${res.url()}`); });
    await tab.goto(server.url + page);
    await tab.waitForFunction(() => window.__answer || window.__error, null, { timeout: 60_000 });
    const { answer, error } = await tab.evaluate(() => ({ answer: window.__answer, error: window.__error }));
    if (expectError) return error ?? null; // the page's own error, for tests of error messages
    if (error || errors.length) throw new Error(`in Chromium: ${[error, ...errors].filter(Boolean).join("\n")}`);
    return JSON.parse(answer);
  } finally {
    await browser?.close();
    await server.close();
  }
}

/** The first place where two answers differ ("path: a vs b"), or null when they are equal. */
export function firstDifference(a, b, path = "answer") {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  if (a && typeof a === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const diff = firstDifference(a[key], b[key], `${path}.${key}`);
      if (diff) return diff;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}
