// The back end's last step: drives clang-14 (through execa) to optimise the generated bitcode and
// link it with the C runtime (build/runtime) into a native executable.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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

/** The system libraries and linker flags after the runtime archives, for the host or a cross target. */
function systemLinkArgs(target?: string): string[] {
  if (!target && process.platform === "darwin") {
    return [`-L${path.join(homebrewPrefix(), "lib")}`, ...DARWIN_SYSTEM_LIBS];
  }
  return ["-Wl,--as-needed", ...SYSTEM_LIBS];
}

/** Directory holding libtulrt.a and libtulrt_main.a for a target (the host's when target is unset). */
export function runtimeDir(target?: string): string {
  return path.join(TOOLCHAIN_ROOT, target ? `build-${target}` : "build", "runtime");
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
  const args = [
    `-O${opts.optLevel}`,
    ...(opts.debug ? ["-g"] : []),
    ...targetArgs(opts.target),
    "-Wno-override-module",
    bitcodePath,
    ...libs,
    ...systemLinkArgs(opts.target),
    "-o",
    outPath,
  ];
  const { execa } = await import("execa"); // loaded on first use: `tulc check` never links
  const result = await execa(clangPath(), args, { reject: false, all: true });
  if (result.failed) {
    const why = result.code === "ENOENT" ? `${clangPath()} not found; run ./scripts/setup.sh` : result.all;
    throw new LinkError(`linking failed: ${why}`);
  }
}
