// Build temporary directories (common/tempdir.ts, codegen/toolchain/link.ts): private to each build,
// removed on every way out (success, a failing tool, code generation failing while clang is already
// running, SIGTERM, also in the middle of seconds of synchronous lowering), and never hiding the real
// error. Each test points TMPDIR at its own directory and checks it is empty afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");
const root = mkdtempSync(path.join(tmpdir(), "tulc-tempdir-test-"));
let n = 0;

/** A fresh TMPDIR and cache for one build. */
function sandbox(): { tmp: string; env: Record<string, string> } {
  const tmp = path.join(root, `t${n++}`);
  mkdirSync(tmp);
  return { tmp, env: { TMPDIR: tmp, XDG_CACHE_HOME: path.join(root, "cache") } };
}

/** A stand-in for clang-14: `-###` fails (tulc then links through it), anything else records its pid and runs `body`. */
function fakeClang(name: string, body: string): string {
  const file = path.join(root, name);
  writeFileSync(file, `#!/bin/sh\nfor a in "$@"; do [ "$a" = "-###" ] && exit 1; done\necho $$ >> ${root}/${name}.pids\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Whether a process runs (a zombie waiting for a parent that does not reap does not count). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

const hello = path.join(root, "hello.tul");
writeFileSync(hello, 'print("hi");\n');

test("a successful build leaves no temporary directory (one clang job or three)", async () => {
  const two = path.join(root, "two.tul");
  writeFileSync(two, 'func f(int n): int { return n * 2; }\nfunc g(int n): int { return f(n) + 1; }\nprint(g(20));\n');
  for (const jobs of ["1", "3"]) {
    const { tmp, env } = sandbox();
    const r = await execa(TULC, ["build", two, "-o", path.join(root, "two"), "-j", jobs], { reject: false, env });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal((await execa(path.join(root, "two"))).stdout, "41");
    assert.deepEqual(readdirSync(tmp), []);
  }
});

test("two failing builds at once: each reports the tool's error, no directory is left", async () => {
  const clang = fakeClang("failing-clang", 'cat > /dev/null; echo "boom: cannot compile" >&2; exit 1');
  const boxes = [sandbox(), sandbox()];
  const shared = { ...boxes[0].env, TULC_CLANG: clang };
  const runs = await Promise.all([0, 1].map((i) => execa(TULC, ["build", hello, "-o", path.join(root, `h${i}`)], { reject: false, env: shared })));
  for (const r of runs) {
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /^tulc: error: compiling failed: boom: cannot compile/);
    assert.doesNotMatch(r.stderr, /internal compiler error|ENOTEMPTY/);
  }
  assert.deepEqual(readdirSync(boxes[0].tmp), []);
});

test("code generation failing while clang runs: clang is stopped and waited for, then the directory goes", async () => {
  // Like clang, the stand-in writes into the object's directory while it dies (clang removes its
  // temporary object file then): removing the directory before it exited raced with that.
  const dying = fakeClang("dying-clang", [
    'for a in "$@"; do [ -n "$next" ] && out="$a"; next=; [ "$a" = "-o" ] && next=1; done',
    `trap 'echo x > "$out.tmp"; sleep 0.2; rm -f "$out.tmp"; touch ${root}/dying-clang.exited.$$; exit 1' TERM`,
    "while :; do sleep 0.05; done",
  ].join("\n"));
  const { startLink } = await import("../../codegen/toolchain/link.js");
  const { tmp } = sandbox();
  const saved = { TMPDIR: process.env.TMPDIR, TULC_CLANG: process.env.TULC_CLANG };
  try {
    for (const clang of [dying, undefined]) {
      process.env.TMPDIR = tmp;
      if (clang) process.env.TULC_CLANG = clang; else delete process.env.TULC_CLANG;
      // Aborted at once and after clang had time to start (then it compiles the empty input it got).
      for (const delay of [0, 150, 300]) {
        const links = Array.from({ length: 3 }, (_, i) => startLink(path.join(root, `aborted${i}`), { optLevel: 2, debug: false }));
        await new Promise((r) => setTimeout(r, delay));
        await Promise.all(links.map((l) => l.abort()));
        assert.deepEqual(readdirSync(tmp), [], `${clang ?? "clang-14"}, aborted after ${delay} ms`);
        if (clang) {
          const started = readFileSync(`${dying}.pids`, "utf8").trim().split("\n").length;
          const exited = readdirSync(root).filter((f) => f.startsWith("dying-clang.exited.")).length;
          assert.equal(exited, started, "abort() resolved before the tool had exited");
        }
      }
    }
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
});

test("SIGTERM during a build stops clang and removes the directory", async () => {
  const clang = fakeClang("slow-clang", "exec sleep 30");
  const { tmp, env } = sandbox();
  const child = execa(TULC, ["build", hello, "-o", path.join(root, "slow")], { reject: false, env: { ...env, TULC_CLANG: clang } });
  const pids = `${root}/slow-clang.pids`;
  for (let i = 0; i < 400 && !(existsSync(pids) && readdirSync(tmp).length); i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 100));
  child.kill("SIGTERM");
  const r = await child;
  assert.equal(r.signal, "SIGTERM");
  for (let i = 0; i < 80 && readdirSync(tmp).length; i++) await sleep(25); // the reaper's clean-up
  assert.deepEqual(readdirSync(tmp), []);
  for (const pid of readFileSync(pids, "utf8").trim().split("\n").map(Number)) {
    let alive = true;
    for (let i = 0; i < 40 && (alive = running(pid)); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(!alive, `clang stand-in ${pid} still runs`);
  }
});

/** Pids of the processes whose command line mentions `text` (Linux: /proc). */
function processesMentioning(text: string): number[] {
  if (!existsSync("/proc/self/cmdline")) return [];
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text) && running(Number(entry))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

test("SIGTERM in seconds of synchronous lowering ends tulc at once: no directory, no clang left", async () => {
  // 10,000 functions: several seconds of lowering, IR passes and splitting, all without a turn of
  // the event loop (where a JavaScript signal handler would run), starting shortly after the build
  // directory and clang (waiting for the IR on its stdin) appear.
  const big = path.join(root, "big.tul");
  const fn = (i: number): string => `func f${i}(int x): int { int s = x; for (int j = 0; j < 3; j++) { s += j * ${i} + x % 7; } return s + ${i}; }`;
  writeFileSync(big, Array.from({ length: 10_000 }, (_, i) => fn(i)).join("\n") + "\nprint(f1(2));\n");
  const { tmp, env } = sandbox();
  const child = execa(TULC, ["build", big, "-o", path.join(root, "big")], { reject: false, env });
  for (let i = 0; i < 2400 && readdirSync(tmp).length === 0 && child.exitCode === null; i++) await sleep(25);
  assert.ok(readdirSync(tmp).length > 0, "the build directory never appeared");
  await sleep(1000); // llvm-bindings loads (the event loop still turns), then lowering starts
  const sent = Date.now();
  child.kill("SIGTERM");
  const r = await child;
  const exited = Date.now() - sent;
  assert.equal(r.signal, "SIGTERM", r.stderr);
  assert.ok(exited < 1000, `tulc took ${exited} ms to end after SIGTERM`);
  // The reaper (common/tempdir.ts) stops clang and removes the directory right after.
  const clean = (): boolean => readdirSync(tmp).length === 0 && processesMentioning(tmp).length === 0;
  while (!clean() && Date.now() - sent < 3000) await sleep(25);
  assert.deepEqual(readdirSync(tmp), [], "the build directory is still there 3 s after SIGTERM");
  assert.deepEqual(processesMentioning(tmp), [], "a tool of the killed build still runs 3 s after SIGTERM");
});
