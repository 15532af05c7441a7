// The cross test: builds the golden programs (tests/golden/**/*.tul, except `// compile-error` ones)
// with `tulc build --target aarch64-linux-gnu`, runs them under qemu-aarch64 and checks stdout, stderr
// patterns and exit status exactly as the native golden suite does. Skips (status 0) when qemu-aarch64
// or the aarch64 runtime (scripts/setup.sh --cross aarch64) is missing.
// Usage: node tests/cross/run.mjs [--target TRIPLE] [--require] [filter...]   (default target
// aarch64-linux-gnu; filters: substrings of program paths; --require: fail instead of skipping)
import { readFileSync, existsSync, mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execa } from "execa";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const TULC = path.join(ROOT, "bin", "tulc");
const ARGV = process.argv.slice(2);
const TRIPLE = optionValue(ARGV, "--target") ?? "aarch64-linux-gnu";
const QEMU = `qemu-${TRIPLE.split("-")[0]}`; // qemu-user names its binaries by the triple's arch
const RUNTIME = path.join(ROOT, `build-${TRIPLE}`, "runtime");
const OUT_DIR = path.join(ROOT, `build-${TRIPLE}`, "cross-tests");
const FILE_ARCH = { aarch64: /aarch64/i, x86_64: /x86-64/i, riscv64: /RISC-V/i, arm: /\bARM\b/ }; // file(1)'s words
// Programs whose expected output asserts wall-clock bounds (e.g. `took < 68.0`): emulation makes them
// slower than any native bound, so they are skipped here. A program can also say `// cross: skip <why>`.
const WALL_CLOCK_WHY = "asserts wall-clock bounds that do not hold under emulation";
const WALL_CLOCK = Object.fromEntries(
  [].map((n) => [n, WALL_CLOCK_WHY]), // none left: timing tests use the virtual clock (TULPAR_DETERMINISTIC)
);
const BUILD_TIMEOUT = 120_000; // ms for one `tulc build`
const TIME_FACTOR = 5; // emulation is slower: stretch each program's timeout

/** The value after `name` in argv (`--target riscv64-linux-gnu`), removing both from argv. */
function optionValue(argv, name) {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv.splice(i, 2)[1];
}

/** True when the emulator and the target's runtime are both installed. */
function available() {
  const qemu = spawnSync(QEMU, ["--version"], { stdio: "ignore" });
  const libs = ["libtulrt.a", "libtulrt_main.a"].every((f) => existsSync(path.join(RUNTIME, f)));
  return qemu.status === 0 && libs;
}

/**
 * Every runnable golden program, area by area, optionally filtered by path substrings: the golden
 * suite's own reader (dist/tests/golden/cases.js), minus compile-error cases and skipped ones.
 */
async function findCases(filters) {
  const { findCases: goldenCases } = await import(pathToFileURL(path.join(ROOT, "dist", "tests", "golden", "cases.js")).href);
  const cases = [];
  for (const c of goldenCases(filters)) {
    if (c.compileError) continue;
    const skip = c.crossSkip ?? WALL_CLOCK[c.name] ?? (c.tulcTest ? "a `tulc test` case (built for the host)" : undefined);
    if (skip) console.log(`skip ${c.name}: ${skip}`);
    else cases.push(c);
  }
  return cases;
}

/** Cross-builds one program, runs it under qemu and returns the list of problems (empty: passed). */
async function runCase(c) {
  const exe = path.join(OUT_DIR, c.name.replace(/[/\\]/g, "__").replace(/\.tul$/, ""));
  const build = await execa(TULC, ["build", c.file, "-o", exe, "--target", TRIPLE, ...c.flags], { reject: false, all: true, timeout: BUILD_TIMEOUT });
  if (build.timedOut) return [`cross build timed out after ${BUILD_TIMEOUT} ms`];
  if (build.exitCode !== 0) return [`cross build failed (status ${build.exitCode}):\n${firstLines(build.all ?? "", 12)}`];
  const kind = spawnSync("file", ["-b", exe], { encoding: "utf8" }).stdout ?? "";
  const arch = TRIPLE.split("-")[0];
  const pattern = FILE_ARCH[arch];
  if (kind && pattern && !pattern.test(kind)) return [`${exe} is not an ${arch} executable: ${kind.trim()}`];
  // No `-L /usr/<triple>`: the multiarch libc6:<arch> provides the loader, and under qemu 7.2's path
  // remapping the runtime's start-up spins forever (seen with every tulc program, not with plain C).
  const run = await execa(QEMU, [exe, ...c.args], {
    reject: false, input: c.stdin, env: c.env, timeout: c.timeout * TIME_FACTOR, killSignal: "SIGKILL", stripFinalNewline: false, cwd: ROOT,
  });
  return checkRun(c, run);
}

/** The golden suite's checks: exit status, full stdout against <name>.out, stderr patterns. */
function checkRun(c, run) {
  const problems = [];
  if (run.timedOut) problems.push(`timed out after ${c.timeout * TIME_FACTOR} ms`);
  const status = run.exitCode ?? (run.signal ? `signal ${run.signal}` : "none");
  if (status !== c.status) problems.push(`expected exit status ${c.status}, got ${status}`);
  const outFile = c.outFile ?? c.file.replace(/\.tul$/, ".out");
  const expected = existsSync(outFile) ? readFileSync(outFile, "utf8") : "";
  if (expected !== run.stdout) problems.push(`stdout differs:\n${firstDifference(expected, run.stdout)}`);
  if (c.stderr.length === 0 && run.stderr !== "") problems.push(`unexpected stderr:\n${run.stderr}`);
  for (const re of c.stderr) if (!re.test(run.stderr)) problems.push(`stderr does not match /${re.source}/:\n${run.stderr}`);
  return problems;
}

/** At most `n` lines of `text`. */
function firstLines(text, n) {
  const lines = text.split("\n");
  return lines.length <= n ? text : [...lines.slice(0, n), `... (${lines.length - n} more lines)`].join("\n");
}

/** The first differing line of expected and actual output. */
function firstDifference(expected, actual) {
  const a = expected.split("\n"), b = actual.split("\n");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `  line ${i + 1}:\n- ${JSON.stringify(a[i])}\n+ ${JSON.stringify(b[i])}`;
}

/** Runs `f` over `items` with at most `width` at a time, keeping the order of results. */
async function pool(items, width, f) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; results[i] = await f(items[i]); } };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

async function main(argv) {
  if (!available()) {
    console.log(`cross: skipped (${QEMU} or the ${TRIPLE.split("-")[0]} runtime is not installed)`);
    return argv.includes("--require") ? 1 : 0; // CI's cross job set them up: there, missing is a failure
  }
  if (!existsSync(path.join(ROOT, "dist", "cli", "main.js"))) {
    console.log("cross: 0 passed, 1 failed (tulc is not built: run npx tsc -p tsconfig.json)");
    return 1;
  }
  // Like test-all does for build/: bring the target's runtime up to date with runtime-c/ first.
  const rebuilt = spawnSync("cmake", ["--build", path.dirname(RUNTIME), "-j", String(cpus().length)], { encoding: "utf8" });
  if (rebuilt.status !== 0) {
    console.log(`${firstLines(rebuilt.stdout + rebuilt.stderr, 30)}\ncross: 0 passed, 1 failed (the ${TRIPLE} runtime does not build)`);
    return 1;
  }
  const cases = await findCases(argv.filter((a) => !a.startsWith("--")));
  mkdirSync(OUT_DIR, { recursive: true });
  let failed = 0;
  await pool(cases, Math.max(2, cpus().length), async (c) => {
    const problems = await runCase(c);
    if (problems.length === 0) return;
    failed++;
    console.log(`FAIL ${c.name} (${TRIPLE})\n${problems.map((p) => "  " + p.replace(/\n/g, "\n  ")).join("\n")}\n`);
  });
  console.log(`cross: ${cases.length - failed} passed, ${failed} failed (${TRIPLE} under ${QEMU})`);
  return failed === 0 && cases.length > 0 ? 0 : 1;
}

main(ARGV).then((code) => { process.exitCode = code; });
