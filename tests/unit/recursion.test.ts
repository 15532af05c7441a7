// Unbounded recursion: the IR pass that finds recursions without a way out (codegen/passes/recursion.ts),
// and the golden programs of tests/golden/recursion built at the -O levels the golden suite does not
// use (it builds at -O2), each of which must still end in StackOverflowError (or, for async
// recursion, MemoryError) with the same output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { unboundedRecursion } from "../../codegen/passes/recursion.js";
import { generate } from "../../codegen/lower/module.js";
import { runFrontend } from "../../driver/pipeline.js";
import { SourceFile } from "../../frontend/source.js";
import { parseCase } from "../golden/cases.js";
import { RECURSION_SAMPLE } from "./fixtures.js";

const fn = (name: string, ...body: string[]) => [`define internal i64 @${name}(i64 %0) {`, "entry:", ...body, "}"].join("\n");
const names = (...fns: string[]) => [...unboundedRecursion(fns.join("\n"))].sort();

test("a function that only calls itself has no way out; one with a base case has", () => {
  const loop = fn("f", "  %1 = call i64 @f(i64 %0)", "  ret i64 %1");
  const based = fn("g", "  %c = icmp slt i64 %0, 2", "  br i1 %c, label %base, label %rec",
    "base:", "  ret i64 %0", "rec:", "  %1 = call i64 @g(i64 %0)", "  ret i64 %1");
  assert.deepEqual(names(loop, based), ["f"]);
});

test("mutual recursion: a cycle without a base case, and one whose base case is in the other function", () => {
  const g = fn("g", "  %1 = call i64 @h(i64 %0)", "  ret i64 %1");
  const h = fn("h", "  %1 = call i64 @g(i64 %0)", "  ret i64 %1");
  assert.deepEqual(names(g, h), ["g", "h"]);
  const a = fn("a", "  %c = icmp slt i64 %0, 0", "  br i1 %c, label %out, label %in", "out:", "  ret i64 0",
    "in:", "  %1 = call i64 @b(i64 %0)", "  ret i64 %1");
  const b = fn("b", "  %1 = call i64 @a(i64 %0)", "  ret i64 %1");
  assert.deepEqual(names(a, b), []);
});

test("a member whose every path recurses into itself has no way out even when the cycle has a base case", () => {
  // c(n) = c(n + 1) + a(n): a can return, c never can.
  const a = fn("a", "  %c = icmp slt i64 %0, 0", "  br i1 %c, label %out, label %in", "out:", "  ret i64 0",
    "in:", "  %1 = call i64 @c(i64 %0)", "  ret i64 %1");
  const c = fn("c", "  %1 = call i64 @c(i64 %0)", "  %2 = call i64 @a(i64 %0)", "  ret i64 %1");
  assert.deepEqual(names(a, c), ["c"]);
});

test("indirect calls reach every address-taken function", () => {
  // cc stores lam in a closure and calls it through a pointer; lam calls cc directly.
  const cc = fn("cc", "  store i8* bitcast (i64 (i8*, i64)* @lam to i8*), i8** %p, align 8",
    "  %f = load i64 (i64)*, i64 (i64)** %q, align 8", "  %1 = call i64 %f(i64 %0)", "  ret i64 %1");
  const lam = fn("lam", "  %1 = call i64 @cc(i64 %0)", "  %2 = add i64 %1, 1", "  ret i64 %2");
  const other = fn("other", "  ret i64 %0");
  assert.deepEqual(names(cc, lam, other), ["cc", "lam"]);
  // a function whose address is never taken is not a target: no cycle
  const plain = fn("plain", "  %1 = call i64 @cc2(i64 %0)", "  ret i64 %1");
  const cc2 = fn("cc2", "  %f = load i64 (i64)*, i64 (i64)** %q, align 8", "  %1 = call i64 %f(i64 %0)", "  ret i64 %1");
  assert.deepEqual(names(plain, cc2), []);
});

test("a call to a runtime function (declared, not defined) is not recursion", () => {
  assert.deepEqual(names("declare i64 @ext(i64)", fn("f", "  %1 = call i64 @ext(i64 %0)", "  ret i64 %1")), []);
});

test("on a whole program: top-level and nested functions, lambdas; base cases found through branches", () => {
  const r = runFrontend(new SourceFile("t.tul", `${RECURSION_SAMPLE}
func viaLambda(int n): int { var k = (int m) => viaLambda(m + 1) * 2; return k(n); }
`));
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  const text = generate(r.program, { optLevel: 2, debug: false }).rawText();
  const marked = [...unboundedRecursion(text)].filter((n) => !n.startsWith("tul_lambda.")).sort();
  assert.deepEqual(marked, ["tul_fn_forever", "tul_fn_loop", "tul_fn_spin", "tul_fn_viaLambda"]);
  assert.match(text, /define internal i64 @tul_fn_spin\(i64 %0\) #400[13] /); // disable-tail-calls
  assert.match(text, /define internal i64 @tul_fn_fib\(i64 %0\) #4000 /);
});

// ---------------------------------------------------------------- every -O level

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");
const dir = mkdtempSync(path.join(tmpdir(), "tulc-recursion-"));
const env = { XDG_CACHE_HOME: path.join(dir, "cache") };
const golden = path.join(TOOLCHAIN_ROOT, "tests", "golden", "recursion");

for (const level of ["-O0", "-O1", "-O3"]) {
  test(`tests/golden/recursion at ${level}: StackOverflowError or MemoryError, no endless loop`, async () => {
    const files = readdirSync(golden).filter((f) => f.endsWith(".tul"));
    await Promise.all(files.map(async (f) => {
      const c = parseCase(path.join(golden, f));
      const exe = path.join(dir, `${f}${level}`);
      const build = await execa(TULC, ["build", c.file, level, "-o", exe], { reject: false, env, all: true });
      assert.equal(build.exitCode, 0, `${f}: ${build.all}`);
      const run = await execa(exe, [], { reject: false, env: c.env, timeout: 20000, stripFinalNewline: false });
      assert.ok(!run.timedOut, `${f} ${level}: timed out (an endless loop instead of StackOverflowError)`);
      assert.equal(run.exitCode, c.status, `${f} ${level}: ${run.stderr.slice(0, 300)}`);
      assert.equal(run.stdout, readFileSync(c.file.replace(/\.tul$/, ".out"), "utf8"), `${f} ${level}`);
      for (const re of c.stderr) assert.match(run.stderr, re, `${f} ${level}`);
    }));
  });
}
