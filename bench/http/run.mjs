// HTTP client bench: 2,000 small GETs against a loopback keep-alive Node server (own process), by
// the Tulpar client (http_request_async with TULPAR_HTTP_POOL = 4 and 64) and by Node's fetch at the
// same concurrency. Best of ROUNDS runs each; prints requests per second and CPU time (user + sys,
// all threads) per request, which stays meaningful when the machine is loaded.
// Usage: node bench/http/run.mjs [N]
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const N = Number(process.argv[2] ?? 2000);
const ROUNDS = 3;

function startServer() {
  const child = spawn(process.execPath, [path.join(HERE, "server.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => child.stdout.once("data", (d) => resolve({ child, port: Number(String(d).trim()) })));
}

/** Best (fastest) of ROUNDS runs of a client command printing "<ok> <ms>": {ms, cpuMs} (bash's
 *  `time` reports the client's user + sys CPU seconds). */
async function best(cmd, args, env) {
  let bestMs = Infinity, cpuMs = Infinity;
  const quoted = [cmd, ...args].map((a) => `'${a}'`).join(" ");
  for (let i = 0; i < ROUNDS; i++) {
    const { stdout, stderr } = await run("bash", ["-c", `TIMEFORMAT='%3U %3S'; time ${quoted}`], { env: { ...process.env, ...env } });
    const [ok, ms] = stdout.trim().split(/\s+/).map(Number);
    if (ok !== N) throw new Error(`${cmd}: only ${ok}/${N} requests succeeded`);
    const [user, sys] = stderr.trim().split("\n").pop().split(" ").map(Number);
    bestMs = Math.min(bestMs, ms);
    cpuMs = Math.min(cpuMs, (user + sys) * 1000);
  }
  return { ms: bestMs, cpuMs };
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), "tulpar-http-bench-"));
  const exe = path.join(work, "client");
  await run(path.join(ROOT, "bin", "tulc"), ["build", path.join(HERE, "client.tul"), "-O2", "-o", exe]);
  const { child, port } = await startServer();
  const env = { N: String(N), URL: `http://127.0.0.1:${port}/` };
  try {
    console.log(`${N} GETs against a loopback keep-alive Node server (best of ${ROUNDS})`);
    console.log("concurrency  tulpar req/s  node fetch req/s  tulpar CPU us/req  node CPU us/req");
    for (const conc of [4, 64]) {
      const t = await best(exe, [], { ...env, TULPAR_HTTP_POOL: String(conc) });
      const f = await best(process.execPath, [path.join(HERE, "fetch_client.mjs")], { ...env, CONCURRENCY: String(conc) });
      const rps = (r) => Math.round((N * 1000) / r.ms).toString();
      const cpu = (r) => Math.round((r.cpuMs * 1000) / N).toString();
      console.log(`${String(conc).padStart(11)}  ${rps(t).padStart(12)}  ${rps(f).padStart(16)}  ${cpu(t).padStart(17)}  ${cpu(f).padStart(15)}`);
    }
  } finally {
    child.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
