// Data benchmarks, Tulpar (tulc -O2) side by side with Node: json (fromJson/toJson of a generated,
// deterministic 10 MB document in bench/out/) and strings (N appends, push+join, split+join).
// Best of RUNS per phase (times measured inside each program), plus the best process CPU time
// (user+sys from /usr/bin/time; for json, CPU per phase from the programs' read/parse/both modes). Usage: node bench/data/run.mjs [json] [strings]
// Environment: RUNS (3), APPEND_N (100000 `s = s + "x"` appends: quadratic in Tulpar, 1000000 takes
// ~100 s there, so run that as APPEND_N=1000000 RUNS=1), PUSH_N (1000000 push + join), SPLIT_M
// (250000 repeats of a 23-byte chunk, split on "," and joined with ";").
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const out = path.join(root, "bench", "out");
const RUNS = Number(process.env.RUNS ?? 3);
const APPEND_N = process.env.APPEND_N ?? "100000";
const PUSH_N = process.env.PUSH_N ?? "1000000";
const SPLIT_M = process.env.SPLIT_M ?? "250000";
const JSON_DOC = path.join(out, "data-10mb.json");

// A deterministic pseudo-random generator (LCG) so the document is the same on every machine.
function lcg(seed) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
}

// About 10 MB of records mixing every value kind, escapes and non-ASCII text.
function makeDoc() {
  const rnd = lcg(42), words = ["alpha", "beta", "gamma", "Δέλτα", "éclair", "日本", "quote\"d", "tab\tbed", "new\nline", "x"];
  const records = [];
  let size = 0;
  for (let i = 0; size < 10 * 1024 * 1024; i++) {
    const r = {
      id: i, name: `user_${rnd() % 100000}`, active: rnd() % 2 === 0, score: (rnd() % 1000000) / 100 + 0.25,
      ratio: rnd() / 4294967296, big: rnd() * 1000003, tags: [words[rnd() % 10], words[rnd() % 10]],
      address: { city: words[rnd() % 10], zip: String(rnd() % 99999).padStart(5, "0"), geo: [rnd() % 180 - 90.5, rnd() % 360 - 180.5] },
      note: rnd() % 3 === 0 ? null : `${words[rnd() % 10]} ${words[rnd() % 10]} 😀`,
    };
    size += JSON.stringify(r).length + 1;
    records.push(r);
  }
  return JSON.stringify({ version: 1, records });
}

function build(name, dir) {
  const bin = path.join(out, `${name}-tul`);
  execFileSync(path.join(root, "bin", "tulc"), ["build", path.join(root, "bench", dir, `${name}.tul`), "-O2", "-o", bin], { stdio: "inherit" });
  return bin;
}

// Runs cmd once under /usr/bin/time; returns the "key value" lines it printed and its CPU seconds.
function runOnce(cmd, args) {
  const r = spawnSync("/usr/bin/time", ["-f", "CPU %U %S", cmd, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const vals = {};
  for (const line of r.stdout.trim().split("\n")) {
    const [k, ...v] = line.split(" ");
    vals[k] = k.endsWith("_ms") ? Number(v[0]) : v.join(" ");
  }
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  vals.cpu_ms = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN;
  return vals;
}

// Best of RUNS for every numeric value; the other values must agree between runs.
function best(cmd, args) {
  let acc = null;
  for (let i = 0; i < RUNS; i++) {
    const v = runOnce(cmd, args);
    if (!acc) acc = v;
    else for (const k of Object.keys(v)) if (typeof v[k] === "number") acc[k] = Math.min(acc[k], v[k]);
  }
  return acc;
}

function table(title, phases, tul, node, targets) {
  console.log(`\n${title}  (best of ${RUNS}, ms)`);
  console.log("phase                    tulpar       node   tulpar/node   target");
  for (const p of phases) {
    const ratio = tul[p] / node[p], target = targets[p];
    const verdict = target === undefined ? "" : `${ratio <= target ? "ok" : "MISSED"} (<= ${target}x)`;
    console.log(`${p.padEnd(22)} ${tul[p].toFixed(1).padStart(9)} ${node[p].toFixed(1).padStart(10)} ${(ratio.toFixed(2) + "x").padStart(12)}   ${verdict}`);
  }
}

// Wall times measured inside the programs, and CPU per phase as differences of whole-process CPU
// times between the modes "read", "parse" and "both" (the machine may be loaded: CPU is steadier).
function jsonSide(cmd, pre) {
  const read = best(cmd, [...pre, JSON_DOC, "read"]), parse = best(cmd, [...pre, JSON_DOC, "parse"]);
  const both = best(cmd, [...pre, JSON_DOC, "both"]);
  return {
    records: both.records, parse_ms: both.parse_ms, serialise_ms: both.serialise_ms, total_ms: both.parse_ms + both.serialise_ms,
    cpu_parse_ms: parse.cpu_ms - read.cpu_ms, cpu_serialise_ms: both.cpu_ms - parse.cpu_ms, cpu_total_ms: both.cpu_ms - read.cpu_ms,
    cpu_process_ms: both.cpu_ms,
  };
}

function jsonBench() {
  if (!existsSync(JSON_DOC)) writeFileSync(JSON_DOC, makeDoc());
  const bin = build("json", "json");
  const tul = jsonSide(bin, []), node = jsonSide("node", [path.join(root, "bench", "json", "json.mjs")]);
  if (tul.records !== node.records) throw new Error(`json: record counts differ: ${tul.records} / ${node.records}`);
  table(`json: 10 MB document, ${tul.records} records`,
    ["parse_ms", "serialise_ms", "total_ms", "cpu_parse_ms", "cpu_serialise_ms", "cpu_total_ms", "cpu_process_ms"], tul, node,
    { total_ms: 1.5, cpu_total_ms: 1.5 });
}

function stringsBench() {
  const bin = build("strings", "strings");
  const args = [APPEND_N, PUSH_N, SPLIT_M];
  const tul = best(bin, args), node = best("node", [path.join(root, "bench", "strings", "strings.mjs"), ...args]);
  if (tul.sizes !== node.sizes) throw new Error(`strings: sizes differ: ${tul.sizes} / ${node.sizes}`);
  table(`strings: ${APPEND_N} appends, ${PUSH_N} push+join, split+join of ${SPLIT_M} x 23 bytes`, ["append_ms", "pushjoin_ms", "splitjoin_ms", "cpu_ms"], tul, node,
    { append_ms: 1.0, pushjoin_ms: 1.0, splitjoin_ms: 1.0 });
}

mkdirSync(out, { recursive: true });
const which = process.argv.slice(2).length ? process.argv.slice(2) : ["json", "strings"];
if (which.includes("json")) jsonBench();
if (which.includes("strings")) stringsBench();
