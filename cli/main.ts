// The `tulc` command line: build, run (with a build cache), check, --version, --help.
// User mistakes get one-line messages or rendered diagnostics; internal stack traces only with TULC_DEBUG=1.

import { spawn } from "node:child_process";
import { renderDiagnostics } from "../frontend/diagnostics.js";
import { buildProgram, checkFile, defaultOutput, type BuildOptions } from "../driver/pipeline.js";
import { cachedExecutable } from "../driver/run_cache.js";
import { LinkError } from "../codegen/toolchain/link.js";
import { parseSanitizers, SanitizeError } from "../codegen/toolchain/sanitize.js";
import { VERSION } from "../common/version.js";
import { enableTiming, record, timingEnabled, timingReport } from "../common/timing.js";

const HELP = `tulc ${VERSION}: the Tulpar compiler

Usage:
  tulc build <file.tul> [-o <out>] [-O0|-O1|-O2|-O3] [-g] [--emit-llvm] [--target <triple>]
             [--sanitize=address,undefined] [-j <n>] [--time]
  tulc run <file.tul> [build options] [--] [program args...]
  tulc check <file.tul>
  tulc --version | --help

Commands:
  build    compile to a native executable (default output: the file name without .tul)
  run      build into a cache (~/.cache/tulc) and run; the program's exit status passes through
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
`;

class UsageError extends Error {}

interface Parsed {
  command: string;
  file: string;
  out?: string;
  opts: BuildOptions;
  programArgs: string[];
}

function parseArgs(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  const opts: BuildOptions = { optLevel: 2, debug: false, emitLlvm: false };
  let file: string | undefined;
  let out: string | undefined;
  const programArgs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (file && command === "run" && (a === "--" || !a.startsWith("-"))) {
      programArgs.push(...rest.slice(a === "--" ? i + 1 : i));
      break;
    }
    if (a === "-o" || a === "--target" || a === "--sanitize" || a === "-j" || a === "--jobs") {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`option '${a}' needs a value`);
      if (a === "-o") out = v;
      else if (a === "--target") opts.target = v;
      else if (a === "--sanitize") opts.sanitize = sanitizers(v);
      else opts.jobs = jobCount(a, v);
    } else if (a.startsWith("--sanitize=")) opts.sanitize = sanitizers(a.slice("--sanitize=".length));
    else if (/^-O[0-3]$/.test(a)) opts.optLevel = Number(a[2]) as 0 | 1 | 2 | 3;
    else if (a === "-g") opts.debug = true;
    else if (a === "--emit-llvm") opts.emitLlvm = true;
    else if (a === "--time") enableTiming();
    else if (a.startsWith("-")) throw new UsageError(`unknown option '${a}'`);
    else if (!file) file = a;
    else throw new UsageError(`unexpected argument '${a}'`);
  }
  if (!file) throw new UsageError(`'${command}' needs a source file`);
  return { command, file, out, opts, programArgs };
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
  return exe ? runChild(exe, p.programArgs) : 1;
}

function runChild(exe: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(exe, args, { stdio: "inherit" });
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
    record("start-up", performance.now()); // node, and loading the compiler's modules
    switch (p.command) {
      case "build": return await cmdBuild(p);
      case "run": return await cmdRun(p);
      case "check": return cmdCheck(p);
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
