// The `tulc` command line: build, run (with a build cache), check, --version, --help.
// User mistakes get one-line messages or rendered diagnostics; internal stack traces only with TULC_DEBUG=1.

import { spawn } from "node:child_process";
import { renderDiagnostics } from "../frontend/diagnostics.js";
import { buildProgram, checkFile, defaultOutput, type BuildOptions } from "../driver/pipeline.js";
import { cachedExecutable } from "../driver/run_cache.js";
import { LinkError } from "../codegen/toolchain/link.js";
import { parseSanitizers, SanitizeError } from "../codegen/toolchain/sanitize.js";
import { VERSION } from "../common/version.js";
import { cpuNow, enableTiming, record, timingEnabled, timingReport } from "../common/timing.js";

const HELP = `tulc ${VERSION}: the Tulpar compiler

Usage:
  tulc build <file.tul> [-o <out>] [-O0|-O1|-O2|-O3] [-g] [--emit-llvm] [--target <triple>]
             [--sanitize=address,undefined] [-j <n>] [--time]
  tulc run <file.tul> [build options] [--deterministic[=seed]] [--] [program args...]
  tulc test <file.tul>... [build options] [--seed <n>|random] [--filter <text>] [--real-time]
             [--timeout <s>]
  tulc check <file.tul>
  tulc --version | --help

Commands:
  build    compile to a native executable (default output: the file name without .tul)
  run      build into a cache (~/.cache/tulc) and run; the program's exit status passes through
  test     build each file with its test blocks and run every test in deterministic mode;
           prints ok/FAIL per test and 'N passed, M failed'; exit status 1 on a failure
  check    parse and type-check only; prints diagnostics, exit status 1 on errors

Options:
  -o <path>          output path
  -O0 .. -O3         optimisation level (default -O2)
  -g                 full debug information (gdb shows .tul lines and locals)
  --emit-llvm        write LLVM IR text (default <file>.ll) instead of an executable
  --target <triple>  cross-compile for another target whose runtime was built
  --sanitize=<list>  build the program and the runtime with sanitizers: address (ASan),
                     undefined (UBSan), or both; reports end the program (see the guide)
  -j, --jobs <n>     compile in n parallel clang jobs (default: one per core for large programs)
  --time             print the time each compiler phase took (stderr)
  --deterministic[=seed]  (run) virtual clock and seeded task order (TULPAR_DETERMINISTIC, seed 0 by default)
  --seed <n>|random  (test) the seed of the task order (default 0: FIFO); random picks one and prints it
  --filter <text>    (test) only the tests whose name contains the text
  --real-time        (test) run the tests on the real clock, without deterministic mode
  --timeout <s>      (test) fail a test that runs longer than this many seconds (default 60; 0: none);
                     the rest of its file does not run
`;

class UsageError extends Error {}

interface Parsed {
  command: string;
  file: string;
  /** `test`: every file named (file is the first). */
  files: string[];
  out?: string;
  opts: BuildOptions;
  programArgs: string[];
  /** `run --deterministic[=seed]`, `test --seed`: the seed (TULPAR_DETERMINISTIC for the program). */
  seed?: string;
  /** `test --filter` */
  filter?: string;
  /** `test --real-time` */
  realTime?: boolean;
  /** `test --timeout`: the limit for one test, in ms (0: none) */
  timeoutMs: number;
}

function parseArgs(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  const opts: BuildOptions = { optLevel: 2, debug: false, emitLlvm: false };
  const files: string[] = [];
  let out: string | undefined;
  const programArgs: string[] = [];
  let seed: string | undefined;
  let filter: string | undefined;
  let realTime = false;
  let timeoutMs = DEFAULT_TEST_TIMEOUT_MS;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const file = files[0];
    if (file && command === "run" && (a === "--" || !a.startsWith("-"))) {
      programArgs.push(...rest.slice(a === "--" ? i + 1 : i));
      break;
    }
    if (a === "-o" || a === "--target" || a === "--sanitize" || a === "-j" || a === "--jobs" || (command === "test" && (a === "--seed" || a === "--filter" || a === "--timeout"))) {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`option '${a}' needs a value`);
      if (a === "-o") out = v;
      else if (a === "--target") opts.target = v;
      else if (a === "--sanitize") opts.sanitize = sanitizers(v);
      else if (a === "--seed") seed = testSeed(v);
      else if (a === "--filter") filter = v;
      else if (a === "--timeout") timeoutMs = testTimeout(v);
      else opts.jobs = jobCount(a, v);
    } else if (command === "test" && a.startsWith("--seed=")) seed = testSeed(a.slice("--seed=".length));
    else if (command === "test" && a.startsWith("--filter=")) filter = a.slice("--filter=".length);
    else if (command === "test" && a.startsWith("--timeout=")) timeoutMs = testTimeout(a.slice("--timeout=".length));
    else if (command === "test" && a === "--real-time") realTime = true;
    else if (a.startsWith("--sanitize=")) opts.sanitize = sanitizers(a.slice("--sanitize=".length));
    else if (/^-O[0-3]$/.test(a)) opts.optLevel = Number(a[2]) as 0 | 1 | 2 | 3;
    else if (a === "-g") opts.debug = true;
    else if (a === "--emit-llvm") opts.emitLlvm = true;
    else if (a === "--time") enableTiming();
    else if (command === "run" && /^--deterministic(=|$)/.test(a)) seed = seedValue(a.slice("--deterministic=".length) || "0", "--deterministic");
    else if (a.startsWith("-")) throw new UsageError(`unknown option '${a}'`);
    else if (!file || command === "test") files.push(a);
    else throw new UsageError(`unexpected argument '${a}'`);
  }
  if (!files.length) throw new UsageError(`'${command}' needs a source file`);
  if (realTime && seed !== undefined) throw new UsageError("options '--seed' and '--real-time' exclude each other");
  return { command, file: files[0], files, out, opts, programArgs, seed, filter, realTime, timeoutMs };
}

/** One test may run this long before `tulc test` fails it and ends its file's run (docs/decisions.md). */
const DEFAULT_TEST_TIMEOUT_MS = 60_000;

/** `--timeout <seconds>`: a positive number of seconds (fractions allowed), or 0 for no limit. */
function testTimeout(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`option '--timeout' needs a number of seconds (0: no limit), not '${v}'`);
  return Math.round(Number(v) * 1000);
}

/** `--seed random`: a fresh seed (printed, so a failure can be reproduced); else a whole number. */
function testSeed(v: string): string {
  if (v !== "random") return seedValue(v, "--seed");
  return BigInt.asUintN(64, BigInt(Math.floor(Math.random() * 2 ** 53)) * 2048n + BigInt(Date.now() % 2048)).toString();
}

/** A seed as written after `--deterministic=` or `--seed`: a whole number. */
function seedValue(v: string, option: string): string {
  if (!/^\d+$/.test(v) || BigInt(v) >= 1n << 64n) throw new UsageError(`option '${option}' needs a whole number (the seed), not '${v}'`);
  return v;
}

function jobCount(option: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new UsageError(`option '${option}' needs a number of jobs from 1 to 64`);
  return n;
}

function sanitizers(list: string): string[] {
  try {
    return parseSanitizers(list);
  } catch (e) {
    if (e instanceof SanitizeError) throw new UsageError(e.message);
    throw e;
  }
}

/** Parses and checks; prints diagnostics. Returns the program or null. */
function frontend(file: string) {
  const result = checkFile(file);
  if (!result.ok && result.fatal) process.stderr.write(`tulc: error: ${result.fatal}\n`);
  if (result.diagnostics.length) process.stderr.write(renderDiagnostics(result.diagnostics));
  return result.ok ? result : null;
}

async function cmdBuild(p: Parsed): Promise<number> {
  const fe = frontend(p.file);
  if (!fe) return 1;
  await buildProgram(fe.program, p.out ?? defaultOutput(p.file, p.opts.emitLlvm), p.opts);
  if (timingEnabled()) process.stderr.write(timingReport());
  return 0;
}

function cmdCheck(p: Parsed): number {
  return frontend(p.file) ? 0 : 1;
}

/** Builds into the cache unless every source of the cached build is unchanged, then runs. */
async function cmdRun(p: Parsed): Promise<number> {
  const exe = await cachedExecutable(p.file, p.opts, async (out) => {
    const fe = frontend(p.file);
    if (!fe) return null;
    await buildProgram(fe.program, out, { ...p.opts, emitLlvm: false });
    return fe.program.files;
  });
  const env = p.seed === undefined ? process.env : { ...process.env, TULPAR_DETERMINISTIC: p.seed };
  return exe ? runChild(exe, p.programArgs, env) : 1;
}

/**
 * `tulc test`: builds each file's test build (cached like `run`) and runs it with the seed, filter
 * and a rerun hint in its environment; the program reports its counts on file descriptor 3, and
 * the totals of all files end the output. A file whose program ends without counts (its top-level
 * code threw, a deadlock outside a test, a crash) counts as one failure.
 */
async function cmdTest(p: Parsed): Promise<number> {
  process.stdout.on("error", () => {}); // a reader that went away (`| head`) ends nothing here
  const opts = { ...p.opts, tests: true };
  const seed = p.realTime ? undefined : (p.seed ?? "0");
  if (p.seed !== undefined && p.seed !== "0") process.stdout.write(`seed ${p.seed}\n`);
  let passed = 0, failed = 0;
  for (const file of p.files) {
    if (p.files.length > 1) process.stdout.write(`== ${file}\n`);
    const exe = await cachedExecutable(file, opts, async (out) => {
      const fe = frontend(file);
      if (!fe) return null;
      await buildProgram(fe.program, out, { ...opts, emitLlvm: false });
      return fe.program.files;
    });
    if (!exe) { failed++; continue; }
    const rerun = ["tulc test", shellQuote(file), ...(seed === undefined ? ["--real-time"] : ["--seed", seed])].join(" ");
    const env: NodeJS.ProcessEnv = { ...process.env, TULPAR_TEST_RERUN: rerun, TULPAR_TEST_COUNTS_FD: "3", TULPAR_TEST_FILTER: p.filter ?? "", TULPAR_TEST_TIMEOUT_MS: String(p.timeoutMs) };
    if (seed === undefined) delete env.TULPAR_DETERMINISTIC;
    else env.TULPAR_DETERMINISTIC = seed;
    const { status, counts } = await runTestChild(exe, env);
    if (counts) { passed += counts[0]; failed += counts[1]; }
    else {
      process.stdout.write(`FAIL ${file}: the program ended with status ${status} before its tests finished\n`);
      failed++;
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}

/** A file name as a shell word (quoted only when it needs to be). */
function shellQuote(s: string): string {
  return /^[\w./+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** Runs a test build; its counts ("passed failed") arrive on descriptor 3. */
function runTestChild(exe: string, env: NodeJS.ProcessEnv): Promise<{ status: number; counts: [number, number] | null }> {
  return new Promise((resolve) => {
    const child = spawn(exe, [], { stdio: ["inherit", "inherit", "inherit", "pipe"], env });
    let report = "";
    child.stdio[3]!.on("data", (d: Buffer) => { report += d.toString(); });
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
    child.on("error", (e) => {
      process.stderr.write(`tulc: error: cannot run ${exe}: ${e.message}\n`);
      resolve({ status: 1, counts: null });
    });
    child.on("close", (code, signal) => {
      const m = /^(\d+) (\d+)\n$/.exec(report);
      const status = signal ? 128 + (SIGNALS[signal] ?? 1) : (code ?? 1);
      resolve({ status, counts: m ? [Number(m[1]), Number(m[2])] : null });
    });
  });
}

function runChild(exe: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(exe, args, { stdio: "inherit", env });
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
    child.on("error", (e) => {
      process.stderr.write(`tulc: error: cannot run ${exe}: ${e.message}\n`);
      resolve(1);
    });
    child.on("exit", (code, signal) => {
      if (signal) resolve(128 + (SIGNALS[signal] ?? 1));
      else resolve(code ?? 1);
    });
  });
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGABRT: 6, SIGFPE: 8, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

export async function main(argv: string[]): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      process.stdout.write(HELP);
      return argv.length === 0 ? 2 : 0;
    }
    if (argv[0] === "--version" || argv[0] === "-V") {
      process.stdout.write(`tulc ${VERSION} (LLVM 14)\n`);
      return 0;
    }
    const p = parseArgs(argv);
    record("start-up", performance.now(), cpuNow()); // node, and loading the compiler's modules
    switch (p.command) {
      case "build": return await cmdBuild(p);
      case "run": return await cmdRun(p);
      case "check": return cmdCheck(p);
      case "test": return await cmdTest(p);
      default: throw new UsageError(`unknown command '${p.command}'`);
    }
  } catch (e) {
    return reportFailure(e);
  }
}

function reportFailure(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`tulc: error: ${e.message}\nRun 'tulc --help' for usage.\n`);
    return 2;
  }
  if (e instanceof LinkError) {
    process.stderr.write(`tulc: error: ${e.message}\n`);
    return 1;
  }
  const err = e as Error;
  process.stderr.write(`tulc: internal compiler error: ${err?.message ?? String(e)}\n`);
  process.stderr.write(process.env.TULC_DEBUG ? `${err?.stack}\n` : "(set TULC_DEBUG=1 for details; please report this as a bug)\n");
  return 70;
}
