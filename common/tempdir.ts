// Temporary directories of one build: each a fresh mkdtemp directory (mode 0700, a new name, so
// concurrent builds never share one), removed on every way out: normal end, errors, process exit,
// and SIGINT/SIGTERM/SIGHUP (the tools a build started are stopped first). Removal never throws:
// a leftover directory must not replace the error that ended the build.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const live = new Set<string>();
/** Stops the processes a build started (link.ts registers its tools), on a signal. */
const stoppers = new Set<() => void>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** A new private directory, removed at process exit at the latest. */
export function makeTempDir(prefix = "tulc-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (live.size === 0) watch(true);
  live.add(dir);
  return dir;
}

/** Removes a directory made by makeTempDir (and everything in it); never throws. */
export function removeTempDir(dir: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      break;
    } catch {
      // ENOTEMPTY: something still wrote into it; try again, then give up silently
    }
  }
  live.delete(dir);
  if (live.size === 0) watch(false);
}

/** Runs `body` with a fresh directory that is removed when it ends, however it ends. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>, prefix?: string): Promise<T> {
  const dir = makeTempDir(prefix);
  try {
    return await body(dir);
  } finally {
    removeTempDir(dir);
  }
}

/** The synchronous form of withTempDir. */
export function withTempDirSync<T>(body: (dir: string) => T, prefix?: string): T {
  const dir = makeTempDir(prefix);
  try {
    return body(dir);
  } finally {
    removeTempDir(dir);
  }
}

/** Registers a function that kills a running tool when the process is signalled; returns its removal. */
export function onSignalStop(stop: () => void): () => void {
  stoppers.add(stop);
  return () => stoppers.delete(stop);
}

function removeAll(): void {
  for (const dir of [...live]) removeTempDir(dir);
}

function onSignal(signal: NodeJS.Signals): void {
  for (const stop of stoppers) {
    try {
      stop();
    } catch {
      // already gone
    }
  }
  removeAll();
  watch(false);
  process.kill(process.pid, signal); // the default action now: the exit status says which signal
}

/** Signal handlers are installed only while directories exist: `tulc run` forwards signals to the program. */
function watch(on: boolean): void {
  for (const sig of SIGNALS) {
    if (on) process.on(sig, onSignal);
    else process.off(sig, onSignal);
  }
}

process.on("exit", removeAll);
