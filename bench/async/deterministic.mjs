// The cost of deterministic mode (docs/reference.md §17) on the yields workload (b): 1,000 tasks x
// 1,000 `await sleep_async(0)`, run normally, with TULPAR_DETERMINISTIC=0 (virtual clock, FIFO) and
// with a shuffling seed. Runs alternate between the modes (so load drifts hit all of them alike);
// prints the best of RUNS per mode and its ratio to the normal run (issue target: at most 1.10x).
// Usage: node bench/async/deterministic.mjs        (RUNS=5 by default)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..", "..");
const out = path.join(root, "bench", "out");
const RUNS = Number(process.env.RUNS ?? 5);

const MODES = [
  { name: "normal", env: {} },
  { name: "deterministic, seed 0", env: { TULPAR_DETERMINISTIC: "0" } },
  { name: "deterministic, seed 42", env: { TULPAR_DETERMINISTIC: "42" } },
];

mkdirSync(out, { recursive: true });
const exe = path.join(out, "async-yields-tul");
execFileSync(path.join(root, "bin", "tulc"), ["build", path.join(here, "yields.tul"), "-o", exe], { stdio: "inherit" });

const best = MODES.map(() => Infinity);
for (let i = 0; i < RUNS; i++) {
  MODES.forEach((m, k) => {
    const env = { ...process.env, ...m.env };
    if (!m.env.TULPAR_DETERMINISTIC) delete env.TULPAR_DETERMINISTIC;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(exe, [], { env, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 || r.stdout.trim() !== "1000000") throw new Error(`${m.name}: wrong output or failure: ${r.stdout}${r.stderr}`);
    best[k] = Math.min(best[k], ms);
  });
}
console.log(`(b) 1,000 tasks x 1,000 yields, best of ${RUNS}`);
MODES.forEach((m, k) => console.log(`  ${m.name.padEnd(24)} ${best[k].toFixed(0).padStart(6)} ms  ${(best[k] / best[0]).toFixed(2)}x normal`));
