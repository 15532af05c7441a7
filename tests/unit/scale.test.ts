// The compiler at scale (issue 17): large ordinary programs must compile without recursion on the
// depth of the input or spreading unbounded arrays into calls. Each test uses a size just past the
// one that crashed before (Node's default stack), and runs the phases in-process to stay fast.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SourceFile } from "../../frontend/source.js";
import { DiagnosticBag } from "../../frontend/diagnostics.js";
import { loadProgram } from "../../frontend/modules.js";
import { checkProgram } from "../../frontend/checker.js";
import { generate } from "../../codegen/lower/module.js";
import { placeStackChecks } from "../../codegen/passes/stack_checks.js";

const rep = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));

/** Loads and checks a program; fails the test on any diagnostic. */
function frontend(text: string) {
  const diags = new DiagnosticBag();
  const program = loadProgram(new SourceFile("/nonexistent/scale.tul", text), diags);
  if (!diags.hasErrors) checkProgram(program, diags);
  assert.deepEqual(diags.items.map((d) => d.message), []);
  return program;
}

/** IR text of a program, as handed to clang. */
function ir(text: string): string {
  return generate(frontend(text), { optLevel: 0, debug: false }).rawText();
}

test("130,000 top-level declarations load and check (the loader spread them into push)", () => {
  const program = frontend(rep(130_000, (i) => `int v${i} = ${i};`).join("\n") + "\nprint(v129999);\n");
  assert.equal(program.body.length, 130_001);
});

test("1,400 top-level statements: the stack-check pass handles a 140,000-line function (it spread its lines)", () => {
  // ~100 lines of IR each (a variable divisor: a literal one needs no checks, lower/expr.ts intDivRem)
  const stmt = "k += xs[k % d] * xs[(k + 1) % d] - xs[(k + 2) % d] / (k + 1);";
  const text = ir(["int[] xs = [1, 2, 3];", "int d = 3;", "int k = 0;", ...rep(1_400, () => stmt), "print(k);"].join("\n") + "\n");
  const main = text.slice(text.indexOf("define void @tul_user_main()"));
  assert.ok(main.slice(0, main.indexOf("\n}\n")).split("\n").length > 130_000);
});

test("placeStackChecks on a 400,000-line function moves its check to the block with the calls", () => {
  const body = [
    "define void @f(i1 %c) #0 {",
    "entry:",
    "  call void @tul__stack_check()",
    "  br i1 %c, label %leaf, label %work",
    "leaf:",
    "  ret void",
    "work:",
    ...rep(400_000, (i) => `  %v${i} = call i64 @g(i64 ${i})`),
    "  ret void",
    "}",
  ];
  const out = placeStackChecks(body.join("\n")).split("\n");
  assert.equal(out.length, body.length);
  assert.equal(out.indexOf("  call void @tul__stack_check()"), out.indexOf("work:") + 1);
});

test("a chain of 2,500 struct types gets its type descriptors (built from a work list)", () => {
  const structs = rep(2_500, (i) => `struct S${i} { ${i + 1 < 2_500 ? `S${i + 1}` : "int"} f; }`);
  const text = ir([...structs, "S0 s;", "print(s);"].join("\n") + "\n");
  assert.equal(text.match(/^@tul\.type\.\d+ = private constant/gm)?.length, 2_500);
});

// ---------------------------------------------------------------- chains as deep as they are long

test("5,000-term chains of +, && and string + check and lower (codegen recursed on them)", () => {
  const terms = (t: string) => rep(5_000, () => t);
  ir(`int x = ${terms("1").join(" + ")};\nprint(x);\n`);
  ir(`bool b = ${terms("true").join(" && ")};\nprint(b);\n`);
  ir(`int k = 2;\nstr s = "a"${terms(" + k").join("")};\nprint(length(s));\n`);
});

test("a 5,000-link else-if chain and 5,000-deep ternary, unary and field chains check and lower", () => {
  ir(`int x = 7;\n${rep(5_000, (i) => `${i ? "else " : ""}if (x == ${i}) { print(${i}); }`).join(" ")} else { print(-1); }\n`);
  ir(`int x = 3;\nint y = ${rep(5_000, (i) => `x == ${i} ? ${i} :`).join(" ")} -1;\nprint(y);\n`);
  ir(`bool b = ${"!".repeat(5_000)}true;\nprint(b);\n`);
  ir(`struct N { N next; int v; }\nN a;\nbool x = a${".next".repeat(5_000)} == null;\nprint(x);\n`);
});

// ---------------------------------------------------------------- huge literals (issue 17)

/** The body of the top-level code's function in IR text. */
function mainBody(text: string): string[] {
  const main = text.slice(text.indexOf("define void @tul_user_main()"));
  return main.slice(0, main.indexOf("\n}\n")).split("\n");
}

test("a 50,000-element array literal of constants is one memcpy from a constant global", () => {
  const elems = rep(50_000, (i) => String(i * 7 - 3)).join(", ");
  const text = ir(`int[] xs = [${elems}, -1];\nfloat[] fs = [${rep(20, (i) => `${i}.5`).join(", ")}, 2];\nprint(xs[49999]);\n`);
  const body = mainBody(text);
  assert.ok(body.length < 80, `tul_user_main has ${body.length} lines`);
  assert.equal(body.filter((l) => l.includes("@llvm.memcpy")).length, 2);
  assert.match(text, /^@tul\.lit\.\d+ = private constant \[50001 x i64\] \[i64 -3, i64 4, /m);
  assert.match(text, /^@tul\.lit\.\d+ = private constant \[21 x double\] \[double 5\.000000e-01, /m);
});

test("a 10,000-key json literal of literals is one loop over a constant table", () => {
  const keys = rep(10_000, (i) => `"k${i}": ${i % 3 ? i : `"s${i}"`}`).join(", ");
  const more = keys.replace(/"k/g, '"m');
  const text = ir(`int n = 5;\njson j = {${keys}, "x": n, ${more}};\njson[] a = [${rep(20, (i) => `${i}, "${i}"`).join(", ")}];\nprint(j["k9999"], a);\n`);
  const body = mainBody(text);
  assert.ok(body.length < 150, `tul_user_main has ${body.length} lines`);
  assert.equal(body.filter((l) => l.includes("@tul_json_set(")).length, 3); // two table loops and "x"
  assert.equal(body.filter((l) => l.includes("@tul_json_box(")).length, 4); // the loops (object twice, array) and n
  assert.match(text, /^@tul\.lit\.\d+ = private constant \[30000 x i8\*\] /m); // key, type, value per entry
});

test("2,000 json values computed at run time box through one reused slot per type", () => {
  const text = ir(`int k = 3;\njson j = {${rep(2_000, (i) => `"k${i}": k + ${i}, "s${i}": toString(k)`).join(", ")}};\nprint(j["k1999"]);\n`);
  const body = mainBody(text);
  assert.equal(body.filter((l) => l.includes(" = alloca ")).length, 2); // one i64 slot, one str slot
  assert.equal(body.filter((l) => l.includes("@tul_json_box(")).length, 4_000);
});

test("a 5 MB string literal lowers in seconds (it was a constant per byte: minutes)", () => {
  const s = "abcdefgh\\u{e9}".repeat(500_000);
  const t0 = performance.now();
  const text = ir(`str s = "${s}";\nprint(length(s));\n`);
  const ms = performance.now() - t0;
  assert.ok(ms < 30_000, `${ms.toFixed(0)} ms`);
  assert.ok(text.includes(`{ i64, i64, [5000001 x i8] } { i64 5000000, i64 4500000, [5000001 x i8] c"abcdefgh\\C3\\A9abc`));
});
