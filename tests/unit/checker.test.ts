// Unit tests of the type checker (through parseProgram): inference, inserted conversions, call
// resolution (defaults, builtins, method sugar), never, flow errors and the diagnostics' positions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SourceFile } from "../../frontend/source.js";
import { DiagnosticBag } from "../../frontend/diagnostics.js";
import { parseProgram } from "../../frontend/parser.js";
import { checkProgram } from "../../frontend/checker.js";
import type { Call, Convert, Expr, ExprStmt, FuncDecl, Program, Stmt, VarDecl, Binary, ForIn, Try } from "../../frontend/ast.js";
import { typeToString } from "../../frontend/types.js";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";

interface Checked {
  program: Program;
  errors: string[]; // "line:col: message"
  codes: string[];
}

function check(text: string): Checked {
  const file = new SourceFile("t.tul", text);
  const diags = new DiagnosticBag();
  const program = parseProgram(file, diags);
  assert.deepEqual(diags.items.map((d) => d.message), [], "the test source must parse");
  checkProgram(program, diags);
  const sorted = [...diags.items].sort((a, b) => a.span.start - b.span.start);
  const errors = sorted.map((d) => {
    const { line, col } = file.position(d.span.start);
    return `${line}:${col}: ${d.message}`;
  });
  return { program, errors, codes: sorted.map((d) => d.code) };
}

function ok(text: string): Program {
  const c = check(text);
  assert.deepEqual(c.errors, []);
  return c.program;
}

const decl = (p: Program, name: string): VarDecl => p.body.find((s): s is VarDecl => s.kind === "VarDecl" && s.name === name)!;
const func = (p: Program, name: string): FuncDecl => p.body.find((s): s is FuncDecl => s.kind === "FuncDecl" && s.name === name)!;
const exprOf = (s: Stmt): Expr => (s as ExprStmt).expr;
const ty = (e: Expr | null | undefined): string => (e?.ty ? typeToString(e.ty) : "<none>");
const declTy = (p: Program, name: string): string => typeToString(decl(p, name).sym!.type);
const builtinName = (c: Call): string | undefined => (c.target?.kind === "builtin" ? c.target.name : undefined);
/** The runtime function or inline emitter of the overload the checker chose for a built-in call. */
const loweredBy = (c: Call): string | undefined => {
  if (c.target?.kind !== "builtin") return undefined;
  const lower = c.target.overload.lower;
  return "rt" in lower ? lower.rt : lower.inline;
};

function assertConvert(e: Expr | null, from: string, to: string): Convert {
  assert.equal(e?.kind, "Convert", `expected a Convert ${from}->${to}, got ${e?.kind}`);
  const c = e as Convert;
  assert.equal(ty(c.expr), from);
  assert.equal(typeToString(c.to), to);
  assert.equal(ty(c), to);
  return c;
}

test("variable types are inferred from initializers; zero-value declarations keep their type", () => {
  const p = ok(`var x = 10; var y = 2.5; var s = "hi"; const N = 3; int a; str[] names;
var xs = []; int[] e = []; var fs = [1.5, 2]; var mixed = [1, "two", true]; var grid = [[1], [2, 3]];`);
  assert.equal(declTy(p, "x"), "int");
  assert.equal(declTy(p, "y"), "float");
  assert.equal(declTy(p, "s"), "str");
  assert.equal(declTy(p, "N"), "int");
  assert.ok(decl(p, "N").sym!.isConst);
  assert.equal(declTy(p, "a"), "int");
  assert.equal(declTy(p, "names"), "str[]");
  assert.equal(declTy(p, "xs"), "json[]");
  assert.equal(declTy(p, "e"), "int[]");
  assert.equal(declTy(p, "fs"), "float[]");
  assert.equal(declTy(p, "mixed"), "json[]");
  assert.equal(declTy(p, "grid"), "int[][]");
  assert.ok(decl(p, "x").sym!.isGlobal);
});

test("implicit conversions are explicit Convert nodes", () => {
  const p = ok(`float f = 1; json j = 5; int n = j; var fs = [1.5, 2];
print(1 == 1.0, "n=" + 42, j == 42, 1 + 2.5);`);
  assertConvert(decl(p, "f").init, "int", "float");
  assertConvert(decl(p, "j").init, "int", "json");
  assertConvert(decl(p, "n").init, "json", "int");
  const arr = decl(p, "fs").init as Extract<Expr, { kind: "ArrayLit" }>;
  assert.equal(arr.elems[0].kind, "FloatLit");
  assertConvert(arr.elems[1], "int", "float");
  const args = (exprOf(p.body[4]) as Call).args as Binary[];
  assertConvert(args[0].left, "int", "float");
  assert.ok(assertConvert(args[1].right, "int", "str").stringify);
  assertConvert(args[2].right, "int", "json");
  assertConvert(args[3].left, "int", "float");
  assert.equal(ty(args[3]), "float");
});

test("functions: declared and inferred results, defaults filled in, untyped parameters are json", () => {
  const p = ok(`func add(int a, int b): int { return a + b; }
func greet(str who) { return "hello " + who; }
func area(int w, int h = 1): int { return w * h; }
func log(msg) { print("log:", msg); }
func nothing() { }
func fib(int n) { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }
func half(int n) { if (n > 0) { return n / 2; } return 0.5; }
print(add(1, 2), greet("x"), area(4), fib(10), half(3));
log(42);
nothing();`);
  assert.equal(typeToString(func(p, "greet").sym!.type), "func(str): str");
  assert.equal(typeToString(func(p, "log").sym!.type), "func(json): void");
  assert.equal(typeToString(func(p, "nothing").sym!.type), "func(): void");
  assert.equal(typeToString(func(p, "fib").sym!.type), "func(int): int");
  assert.equal(typeToString(func(p, "half").sym!.type), "func(int): float");
  const area = func(p, "area");
  const call = (exprOf(p.body[7]) as Call).args[2] as Call;
  assert.equal(call.args.length, 2);
  assert.equal(call.args[1], area.params[1].default);
  assert.deepEqual(call.target, { kind: "func", sym: area.sym });
  const logCall = exprOf(p.body[8]) as Call;
  assertConvert(logCall.args[0], "int", "json");
  const halfRet = func(p, "half").body.body[0] as Extract<Stmt, { kind: "If" }>;
  const ret = halfRet.then.body[0] as Extract<Stmt, { kind: "Return" }>;
  assertConvert(ret.value, "int", "float");
});

test("hoisting, globals used by functions before their declaration, mutual recursion", () => {
  const p = ok(`print(isEven(10), twice());
func isEven(int n): bool { if (n == 0) { return true; } return isOdd(n - 1); }
func isOdd(int n): bool { if (n == 0) { return false; } return isEven(n - 1); }
func twice() { return counter * 2; }
var counter = 21;`);
  assert.equal(typeToString(func(p, "twice").sym!.type.result), "int");
  assert.ok(decl(p, "counter").sym!.isGlobal);
});

test("never: functions that only throw, exit(), and never converting to any type", () => {
  const p = ok(`func fail(str why) { throw "failed: " + why; }
func pick(int n): int { if (n > 0) { return n; } return fail("no"); }
int r = fail("direct");
exit(3);`);
  const fail = func(p, "fail");
  assert.equal(typeToString(fail.sym!.type.result), "never");
  assert.equal(fail.neverReturns, true);
  assert.equal(func(p, "pick").neverReturns, false);
  assertConvert(decl(p, "r").init, "never", "int");
  assert.equal(ty(exprOf(p.body[3])), "never");
  const thrown = (fail.body.body[0] as Extract<Stmt, { kind: "Throw" }>).value;
  assertConvert(thrown, "str", "json");
});

test("builtins: canonical names, overload results and converted arguments", () => {
  const p = ok(`int[] xs = [3, 1];
print(len(xs), length("abc"), floor(2.5), floor(3), min(1, 2), min(1, 2.5), abs(-2), pow(2.0, 2), sqrt(16));
push(xs, 4);
int last = pop(xs);
str[] parts = split("a,b", ",");
print(join([], "+"), range(3), slice(xs, 1), sort(xs), contains(xs, 1), indexOf("abc", "b"));`);
  const args = (exprOf(p.body[1]) as Call).args as Call[];
  assert.deepEqual(args.map((c) => builtinName(c)), ["length", "length", "floor", "floor", "min", "min", "abs", "pow", "sqrt"]);
  assert.deepEqual(args.map((c) => loweredBy(c)), ["arrayLength", "tul_str_len", "floor", "identity", "minInt", "minFloat", "absInt", "powFloat", "sqrt"]);
  assert.deepEqual(args.map((c) => ty(c)), ["int", "int", "int", "int", "int", "float", "int", "float", "float"]);
  assertConvert(args[5].args[0], "int", "float");
  assertConvert(args[7].args[1], "int", "float");
  assertConvert(args[8].args[0], "int", "float");
  assert.equal(ty(args[3].args[0]), "int");
  assert.equal(declTy(p, "last"), "int");
  const second = (exprOf(p.body[5]) as Call).args as Call[];
  assert.equal(ty(second[0].args[0]), "str[]");
  assert.deepEqual(second.map((c) => ty(c)), ["str", "int[]", "int[]", "int[]", "bool", "int"]);
});

test("method-call sugar rewrites x.f(a) into f(x, a)", () => {
  const p = ok(`str t = "hi"; int[] xs = [];
func shout(str s, int n): str { return upper(s) + repeat("!", n); }
print(t.upper(), "x".repeat(2), xs.length(), t.shout(3));
xs.push(3);`);
  const args = (exprOf(p.body[3]) as Call).args as Call[];
  assert.equal(args[0].callee.kind, "Ident");
  assert.equal((args[0].callee as { name: string }).name, "upper");
  assert.equal(args[0].args.length, 1);
  assert.equal(builtinName(args[0]), "upper");
  assert.equal(args[1].args[0].kind, "StrLit");
  assert.equal(builtinName(args[2]), "length");
  assert.deepEqual(args[3].target, { kind: "func", sym: func(p, "shout").sym });
  assert.equal(args[3].args.length, 2);
  const push = exprOf(p.body[4]) as Call;
  assert.equal(builtinName(push), "push");
  assert.equal(loweredBy(push), "arrayPush");
  assert.equal(push.args.length, 2);
});

test("for-in element types, try/catch symbols and hasTry flags", () => {
  const p = ok(`for (c in "abc") { print(c); }
for (int i in range(1, 3)) { print(i); }
for (x in [1.5]) { print(x); }
func f() { try { print(1); } catch (e) { print(e); } }
try { throw 1; } catch (e) { print(e); } finally { print(2); }`);
  assert.equal(typeToString((p.body[0] as ForIn).sym!.type), "str");
  assert.equal(typeToString((p.body[1] as ForIn).sym!.type), "int");
  assert.equal(builtinName((p.body[1] as ForIn).iterable as Call), "range");
  assert.equal(typeToString((p.body[2] as ForIn).sym!.type), "float");
  assert.equal(func(p, "f").hasTry, true);
  assert.equal(typeToString((p.body[4] as Try).catchSym!.type), "json");
  assert.equal(p.hasTry, true);
});

test("compound assignment and ++/-- are typed by their target", () => {
  const p = ok(`int a = 1; float f = 1.5; str s = "a"; int[] xs = [1];
a += 2; f += 1; s += 1; xs[0] *= 3; xs[0]++; int k = a++;`);
  const fplus = exprOf(p.body[5]) as Extract<Expr, { kind: "Assign" }>;
  assert.equal(ty(fplus), "float");
  assertConvert(fplus.value, "int", "float");
  const splus = exprOf(p.body[6]) as Extract<Expr, { kind: "Assign" }>;
  assert.ok(assertConvert(splus.value, "int", "str").stringify);
  assert.equal(ty(exprOf(p.body[8])), "int");
  assert.equal(declTy(p, "k"), "int");
});

test("async functions return promises; await unwraps them", () => {
  const p = ok(`async func slow(int n) { await sleep_async(5); return n * 2; }
var pr = slow(21);
int r = await pr;
int q = await 5;
var all = await gather(slow(1), slow(2));`);
  assert.equal(typeToString(func(p, "slow").sym!.type), "func(int): promise<int>");
  assert.equal(declTy(p, "pr"), "promise<int>");
  assert.equal(declTy(p, "all"), "int[]");
});

test("structs, t-strings and match expressions are typed", () => {
  const p = ok(`struct Point { int x; int y; }
Point p = { x: 3, y: 4 };
Point q;
q.x += 1;
float fx = p.x;
str s = t"{p.x} and {fx}";
int n = 5;
str size = match n { 0 => "zero", 1, 2 => "small", 3 .. 9 => "medium", _ => "large" };
var f = match n { 0 => 1, _ => 2.5 };
print(p == q, p == null);`);
  assert.equal(declTy(p, "p"), "Point");
  assert.equal(ty(decl(p, "p").init), "Point");
  assert.equal(declTy(p, "q"), "Point");
  assertConvert(decl(p, "fx").init, "int", "float");
  const ts = decl(p, "s").init as Extract<Expr, { kind: "TString" }>;
  assert.ok(assertConvert(ts.parts.find((x) => typeof x !== "string") as Expr, "int", "str").stringify);
  assert.equal(declTy(p, "size"), "str");
  assert.equal(declTy(p, "f"), "float");
  const bad = check(`struct P { int x; }\nP a = { x: 1, z: 2 };\nstr m = match 1 { 0 => 1, _ => "x" };`);
  assert.deepEqual(bad.errors, ["2:15: struct 'P' has no field 'z'", "3:24: type mismatch: expected str, found int"]);
});

test("gather: T[] when every child is T or promise<T>, children that only throw fit any T", () => {
  const p = ok(`async func one(int n) { await sleep_async(1); return n; }
async func boom() { throw "x"; }
var a = await gather(one(1), 2, boom());
var b = await gather(one(1), "s");`);
  assert.equal(declTy(p, "a"), "int[]");
  assert.equal(declTy(p, "b"), "json[]");
});

test("the golden type_mismatch program reports all three errors at their positions", () => {
  const c = check(`int x = "hello";\nwhile (5) { }\nint x = 2;\n`);
  assert.deepEqual(c.errors, [
    "1:9: type mismatch: expected int, found str",
    "2:8: condition must be bool, found int",
    "3:5: 'x' is already declared in this scope",
  ]);
});

test("unknown names suggest the closest visible one (did you mean)", () => {
  const errors = check(`struct Item { str name; int count; }
func total(Item[] items): int { int sum = 0; for (it in items) { sum += it.cuont; } return sum; }
int lenght = 3;
print(lenght2, lenhgt("abc"), Total([]), Lenght);
Item i = { nmae: "x" };
print(i.nmae, pritn, x);
Itme j;`).errors;
  assert.deepEqual(errors, [
    "2:76: type Item has no field 'cuont' (did you mean 'count'?)",
    "4:7: unknown variable 'lenght2' (did you mean 'lenght'?)",
    "4:16: unknown function 'lenhgt' (did you mean 'length'?)",
    "4:31: unknown function 'Total' (did you mean 'total'?)",
    "4:42: unknown variable 'Lenght' (did you mean 'lenght'?)",
    "5:12: struct 'Item' has no field 'nmae' (did you mean 'name'?)",
    "6:9: type Item has no field 'nmae' (did you mean 'name'?)",
    "6:15: unknown variable 'pritn' (did you mean 'print'?)",
    "6:22: unknown variable 'x'",
    "7:1: unknown type 'Itme' (did you mean 'Item'?)",
  ]);
});

test("distinct error kinds with line:col", () => {
  const cases: [string, string][] = [
    [`print(cout);`, "1:7: unknown variable 'cout'"],
    [`nope(1);`, "1:1: unknown function 'nope'"],
    [`{ int a = 1; int a = 2; }`, "1:18: 'a' is already declared in this scope"],
    [`const L = 1;\nL = 2;`, "2:1: cannot assign to constant 'L'"],
    [`if (1) { }`, "1:5: condition must be bool, found int"],
    [`func add(int a, int b): int { return a + b; }\nadd(1, 2, 3);`, "2:1: 'add' expects 2 arguments, got 3"],
    [`func add(int a, int b): int { return a + b; }\nadd(1, "two");`, "2:8: argument 2 of 'add' must be int, found str"],
    [`break;`, "1:1: 'break' outside of a loop"],
    [`continue;`, "1:1: 'continue' outside of a loop"],
    [`return 1;`, "1:1: 'return' outside of a function"],
    [`func sign(int n): int {\n  if (n > 0) { return 1; }\n}`, "1:6: function 'sign' must return int on every path"],
    [`func f(int n) { if (n > 1) { return f(n - 1) * 0.5; } return 1; }`, "1:6: cannot infer the result type of 'f': annotate it"],
    [`func f(n) { if (n > 1) { return n * f(n - 1); } return 1; }`, "1:6: cannot infer the result type of 'f': annotate it"],
    [`print(!1);`, "1:8: operator '!' requires bool, found int"],
    [`print("a" - 1);`, "1:7: operator '-' cannot be applied to str and int"],
    [`for (x in 5) { }`, "1:11: cannot iterate over a value of type int"],
    [`var f = (int x) => x; f("a");`, "1:25: type mismatch: expected int, found str"],
    [`func v() { } int x = v();`, "1:22: type mismatch: expected int, found void"],
    [`func v() { return 1; return; }`, "1:22: 'return' without a value in function 'v' that returns int"],
    [`func v(): void { return 1; }`, "1:25: cannot return a value from function 'v', whose result is void"],
    [`print(true && 1);`, "1:15: operator '&&' requires bool operands, found int"],
    [`print(1 == "a");`, "1:7: cannot compare int and str"],
    [`int[] xs = [1, "a"];`, "1:16: type mismatch: expected int, found str"],
    [`print(substring("abc", 1));`, "1:7: 'substring' expects 3 arguments, got 2"],
    [`print(sort(5));`, "1:12: argument 1 of 'sort' must be an array (int[], float[], str[] or bool[] without a less function), found int"],
    [`Foo x;`, "1:1: unknown type 'Foo'"],
    [`str s = "a"; s[0] = "b";`, "1:14: cannot assign to a character of a str (strings are immutable)"],
    [`int n = 1; n();`, "1:12: 'n' is a variable of type int, not a function"],
    [`int n = 1; print(n.foo);`, "1:20: type int has no field 'foo'"],
    [`int n = 1; print(n[0]);`, "1:18: cannot index a value of type int"],
    [`func f(int a = 1, int b) { }`, "1:19: parameter 'b' needs a default value: it follows a parameter that has one"],
  ];
  const codes = new Set<string>();
  for (const [src, want] of cases) {
    const c = check(src);
    assert.deepEqual(c.errors, [want], src);
    codes.add(c.codes[0]);
  }
  assert.ok(codes.size >= 20, `distinct codes: ${[...codes].join(" ")}`);
});

test("every error in a file is reported, without cascades from an unknown name", () => {
  const c = check(`int a = missing + 1;\nstr s = missing;\nif (missing) { }\nprint(a < "x");`);
  assert.deepEqual(c.errors, [
    "1:9: unknown variable 'missing'",
    "2:9: unknown variable 'missing'",
    "3:5: unknown variable 'missing'",
    "4:7: operator '<' cannot be applied to int and str",
  ]);
});

test("recursion: void recursion without annotation, provisional calls fixed afterwards", () => {
  const p = ok(`func countdown(int n) { if (n > 0) { print(n); countdown(n - 1); } }
func fact(int n) { if (n > 1) { return n * fact(n - 1); } return 1; }
countdown(3);`);
  assert.equal(typeToString(func(p, "fact").sym!.type.result), "int");
  const f = func(p, "countdown");
  assert.equal(typeToString(f.sym!.type.result), "void");
  const inner = ((f.body.body[0] as Extract<Stmt, { kind: "If" }>).then.body[1] as ExprStmt).expr;
  assert.equal(ty(inner), "void");
});

test("a 10,000-line program checks in well under a second", async () => {
  const gen = pathToFileURL(path.join(TOOLCHAIN_ROOT, "bench", "program-gen.mjs")).href;
  const { generateProgram } = (await import(gen)) as { generateProgram(lines: number): string };
  const file = new SourceFile("big.tul", generateProgram(10000));
  const diags = new DiagnosticBag();
  const program = parseProgram(file, diags);
  // CPU time rather than wall time: the machine running the tests may be busy with other work.
  const t0 = process.cpuUsage();
  checkProgram(program, diags);
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  assert.equal(diags.items.length, 0);
  assert.ok(ms < 1000, `check took ${ms.toFixed(0)} ms of CPU time`);
});

test("nested functions become closure locals at the start of their block; calls go through them", () => {
  const p = ok(`func outer(int base): int {
  print(twice(1));
  func twice(int x, int y = base): int { return 2 * x + y; }
  func fact(int n) { if (n <= 1) { return 1; } return n * fact(n - 1); }
  return fact(3);
}`);
  const body = func(p, "outer").body.body;
  assert.deepEqual(body.map((s) => s.kind), ["VarDecl", "VarDecl", "ExprStmt", "Return"]);
  const [twice, fact] = body as VarDecl[];
  assert.equal(twice.init?.kind, "Lambda");
  assert.equal(typeToString(twice.sym!.type), "func(int, int): int");
  assert.equal(typeToString(fact.sym!.type), "func(int): int");
  assert.ok(fact.sym!.captured, "a recursive nested function captures its own closure local");
  const call = (exprOf(body[2]) as Call).args[0] as Call;
  assert.equal(call.target?.kind, "value");
  assert.equal((call.callee as Extract<Expr, { kind: "Ident" }>).sym, twice.sym);
  assert.equal(call.args.length, 2, "the default value is filled in");
});

test("async functions as values have type func(...): promise<T>", () => {
  const p = ok(`async func slow(int n) { await sleep_async(1); return n * 2; }
var f = slow;
var p = f(3);
var both = gather(f(1), f(2));`);
  assert.equal(declTy(p, "f"), "func(int): promise<int>");
  assert.equal(declTy(p, "p"), "promise<int>");
  assert.equal(declTy(p, "both"), "promise<int[]>");
});

test("nested functions: uses before a captured variable is declared, duplicates, inference limits", () => {
  const c = check(`func outer() {
  tick();
  int count = 0;
  func tick(): void { count++; }
  func a() { return b(); }
  int k = 3;
  func b() { return k; }
  func a() {}
}`);
  assert.deepEqual(c.errors, [
    "2:3: 'tick' is used here before 'count' is declared, and 'tick' uses 'count'",
    "7:21: cannot infer the result type of 'b' before 'k' is declared: annotate it",
    "8:8: 'a' is already declared in this scope",
  ]);
  assert.deepEqual(c.codes, ["E2027", "E2013", "E2003"]);
});
