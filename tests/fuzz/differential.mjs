// Differential fuzz: programs from the grammar-based generator (generate.mjs), a fixed seed and a
// fixed count. Each well-typed program must compile at -O0 and -O2 and print the same stdout, the
// same first stderr line and exit with the same status; each program with an injected type error
// must fail to compile with a positioned diagnostic (file:line:col) at the broken line, never an
// internal error. Failing programs are kept in the temporary folder it prints.
// Usage: node tests/fuzz/differential.mjs [count] (SEED=n for another sequence)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { generate } from "./generate.mjs";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const TULC = path.join(ROOT, "bin", "tulc");
const COUNT = Number(process.argv[2] ?? 24);
const SEED = Number(process.env.SEED ?? 20261202);
const INTERNAL = /internal (compiler )?error|Error: .*\n\s+at .*\.js:\d+|LLVM ERROR|Assertion .* failed|Segmentation|AddressSanitizer|runtime error:/i;

/** Runs a command; never throws: {status, stdout, stderr}. */
async function sh(cmd, args, timeout = 20000) {
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout, maxBuffer: 16 << 20 });
    return { status: 0, stdout, stderr };
  } catch (e) {
    return { status: e.code ?? e.signal ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const firstLine = (s) => s.split("\n")[0];

/** One well-typed program: built at both levels, outputs compared. Returns a problem or null. */
async function differential(dir, i, source) {
  const src = path.join(dir, `p${i}.tul`);
  writeFileSync(src, source);
  const outs = [];
  for (const level of ["-O0", "-O2"]) {
    const exe = path.join(dir, `p${i}${level}`);
    const b = await sh(TULC, ["build", level, src, "-o", exe], 60000);
    if (b.status !== 0) return `${src}: does not build at ${level}:\n${b.stderr}`;
    const r = await sh(exe, []);
    if (INTERNAL.test(r.stderr)) return `${src} (${level}): crashed:\n${r.stderr}`;
    outs.push(r);
  }
  const [a, b] = outs;
  if (a.status !== b.status || a.stdout !== b.stdout || firstLine(a.stderr) !== firstLine(b.stderr))
    return `${src}: -O0 and -O2 differ: status ${a.status} vs ${b.status}\n--- -O0\n${a.stdout}${a.stderr}\n--- -O2\n${b.stdout}${b.stderr}`;
  return null;
}

/** One program with a type error at `line`: a positioned diagnostic there, status 1. */
async function diagnosed(dir, i, source, line) {
  const src = path.join(dir, `bad${i}.tul`);
  writeFileSync(src, source);
  const b = await sh(TULC, ["build", src, "-o", path.join(dir, `bad${i}`)], 60000);
  if (INTERNAL.test(b.stderr)) return `${src}: internal error:\n${b.stderr}`;
  if (b.status !== 1) return `${src}: expected status 1, got ${b.status}\n${b.stderr}`;
  if (!new RegExp(`bad${i}\\.tul:${line}:\\d+: error`).test(b.stderr)) return `${src}: no diagnostic at line ${line}:\n${b.stderr}`;
  return null;
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "tulpar-differential-"));
  let passed = 0, failed = 0, next = 0;
  const worker = async () => {
    while (next < COUNT) {
      const i = next++;
      const broken = i % 4 === 3; // one program in four gets a type error
      const { source, errorLine } = generate(SEED + i, { broken });
      const problem = broken ? await diagnosed(dir, i, source, errorLine) : await differential(dir, i, source);
      if (problem) { failed++; console.log(`FAIL ${problem}\n`); } else passed++;
    }
  };
  await Promise.all([worker(), worker()]);
  if (failed === 0) rmSync(dir, { recursive: true, force: true });
  else console.log(`failing programs kept in ${dir}`);
  console.log(`differential: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main();
