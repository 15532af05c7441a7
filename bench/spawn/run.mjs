// spawn benchmarks, side by side in one run: (1) two halves of a prime count spawned on two workers
// against the same halves one after the other (in one program, primes.tul); (2) 100,000 spawns of
// a two-int add, awaited, against Go's 100,000 goroutines sending on a channel or joined with a
// WaitGroup (tiny.tul, go/tiny.go); (3) an allocation-heavy workload on the main thread of a
// program that never spawns against the same workload once workers exist (alloc.tul,
// alloc_threads.tul) and, when BASELINE_TULC names the tulc of another checkout, against that
// compiler's build of alloc.tul (before/after a runtime change). Best of RUNS (default 5), runs
// interleaved.
// Usage: node bench/spawn/run.mjs [primes|tiny|alloc ...]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..", "..");
const out = path.join(root, "bench", "out");
const RUNS = Number(process.env.RUNS ?? 5);
mkdirSync(out, { recursive: true });

function tulc(src, exe, compiler = path.join(root, "bin", "tulc")) {
  execFileSync(compiler, ["build", path.join(here, src), "-O2", "-o", path.join(out, exe)], { stdio: "inherit" });
  return path.join(out, exe);
}

function runOnce(cmd, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, [], { env: { ...process.env, ...env }, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/** Best wall time of each entry ([cmd, env]), the runs interleaved; outputs must agree. */
function best(entries) {
  const res = entries.map(() => ({ ms: Infinity, stdout: "" }));
  for (let i = 0; i < RUNS; i++) entries.forEach(([cmd, env], k) => {
    const r = runOnce(cmd, env);
    if (r.ms < res[k].ms) res[k] = r;
  });
  const outs = new Set(res.map((r) => r.stdout.trim().split("\n").pop()));
  if (outs.size > 1) throw new Error(`outputs differ: ${[...outs].join(" / ")}`);
  return res;
}

function primes() {
  const exe = tulc("primes.tul", "spawn-primes");
  let top = null;
  for (let i = 0; i < RUNS; i++) {
    const s = runOnce(exe).stdout;
    const v = (k) => Number(new RegExp(`^${k} (\\S+)`, "m").exec(s)[1]);
    const r = { seq: v("sequential_ms"), par: v("spawned_ms") };
    if (!top || r.seq / r.par > top.seq / top.par) top = r;
  }
  console.log(`(1) prime count below 6,000,000 in two halves: one after the other ${top.seq} ms, spawned ${top.par} ms: ${(top.seq / top.par).toFixed(2)}x (target >= 1.8x)`);
}

function tiny() {
  const tul = tulc("tiny.tul", "spawn-tiny");
  const go = path.join(out, "spawn-tiny-go");
  execFileSync("go", ["build", "-o", go, "."], { cwd: path.join(here, "go") });
  const [t, g, w, g1] = best([[tul, {}], [go, {}], [go, { MODE: "wg" }], [go, { GOMAXPROCS: "1" }]]);
  const fast = Math.min(g.ms, w.ms);
  console.log(`(2) 100,000 spawns of add(a, b), awaited: tulpar ${t.ms.toFixed(0)} ms, go goroutines + channel ${g.ms.toFixed(0)} ms, go goroutines + WaitGroup ${w.ms.toFixed(0)} ms, go GOMAXPROCS=1 (channel) ${g1.ms.toFixed(0)} ms: tulpar / faster go ${(t.ms / fast).toFixed(2)}x (target <= 2x)`);
}

function alloc() {
  const single = tulc("alloc.tul", "spawn-alloc");
  const threads = tulc("alloc_threads.tul", "spawn-alloc-threads");
  const entries = [[single, {}], [threads, {}]];
  const baseline = process.env.BASELINE_TULC;
  if (baseline && existsSync(baseline)) entries.push([tulc("alloc.tul", "spawn-alloc-baseline", baseline), {}]);
  const [s, th, b] = best(entries);
  let line = `(3) allocation workload (3,000,000 rounds) on the main thread: never spawns ${s.ms.toFixed(0)} ms, workers live ${th.ms.toFixed(0)} ms (${(th.ms / s.ms).toFixed(2)}x)`;
  if (b) line += `, built by ${baseline} ${b.ms.toFixed(0)} ms (this build ${(s.ms / b.ms).toFixed(2)}x of it)`;
  console.log(line);
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`best of ${RUNS}; ${cpus().length} CPUs, load average ${load()} (1/5/15 min)`);
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ["primes", "tiny", "alloc"];
for (const w of chosen) ({ primes, tiny, alloc })[w]();
console.log(`load average after: ${load()}`);
