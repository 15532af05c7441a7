// Cancellation benchmarks (docs/reference.md §14), our binary and its peer side by side:
// (s) 100,000 sleeping tasks in one scope, one fails after 10 ms: time until the scope re-throws,
//     against Go's errgroup pattern (context cancellation of 100,000 goroutines blocked in select),
//     GOMAXPROCS=1 and default; best of RUNS (default 5), as each program measures itself.
// (t) `await timeout(1000, p)` of a settled promise against a plain `await p`, 1,000,000 times.
// Usage: node bench/cancel/run.mjs [s|t ...]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..", "..");
const out = path.join(root, "bench", "out");
const RUNS = Number(process.env.RUNS ?? 5);
mkdirSync(out, { recursive: true });

function build(name) {
  const exe = path.join(out, `cancel-${name}`);
  execFileSync(path.join(root, "bin", "tulc"), ["build", path.join(here, `${name}.tul`), "-o", exe], { stdio: "inherit" });
  return exe;
}

/** Best (lowest) of RUNS of the first number a program prints. */
function best(cmd, args, env = {}) {
  let min = Infinity, text = "";
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    const v = Number(/([\d.]+) ms/.exec(r.stdout)?.[1]);
    if (v < min) (min = v), (text = r.stdout.trim());
  }
  return { ms: min, text };
}

function scopeFail() {
  console.log("\n(s) 100,000 sleeping tasks in one scope, one fails after 10 ms: time until re-thrown");
  const tul = build("scope_fail");
  const go = path.join(out, "cancel-go");
  execFileSync("go", ["build", "-o", go, "."], { cwd: path.join(here, "go"), env: { ...process.env, GOFLAGS: "-mod=mod" } });
  const t = best(tul, []);
  console.log(`  tulpar              ${t.ms.toFixed(1).padStart(8)} ms`);
  for (const [name, env] of [["go (GOMAXPROCS=1)", { GOMAXPROCS: "1" }], ["go (default)", {}]]) {
    const g = best(go, [], env);
    console.log(`  ${name.padEnd(19)} ${g.ms.toFixed(1).padStart(8)} ms   tulpar/go ${(t.ms / g.ms).toFixed(2)}x`);
  }
}

function timeoutReady() {
  console.log("\n(t) 1,000,000 x await timeout(1000, p) of a settled p, against a plain await p");
  const tul = build("timeout_ready");
  let bestRatio = Infinity, line = "";
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(tul, [], { encoding: "utf8" });
    const m = /plain ([\d.]+) ms timeout ([\d.]+) ms ratio ([\d.]+)/.exec(r.stdout);
    if (m && Number(m[3]) < bestRatio) (bestRatio = Number(m[3])), (line = `  plain await ${Number(m[1]).toFixed(1)} ms, timeout ${Number(m[2]).toFixed(1)} ms: ${Number(m[3]).toFixed(2)}x`);
  }
  console.log(line);
}

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ["s", "t"];
for (const w of chosen) (w === "s" ? scopeFail : timeoutReady)();
