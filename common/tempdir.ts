// Temporary directories of one build: each a fresh mkdtemp directory (mode 0700, a new name, so
// concurrent builds never share one), removed on every way out: normal end, errors, process exit,
// and death by any signal. Signals keep their default action, so Ctrl-C or SIGTERM ends tulc at
// once even in the middle of a long synchronous phase (a JavaScript handler would only run after
// it); a small reaper process (sh + awk, its own session) then stops the tools the build started
// and removes what is left, when its pipe from tulc closes. Removal never throws: a leftover
// directory must not replace the error that ended the build.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const live = new Set<string>();

/**
 * A new private directory, removed at process exit at the latest. Like mkdtemp (a fresh random name,
 * created atomically, mode 0700), but the reaper hears the name first: whenever tulc dies, it knows
 * every directory that may exist.
 */
export function makeTempDir(prefix = "tulc-"): string {
  for (;;) {
    const dir = path.join(tmpdir(), prefix + randomBytes(6).toString("base64url"));
    tell(`d${dir}`);
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      tell(`D${dir}`);
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw e;
    }
    live.add(dir);
    return dir;
  }
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
  tell(`D${dir}`);
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

/**
 * Registers a tool the build started (`pid`; negative: a whole process group) for the reaper to stop
 * if tulc dies while it runs; returns its removal, to call once it has exited.
 */
export function onSignalStop(pid: number | undefined): () => void {
  if (pid === undefined) return () => undefined;
  tell(`p${pid}`);
  return () => tell(`P${pid}`);
}

// ---- the reaper ----

/**
 * Reads lines `d<dir>` / `D<dir>` (made / removed) and `p<pid>` / `P<pid>` (started / exited) until
 * tulc's end of the pipe closes; then sends SIGTERM to the tools still listed and removes the
 * directories, again for up to 2 s while a dying tool still writes into one (once a directory is
 * gone, a tool's writes fail: nothing recreates it).
 */
const REAPER = `left=$(awk '{ k = substr($0, 2) }
  /^d/ { d[k] = 1 } /^D/ { delete d[k] } /^p/ { p[k] = 1 } /^P/ { delete p[k] }
  END { for (k in p) print "p" k; for (k in d) print "d" k }')
[ -z "$left" ] && exit 0
set -f
IFS='
'
for x in $left; do case $x in p*) kill -TERM \${x#p} 2>/dev/null;; esac; done
i=0
while :; do
  rest=
  for x in $left; do case $x in d*) rm -rf "\${x#d}" 2>/dev/null; [ -e "\${x#d}" ] && rest=1;; esac; done
  if [ -z "$rest" ] || [ $i -ge 40 ]; then break; fi
  sleep 0.05
  i=$((i + 1))
done
`;

let reaper: ChildProcess | null = null;

/** One line to the reaper, started with the first directory (holding none of tulc's stdio). */
function tell(line: string): void {
  if (!reaper) {
    reaper = spawn("/bin/sh", ["-c", REAPER], { stdio: ["pipe", "ignore", "ignore"], detached: true });
    reaper.on("error", () => undefined); // no /bin/sh: the exit handler below still cleans up
    reaper.stdin!.on("error", () => undefined);
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void }).unref?.();
  }
  reaper.stdin!.write(`${line}\n`);
}

function removeAll(): void {
  for (const dir of [...live]) removeTempDir(dir);
}

process.on("exit", removeAll);
