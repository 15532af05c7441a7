// CPU benchmarks: builds each workload in Tulpar (tulc -O2) and in C (clang-14 -O2 and gcc -O2),
// runs them side by side in one run (best of RUNS wall times, runs interleaved), checks the outputs agree and prints
// the ratio of Tulpar's time to each C build. BASELINE_TULC=<another checkout's bin/tulc> adds that
// compiler's build as one more column (before/after a change). Usage: node bench/run.mjs [workload ...]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const out = path.join(root, "bench", "out");
const RUNS = Number(process.env.RUNS ?? 5);
const BASELINE = process.env.BASELINE_TULC && existsSync(process.env.BASELINE_TULC) ? process.env.BASELINE_TULC : null;

// Inputs come from the environment so that no optimiser can fold them.
const WORKLOADS = {
  fib: { N: "42" },
  loopsum: { N: "1000000000" },
  sieve: { N: "20000000", R: "5" },
  tak: { X: "33", Y: "22", Z: "11" },
  ackermann: { M: "3", N: "12" },
  arraysum: { N: "1000000", R: "2000" },
};

function build(name) {
  const src = path.join(root, "bench", "cpu", name);
  const bins = { tulpar: path.join(out, `${name}-tul`), clang: path.join(out, `${name}-clang`), gcc: path.join(out, `${name}-gcc`) };
  execFileSync(path.join(root, "bin", "tulc"), ["build", `${src}.tul`, "-O2", "-o", bins.tulpar], { stdio: "inherit" });
  execFileSync("clang-14", ["-O2", `${src}.c`, "-o", bins.clang]);
  execFileSync("gcc", ["-O2", `${src}.c`, "-o", bins.gcc]);
  if (BASELINE) {
    bins.baseline = path.join(out, `${name}-tul-baseline`);
    execFileSync(BASELINE, ["build", `${src}.tul`, "-O2", "-o", bins.baseline], { stdio: "inherit" });
  }
  return bins;
}

function runOnce(bin, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, [], { env: { ...process.env, ...env }, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${bin} failed: ${r.stderr}`);
  return { ms, output: r.stdout };
}

/** Best of RUNS wall times for each binary, the runs interleaved (t c g t c g ...) so that a burst
 *  of load on the machine hits all three alike. */
function timeAll(bins, env) {
  const best = bins.map(() => ({ ms: Infinity, output: "" }));
  for (let i = 0; i < RUNS; i++) {
    bins.forEach((bin, k) => {
      const r = runOnce(bin, env);
      best[k] = { ms: Math.min(best[k].ms, r.ms), output: r.output };
    });
  }
  return best;
}

mkdirSync(out, { recursive: true });
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(WORKLOADS);
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`best of ${RUNS} runs, wall time in ms; ${cpus().length} CPUs, load average ${load()} (1/5/15 min)\n`);
console.log(`workload     tulpar   clang-14 -O2   gcc -O2   tulpar/clang   tulpar/gcc${BASELINE ? "   baseline   tulpar/baseline" : ""}`);
for (const name of names) {
  const bins = build(name);
  const env = WORKLOADS[name];
  const [t, c, g, b] = timeAll([bins.tulpar, bins.clang, bins.gcc, ...(BASELINE ? [bins.baseline] : [])], env);
  if (t.output !== c.output || c.output !== g.output) throw new Error(`${name}: outputs differ: ${t.output} / ${c.output} / ${g.output}`);
  const row = [name.padEnd(10), t.ms.toFixed(0).padStart(8), c.ms.toFixed(0).padStart(14), g.ms.toFixed(0).padStart(9),
    `${(t.ms / c.ms).toFixed(2)}x`.padStart(14), `${(t.ms / g.ms).toFixed(2)}x`.padStart(12)];
  if (b) row.push(b.ms.toFixed(0).padStart(10), `${(t.ms / b.ms).toFixed(2)}x`.padStart(17));
  console.log(row.join(" "));
}
console.log(`\nload average at the end: ${load()}`);
