// The AST traversal (frontend/ast.ts children/walk/someNode) and the recursion analysis built on
// it (codegen/lower/recursion.ts hasBaseCase, scanCalls): source order, every kind's children (walk's
// fast path agrees with children), no recursion on the depth of the program, and base-case and
// call detection for top-level and nested functions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SourceFile } from "../../frontend/source.js";
import { runFrontend } from "../../driver/pipeline.js";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { children, isStmt, pushChildren, someNode, walk, type AstNode, type Expr, type FuncDecl, type Lambda, type Program, type VarDecl } from "../../frontend/ast.js";
import { hasBaseCase, scanCalls } from "../../codegen/lower/recursion.js";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { RECURSION_SAMPLE } from "./fixtures.js";

function checked(text: string): Program {
  const r = runFrontend(new SourceFile("t.tul", text));
  assert.deepEqual(r.diagnostics.map((d) => d.message), []);
  assert.ok(r.ok);
  return r.program;
}

/** The names and literals of a tree in walk order. */
function leaves(roots: AstNode[]): string[] {
  const out: string[] = [];
  walk(roots, (n) => {
    if (n.kind === "Ident") out.push(n.name);
    else if (n.kind === "IntLit") out.push(String(n.value));
    else if (n.kind === "StrLit") out.push(JSON.stringify(n.value));
  });
  return out;
}

test("walk visits every kind's children in source order", () => {
  const p = checked(`int a = 1; int[] xs = [2, 3]; json o = {"k": 4};
func f(int x, int y = 5): int { return x + y; }
var g = (int z) => z * 6;
for (int i = 7; i < 8; i++) { if (i == 9) { break; } else { continue; } }
for (v in xs) { while (v > 10) { v = v - 11; } }
try { throw 12; } catch (e) { print(t"{a}-{13}"); } finally { print(a > 14 ? 15 : 16); }
int m = match a { 17 => 18, 19 .. 20 => 21, _ => -a };
print(xs[a], o.k, toInt("22"), await gather(23));`);
  assert.deepEqual(leaves(p.body), [
    "1", "2", "3", "4",
    "5", "x", "y",
    "z", "6",
    "7", "i", "8", "i", "i", "9",
    "xs", "v", "10", "v", "v", "11",
    "12", "print", "a", "13", "print", "a", "14", "15", "16",
    "a", "17", "18", "19", "20", "21", "a",
    "print", "xs", "a", "o", "toInt", "\"22\"", "gather", "23",
  ]);
});

test("children of statements and expressions are nodes, statements are told apart", () => {
  const p = checked(`func f(int n = 1): int { if (n > 0) { return n; } return 0; }\nprint(f());`);
  const f = p.body[0] as FuncDecl;
  assert.deepEqual(children(f).map((n) => n.kind), ["IntLit", "Block"]);
  assert.ok(isStmt(f) && isStmt(f.body) && !isStmt(f.params[0].default!));
  let count = 0;
  walk(p.body, () => void count++);
  assert.ok(count > 10);
});

test("walk's pushChildren agrees with children for every node of the golden programs", () => {
  const root = path.join(TOOLCHAIN_ROOT, "tests", "golden");
  const kinds = new Set<string>();
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(path.join(root, dir.name)).filter((x) => x.endsWith(".tul"))) {
      const file = path.join(root, dir.name, f);
      const r = runFrontend(new SourceFile(file, readFileSync(file, "utf8")));
      if (!r.ok) continue; // programs with compile errors (and imports of other files) are left out
      walk(r.program.body, (n) => {
        kinds.add(n.kind);
        const pushed: AstNode[] = [];
        pushChildren(n, pushed);
        assert.deepEqual(pushed.reverse(), children(n), `${file}: ${n.kind}`);
      });
    }
  }
  for (const k of ["Binary", "Call", "If", "For", "ForIn", "Match", "Lambda", "Select", "Try", "TString", "ObjectLit", "FuncDecl"]) {
    assert.ok(kinds.has(k), `no ${k} in the golden programs`);
  }
});

test("walk and someNode do not recurse on the depth of the tree", () => {
  const span = { file: new SourceFile("deep.tul", ""), start: 0, end: 0 };
  let e: Expr = { kind: "IntLit", value: 1n, span };
  for (let i = 0; i < 200_000; i++) e = { kind: "Unary", op: "-", operand: e, span };
  let n = 0;
  walk(e, () => void n++);
  assert.equal(n, 200_001);
  assert.equal(someNode(e, (x) => x.kind === "IntLit"), true);
  assert.equal(someNode(e, (x) => x.kind === "IntLit", (x) => x.kind !== "Unary"), false);
});

test("someNode stops at the first match and skips what enter refuses", () => {
  const p = checked(`var f = () => g(); func g(): int { return 1; }`);
  const visited: string[] = [];
  assert.equal(someNode(p.body, (n) => (visited.push(n.kind), n.kind === "Lambda")), true);
  assert.deepEqual(visited, ["VarDecl", "Lambda"]);
  assert.equal(someNode(p.body, (n) => n.kind === "Call", (n) => n.kind !== "Lambda"), false);
});

test("hasBaseCase: a way out that does not recurse, for top-level and nested functions", () => {
  const p = checked(RECURSION_SAMPLE);
  const top = (name: string) => p.body.find((s): s is FuncDecl => s.kind === "FuncDecl" && s.name === name)!;
  const self = (f: FuncDecl) => hasBaseCase(f.body.body, (c) => c.target?.kind === "func" && c.target.sym.decl === f);
  assert.equal(self(top("fib")), true);
  assert.equal(self(top("spin")), false);
  assert.equal(self(top("loop")), false);
  assert.equal(self(top("leaf")), true);
  assert.equal(self(top("lazy")), true); // the only recursive call is inside a lambda: returns 0
  const nested = top("outer").body.body.filter((s): s is VarDecl => s.kind === "VarDecl");
  const closure = (name: string) => {
    const d = nested.find((v) => v.name === name)!;
    const lambda = d.init as Lambda;
    return hasBaseCase(lambda.nested!.decl.body.body, (c) => c.callee.kind === "Ident" && c.callee.sym === d.sym);
  };
  assert.equal(closure("down"), true);
  assert.equal(closure("forever"), false);
});

test("scanCalls: self calls and user calls or awaits in one walk, as the separate walks found them", () => {
  const p = checked(`${RECURSION_SAMPLE}
func callsLeaf(): int { return leaf() + length("x"); }
func builtinsOnly(): int { print("x"); return length("y"); }
func hidden() { func inner() { leaf(); } inner(); }
async func waits() { await sleep_async(1); }`);
  const funcs = p.body.filter((s): s is FuncDecl => s.kind === "FuncDecl");
  const scan = (f: FuncDecl) => scanCalls(f.body.body, (c) => c.target?.kind === "func" && c.target.sym.decl === f);
  for (const f of funcs) {
    const enter = (n: AstNode) => n.kind !== "FuncDecl";
    const self = someNode(f.body.body, (n) => n.kind === "Call" && n.target?.kind === "func" && n.target.sym.decl === f, enter);
    const user = someNode(f.body.body, (n) => n.kind === "Await" || (n.kind === "Call" && n.target?.kind !== "builtin"), enter);
    assert.deepEqual(scan(f), { self, user }, f.name);
  }
  const named = (name: string) => scan(funcs.find((f) => f.name === name)!);
  assert.deepEqual(named("fib"), { self: true, user: true });
  assert.deepEqual(named("leaf"), { self: false, user: false });
  assert.deepEqual(named("lazy"), { self: true, user: true }); // lambdas are looked into
  assert.deepEqual(named("callsLeaf"), { self: false, user: true });
  assert.deepEqual(named("builtinsOnly"), { self: false, user: false });
  assert.deepEqual(named("waits"), { self: false, user: true });
});
