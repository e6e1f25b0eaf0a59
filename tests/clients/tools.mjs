//! The client tools (bundlers, runtimes, wrangler), installed from npm once into
//! target/clients/tools and reused while their pinned versions are unchanged. Pinned so that a
//! re-run tests the same tools; bump them here on purpose.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/installed-package.mjs";

export const CLIENTS_DIR = join(ROOT, "target", "clients");
export const TOOLS_DIR = join(CLIENTS_DIR, "tools");

const TOOL_VERSIONS = {
  esbuild: "0.28.2",
  webpack: "5.113.0",
  vite: "8.4.1",
  "@oven/bun-linux-x64": "1.4.5",
  deno: "2.9.6",
  wrangler: "4.168.0",
  // wrangler 4 needs Node >= 22.12; this is Node 22 from npm, used only to run wrangler.
  node: "22.23.3",
};

/** Installs the tools if needed (about 30 s once) and returns where each one is. */
export function tools() {
  const manifest = JSON.stringify({ name: "regulars-client-tools", private: true, dependencies: TOOL_VERSIONS }, null, 2) + "\n";
  const stamp = join(TOOLS_DIR, ".installed");
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== manifest) {
    rmSync(TOOLS_DIR, { recursive: true, force: true });
    mkdirSync(TOOLS_DIR, { recursive: true });
    writeFileSync(join(TOOLS_DIR, "package.json"), manifest);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: TOOLS_DIR, stdio: "pipe", timeout: 300_000 });
    writeFileSync(stamp, manifest);
  }
  const modules = join(TOOLS_DIR, "node_modules");
  return {
    esbuild: join(modules, ".bin", "esbuild"),
    webpack: join(modules, "webpack", "lib", "index.js"),
    vite: join(modules, "vite", "bin", "vite.js"),
    bun: join(modules, "@oven", "bun-linux-x64", "bin", "bun"),
    deno: join(modules, ".bin", "deno"),
    wrangler: join(modules, "wrangler", "bin", "wrangler.js"),
    node22: join(modules, ".bin", "node"),
  };
}
