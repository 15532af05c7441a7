// The `tulc run` build cache (~/.cache/tulc/run, or $XDG_CACHE_HOME/tulc/run). An executable is
// reused only when everything it was built from is unchanged: the text of every module the
// program loaded (imports and standard modules included), the build options, and the compiler
// and runtime builds. A manifest per main file and options lists the modules the last build
// loaded, so a run that hits the cache reads and hashes those files but parses nothing.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { TOOLCHAIN_ROOT } from "../common/paths.js";
import { VERSION } from "../common/version.js";
import type { SourceFile } from "../frontend/source.js";
import { runtimeDir, type LinkOptions } from "../codegen/toolchain/link.js";

/** What the manifest of a main file (with given options) records: each module's path and text hash. */
interface Manifest {
  sources: [string, string][];
}

/** A build for the cache: writes the executable to `out` and returns the source files it loaded
 *  (null when the program has errors, already reported). */
export type CacheBuild = (out: string) => Promise<SourceFile[] | null>;

/**
 * The executable for `file` built with `opts`: from the cache when the sources the last build
 * loaded are unchanged, else built now (with `build`) and cached. Null when the build reported errors.
 */
export async function cachedExecutable(file: string, opts: LinkOptions, build: CacheBuild): Promise<string | null> {
  const dir = path.join(cacheRoot(), "run");
  const base = baseKey(file, opts);
  const manifestFile = path.join(dir, `${base}.json`);
  const hit = readManifest(manifestFile);
  if (hit) {
    const exe = programPath(dir, base, hit.sources.map(([p]) => hashFile(p)));
    if (exe && existsSync(exe)) return exe;
  }
  mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `build-${process.pid}-${Date.now()}`);
  let files: SourceFile[] | null;
  try {
    files = await build(tmp);
  } catch (e) {
    rmSync(tmp, { force: true }); // a half-written executable must not stay in the cache directory
    throw e;
  }
  if (!files) return null;
  const sources: [string, string][] = files.map((f) => [path.resolve(f.path), hashText(f.text)]);
  const exe = programPath(dir, base, sources.map(([, h]) => h))!;
  mkdirSync(path.dirname(exe), { recursive: true });
  renameSync(tmp, exe);
  writeAtomically(manifestFile, JSON.stringify({ sources } satisfies Manifest));
  return exe;
}

function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "tulc");
}

/** The main file (by real path), the options, and the compiler and runtime builds. */
function baseKey(file: string, opts: LinkOptions): string {
  const h = createHash("sha256");
  h.update(realOrResolved(file)).update("\0").update(JSON.stringify([opts.optLevel, opts.debug, opts.target ?? null, opts.sanitize ?? []]));
  h.update("\0").update(toolchainStamp(opts.target, opts.sanitize));
  return h.digest("hex").slice(0, 24);
}

/** Where the executable built from sources with these hashes lives (null: a source is unreadable). */
function programPath(dir: string, base: string, hashes: (string | null)[]): string | null {
  if (hashes.some((x) => x === null)) return null;
  const key = createHash("sha256").update(base).update(hashes.join("\0")).digest("hex").slice(0, 24);
  return path.join(dir, key, "program");
}

/**
 * Identifies the compiler and runtime builds: the version, every compiled module of the compiler
 * (size and modification time) and the runtime archives of the target.
 */
function toolchainStamp(target: string | undefined, sanitize: string[] | undefined): string {
  const parts = [VERSION];
  const dist = path.join(TOOLCHAIN_ROOT, "dist");
  for (const layer of ["cli", "driver", "frontend", "codegen", "common"]) {
    const root = path.join(dist, layer);
    if (!existsSync(root)) continue;
    for (const f of (readdirSync(root, { recursive: true }) as string[]).sort()) parts.push(stamp(path.join(root, f)));
  }
  const rt = runtimeDir(target, sanitize);
  for (const lib of ["libtulrt.a", "libtulrt_main.a"]) parts.push(stamp(path.join(rt, lib)));
  return parts.join("\n");
}

function stamp(file: string): string {
  try {
    const st = statSync(file);
    return `${file} ${st.size} ${st.mtimeMs}`;
  } catch {
    return `${file} missing`;
  }
}

/** A module's text as the compiler reads it (strict UTF-8), hashed; null when unreadable. */
function hashFile(file: string): string | null {
  try {
    return hashText(new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file)));
  } catch {
    return null;
  }
}

function hashText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function readManifest(file: string): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(file, "utf8")) as Manifest;
    const ok = Array.isArray(m.sources) && m.sources.every((s) => Array.isArray(s) && s.length === 2 && s.every((x) => typeof x === "string"));
    return ok ? m : null;
  } catch {
    return null;
  }
}

/** Written whole, then renamed: a concurrent run never reads half a manifest. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function realOrResolved(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
