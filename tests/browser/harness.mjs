// Shared helpers for the browser tests: a tiny static file server on 127.0.0.1 (free port) and
// Debian's chromium launched through playwright-core (no browser download).
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { importInstalled } from "../../scripts/installed-package.mjs";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm", ".csv": "text/csv; charset=utf-8",
  ".md": "text/markdown; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml", ".ts": "text/plain; charset=utf-8",
};

/** Serves `dir` (and optional extra mounts {"/pkg/": "/abs/pkg"}) on 127.0.0.1:<free port>. */
export async function serve(dir, mounts = {}) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://127.0.0.1");
      let path = decodeURIComponent(url.pathname);
      let base = dir;
      for (const [prefix, target] of Object.entries(mounts)) {
        if (path.startsWith(prefix)) { base = target; path = "/" + path.slice(prefix.length); break; }
      }
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) { res.writeHead(403).end(); return; }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Headless Debian chromium with the flags this machine needs (no network beyond loopback). */
export async function launchChromium(userDataDir) {
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  return chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Collects console errors and page errors; the tests fail if any were seen. */
export function watchErrors(page, sink) {
  page.on("console", (msg) => { if (msg.type() === "error") sink.push(`console: ${msg.text()}`); });
  page.on("pageerror", (err) => sink.push(`pageerror: ${err.message}`));
  page.on("requestfailed", (req) => sink.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`));
}

/** The package in Node, from the installed tarball (scripts/installed-package.mjs). */
export const importPackage = () => importInstalled();
