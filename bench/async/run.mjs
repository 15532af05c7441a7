// Async benchmarks side by side: Tulpar, Go, Node, Python asyncio (and Crystal if installed) on
// (a) 100,000 tasks that each sleep 10 ms, (b) 1,000 tasks x 1,000 yields, (c) 1,000,000 sleeping
// tasks. Prints wall time, peak RSS and RSS per task, best of RUNS. BASELINE_TULC=<another checkout's
// bin/tulc> adds that compiler's build of the Tulpar program. Usage: node bench/async/run.mjs [a|b|c ...]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, existsSync } from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..", "..");
const out = path.join(root, "bench", "out");
const RUNS = Number(process.env.RUNS ?? 3);
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

const WORKLOADS = {
  a: { title: "(a) 100,000 tasks x sleep_async(10)", env: { TASKS: "100000" }, tasks: 100000, expect: "100000" },
  b: { title: "(b) 1,000 tasks x 1,000 yields", env: { MODE: "yield" }, tasks: 1000, expect: "1000000" },
  c: { title: "(c) 1,000,000 sleeping tasks", env: { TASKS: "1000000" }, tasks: 1000000, expect: "1000000" },
};

function peers(w) {
  mkdirSync(out, { recursive: true });
  const tul = path.join(out, w === "b" ? "async-yields-tul" : "async-sleepers-tul");
  execFileSync(path.join(root, "bin", "tulc"), ["build", path.join(here, w === "b" ? "yields.tul" : "sleepers.tul"), "-o", tul], { stdio: "inherit" });
  const list = [{ name: "tulpar", cmd: [tul] }];
  const baseline = process.env.BASELINE_TULC; // another checkout's bin/tulc: before/after a change
  if (baseline && existsSync(baseline)) {
    execFileSync(baseline, ["build", path.join(here, w === "b" ? "yields.tul" : "sleepers.tul"), "-o", `${tul}-baseline`], { stdio: "inherit" });
    list.push({ name: "tulpar (baseline)", cmd: [`${tul}-baseline`] });
  }
  if (has("go")) {
    const go = path.join(out, "async-go");
    if (!existsSync(go)) execFileSync("go", ["build", "-o", go, "."], { cwd: path.join(here, "go"), env: { ...process.env, GOFLAGS: "-mod=mod" } });
    list.push({ name: "go (GOMAXPROCS=1)", cmd: [go], env: { GOMAXPROCS: "1" } });
  }
  list.push({ name: "node", cmd: ["node", path.join(here, "sleepers.js")] });
  if (has("python3") && w !== "c") list.push({ name: "python asyncio", cmd: ["python3", path.join(here, "sleepers.py")] });
  return list;
}

function measure(p, env) {
  let best = { ms: Infinity, kib: 0, ok: false };
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync("/usr/bin/time", ["-f", "RSS %M", ...p.cmd], { env: { ...process.env, ...env, ...p.env }, encoding: "utf8", maxBuffer: 1 << 26 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const kib = Number(/RSS (\d+)/.exec(r.stderr)?.[1] ?? 0);
    if (ms < best.ms) best = { ms, kib, ok: r.status === 0, stdout: r.stdout.trim() };
  }
  return best;
}

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(WORKLOADS);
for (const w of chosen) {
  const wl = WORKLOADS[w];
  console.log(`\n${wl.title}`);
  let base;
  for (const p of peers(w)) {
    const r = measure(p, wl.env);
    const good = r.ok && (p.name.startsWith("go") || r.stdout.endsWith(wl.expect));
    base ??= r.ms;
    const perTask = ((r.kib * 1024) / wl.tasks / 1024).toFixed(2);
    console.log(`  ${p.name.padEnd(18)} ${r.ms.toFixed(0).padStart(7)} ms  ${(r.kib / 1024).toFixed(1).padStart(8)} MiB peak  ${perTask.padStart(6)} KiB/task  ${(r.ms / base).toFixed(2)}x tulpar${good ? "" : "  (WRONG OUTPUT or failed)"}`);
  }
}
