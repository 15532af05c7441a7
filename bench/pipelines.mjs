// The -O2 pass pipeline study (docs/decisions.md "The -O2 pass pipeline"): compiles the generated
// 1k/10k-line programs' IR with stock `clang-14 -O2` and with each candidate (other clang levels and
// flags, or an `opt-14 -passes=...` pipeline piped into `clang -O2 -Xclang -disable-llvm-passes`),
// CPU time (user+sys, best of 3, each candidate alternated with stock), then runs every bench/cpu
// workload built both ways (best of RUNS, interleaved) and prints the ratios to stock.
//   node bench/pipelines.mjs [candidate ...]     (RUNS=5 by default)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { generateProgram } from "./program-gen.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const RUNS = Number(process.env.RUNS ?? 5);
const dir = mkdtempSync(path.join(tmpdir(), "tulc-pipelines-"));
const WORKLOADS = {
  fib: { N: "42" }, loopsum: { N: "1000000000" }, sieve: { N: "20000000", R: "5" },
  tak: { X: "33", Y: "22", Z: "11" }, ackermann: { M: "3", N: "12" }, arraysum: { N: "1000000", R: "2000" },
};

// simplifycfg as LLVM 14's default<O2> parameterises it: early, in the simplification pipeline, late.
const cfg = (fwd, range, lookup, loops, hoist) =>
  `simplifycfg<bonus-inst-threshold=1;${fwd}forward-switch-cond;${range}switch-range-to-icmp;${lookup}switch-to-lookup;${loops}keep-loops;${hoist}hoist-common-insts;${hoist}sink-common-insts>`;
const SCE = cfg("no-", "no-", "no-", "", "no-"), SC = cfg("no-", "", "no-", "", "no-"), SCL = cfg("", "", "", "no-", "");
const EARLY = `inferattrs,function<eager-inv>(lower-expect,${SCE},sroa,early-cse<>),ipsccp,globalopt,deadargelim,function<eager-inv>(instcombine,${SC})`;
const VECTORIZE = `loop(loop-rotate,loop-deletion),loop-vectorize<no-interleave-forced-only;no-vectorize-forced-only;>,loop-load-elim,instcombine,${SCL}`;
/** lean: default<O2> without the passes that cannot fire on tulc's IR (OpenMP, coroutines, PGO-only,
 *  libcalls) and with one round fewer of InstCombine, JumpThreading and CVP, no loop-idiom, mldst,
 *  bdce, memcpyopt; `vectorizers` keeps the loop and SLP vectorisers. */
const lean = (vectorizers) =>
  `${EARLY},cgscc(devirt<4>(inline,function-attrs,function<eager-inv>(sroa,early-cse<memssa>,jump-threading,correlated-propagation,${SC},instcombine,tailcallelim,reassociate,loop-mssa(licm,loop-rotate,licm,simple-loop-unswitch<no-nontrivial;trivial>),${SC},loop(indvars,loop-deletion,loop-unroll-full),gvn<>,sccp,instcombine,adce,dse,loop-mssa(licm),${SC}))),globalopt,globaldce,function<eager-inv>(${vectorizers ? `${VECTORIZE},slp-vectorizer,vector-combine,instcombine,` : ""}loop-unroll<O2>,instcombine,div-rem-pairs,${SC}),globaldce,constmerge`;
/** minimal: one simplification round, tail calls and loops kept. */
const MINIMAL = `function<eager-inv>(${SCE},sroa,early-cse<>,instcombine,${SC}),cgscc(inline,function<eager-inv>(sroa,early-cse<memssa>,${SC},instcombine,tailcallelim,loop-mssa(licm,loop-rotate,licm),loop(indvars,loop-deletion),gvn<>,instcombine,${SC})),globaldce,function<eager-inv>(loop-unroll<O2>,instcombine,${SC})`;

const clang = (...flags) => `clang-14 -Wno-override-module -c -x ir ${flags.join(" ")}`;
const opt = (passes) => `opt-14 -mcpu=x86-64 -passes='${passes}' "$IN" | ${clang("-O2", "-Xclang", "-disable-llvm-passes")} - -o "$OUT"`;
/** Shell commands compiling $IN (IR text) to $OUT. `opt-O2` must give stock's objects byte for byte. */
const CANDIDATES = {
  stock: `${clang("-O2")} - -o "$OUT" < "$IN"`,
  O1: `${clang("-O1")} - -o "$OUT" < "$IN"`,
  "fast-isel": `${clang("-O2", "-mllvm", "-fast-isel")} - -o "$OUT" < "$IN"`,
  "opt-O2": `opt-14 -mcpu=x86-64 -O2 "$IN" | ${clang("-O2", "-Xclang", "-disable-llvm-passes")} - -o "$OUT"`,
  lean: opt(lean(true)),
  "lean-novec": opt(lean(false)),
  minimal: opt(MINIMAL),
};

/** Compiles `ll` with a candidate; CPU seconds of every process (GNU time counts waited-for children). */
function compile(cand, ll, obj) {
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", "sh", "-c", CANDIDATES[cand]], { encoding: "utf8", env: { ...process.env, IN: ll, OUT: obj } });
  if (r.status !== 0) throw new Error(`${cand} failed on ${ll}:\n${r.stderr}`);
  const [u, s] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return u + s;
}

function emitIr(src, name) {
  const ll = path.join(dir, `${name}.ll`);
  execFileSync(path.join(root, "bin", "tulc"), ["build", src, "-o", ll, "--emit-llvm", "-O2"]);
  return ll;
}

function link(obj, exe) {
  const rt = path.join(root, "build", "runtime");
  const libs = ["-luv", "-lgc", "-ldw", "-lelf", "-lutf8proc", "-lcurl", "-lpcre2-8", "-lcrypto", "-lm", "-lpthread"];
  execFileSync("clang-14", [obj, path.join(rt, "libtulrt_main.a"), path.join(rt, "libtulrt.a"), "-Wl,--as-needed", ...libs, "-o", exe]);
}

function run(exe, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(exe, [], { env: { ...process.env, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${exe} failed: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, out: r.stdout };
}

const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CANDIDATES).filter((c) => c !== "stock");
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`load average ${load()}; compile: CPU s (user+sys) best of 3 vs stock in alternation; runs: best of ${RUNS}, ratio to stock`);
const programs = [1000, 10000].map((n) => {
  const src = path.join(dir, `p${n}.tul`);
  writeFileSync(src, generateProgram(n));
  return { name: `p${n}`, ll: emitIr(src, `p${n}`) };
});
const kernels = Object.keys(WORKLOADS).map((w) => ({ name: w, ll: emitIr(path.join(root, "bench", "cpu", `${w}.tul`), w) }));
for (const k of kernels) {
  compile("stock", k.ll, `${k.ll}.stock.o`);
  link(`${k.ll}.stock.o`, `${k.ll}.stock`);
}
console.log(`${"candidate".padEnd(12)} ${programs.map((p) => `${p.name} stock/cand`.padStart(22)).join("")}  ${kernels.map((k) => k.name.padStart(10)).join("")}`);
for (const cand of names) {
  const cpu = programs.map((p) => {
    let s = Infinity, c = Infinity;
    for (let i = 0; i < 3; i++) {
      s = Math.min(s, compile("stock", p.ll, `${p.ll}.stock.o`));
      c = Math.min(c, compile(cand, p.ll, `${p.ll}.${cand}.o`));
    }
    return `${s.toFixed(2)}/${c.toFixed(2)} (${(c / s).toFixed(2)})`.padStart(22);
  });
  const ratios = kernels.map((k) => {
    compile(cand, k.ll, `${k.ll}.${cand}.o`);
    link(`${k.ll}.${cand}.o`, `${k.ll}.${cand}`);
    let s = Infinity, c = Infinity;
    for (let i = 0; i < RUNS; i++) {
      const a = run(`${k.ll}.stock`, WORKLOADS[k.name]), b = run(`${k.ll}.${cand}`, WORKLOADS[k.name]);
      if (a.out !== b.out) throw new Error(`${k.name}: ${cand} printed ${b.out}, stock ${a.out}`);
      s = Math.min(s, a.ms);
      c = Math.min(c, b.ms);
    }
    return `${(c / s).toFixed(3)}`.padStart(10);
  });
  console.log(`${cand.padEnd(12)} ${cpu.join("")}  ${ratios.join("")}`);
}
console.log(`load average at the end: ${load()}`);
rmSync(dir, { recursive: true, force: true });
