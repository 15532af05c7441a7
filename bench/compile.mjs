// Compiler speed at scale (issue 17): `tulc build` of the generated 1k/10k/100k-line program at -O0
// and -O2, wall time and peak RSS, side by side with `go build` of its Go twin (bench/program-gen.mjs),
// plus `tulc build` of hello world. One run per cell; ratios against go build are printed.
//   node bench/compile.mjs [--sizes=1000,10000,100000] [--jobs=N]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import path from "node:path";
import { generateProgram, generateGoProgram } from "./program-gen.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const tulc = path.join(root, "bin", "tulc");
const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt;
const sizes = arg("sizes", "1000,10000,100000").split(",").map(Number);
const jobs = arg("jobs", "");
if (spawnSync("sh", ["-c", "command -v go"]).status !== 0) {
  console.error("bench/compile.mjs compares with `go build`: install Go first (Debian: apt-get install golang-go)");
  process.exit(2);
}

const dir = mkdtempSync(path.join(tmpdir(), "tulc-bench-"));
const gocache = path.join(dir, "gocache");

/** Runs a command under GNU time: wall seconds and peak RSS in MB (the largest process, clang or node). */
function measure(cmd, args, cwd = dir, env = {}) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  const [secs, kb] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { secs, mb: kb / 1024 };
}

/** The Go twin in a module of its own; GOCACHE is warmed with the standard library first (like a
 *  developer's machine), so each measured build compiles the program itself, never a cached copy. */
function goBuild(lines) {
  const mod = path.join(dir, `go${lines}`);
  mkdirSync(mod);
  writeFileSync(path.join(mod, "go.mod"), "module bench\n\ngo 1.19\n");
  writeFileSync(path.join(mod, "main.go"), generateGoProgram(lines));
  return measure("go", ["build", "-o", "prog", "."], mod, { GOCACHE: gocache, GOFLAGS: "" });
}

function warmGo() {
  const mod = path.join(dir, "gowarm");
  mkdirSync(mod);
  writeFileSync(path.join(mod, "go.mod"), "module warm\n\ngo 1.19\n");
  writeFileSync(path.join(mod, "main.go"), generateGoProgram(10));
  execFileSync("go", ["build", "-o", "prog", "."], { cwd: mod, env: { ...process.env, GOCACHE: gocache } });
}

function tulBuild(file, opt) {
  return measure(tulc, ["build", file, "-o", `${file}.O${opt}`, `-O${opt}`, ...(jobs ? ["-j", jobs] : [])]);
}

try {
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} at start`);
  const hello = path.join(dir, "hello.tul");
  writeFileSync(hello, 'print("Hello, world!");\n');
  tulBuild(hello, 0); // warms the runtime bitcode cache
  const h = [0, 1, 2].map(() => tulBuild(hello, 0).secs);
  console.log(`tulc build hello.tul -O0: ${Math.min(...h).toFixed(2)} s (best of 3)\n`);
  warmGo();
  const head = ["lines", "go build", "tulc -O0", "ratio", "tulc -O2", "ratio", "RSS go", "RSS -O0", "RSS -O2"];
  console.log(head.map((s) => s.padStart(9)).join(" "));
  for (const lines of sizes) {
    const file = path.join(dir, `p${lines}.tul`);
    writeFileSync(file, generateProgram(lines));
    const go = goBuild(lines), o0 = tulBuild(file, 0), o2 = tulBuild(file, 2);
    const s = (x) => `${x.secs.toFixed(2)} s`, ratio = (x) => `${(x.secs / go.secs).toFixed(2)}x`, mb = (x) => `${x.mb.toFixed(0)} MB`;
    console.log([String(lines), s(go), s(o0), ratio(o0), s(o2), ratio(o2), mb(go), mb(o0), mb(o2)].map((c) => c.padStart(9)).join(" "));
  }
  console.log(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(" ")} at end; targets (issue 17): 10k lines -O2 <= 2x go build, -O0 <= 1x; 100k -O2 < 30 s and < 1 GB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
