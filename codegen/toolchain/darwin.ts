// The macOS host's parts of linking (untested here: CI and this machine run Linux): Homebrew's
// libraries, the SDK path for clang-14 from Homebrew, ld64 (no --as-needed) and dsymutil for -g.
// link.ts asks `isDarwinHost` and takes these instead of the Linux arguments.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

// Linux compiles llhttp (the HTTP server's parser) into the runtime from Debian's sources; Homebrew links it.
// No libdw on macOS: programs get call-site tables (linetable.ts).
const DARWIN_SYSTEM_LIBS = ["-luv", "-lgc", "-lutf8proc", "-lcurl", "-lllhttp", "-lpcre2-8", "-lcrypto", "-lm", "-lpthread"];

/** Whether a build links for the macOS host (no cross target, running on macOS). */
export function isDarwinHost(target: string | undefined): boolean {
  return !target && process.platform === "darwin";
}

/** The first answer of `fn`, asked once. */
function once<T>(fn: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => (cached ??= { value: fn() }).value;
}

/** The trimmed standard output of a command, or "" when it fails. */
function commandOutput(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 && typeof r.stdout === "string" ? r.stdout.trim() : "";
}

/** Homebrew's prefix: $HOMEBREW_PREFIX, else `brew --prefix`, else /opt/homebrew. */
const homebrewPrefix = once(() => process.env.HOMEBREW_PREFIX || commandOutput("brew", ["--prefix"]) || "/opt/homebrew");

/** The macOS SDK: $SDKROOT, else `xcrun --show-sdk-path`; clang-14 from Homebrew may not find it. */
const sdkRoot = once(() => process.env.SDKROOT || commandOutput("xcrun", ["--show-sdk-path"]));

/** The system libraries and linker flags after the runtime archives on macOS. */
export function darwinLinkArgs(): string[] {
  // Homebrew's curl and openssl@3 (libcrypto) are keg-only (opt/<name>/lib): the runtime was built
  // against them (setup.sh).
  const kegs = ["curl", "openssl@3"].map((p) => path.join(homebrewPrefix(), "opt", p, "lib"));
  const dirs = [...kegs, path.join(homebrewPrefix(), "lib")].filter(existsSync);
  const sdk = sdkRoot() ? ["-isysroot", sdkRoot()] : [];
  return [...sdk, ...dirs.map((d) => `-L${d}`), ...DARWIN_SYSTEM_LIBS];
}

/** -g on macOS: the DWARF stays in the object files, which tulc deletes; dsymutil keeps it in
 *  exe.dSYM. Returns dsymutil's complaint when it fails, else null. */
export async function keepDebugInfo(exe: string, clang: string): Promise<string | null> {
  const { llvmTool } = await import("./linetable.js");
  const { execa } = await import("execa");
  const r = await execa(llvmTool(clang, "dsymutil"), [exe], { reject: false, all: true });
  return r.failed ? `dsymutil failed: ${r.all ?? r.code}` : null;
}
