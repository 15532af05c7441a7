// Unit tests of chunked code generation (codegen/lower/chunks.ts, lower/module.ts generateChunks,
// passes/chunks.ts): every function is defined in exactly one chunk, each chunk compiles on its own,
// the unbounded-recursion facts are those of the whole program (StackOverflowError across chunks),
// and a chunk whose functions call into later chunks waits for them. End to end, the golden suite
// runs chunked with TULC_CHUNK_LINES=1 (one function per chunk), and the recursion goldens below.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { generate, generateChunks } from "../../codegen/lower/module.js";
import { planChunks } from "../../codegen/lower/chunks.js";
import { unboundedRecursion } from "../../codegen/passes/recursion.js";
import { ChunkedModule } from "../../codegen/passes/chunks.js";
import { clangPath } from "../../codegen/toolchain/link.js";
import { runFrontend } from "../../driver/pipeline.js";
import { SourceFile } from "../../frontend/source.js";
import { parseCase } from "../golden/cases.js";
import { RECURSION_SAMPLE } from "./fixtures.js";

const SAMPLE = `${RECURSION_SAMPLE}
func viaLambda(int n): int { var k = (int m) => viaLambda(m + 1) * 2; return k(n); }
func ping(int n): int { return pong(n + 1); }
func pong(int n): int { return ping(n + 1); }
func even(int n): bool { if (n == 0) { return true; } return odd(n - 1); }
func odd(int n): bool { if (n == 0) { return false; } return even(n - 1); }
func apply(func(int): int f, int n): int { return f(n); }
func viaValue(int n): int { return apply(viaValue, n + 1); }
struct P { str name = "p"; int[] xs; }
str greeting = "hi";
func late(): str { P p = {}; return greeting + p.name; }
print(fib(10), even(4), late(), length("x"));
`;

function program(text: string) {
  const r = runFrontend(new SourceFile("/nonexistent/chunks.tul", text));
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  return r.program;
}

/** The chunks of a program with one function per chunk, as emitted (in emission order). */
async function chunked(text: string): Promise<string[]> {
  const p = program(text);
  const plan = planChunks(p, text.split("\n").length, { tests: false, optLevel: 2, perChunk: 1 });
  assert.ok(plan && plan.funcs.length > 2);
  const out: string[] = [];
  await generateChunks(p, { optLevel: 2, debug: false }, plan, (ir) => out.push(ir));
  assert.equal(out.length, plan.funcs.length);
  return out;
}

const DEFINE = /^define [^@]*@([-\w.$]+)\(/gm;
const defined = (ir: string): string[] => [...ir.matchAll(DEFINE)].map((m) => m[1]).filter((n) => !n.startsWith("tul__"));
/** The functions marked "disable-tail-calls" (attribute groups #4001 and #4003, passes/attributes.ts). */
const noTailCalls = (ir: string): string[] => [...ir.matchAll(/^define [^@]*@([-\w.$]+)\(.*#400[13] /gm)].map((m) => m[1]);

test("each function is defined in exactly one chunk, and the chunks define what one module does", async () => {
  const parts = await chunked(SAMPLE);
  const all = parts.flatMap(defined).sort();
  assert.deepEqual(all, [...new Set(all)].sort(), "a function defined twice");
  const whole = generate(program(SAMPLE), { optLevel: 2, debug: false }).rawText();
  assert.deepEqual(all, defined(whole).sort());
});

test("the recursion facts are the whole program's: the same functions lose tail calls", async () => {
  const parts = await chunked(SAMPLE);
  const whole = generate(program(SAMPLE), { optLevel: 2, debug: false }).rawText();
  assert.deepEqual(parts.flatMap(noTailCalls).sort(), noTailCalls(whole).sort());
  const expected = ["tul_fn_forever", "tul_fn_loop", "tul_fn_ping", "tul_fn_pong", "tul_fn_spin", "tul_fn_viaLambda", "tul_fn_viaValue"];
  for (const f of expected) assert.ok(unboundedRecursion(whole).has(f), f);
  for (const f of expected) assert.ok(parts.flatMap(noTailCalls).includes(f), `${f} keeps tail calls in its chunk`);
});

test("chunking starts at 4,000 lines at -O0 (by ~2,500, at most 16 chunks), at 12,000 optimised; never for tests", () => {
  const funcs = 400;
  const text = Array.from({ length: funcs }, (_, i) => `func f${i}(int n): int {\n    return n + ${i};\n}\n`).join("") + "print(f0(1));\n";
  const p = program(text);
  const plan = (lines: number, optLevel: number, tests = false) => planChunks(p, lines, { tests, optLevel, perChunk: NaN })?.funcs.length ?? 0;
  assert.equal(plan(3999, 0), 0);
  assert.equal(plan(4000, 0), 2);
  assert.equal(plan(10000, 0), 4);
  assert.equal(plan(100000, 0), 16);
  assert.equal(plan(4000, 0, true), 0, "tulc test: one module");
  for (const o of [1, 2, 3]) {
    assert.equal(plan(11999, o), 0);
    assert.equal(plan(12000, o), 2);
  }
  assert.equal(planChunks(p, 10, { tests: false, optLevel: 2, perChunk: 5 })?.funcs.length, 2, "$TULC_CHUNK_LINES forces");
});

test("a chunk that calls into a chunk still to come waits for it; one with an indirect call for the last", () => {
  const fn = (name: string, ...body: string[]): string[] => [`define i64 @tul_fn_${name}(i64 %0) {`, "entry:", ...body, "}", ""];
  const emitted: string[][] = [];
  const marked: string[] = [];
  const names = new Set(["tul_fn_f", "tul_fn_g", "tul_fn_h", "tul_fn_k"]);
  const chunks = new ChunkedModule({ noTailCalls: new Set(), noInline: new Set(), extraAttributes: [], debug: true }, names, (ir) => {
    emitted.push(defined(ir));
    marked.push(...noTailCalls(ir));
  });
  chunks.add(["declare i64 @tul_fn_g(i64)", "", ...fn("f", "  %r = call i64 @tul_fn_g(i64 %0)", "  ret i64 %r")]);
  assert.deepEqual(emitted, [], "f calls g, not lowered yet");
  chunks.add(["declare i64 @tul_fn_f(i64)", "", ...fn("g", "  %r = call i64 @tul_fn_f(i64 %0)", "  ret i64 %r")]);
  assert.deepEqual(emitted, [["tul_fn_f"], ["tul_fn_g"]]);
  assert.deepEqual(marked, ["tul_fn_f", "tul_fn_g"], "f and g recurse without a way out");
  chunks.add([...fn("h", "  %p = bitcast i64 (i64)* @tul_fn_k to i64 (i64)*", "  %r = call i64 %p(i64 %0)", "  ret i64 %r")]);
  assert.equal(emitted.length, 2, "an indirect call: later chunks may take more addresses");
  chunks.add([...fn("k", "  ret i64 %0")]);
  chunks.finish();
  assert.deepEqual(emitted.slice(2), [["tul_fn_k"], ["tul_fn_h"]]);
  assert.deepEqual(marked, ["tul_fn_f", "tul_fn_g"]);
});

test("every chunk compiles on its own (hidden cross-chunk symbols, its own metadata)", async () => {
  const parts = await chunked(SAMPLE);
  for (const ir of parts) {
    const r = spawnSync(clangPath(), ["-x", "ir", "-c", "-O2", "-o", "/dev/null", "-"], { input: ir, encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stderr}\n${ir.slice(0, 2000)}`);
  }
  const global = parts.filter((ir) => /^@tulg\.greeting\.\d+ = hidden global/m.test(ir));
  assert.equal(global.length, 1, "the global is defined in one chunk");
  assert.ok(parts.some((ir) => /^@tulg\.greeting\.\d+ = external hidden global/m.test(ir)), "and declared where used");
});

// ---------------------------------------------------------------- end to end

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");
const dir = mkdtempSync(path.join(tmpdir(), "tulc-chunks-"));
const golden = path.join(TOOLCHAIN_ROOT, "tests", "golden", "recursion");

test("tests/golden/recursion built one function per chunk at -O2: StackOverflowError across chunks", async () => {
  const env = { XDG_CACHE_HOME: path.join(dir, "cache"), TULC_CHUNK_LINES: "1", TULC_JOBS: "2" };
  const files = readdirSync(golden).filter((f) => f.endsWith(".tul"));
  await Promise.all(files.map(async (f) => {
    const c = parseCase(path.join(golden, f));
    const exe = path.join(dir, f);
    const build = await execa(TULC, ["build", c.file, "-O2", "-o", exe], { reject: false, env, all: true });
    assert.equal(build.exitCode, 0, `${f}: ${build.all}`);
    const run = await execa(exe, [], { reject: false, env: c.env, timeout: 20000, stripFinalNewline: false });
    assert.ok(!run.timedOut, `${f}: timed out (an endless loop instead of StackOverflowError)`);
    assert.equal(run.exitCode, c.status, `${f}: ${run.stderr.slice(0, 300)}`);
    assert.equal(run.stdout, readFileSync(c.file.replace(/\.tul$/, ".out"), "utf8"), f);
    for (const re of c.stderr) assert.match(run.stderr, re, f);
  }));
});
