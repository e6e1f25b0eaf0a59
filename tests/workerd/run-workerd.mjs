// Starts `workerd serve <config>` from node_modules on 127.0.0.1 with a port the OS picks
// (--socket-addr http=127.0.0.1:0), learns the port from workerd's control channel
// (--control-fd), and stops it again. Every wait is bounded. The tests and benches/cold_start.mjs
// both start workerd through here.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function startWorkerd(config, { timeoutMs = 30_000 } = {}) {
  const bin = join(ROOT, "node_modules", ".bin", "workerd");
  if (!existsSync(bin)) throw new Error("workerd is not installed: run npm ci");
  const started = performance.now();
  const child = spawn(bin, ["serve", config, "--socket-addr", "http=127.0.0.1:0", "--control-fd", "3"], {
    cwd: dirname(config),
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  const stop = () => new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => { clearTimeout(kill); ok(); });
    child.kill("SIGTERM");
  });
  const port = await new Promise((ok, fail) => {
    const timer = setTimeout(() => { stop(); fail(new Error(`workerd did not start within ${timeoutMs} ms:\n${log}`)); }, timeoutMs);
    let buffer = "";
    child.stdio[3].on("data", (d) => {
      buffer += d;
      for (const line of buffer.split("\n").slice(0, -1)) {
        try {
          const msg = JSON.parse(line);
          if (msg.event === "listen" && msg.socket === "http") { clearTimeout(timer); ok(msg.port); }
        } catch { /* not a control message */ }
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
    });
    child.on("exit", (code) => { clearTimeout(timer); fail(new Error(`workerd exited with ${code}:\n${log}`)); });
  });
  // startupMs: spawn to listening, what the cold-start bench (benches/cold_start.mjs) reports.
  const startupMs = performance.now() - started;
  return { url: `http://127.0.0.1:${port}`, port, startupMs, stop, log: () => log };
}

/** fetch with a time limit. */
export async function get(url, timeoutMs = 10_000) {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.json() };
}
