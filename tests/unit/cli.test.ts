// End-to-end tests of the `tulc` command line: help, version, usage errors, build, run (cache, args,
// exit status), check, and that user mistakes never print an internal stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");
const dir = mkdtempSync(path.join(tmpdir(), "tulc-cli-"));
const env = { XDG_CACHE_HOME: path.join(dir, "cache") };

function source(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const tulc = (...args: string[]) => execa(TULC, args, { reject: false, env });

test("--help and --version", async () => {
  const help = await tulc("--help");
  assert.equal(help.exitCode, 0);
  assert.match(help.stdout, /tulc build <file.tul>/);
  const version = await tulc("--version");
  assert.match(version.stdout, /^tulc \d+\.\d+\.\d+/);
});

test("usage errors are one line and status 2", async () => {
  for (const args of [["build"], ["build", "x.tul", "--bogus"], ["frobnicate", "x.tul"], ["build", "x.tul", "-o"], ["build", "x.tul", "-j", "0"], ["build", "x.tul", "--jobs", "two"]]) {
    const r = await tulc(...args);
    assert.equal(r.exitCode, 2, args.join(" "));
    assert.match(r.stderr, /^tulc: error: /);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  }
});

test("a missing source file is a clear error", async () => {
  const r = await tulc("build", path.join(dir, "nope.tul"));
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /tulc: error: cannot read '.*nope.tul': no such file/);
});

test("build writes an executable next to the source by default", async () => {
  const file = source("hello.tul", 'print("hi");\n');
  const r = await tulc("build", file);
  assert.equal(r.exitCode, 0, r.stderr);
  const exe = file.replace(/\.tul$/, "");
  assert.ok(existsSync(exe));
  assert.equal((await execa(exe)).stdout, "hi");
});

test("build -o and --emit-llvm", async () => {
  const file = source("two.tul", "print(1 + 1);\n");
  const out = path.join(dir, "two-bin");
  assert.equal((await tulc("build", file, "-o", out, "-O0", "-g")).exitCode, 0);
  assert.equal((await execa(out)).stdout, "2");
  const ll = path.join(dir, "two.ll");
  assert.equal((await tulc("build", file, "--emit-llvm", "-o", ll)).exitCode, 0);
  assert.ok(existsSync(ll));
});

test("run passes arguments and the exit status through, and caches the build", async () => {
  const file = source("args.tul", 'print(args());\nexit(length(args()));\n');
  const first = await tulc("run", file, "--", "a", "-b");
  assert.equal(first.stdout, '["a","-b"]');
  assert.equal(first.exitCode, 2);
  const t0 = Date.now();
  const second = await tulc("run", file, "x");
  assert.equal(second.stdout, '["x"]');
  assert.equal(second.exitCode, 1);
  assert.ok(Date.now() - t0 < 2000);
});

test("run rebuilds when an imported module, the options or the main file change, and only then", async () => {
  const sub = path.join(dir, "stale");
  mkdirSync(path.join(sub, "lib"), { recursive: true });
  const app = path.join(sub, "app.tul");
  const util = path.join(sub, "lib", "util.tul");
  const deep = path.join(sub, "lib", "deep.tul");
  writeFileSync(app, 'import "./lib/util.tul";\nprint(answer());\n');
  writeFileSync(util, 'import "./deep.tul";\nfunc answer(): int { return base() + 1; }\n');
  writeFileSync(deep, "func base(): int { return 1; }\n");
  const programs = () => readdirSync(path.join(dir, "cache", "tulc", "run")).filter((f) => !f.endsWith(".json")).length;
  assert.equal((await tulc("run", app)).stdout, "2");
  const built = programs();
  assert.equal((await tulc("run", app)).stdout, "2");
  assert.equal(programs(), built, "an unchanged program is served from the cache");
  writeFileSync(util, 'import "./deep.tul";\nfunc answer(): int { return base() + 10; }\n');
  assert.equal((await tulc("run", app)).stdout, "11", "an edited import is rebuilt");
  writeFileSync(deep, "func base(): int { return 100; }\n");
  assert.equal((await tulc("run", app)).stdout, "110", "an edited import of an import is rebuilt");
  assert.equal((await tulc("run", app, "-O0")).stdout, "110");
  assert.equal(programs(), built + 3, "other options are another build");
  writeFileSync(util, 'func answer(): int { return 7; }\n');
  assert.equal((await tulc("run", app)).stdout, "7", "an import dropped from an import");
  rmSync(deep);
  assert.equal((await tulc("run", app)).stdout, "7", "a module no longer imported may disappear");
  writeFileSync(util, 'import "./deep.tul";\nfunc answer(): int { return 7; }\n');
  const missing = await tulc("run", app);
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /cannot find module '.\/deep.tul'/);
});

test("check reports every error and exits 1; a clean file exits 0", async () => {
  const bad = source("bad.tul", "int x = \"s\";\nprint(y);\n");
  const r = await tulc("check", bad);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /bad.tul:1:9: error/);
  assert.match(r.stderr, /bad.tul:2:7: error: unknown variable 'y'/);
  assert.match(r.stderr, /2 errors generated/);
  const good = source("good.tul", "print(1);\n");
  assert.equal((await tulc("check", good)).exitCode, 0);
});

test("garbage input never crashes tulc", async () => {
  for (const text of ["\u0000\u0001", "}}}{{{", "func (", "\"unterminated", "/* open", "int[[[ x", "t\"{", "@#$%^"]) {
    const r = await tulc("check", source("garbage.tul", text));
    assert.equal(r.exitCode, 1, JSON.stringify(text));
    assert.doesNotMatch(r.stderr, /internal compiler error|at .*\.js:\d+/);
  }
});

test("build --time prints the time of each phase on stderr", async () => {
  const file = source("timed.tul", "func f(int n): int { return n + 1; }\nprint(f(1));\n");
  // LLVM's verifier runs before printing only with $TULC_VERIFY or $TULC_DEBUG (clang verifies too).
  for (const [jobs, verify] of [["1", "1"], ["2", ""]]) {
    const r = await execa(TULC, ["build", file, "-o", path.join(dir, "timed"), "--time", "-j", jobs], { reject: false, env: { ...env, TULC_VERIFY: verify, TULC_DEBUG: "" } });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal((await execa(path.join(dir, "timed"))).stdout, "2");
    for (const phase of ["start-up", "parse", "check", "load LLVM", "lower to LLVM IR", "print IR", "IR text passes", "clang: optimise \\+ codegen", "link", "total"]) {
      assert.match(r.stderr, new RegExp(`^  ${phase} +\\d+ ms$`, "m"), phase);
    }
    assert.equal(/split IR/.test(r.stderr), jobs === "2");
    assert.equal(/verify IR/.test(r.stderr), verify === "1");
  }
});

test("long chains compile to the right values (+, &&, ||, ternary, else-if, unary, fields)", async () => {
  const n = 3000;
  const lines = [
    `int sum = ${Array(n).fill("1").join(" + ")};`,
    `int calls = 0;`,
    `func t(bool v): bool { calls += 1; return v; }`,
    `bool all = ${Array.from({ length: n }, (_, i) => (i === n / 2 ? "t(false)" : "t(true)")).join(" && ")};`,
    `bool any = ${Array.from({ length: n }, (_, i) => (i === 10 ? "t(true)" : "t(false)")).join(" || ")};`,
    `int x = 1234;`,
    `int pick = ${Array.from({ length: n }, (_, i) => `x == ${i} ? ${i * 2} :`).join(" ")} -1;`,
    `int branch = -1;`,
    `${Array.from({ length: n }, (_, i) => `${i ? "else " : ""}if (x == ${i}) { branch = ${i}; }`).join(" ")} else { branch = -2; }`,
    `int neg = ${"- ".repeat(n + 1)}5;`,
    `struct N { N next; int v; }`,
    `N a;`,
    `a.next = a;`,
    `a.v = 42;`,
    `int far = a${".next".repeat(n)}.v;`,
    `print(sum, all, any, calls, pick, branch, neg, far);`,
  ];
  const file = source("chains.tul", lines.join("\n") + "\n");
  const r = await tulc("build", file, "-o", path.join(dir, "chains"), "-O0");
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal((await execa(path.join(dir, "chains"))).stdout, `${n} false true ${n / 2 + 1 + 11} 2468 1234 -5 42`);
});

test("build time grows linearly: 20,000 lines take at most 15x the time of 2,000", async () => {
  const gen = path.join(TOOLCHAIN_ROOT, "bench", "program-gen.mjs");
  const { generateProgram } = (await import(gen)) as { generateProgram(lines: number): string };
  const build = async (lines: number): Promise<number> => {
    const file = source(`scale${lines}.tul`, generateProgram(lines));
    const t0 = performance.now();
    const r = await tulc("build", file, "-o", path.join(dir, `scale${lines}`), "-O0", "-j", "1");
    assert.equal(r.exitCode, 0, r.stderr);
    return performance.now() - t0;
  };
  await build(2_000); // the runtime's bitcode is cached by the first build
  const small = await build(2_000), large = await build(20_000);
  assert.ok(large <= 15 * small, `2,000 lines: ${small.toFixed(0)} ms, 20,000 lines: ${large.toFixed(0)} ms`);
  const out = (await execa(path.join(dir, "scale20000"))).stdout.split("\n");
  assert.equal(out.length, 2_000);
});

test("huge literals build in seconds at -O2 and print what they hold", async () => {
  // Before issue 17's fixes: a 50,000-element array took clang minutes, a 10,000-key json literal
  // ~50 s (5,000 keys ~8 s), a 10 MB string literal ~16 minutes (a 2 MB one ~10 s).
  const ints = Array.from({ length: 50_000 }, (_, i) => String(i * 7 - 3));
  const keys = Array.from({ length: 5_000 }, (_, i) => `"k${i}": ${i % 2 ? i : `"v${i}"`}`);
  const text = [
    `int[] xs = [${ints.join(", ")}];`,
    "int sum = 0;",
    "for (int x in xs) { sum += x; }",
    `json j = {${keys.join(", ")}};`,
    `str s = "${"abcdefgh\\u{e9}".repeat(200_000)}";`,
    'print(length(xs), xs[49999], sum, length(j), j["k4999"], j["k4998"], length(s), s[1799999]);',
  ];
  const file = source("literals.tul", text.join("\n") + "\n");
  const t0 = performance.now();
  const r = await tulc("build", file, "-o", path.join(dir, "literals"), "-O2");
  const ms = performance.now() - t0;
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(ms < 120_000, `${ms.toFixed(0)} ms`);
  const sum = ints.reduce((a, x) => a + Number(x), 0);
  assert.equal((await execa(path.join(dir, "literals"))).stdout, `50000 349990 ${sum} 5000 4999 v4998 1800000 é`);
});

test("a module split into more parts than jobs (clang runs 2 at a time) links the same program", async () => {
  const gen = path.join(TOOLCHAIN_ROOT, "bench", "program-gen.mjs");
  const { generateProgram } = (await import(gen)) as { generateProgram(lines: number): string };
  const file = source("parts.tul", generateProgram(3_000));
  // clang through a wrapper that logs each compile (`-c`), so the test sees how many parts there were
  const log = path.join(dir, "compiles.log");
  const wrapper = source("clang-wrapper.sh", `#!/bin/sh\ncase " $* " in *" -c "*) echo c >> '${log}';; esac\nexec clang-14 "$@"\n`);
  chmodSync(wrapper, 0o755);
  const build = async (name: string, jobs: string, parts: string): Promise<number> => {
    writeFileSync(log, "");
    const r = await execa(TULC, ["build", file, "-o", path.join(dir, name), "-O1"], { reject: false, env: { ...env, TULC_JOBS: jobs, TULC_PARTS: parts, TULC_CLANG: wrapper } });
    assert.equal(r.exitCode, 0, r.stderr);
    return readFileSync(log, "utf8").split("\n").filter(Boolean).length;
  };
  assert.equal(await build("parts5", "2", "5"), 5);
  assert.equal(await build("parts1", "1", "1"), 1);
  const [a, b] = [await execa(path.join(dir, "parts5")), await execa(path.join(dir, "parts1"))];
  assert.equal(a.stdout.split("\n").length, 300);
  assert.equal(a.stdout, b.stdout);
});
