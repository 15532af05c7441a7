// HTTP server bench, side by side in one run: Tulpar's http_server (hello.tul), Go's net/http with
// GOMAXPROCS=1 (go/) and Node's http (hello.cjs), each answering "Hello, World!".
// (1) Throughput: each server pinned to CPU 0 (taskset), `wrk -t1 -c100` pinned to CPU 1, DURATION
//     seconds per run, ROUNDS runs interleaved; prints the best requests/s, the p99 latency of that
//     run, and the server's CPU time per request (user + sys of all its threads), which stays
//     meaningful when other work shares the machine.
// (2) Idle connections: IDLE (10,000) keep-alive connections, one request each, then held open:
//     the server's resident memory growth per connection.
// The script raises its file-descriptor limit first (re-running itself under `ulimit -n`).
// Usage: node bench/http/server/run.mjs [throughput|idle ...]   env: DURATION=5 ROUNDS=3 IDLE=10000
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..", "..");
const OUT = path.join(ROOT, "bench", "out");
const DURATION = Number(process.env.DURATION ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const IDLE = Number(process.env.IDLE ?? 10000);
const FD_LIMIT = 65536;

// ---------------------------------------------------------------- setup

function raiseFdLimit() {
  if (process.env.TUL_BENCH_FDS) return;
  const soft = Number(spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout);
  if (soft >= IDLE * 2 + 1000) return;
  const hard = spawnSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).stdout.trim();
  const want = hard === "unlimited" ? FD_LIMIT : Math.min(FD_LIMIT, Number(hard));
  const args = [process.execPath, ...process.argv.slice(1)].map((a) => `'${a}'`).join(" ");
  const r = spawnSync("sh", ["-c", `ulimit -n ${want} && exec ${args}`], { stdio: "inherit", env: { ...process.env, TUL_BENCH_FDS: "1" } });
  process.exit(r.status ?? 1);
}

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const pinned = has("taskset") && os.cpus().length >= 2;
const pin = (cpu, cmd) => (pinned ? ["taskset", "-c", String(cpu), ...cmd] : cmd);

function peers() {
  mkdirSync(OUT, { recursive: true });
  const tul = path.join(OUT, "http-server-tul");
  execFileSync(path.join(ROOT, "bin", "tulc"), ["build", path.join(HERE, "hello.tul"), "-o", tul], { stdio: "inherit" });
  const list = [{ name: "tulpar", cmd: [tul] }];
  if (has("go")) {
    const go = path.join(OUT, "http-server-go");
    execFileSync("go", ["build", "-o", go, "."], { cwd: path.join(HERE, "go"), env: { ...process.env, GOFLAGS: "-mod=mod" } });
    list.push({ name: "go net/http (GOMAXPROCS=1)", cmd: [go], env: { GOMAXPROCS: "1" } });
  }
  list.push({ name: "node http", cmd: [process.execPath, path.join(HERE, "hello.cjs")] });
  return list;
}

/** Starts a peer pinned to CPU 0; resolves {proc, port}. */
function start(p) {
  const [cmd, ...args] = pin(0, p.cmd);
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...p.env } });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.on("exit", (code) => reject(new Error(`${p.name} exited (${code}) before listening`)));
  });
}

async function stop(s) {
  const exited = new Promise((r) => s.proc.on("exit", r));
  s.proc.kill("SIGTERM");
  const t = setTimeout(() => s.proc.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(t);
}

/** CPU seconds (user + sys, every thread) of a process, from /proc. */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
}

// ---------------------------------------------------------------- (1) throughput

const latencyMs = (s) => { const m = /([\d.]+)(us|ms|s)/.exec(s); return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN; };

/** One wrk run; also wrk's own CPU time (GNU time), to tell whether the server or the load
 *  generator was the bottleneck. */
function wrk(port) {
  const timed = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "WRKCPU %U %S"] : [];
  const cmd = [...timed, ...pin(1, ["wrk", "-t1", "-c100", `-d${DURATION}s`, "--latency", `http://127.0.0.1:${port}/`])];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8" });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0);
  const total = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(r.stdout)?.[0] ?? "";
  const cpu = /WRKCPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  const wrkCpuUs = cpu ? ((Number(cpu[1]) + Number(cpu[2])) * 1e6) / Math.max(1, total) : NaN;
  return { rps, total, wrkCpuUs, p50: latencyMs(/ 50%\s+(\S+)/.exec(r.stdout)?.[1] ?? ""), p99: latencyMs(/ 99%\s+(\S+)/.exec(r.stdout)?.[1] ?? ""), errors };
}

async function throughput(list) {
  console.log(`\n(1) "Hello, World!" over 100 keep-alive connections: wrk -t1 -c100 -d${DURATION}s${pinned ? ", server on CPU 0, wrk on CPU 1" : " (not pinned: taskset or a second CPU missing)"}; best of ${ROUNDS}, runs interleaved`);
  const best = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of list) {
      const s = await start(p);
      spawnSync(pin(1, ["wrk"])[0], [...pin(1, ["wrk"]).slice(1), "-t1", "-c100", "-d1s", `http://127.0.0.1:${s.port}/`]); // warm-up
      const cpu0 = cpuSeconds(s.proc.pid);
      const r = wrk(s.port);
      r.cpuUs = ((cpuSeconds(s.proc.pid) - cpu0) * 1e6) / Math.max(1, r.total);
      await stop(s);
      if (!best.has(p.name) || r.rps > best.get(p.name).rps) best.set(p.name, r);
    }
  }
  const tul = best.get("tulpar");
  console.log(`  ${"server".padEnd(28)} ${"req/s".padStart(9)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"CPU/req".padStart(9)} ${"wrk CPU/req".padStart(12)}  tulpar vs it`);
  for (const [name, r] of best) {
    const ratio = name === "tulpar" ? "" : `${(tul.rps / r.rps).toFixed(2)}x req/s, ${(r.cpuUs / tul.cpuUs).toFixed(2)}x less CPU`;
    console.log(`  ${name.padEnd(28)} ${r.rps.toFixed(0).padStart(9)} ${(r.p50.toFixed(2) + "ms").padStart(8)} ${(r.p99.toFixed(2) + "ms").padStart(8)} ${(r.cpuUs.toFixed(1) + "us").padStart(9)} ${(r.wrkCpuUs.toFixed(1) + "us").padStart(12)}  ${ratio}${r.errors ? `  (${r.errors})` : ""}`);
  }
  console.log("  (CPU/req: the server's user + sys time per request; wrk CPU/req: the load generator's)");
}

// ---------------------------------------------------------------- (2) idle connections

async function idle(list) {
  console.log(`\n(2) ${IDLE.toLocaleString("en")} idle keep-alive connections (one request each, then held open): server resident memory`);
  for (const p of list) {
    const s = await start(p);
    spawnSync("wrk", ["-t1", "-c10", "-d1s", `http://127.0.0.1:${s.port}/`]); // warm-up: code and heap paged in
    await new Promise((r) => setTimeout(r, 300));
    const before = rssKiB(s.proc.pid);
    const client = spawn(process.execPath, [path.join(HERE, "idle.mjs"), String(s.port), String(IDLE)], { stdio: ["pipe", "pipe", "inherit"] });
    const ready = await new Promise((resolve) => {
      client.stdout.on("data", (d) => { if (/ready (\d+)/.test(String(d))) resolve(true); });
      client.on("exit", () => resolve(false));
    });
    await new Promise((r) => setTimeout(r, 500));
    const after = rssKiB(s.proc.pid);
    client.stdin.end();
    await new Promise((r) => client.on("exit", r));
    await stop(s);
    const per = ((after - before) * 1024) / IDLE;
    console.log(`  ${p.name.padEnd(28)} ${ready ? "" : "(FAILED to open every connection) "}${(before / 1024).toFixed(1).padStart(6)} MiB -> ${(after / 1024).toFixed(1).padStart(6)} MiB  ${(per / 1024).toFixed(2).padStart(6)} KiB per connection`);
  }
}

// ---------------------------------------------------------------- main

raiseFdLimit();
if (!has("wrk")) {
  console.log("wrk is not installed (apt-get install wrk)");
  process.exit(1);
}
const which = process.argv.slice(2);
const list = peers();
console.log(`load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}; ${os.cpus().length} CPUs`);
if (!which.length || which.includes("throughput")) await throughput(list);
if (!which.length || which.includes("idle")) await idle(list);
console.log(`\nload average after: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
