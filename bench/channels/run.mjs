// Channel benchmarks side by side in one run: Tulpar, Go (GOMAXPROCS=1) and Crystal (when
// installed) on (pingpong) 1,000,000 round trips over unbuffered channels, (buffered) 10,000,000
// values through a channel of capacity 128, (select) 1,000,000 selects over two ready channels,
// (idle) the memory of 1,000,000 idle unbuffered channels. Prints the best wall time of RUNS
// (default 1: the machine is shared) and the ratio to Go; for idle, bytes per channel from peak
// RSS (N channels minus N = 0, so the runtime's own footprint cancels out; the array slot holding
// each channel is included).
// Usage: node bench/channels/run.mjs [pingpong|buffered|select|idle ...]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..", "..");
const out = path.join(root, "bench", "out");
const RUNS = Number(process.env.RUNS ?? 1);
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

const WORKLOADS = {
  pingpong: { title: "1,000,000 unbuffered ping-pong round trips", n: 1000000, expect: "1000000" },
  buffered: { title: "10,000,000 values through a channel of capacity 128", n: 10000000, expect: "49999995000000" },
  select: { title: "1,000,000 selects over two ready channels", n: 1000000, expect: "1000000" },
  idle: { title: "memory of 1,000,000 idle unbuffered channels", n: 1000000, expect: "1000000" },
};

function build() {
  mkdirSync(out, { recursive: true });
  const bins = {};
  for (const w of Object.keys(WORKLOADS)) {
    bins[w] = path.join(out, `channels-${w}-tul`);
    execFileSync(path.join(root, "bin", "tulc"), ["build", path.join(here, `${w}.tul`), "-o", bins[w]], { stdio: "inherit" });
  }
  const peers = [];
  if (has("go")) {
    const go = path.join(out, "channels-go");
    execFileSync("go", ["build", "-o", go, "."], { cwd: path.join(here, "go"), env: { ...process.env, GOFLAGS: "-mod=mod" } });
    peers.push({ name: "go (GOMAXPROCS=1)", cmd: (w) => [go, w], env: { GOMAXPROCS: "1" } });
  }
  if (has("crystal")) {
    const cr = path.join(out, "channels-crystal");
    execFileSync("crystal", ["build", "--release", "--no-debug", "-o", cr, path.join(here, "channels.cr")], { stdio: "inherit" });
    peers.push({ name: "crystal", cmd: (w) => [cr, w] });
  }
  return [{ name: "tulpar", cmd: (w) => [bins[w]] }, ...peers];
}

function run(p, w, n) {
  let best = { ms: Infinity, kib: 0, ok: false };
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync("/usr/bin/time", ["-f", "RSS %M", ...p.cmd(w)], { env: { ...process.env, ...p.env, N: String(n) }, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const kib = Number(/RSS (\d+)/.exec(r.stderr)?.[1] ?? 0);
    if (ms < best.ms) best = { ms, kib, ok: r.status === 0, stdout: r.stdout.trim() };
  }
  return best;
}

const peers = build();
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(WORKLOADS);
console.log(`machine load (1 min): ${(await import("node:os")).loadavg()[0].toFixed(2)}, ${RUNS} runs each, best shown`);
for (const w of chosen) {
  const wl = WORKLOADS[w];
  console.log(`\n${wl.title}`);
  const rows = peers.map((p) => {
    const r = run(p, w, wl.n);
    const good = r.ok && r.stdout === wl.expect;
    if (w !== "idle") return { p, text: `${r.ms.toFixed(0).padStart(7)} ms`, value: r.ms, good };
    const base = run(p, w, 0);
    const bytes = ((r.kib - base.kib) * 1024) / wl.n;
    return { p, text: `${bytes.toFixed(0).padStart(7)} bytes/channel (peak RSS ${(r.kib / 1024).toFixed(1)} MiB)`, value: bytes, good };
  });
  const go = rows.find((r) => r.p.name.startsWith("go"));
  for (const r of rows) {
    const ratio = go ? `  ${(r.value / go.value).toFixed(2)}x go` : "";
    console.log(`  ${r.p.name.padEnd(18)} ${r.text}${ratio}${r.good ? "" : "  (WRONG OUTPUT or failed)"}`);
  }
}
