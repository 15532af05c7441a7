// The back end's last step: drives clang-14 (through execa) to optimise the generated bitcode and
// link it with the C runtime (build/runtime) into a native executable.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The checkout (or install) root: dist/codegen/link.js lives two levels below it. */
export const TOOLCHAIN_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface LinkOptions {
  optLevel: 0 | 1 | 2 | 3;
  debug: boolean;
  target?: string;
}

const SYSTEM_LIBS = ["-luv", "-lgc", "-ldw", "-lelf", "-lutf8proc", "-lcurl", "-lm", "-lpthread"];

// ---- the macOS host (untested here): Homebrew libraries, no libdw, ld64 has no --as-needed ----
const DARWIN_SYSTEM_LIBS = ["-luv", "-lgc", "-lutf8proc", "-lcurl", "-lm", "-lpthread"];

let brewPrefix: string | undefined;

/** Homebrew's prefix: $HOMEBREW_PREFIX, else `brew --prefix` (asked once), else /opt/homebrew. */
function homebrewPrefix(): string {
  if (brewPrefix === undefined) {
    brewPrefix = process.env.HOMEBREW_PREFIX || undefined;
    if (!brewPrefix) {
      const r = spawnSync("brew", ["--prefix"], { encoding: "utf8" });
      const out = r.status === 0 && typeof r.stdout === "string" ? r.stdout.trim() : "";
      brewPrefix = out || "/opt/homebrew";
    }
  }
  return brewPrefix;
}

/** macOS SDK: $SDKROOT, else `xcrun --show-sdk-path` (asked once); clang-14 from Homebrew may not find it. */
function darwinSdkArgs(): string[] {
  if (sdkRoot === undefined) {
    sdkRoot = process.env.SDKROOT || undefined;
    if (!sdkRoot) {
      const r = spawnSync("xcrun", ["--show-sdk-path"], { encoding: "utf8" });
      sdkRoot = r.status === 0 && typeof r.stdout === "string" ? r.stdout.trim() : "";
    }
  }
  return sdkRoot ? ["-isysroot", sdkRoot] : [];
}
let sdkRoot: string | undefined;

/** The system libraries and linker flags after the runtime archives, for the host or a cross target. */
function systemLinkArgs(target: string | undefined, libdw: boolean): string[] {
  if (!target && process.platform === "darwin") {
    // Homebrew's curl is keg-only (opt/curl/lib): the runtime was built against it (setup.sh).
    const dirs = [path.join(homebrewPrefix(), "opt", "curl", "lib"), path.join(homebrewPrefix(), "lib")].filter(existsSync);
    return [...darwinSdkArgs(), ...dirs.map((d) => `-L${d}`), ...DARWIN_SYSTEM_LIBS];
  }
  return ["-Wl,--as-needed", ...SYSTEM_LIBS.filter((l) => libdw || (l !== "-ldw" && l !== "-lelf"))];
}

/** Directory holding libtulrt.a and libtulrt_main.a for a target (the host's when target is unset;
 *  $TULPAR_RUNTIME_DIR overrides the host's, e.g. build/nodw/runtime, a runtime without libdw). */
export function runtimeDir(target?: string): string {
  if (!target && process.env.TULPAR_RUNTIME_DIR) return path.resolve(process.env.TULPAR_RUNTIME_DIR);
  return path.join(TOOLCHAIN_ROOT, target ? `build-${target}` : "build", "runtime");
}

/** Whether a runtime symbolizes traces with libdw (CMake's tulrt-config.txt says; else: not on macOS).
 *  Without it, each program gets a call-site table (codegen/linetable.ts). */
function runtimeHasLibdw(rt: string, target?: string): boolean {
  const config = path.join(rt, "tulrt-config.txt");
  if (existsSync(config)) return !readFileSync(config, "utf8").includes("traces=table");
  return target ? !target.includes("apple") : process.platform !== "darwin";
}

// ---- begin: the `--target` path (issue 6, docs/targets.md) ----
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

/** Optimises and links `bitcodePath` into `outPath`; throws LinkError with clang's message on failure. */
export async function linkExecutable(bitcodePath: string, outPath: string, opts: LinkOptions): Promise<void> {
  const rt = runtimeDir(opts.target);
  const libs = [path.join(rt, "libtulrt_main.a"), path.join(rt, "libtulrt.a")];
  for (const lib of libs) {
    if (!existsSync(lib)) throw new LinkError(`runtime library ${lib} is missing; ${setupHint(opts.target)}`);
  }
  const libdw = runtimeHasLibdw(rt, opts.target);
  const compile = [`-O${opts.optLevel}`, ...(opts.debug ? ["-g"] : []), ...targetArgs(opts.target), "-Wno-override-module"];
  const table = libdw ? undefined : await compileWithLineTable(bitcodePath, compile);
  await runClang([...compile, ...(table ? table.inputs : [bitcodePath]), ...libs, ...systemLinkArgs(opts.target, libdw), "-o", outPath], "linking");
  if (table) await lineTableStep(() => table.check(outPath));
  if (opts.debug && !opts.target && process.platform === "darwin") await keepDebugInfo(outPath);
}

/** Runs clang; throws LinkError with its message (`what` failed: ...). */
async function runClang(args: string[], what: string): Promise<void> {
  const { execa } = await import("execa"); // loaded on first use: `tulc check` never links
  const result = await execa(clangPath(), args, { reject: false, all: true });
  if (!result.failed) return;
  const why = result.code === "ENOENT" ? `${clangPath()} not found; run ./scripts/setup.sh` : result.all;
  throw new LinkError(`${what} failed: ${why}`);
}

// ---- traces without libdw (macOS; -DTULPAR_WITH_LIBDW=OFF): see codegen/linetable.ts ----

/** Runs a call-site table step, reporting its failures as LinkError. */
async function lineTableStep<T>(step: () => T): Promise<T> {
  const { LineTableError } = await import("./linetable.js");
  try {
    return step();
  } catch (e) {
    throw e instanceof LineTableError ? new LinkError(e.message) : e;
  }
}

/** Compiles the bitcode to an object and writes its call-site table beside it: the link inputs, and
 *  the check that the executable kept the layout the table assumes. */
async function compileWithLineTable(bitcode: string, compile: string[]): Promise<{ inputs: string[]; check: (exe: string) => void }> {
  const { writeLineTable, checkLayout } = await import("./linetable.js");
  const base = bitcode.replace(/\.bc$/, "");
  await runClang([...compile, "-c", bitcode, "-o", `${base}.o`], "compiling");
  const tableArgs = compile.filter((a) => !/^(-O\d|-g|-L.*)$/.test(a));
  const layout = await lineTableStep(() => writeLineTable(`${base}.o`, `${base}.lines.o`, clangPath(), tableArgs));
  return { inputs: [`${base}.o`, `${base}.lines.o`], check: (exe) => checkLayout(exe, clangPath(), layout) };
}

/** -g on macOS: the DWARF stays in the object files, which tulc deletes; dsymutil keeps it in exe.dSYM. */
async function keepDebugInfo(exe: string): Promise<void> {
  const { llvmTool } = await import("./linetable.js");
  const { execa } = await import("execa");
  const r = await execa(llvmTool(clangPath(), "dsymutil"), [exe], { reject: false, all: true });
  if (r.failed) throw new LinkError(`dsymutil failed: ${r.all ?? r.code}`);
}
