// The back end's last step: drives clang-14 to optimise the generated IR and link it with the C
// runtime (build/runtime) into a native executable. On Linux `clang -c` is started before code
// generation and reads the IR from stdin, so its start-up (~100 ms of loading libLLVM) overlaps
// tulc's own work; the linker then runs directly (see startLink). The macOS host's parts are in darwin.ts.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { makeTempDir, onSignalStop, removeTempDir, withTempDir } from "../../common/tempdir.js";
import { phase, phaseAsync, timingEnabled } from "../../common/timing.js";
import { darwinLinkArgs, isDarwinHost, keepDebugInfo } from "./darwin.js";
import { sanitizeCompileFlags, sanitizedRuntime, sanitizeLinkFlags } from "./sanitize.js";

export interface LinkOptions {
  optLevel: 0 | 1 | 2 | 3;
  debug: boolean;
  target?: string;
  /** Parallel clang jobs, each compiling a part of the module (codegen/passes/split.ts); default 1. */
  jobs?: number;
  /** Parts the module is split into (at least `jobs`): a clang process each, `jobs` at a time, so
   *  that no clang holds more than a part's worth of a huge program (default: `jobs`). */
  parts?: number;
  /** Sanitizers (sanitize.ts), sorted; the program then links build/runtime-san. */
  sanitize?: string[];
  /** The module comes as `parts` modules, one at a time (PendingLink.stream: chunked builds). */
  streamed?: boolean;
}

// --as-needed (below) keeps only the libraries a program uses: PCRE2 for regular expressions and libcrypto
// for hashes come in only with the runtime objects that need them.
const SYSTEM_LIBS = ["-luv", "-lgc", "-ldw", "-lelf", "-lutf8proc", "-lcurl", "-lpcre2-8", "-lcrypto", "-lm", "-lpthread"];

/** The system libraries and linker flags after the runtime archives, for the host or a cross target. */
function systemLinkArgs(target: string | undefined, libdw: boolean): string[] {
  if (isDarwinHost(target)) return darwinLinkArgs();
  return ["-Wl,--as-needed", ...SYSTEM_LIBS.filter((l) => libdw || (l !== "-ldw" && l !== "-lelf"))];
}

/** Directory holding libtulrt.a and libtulrt_main.a for a target (the host's when target is unset;
 *  $TULPAR_RUNTIME_DIR overrides the host's, e.g. build/nodw/runtime, a runtime without libdw), or
 *  its sanitized variant (runtime-san) when sanitizers are asked for. */
export function runtimeDir(target?: string, sanitize?: string[]): string {
  if (!target && !sanitize?.length && process.env.TULPAR_RUNTIME_DIR) return path.resolve(process.env.TULPAR_RUNTIME_DIR);
  return path.join(TOOLCHAIN_ROOT, target ? `build-${target}` : "build", sanitizedRuntime(sanitize));
}

/** Whether a runtime symbolizes traces with libdw (CMake's tulrt-config.txt says; else: not on macOS).
 *  Without it, each program gets a call-site table (codegen/toolchain/linetable.ts). */
function runtimeHasLibdw(rt: string, target?: string): boolean {
  const config = path.join(rt, "tulrt-config.txt");
  if (existsSync(config)) return !readFileSync(config, "utf8").includes("traces=table");
  return target ? !target.includes("apple") : process.platform !== "darwin";
}

// ---- begin: the `--target` path (cross-compilation, docs/targets.md) ----
/** The setup.sh --cross name for a triple ("aarch64" for aarch64-linux-gnu), for error messages. */
function crossName(target: string): string {
  return target.split("-")[0];
}

/** Extra clang arguments for a cross target: the triple, and the Debian multiarch library directory
 *  (clang finds the cross linker <triple>-ld and crt files from binutils/gcc-<triple> on its own). */
export function targetArgs(target?: string): string[] {
  if (!target) return [];
  return [`--target=${target}`, `-L/usr/lib/${target}`];
}

/** What to run when a target's runtime is missing. */
function setupHint(target?: string): string {
  return target ? `run ./scripts/setup.sh --cross ${crossName(target)}` : "run ./scripts/setup.sh";
}
// ---- end: the `--target` path ----

export function clangPath(): string {
  return process.env.TULC_CLANG ?? "clang-14";
}

export class LinkError extends Error {}

/** A tool's failure, with its exit status. */
class ToolError extends LinkError {
  constructor(message: string, readonly status: number | null) {
    super(message);
  }
}

/** The runtime archives for a target; LinkError when they are not built. */
function runtimeLibs(opts: LinkOptions): string[] {
  const rt = runtimeDir(opts.target, opts.sanitize);
  const libs = [path.join(rt, "libtulrt_main.a"), path.join(rt, "libtulrt.a")];
  for (const lib of libs) {
    if (!existsSync(lib)) {
      const why = opts.sanitize?.length ? " (the sanitized runtime: CMake builds it where clang supports ASan and UBSan)" : "";
      throw new LinkError(`runtime library ${lib} is missing${why}; ${setupHint(opts.target)}`);
    }
  }
  return libs;
}

/** clang's stock pipeline for the level: lighter -O2 pipelines were measured and made loops slower
 *  (docs/decisions.md "The -O2 pass pipeline"). */
function compileArgs(opts: LinkOptions): string[] {
  return [`-O${opts.optLevel}`, ...(opts.debug ? ["-g"] : []), ...targetArgs(opts.target), ...sanitizeCompileFlags(opts.sanitize), "-Wno-override-module"];
}

/** Optimises and links `bitcodePath` into `outPath`; throws LinkError with clang's message on failure. */
export async function linkExecutable(bitcodePath: string, outPath: string, opts: LinkOptions): Promise<void> {
  const libs = runtimeLibs(opts);
  const libdw = runtimeHasLibdw(runtimeDir(opts.target, opts.sanitize), opts.target);
  const compile = compileArgs(opts);
  const table = libdw ? undefined : await compileWithLineTable(bitcodePath, compile);
  const linkArgs = [...compile, ...(table ? table.inputs : [bitcodePath]), ...libs, ...systemLinkArgs(opts.target, libdw), ...sanitizeLinkFlags(opts.sanitize), "-o", outPath];
  await phaseAsync(table ? "link" : `${CLANG_PHASE}, link`, () => runClang(linkArgs, "linking"));
  if (table) await lineTableStep(() => table.check(outPath));
  if (opts.debug && isDarwinHost(opts.target)) {
    const failed = await keepDebugInfo(outPath, clangPath());
    if (failed) throw new LinkError(failed);
  }
}

/** What `startLink` hands back: the generated module goes in, an executable comes out. */
export interface PendingLink {
  /** Feeds the module to the link started earlier (or runs linkExecutable); resolves when the executable is written. */
  finish(module: LinkInput): Promise<void>;
  /** With `streamed`: takes the modules one by one instead (null when the link cannot, see startLink). */
  readonly stream: PartStream | null;
  /** Stops an early-started clang (code generation failed) and removes its directory once it has
   *  exited (clang writes its object through a temporary file beside it). Never rejects. */
  abort(): Promise<void>;
}

/** A link fed module by module (lower/module.ts generateChunks): each compiles as soon as it is handed over. */
export interface PartStream {
  /** The next module (at most `parts` of them): a clang job compiles it, `jobs` at a time. */
  part(ir: string): void;
  /** After the last part: resolves when all are compiled and the executable is linked. */
  finish(): Promise<void>;
}

export interface LinkInput {
  /** IR text as clang reads it (clang's IR parser verifies modules that carry debug info, as ours always do). */
  rawText(): string;
  /** The IR split into at most `n` modules that compile separately (see codegen/passes/split.ts). */
  parts(n: number): string[];
  bitcode(path: string): void;
}

/**
 * Starts the optimise-and-link step before the module exists. With libdw (Linux) clang is spawned
 * right away to compile IR from stdin to an object (`-c`: one job, so cc1 runs inside the driver
 * instead of as a second process that loads libLLVM again), and the object is linked by running
 * the linker clang would run, with the command line clang gave for it (cached, see linkCommand;
 * with a cached command both run from one shell, see startChain). Otherwise (call-site tables,
 * macOS) the module goes through a bitcode file and linkExecutable.
 */
export function startLink(outPath: string, opts: LinkOptions): PendingLink {
  const libs = runtimeLibs(opts);
  const libdw = runtimeHasLibdw(runtimeDir(opts.target, opts.sanitize), opts.target);
  if (!libdw || isDarwinHost(opts.target)) {
    return { finish: (m) => linkBitcode(m, outPath, opts), stream: null, abort: async () => undefined };
  }
  const dir = makeTempDir();
  const jobs = Math.max(1, opts.jobs ?? 1);
  const parts = Math.max(jobs, opts.parts ?? jobs);
  const objs = Array.from({ length: parts }, (_, i) => path.join(dir, parts === 1 ? "program.o" : `program.${i}.o`));
  for (const obj of objs) writeFileSync(obj, ""); // `clang -###` wants its inputs to exist
  const irFiles = objs.map((obj) => obj.replace(/\.o$/, ".ll"));
  const compileArgvs = objs.map((obj, i) => [...compileArgs(opts), "-c", "-x", "ir", opts.streamed ? irFiles[i] : "-", "-o", obj]);
  const linkArgs = [...compileArgs(opts), ...fastLinker(opts.target), ...objs, ...libs, ...systemLinkArgs(opts.target, true), ...sanitizeLinkFlags(opts.sanitize), "-o", outPath];
  const cleanup = (): void => removeTempDir(dir);
  if (opts.streamed) return streamedLink(startStream(compileArgvs, irFiles, jobs, linkArgs, objs, outPath), cleanup);
  const cached = cachedLinkCommand(linkArgs, objs, outPath);
  // --time: two steps, so that the compile and the link are timed apart.
  const run = parts === 1 && cached && !timingEnabled() ? startChain(compileArgvs[0], cached, linkArgs) : startSteps(compileArgvs, jobs, linkArgs, objs, outPath);
  return {
    finish: async (m) => {
      try {
        await run.finish(parts === 1 ? [m.rawText()] : phase("split IR", () => m.parts(parts)));
      } finally {
        cleanup();
      }
    },
    stream: null,
    abort: async () => {
      await run.kill();
      cleanup();
    },
  };
}

/** The PendingLink of a streamed build. */
function streamedLink(run: StreamRun, cleanup: () => void): PendingLink {
  const finish = async (): Promise<void> => {
    try {
      await run.end();
    } finally {
      cleanup();
    }
  };
  return {
    finish: (m) => {
      run.part(m.rawText());
      return finish();
    },
    stream: { part: run.part, finish },
    abort: async () => {
      await run.kill();
      cleanup();
    },
  };
}

interface LinkRun {
  /** Hands each compile its IR (one module per clang started; fewer: the rest compile nothing). */
  finish(ir: string[]): Promise<void>;
  /** Kills the tool; resolves once it has exited. */
  kill(): Promise<void>;
}

/** The --time phase of `clang -c`: from the moment it has the IR to its object file. */
const CLANG_PHASE = "clang: optimise + codegen";

/** Exit status of the chain's shell when clang failed (the linker did not run). */
const COMPILE_FAILED = 111;

/**
 * With the linker command known (cached): one shell runs `clang -c` then execs the linker, so the
 * link starts the moment the object is written, without a round trip through tulc (whose fork,
 * with libLLVM loaded, costs more than the shell's). A failing cached command falls back to clang.
 */
function startChain(compileArgv: string[], command: LinkCommand, linkArgs: string[]): LinkRun {
  const q = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;
  const script = `${[clangPath(), ...compileArgv].map(q).join(" ")} || exit ${COMPILE_FAILED}\nexec ${command.argv.map(q).join(" ")}`;
  const run = startProcess("/bin/sh", ["-c", script], "linking", true);
  return {
    finish: async ([ir]) => {
      run.input(ir);
      try {
        await run.done;
      } catch (e) {
        if (e instanceof ToolError && e.status === COMPILE_FAILED) throw new LinkError(e.message.replace(/^linking failed/, "compiling failed"));
        command.forget();
        await runClang(linkArgs, "linking");
      }
    },
    kill: () => run.kill(),
  };
}

/**
 * `clang -c` for the first `jobs` parts now (and `clang -###` beside them when the linker command is
 * not cached), each further part as a job finishes; then the linker.
 */
function startSteps(compileArgvs: string[][], jobs: number, linkArgs: string[], objs: string[], out: string): LinkRun {
  const started = compileArgvs.slice(0, jobs).map((argv) => startClang(argv, "compiling"));
  const all = started.slice();
  let next = started.length;
  let killed = false;
  const command = linkCommand(linkArgs, objs, out).catch(() => null); // null: link through clang
  /** One job: its part `i`, then the next part nobody has taken, until none is left. */
  const job = async (first: ProcessRun, i: number, ir: string[]): Promise<void> => {
    for (let c = first; ; ) {
      c.input(ir[i] ?? "");
      await c.done;
      if (killed || next >= compileArgvs.length) return;
      i = next++;
      all.push((c = startClang(compileArgvs[i], "compiling")));
    }
  };
  return {
    finish: async (ir) => {
      await phaseAsync(CLANG_PHASE, () => Promise.all(started.map((c, i) => job(c, i, ir))));
      const cmd = await command;
      await phaseAsync("link", () => runLinker(cmd, linkArgs));
    },
    kill: async () => {
      killed = true;
      await Promise.all(all.map((c) => c.kill()));
    },
  };
}

/** Runs the cached linker command; when it fails (a changed toolchain), links through clang and forgets the cache. */
async function runLinker(command: LinkCommand | null, clangArgs: string[]): Promise<void> {
  if (command) {
    const run = startProcess(command.argv[0], command.argv.slice(1), "linking");
    run.input("");
    try {
      return await run.done;
    } catch {
      command.forget();
    }
  }
  await runClang(clangArgs, "linking");
}

interface StreamRun {
  /** The next part's IR, compiled from a file (object i gets the i-th part handed over). */
  part(ir: string): void;
  /** No more parts (the objects left compile empty modules): waits for the jobs, then links. */
  end(): Promise<void>;
  /** Kills the running tools; resolves once they have exited. */
  kill(): Promise<void>;
}

/**
 * The compile jobs of a streamed build: each part is written to a file in the build's directory as
 * it comes, and a `clang -c` starts on it as soon as fewer than `jobs` run. Through a file, not
 * stdin: tulc writes a pipe only while its event loop runs, and it is busy generating the next part.
 */
function startStream(compileArgvs: string[][], files: string[], jobs: number, linkArgs: string[], objs: string[], out: string): StreamRun {
  const command = linkCommand(linkArgs, objs, out).catch(() => null); // null: link through clang
  const running = new Set<ProcessRun>();
  const waiting: (() => void)[] = [];
  const compiled: Promise<void>[] = [];
  let killed = false;
  const next = (): void => {
    while (!killed && running.size < jobs && waiting.length) waiting.shift()!();
  };
  const part = (ir: string): void => {
    const i = compiled.length;
    if (i >= files.length) throw new LinkError(`internal error: more than ${files.length} parts`);
    writeFileSync(files[i], ir);
    const done = new Promise<void>((resolve, reject) => {
      waiting.push(() => {
        const c = startClang(compileArgvs[i], "compiling");
        c.input("");
        running.add(c);
        c.done.then(resolve, reject).finally(() => {
          running.delete(c);
          rmSync(files[i], { force: true });
          next();
        });
      });
    });
    done.catch(() => undefined); // awaited by end(); never an unhandled rejection when aborted
    compiled.push(done);
    next();
  };
  return {
    part,
    end: async () => {
      while (compiled.length < files.length) part("");
      await phaseAsync(CLANG_PHASE, () => Promise.all(compiled));
      const cmd = await command;
      await phaseAsync("link", () => runLinker(cmd, linkArgs));
    },
    kill: async () => {
      killed = true;
      await Promise.all([...running].map((c) => c.kill()));
    },
  };
}

interface LinkCommand {
  argv: string[];
  forget(): void;
}

const OBJ = "\u0000obj", OUT = "\u0000out";

/** Arguments with this build's objects and output replaced by placeholders (`\0obj0`, `\0out`). */
function template(args: string[], objs: string[], out: string): string[] {
  return args.map((a) => (objs.includes(a) ? `${OBJ}${objs.indexOf(a)}` : a === out ? OUT : a));
}

/**
 * The linker command clang runs for `args` (from `clang -###`, which starts clang but runs nothing),
 * with this build's object and output paths. Cached under ~/.cache/tulc by clang binary and
 * arguments, so a build normally starts clang once. Null when it cannot be worked out.
 */
async function linkCommand(args: string[], objs: string[], out: string): Promise<LinkCommand | null> {
  const cached = cachedLinkCommand(args, objs, out);
  if (cached) return cached;
  const file = linkCacheFile(template(args, objs, out));
  const argv = await clangLinkerArgv(args);
  if (!argv || !objs.every((o) => argv.includes(o)) || !argv.includes(out)) return null;
  if (file) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}`; // written whole, then renamed: concurrent builds never read half a file
      writeFileSync(tmp, JSON.stringify(template(argv, objs, out)));
      renameSync(tmp, file);
    } catch {
      // no cache directory: ask clang next time too
    }
  }
  return fillCommand(template(argv, objs, out), objs, out, file);
}

/** The linker command from the cache, or null. */
function cachedLinkCommand(args: string[], objs: string[], out: string): LinkCommand | null {
  try {
    const file = linkCacheFile(template(args, objs, out));
    if (!file || !existsSync(file)) return null;
    const argv = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (Array.isArray(argv) && argv.length && argv.every((a) => typeof a === "string")) return fillCommand(argv as string[], objs, out, file);
  } catch {
    // unreadable: ask clang again
  }
  return null;
}

/** A linker command template with this build's objects and output filled in. */
function fillCommand(argv: string[], objs: string[], out: string, file: string | null): LinkCommand {
  return {
    argv: argv.map((a) => (a.startsWith(OBJ) ? objs[Number(a.slice(OBJ.length))] ?? a : a === OUT ? out : a)),
    forget: () => file && rmSync(file, { force: true }),
  };
}

/** The cache file for a link template: keyed by the clang binary (path, size, mtime) and the arguments. */
function linkCacheFile(template: string[]): string | null {
  const clang = resolveOnPath(clangPath());
  if (!clang) return null;
  const st = statSync(clang);
  const key = JSON.stringify([clang, st.size, st.mtimeMs, template]);
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(base, "tulc", `link-${createHash("sha256").update(key).digest("hex").slice(0, 24)}.json`);
}

function resolveOnPath(cmd: string): string | null {
  if (cmd.includes("/")) return existsSync(cmd) ? path.resolve(cmd) : null;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const p = path.join(dir || ".", cmd);
    if (existsSync(p)) return p;
  }
  return null;
}

/** The last command `clang -### args` prints (the linker), split into its quoted arguments. */
async function clangLinkerArgv(args: string[]): Promise<string[] | null> {
  const run = startProcess(clangPath(), ["-###", ...args], "linking");
  run.input("");
  try {
    const text = await run.output;
    const line = text.split("\n").filter((l) => l.startsWith(" \"")).pop();
    if (!line) return null;
    return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
  } catch {
    return null;
  }
}

/** Writes the module's bitcode to a temporary directory and links it from there. */
async function linkBitcode(m: LinkInput, outPath: string, opts: LinkOptions): Promise<void> {
  await withTempDir(async (dir) => {
    const bc = path.join(dir, "program.bc");
    phase("write bitcode", () => m.bitcode(bc));
    await linkExecutable(bc, outPath, opts);
  });
}

/** gold when the host has it: it links our programs ~25 ms faster than ld.bfd (lld is slower to start than either). */
function fastLinker(target?: string): string[] {
  if (target || process.platform !== "linux" || process.env.TULC_LINKER === "default") return [];
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  return dirs.some((d) => existsSync(path.join(d, "ld.gold"))) ? ["-fuse-ld=gold"] : [];
}

interface ProcessRun {
  input(text: string): void;
  /** Kills the process (and closes its stdin, so it cannot go on compiling); resolves once it has exited. */
  kill(): Promise<void>;
  /** Resolves when the process exits with status 0. */
  done: Promise<void>;
  /** Its stdout and stderr, once it exited with status 0. */
  output: Promise<string>;
}

function startClang(args: string[], what: string): ProcessRun {
  return startProcess(clangPath(), args, what);
}

/** Spawns a tool now; `done` rejects with LinkError carrying its output (`what` failed: ...). A
 *  `group` (the shell running clang then the linker) gets its own process group, killed as a whole. */
function startProcess(cmd: string, args: string[], what: string, group = false): ProcessRun {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], detached: group });
  const stop = (): void => {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
      else child.kill();
    } catch {
      // already exited
    }
  };
  const unregister = onSignalStop(group && child.pid !== undefined ? -child.pid : child.pid); // for the reaper
  const exited = new Promise<void>((resolve) => {
    child.on("close", resolve);
    child.on("error", resolve);
  }).finally(unregister);
  let all = "";
  child.stdout.on("data", (d: Buffer) => (all += d.toString()));
  child.stderr.on("data", (d: Buffer) => (all += d.toString()));
  child.stdin.on("error", () => undefined); // EPIPE when the tool is missing or died: reported by `done`
  const output = new Promise<string>((resolve, reject) => {
    let notFound = false;
    child.on("error", (e: NodeJS.ErrnoException) => {
      notFound = e.code === "ENOENT";
      if (notFound) reject(new LinkError(`${what} failed: ${cmd} not found; run ./scripts/setup.sh`));
      else reject(new LinkError(`${what} failed: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      if (code === 0) resolve(all);
      else if (!notFound) reject(new ToolError(`${what} failed: ${all.trim() || `${cmd} exited with ${signal ?? code}`}`, code));
    });
  });
  const done = output.then(() => undefined);
  output.catch(() => undefined);
  done.catch(() => undefined); // awaited by the caller; never an unhandled rejection when aborted
  return {
    input: (text) => child.stdin.end(text),
    kill: () => {
      stop();
      child.stdin.destroy();
      return exited;
    },
    done,
    output,
  };
}

/** Runs clang; throws LinkError with its message (`what` failed: ...). */
async function runClang(args: string[], what: string): Promise<void> {
  const run = startClang(args, what);
  run.input("");
  await run.done;
}

// ---- traces without libdw (macOS; -DTULPAR_WITH_LIBDW=OFF): see codegen/toolchain/linetable.ts ----

/** Runs a call-site table step, reporting its failures as LinkError. */
async function lineTableStep<T>(step: () => T): Promise<T> {
  const { LineTableError } = await import("./linetable.js");
  try {
    return step();
  } catch (e) {
    throw e instanceof LineTableError ? new LinkError(e.message) : e;
  }
}

/** Compiles the bitcode to an object and writes its call-site table (LLVM IR) beside it: the link
 *  inputs, and the check that the executable kept the layout the table assumes. */
async function compileWithLineTable(bitcode: string, compile: string[]): Promise<{ inputs: string[]; check: (exe: string) => void }> {
  const { writeLineTable, checkLayout } = await import("./linetable.js");
  const base = bitcode.replace(/\.bc$/, "");
  await phaseAsync(CLANG_PHASE, () => runClang([...compile, "-c", bitcode, "-o", `${base}.o`], "compiling"));
  const table = await lineTableStep(() => writeLineTable(`${base}.o`, `${base}.lines.ll`, clangPath()));
  return { inputs: [`${base}.o`, `${base}.lines.ll`], check: (exe) => checkLayout(exe, clangPath(), table) };
}
