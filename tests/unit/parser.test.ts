// Unit tests of the lexer and parser: precedence, every statement kind, literals and escapes,
// t-strings, lambdas vs parentheses, match, error recovery (several errors, line:col), limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseProgram } from "../../frontend/parser.js";
import { lex } from "../../frontend/lexer.js";
import { SourceFile } from "../../frontend/source.js";
import { DiagnosticBag } from "../../frontend/diagnostics.js";
import type { Expr, Stmt, TypeNode, Block, Program, ExprStmt, Assign } from "../../frontend/ast.js";

interface Parsed {
  program: Program;
  errors: string[]; // "line:col: message", in source order
}

function parse(src: string): Parsed {
  const file = new SourceFile("t.tul", src);
  const diags = new DiagnosticBag();
  const program = parseProgram(file, diags);
  const errors = [...diags.items]
    .sort((a, b) => a.span.start - b.span.start)
    .map((d) => {
      const { line, col } = file.position(d.span.start);
      return `${line}:${col}: ${d.message}`;
    });
  return { program, errors };
}

function parseOk(src: string): Stmt[] {
  const { program, errors } = parse(src);
  assert.deepEqual(errors, [], `unexpected errors for ${JSON.stringify(src)}`);
  return program.body;
}

/** The expression `e` of the statement `x = e;`. */
function exprOf(src: string): Expr {
  const [s] = parseOk(`x = ${src};`);
  return ((s as ExprStmt).expr as Assign).value;
}

/** A compact s-expression form of an expression (or type), for readable assertions. */
function show(e: Expr | Block | TypeNode | null): string {
  if (e === null) return "null";
  switch (e.kind) {
    case "IntLit": return String(e.value);
    case "FloatLit": return `${e.value}f`;
    case "StrLit": return JSON.stringify(e.value);
    case "BoolLit": return String(e.value);
    case "NullLit": return "null";
    case "Ident": return e.name;
    case "Unary": return `(${e.op} ${show(e.operand)})`;
    case "Binary": return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case "Ternary": return `(? ${show(e.cond)} ${show(e.then)} ${show(e.else)})`;
    case "Call": return `(call ${[e.callee, ...e.args].map(show).join(" ")})`;
    case "Index": return `(idx ${show(e.object)} ${show(e.index)})`;
    case "Member": return `(. ${show(e.object)} ${e.name})`;
    case "Assign": return `(${e.op} ${show(e.target)} ${show(e.value)})`;
    case "Update": return e.prefix ? `(${e.op}pre ${show(e.target)})` : `(${e.op}post ${show(e.target)})`;
    case "Await": return `(await ${show(e.operand)})`;
    case "Spawn": return `(spawn ${show(e.call)})`;
    case "ArrayLit": return `[${e.elems.map(show).join(" ")}]`;
    case "ObjectLit": return `{${e.entries.map((x) => `${x.key}: ${show(x.value)}`).join(", ")}}`;
    case "TString": return `(t ${e.parts.map((p, i) => (typeof p === "string" ? JSON.stringify(p) : show(p) + (e.specs?.[i] ? `:${e.specs[i]!.text}` : ""))).join(" ")})`;
    case "Lambda": {
      const ps = e.params.map((p) => (p.type ? `${show(p.type)} ${p.name}` : p.name)).join(", ");
      return `(lambda (${ps})${e.result ? ": " + show(e.result) : ""} ${show(e.body)})`;
    }
    case "Match":
      return `(match ${show(e.subject)} ${e.arms
        .map((a) => `[${a.patterns.map((p) => (p.kind === "Wildcard" ? "_" : p.kind === "RangePattern" ? `${show(p.lo)}..${show(p.hi)}` : show(p.value))).join(" ")} => ${show(a.body)}]`)
        .join(" ")})`;
    case "Block": return `{${e.body.length} stmts}`;
    case "NamedType": return e.name;
    case "ArrayType": return `${show(e.elem)}[]`;
    case "PromiseType": return `promise<${show(e.inner)}>`;
    case "MapType": return `map<${show(e.key)}, ${show(e.value)}>`;
    case "ChannelType": return `channel<${show(e.elem)}>`;
    case "FuncType": return `func(${e.params.map(show).join(", ")}): ${show(e.result)}`;
    case "Convert": return "convert";
  }
}

function textOf(src: string, span: { start: number; end: number }): string {
  return src.slice(span.start, span.end);
}

// ---------- expressions ----------

test("binary precedence and left associativity", () => {
  assert.equal(show(exprOf("1 + 2 * 3 - 4")), "(- (+ 1 (* 2 3)) 4)");
  assert.equal(show(exprOf("a - b - c")), "(- (- a b) c)");
  assert.equal(show(exprOf("a / b % c * d")), "(* (% (/ a b) c) d)");
  assert.equal(show(exprOf("a || b && c == d < e + f * g")), "(|| a (&& b (== c (< d (+ e (* f g))))))");
  assert.equal(show(exprOf("a == b != c")), "(!= (== a b) c)");
  assert.equal(show(exprOf("a <= b || c >= d && e > f")), "(|| (<= a b) (&& (>= c d) (> e f)))");
  assert.equal(show(exprOf("(1 + 2) * 3")), "(* (+ 1 2) 3)");
});

test("bitwise operators: Python's precedence; >> is two adjacent '>' tokens", () => {
  assert.equal(show(exprOf("x & 1 == 0")), "(== (& x 1) 0)");
  assert.equal(show(exprOf("a | b ^ c & d << e + f")), "(| a (^ b (& c (<< d (+ e f)))))");
  assert.equal(show(exprOf("a >> b >> c")), "(>> (>> a b) c)");
  assert.equal(show(exprOf("a < b | c")), "(< a (| b c))");
  assert.equal(show(exprOf("~a + -~b")), "(+ (~ a) (- (~ b)))");
  assert.ok(parse("x = a > > b;").errors.length > 0, "'> >' with a space is not a shift");
  const [s] = parseOk("x >>= 2; promise<promise<int>> p; func(int): promise<int> f = g;");
  assert.equal(s.kind === "ExprStmt" && show(s.expr), "(>>= x 2)");
  for (const op of ["&=", "|=", "^=", "<<="]) {
    const [t] = parseOk(`x ${op} 1;`);
    assert.equal(t.kind === "ExprStmt" && show(t.expr), `(${op} x 1)`);
  }
});

test("conditional is lowest and right associative", () => {
  assert.equal(show(exprOf("a ? b : c ? d : e")), "(? a b (? c d e))");
  assert.equal(show(exprOf("a || b ? c + 1 : d")), "(? (|| a b) (+ c 1) d)");
  assert.equal(show(exprOf("a ? b ? c : d : e")), "(? a (? b c d) e)");
  assert.equal(show(exprOf("c ? (a) : b")), "(? c a b)");
});

test("|> puts its left side first in the call on its right, loosest of the binary operators", () => {
  assert.equal(show(exprOf("xs |> map(f) |> sum()")), "(call sum (call map xs f))");
  assert.equal(show(exprOf("a + b |> f")), "(call f (+ a b))");
  assert.equal(show(exprOf("x |> u.f(1)")), "(call (. u f) x 1)");
  assert.equal(show(exprOf("a || b |> f ? c : d")), "(? (call f (|| a b)) c d)");
  assert.equal(show(exprOf("await p |> f")), "(call f (await p))");
  assert.deepEqual(parse("x = 5 |> 3;").errors, ["1:10: the right side of '|>' must be a call or a function, as in 'xs |> map(f)' or 'x |> f'"]);
});

test("select: cases with and without bindings, brace-less bodies, default anywhere", () => {
  const [s] = parseOk("select { case int v = a.recv(): f(v); g(); default: h(); case b.send(1): {} case var r = p: {} }");
  assert.equal(s.kind, "Select");
  if (s.kind !== "Select") return;
  assert.equal(s.cases.length, 3);
  assert.equal(s.cases[0].binding?.name, "v");
  assert.equal(show(s.cases[0].binding!.declType), "int");
  assert.equal(s.cases[0].body.body.length, 2);
  assert.equal(show(s.cases[1].op), "(call (. b send) 1)");
  assert.equal(s.cases[1].binding, null);
  assert.equal(s.cases[2].binding?.mode, "var");
  assert.equal(s.default?.body.length, 1);
  assert.deepEqual(parse("select { default: f(); default: g(); }").errors, ["1:24: a select has at most one 'default'"]);
});

test("unary, await and postfix", () => {
  assert.equal(show(exprOf("-x.y")), "(- (. x y))");
  assert.equal(show(exprOf("!a && b")), "(&& (! a) b)");
  assert.equal(show(exprOf("- -x")), "(- (- x))");
  assert.equal(show(exprOf("+x * -y")), "(* (+ x) (- y))");
  assert.equal(show(exprOf("await f(x) + 1")), "(+ (await (call f x)) 1)");
  assert.equal(show(exprOf("await await p")), "(await (await p))");
  assert.equal(show(exprOf("await spawn f(x) + 1")), "(+ (await (spawn (call f x))) 1)");
  assert.equal(show(exprOf("spawn u.f(x)")), "(spawn (call (. u f) x))");
  assert.equal(show(exprOf("f(a, b)(c)[i].k")), "(. (idx (call (call f a b) c) i) k)");
  assert.equal(show(exprOf("xs[i]++")), "(++post (idx xs i))");
  assert.equal(show(exprOf("--p.n")), "(--pre (. p n))");
  assert.equal(show(exprOf("j.type.match")), "(. (. j type) match)");
  assert.equal(show(exprOf("f()")), "(call f)");
  assert.equal(show(exprOf("f(1, 2,)")), "(call f 1 2)");
});

test("negative literals fold; -2^63 is representable, 2^63 alone is not", () => {
  const e = exprOf("-7");
  assert.equal(e.kind, "IntLit");
  assert.equal(show(e), "-7");
  assert.equal(show(exprOf("-2.5")), "-2.5f");
  assert.equal(show(exprOf("-9223372036854775808")), "-9223372036854775808");
  assert.equal(show(exprOf("9223372036854775807")), "9223372036854775807");
  assert.deepEqual(parse("x = 9223372036854775808;").errors, ["1:5: integer literal out of range"]);
  assert.deepEqual(parse("x = 99999999999999999999999;").errors, ["1:5: integer literal out of range"]);
  assert.deepEqual(parse("x = 0x1_0000_0000_0000_0000;").errors, ["1:5: integer literal out of range"]);
  assert.equal(show(exprOf("3 - -9223372036854775808")), "(- 3 -9223372036854775808)");
});

test("integer and float literals", () => {
  assert.equal(show(exprOf("[42, 1_000_000, 0xFF, 0o755, 0b1010, 0]")), "[42 1000000 255 493 10 0]");
  assert.equal(show(exprOf("[3.14, 1e9, 2.5e-3, 1_0.5, 2E+2]")), "[3.14f 1000000000f 0.0025f 10.5f 200f]");
  assert.deepEqual(parse("x = 12abc;").errors, ["1:5: invalid numeric literal '12abc'"]);
  assert.deepEqual(parse("x = 0x;").errors, ["1:5: invalid numeric literal '0x'"]);
  assert.deepEqual(parse("x = 1_;").errors, ["1:5: invalid numeric literal '1_'"]);
});

test("strings and escapes", () => {
  assert.equal((exprOf(String.raw`"a\nb\tc\rd\0e\"f\\g\{h\}"`) as { value: string }).value, 'a\nb\tc\rd\0e"f\\g{h}');
  assert.equal((exprOf(String.raw`"\u{1F600} \u{e9}"`) as { value: string }).value, "\u{1F600} é");
  assert.equal((exprOf(`"sayı é 😀"`) as { value: string }).value, "sayı é 😀");
  assert.deepEqual(parse(String.raw`print("bad \q escape");`).errors, ["1:12: unknown escape sequence '\\q'"]);
  const bad = parse(String.raw`x = "\u{110000}" + "\u12" + "\u{}";`).errors;
  assert.equal(bad.length, 3);
  assert.match(bad[0], /^1:6: invalid unicode escape/);
  assert.match(bad[1], /^1:21: invalid unicode escape/);
  assert.match(bad[2], /^1:30: invalid unicode escape/);
  assert.deepEqual(parse('x = "abc\ny = 2;').errors, ["1:9: newline in string literal (use \\n)", "1:9: expected ';' after expression"]);
  assert.deepEqual(parse('x = "abc').errors.slice(0, 1), ["1:5: unterminated string literal"]);
});

test("comments, unicode identifiers, unexpected characters", () => {
  const body = parseOk("/* block\n comment */ int sayı = 3; // line\nprint(/* in */ sayı * 2);");
  assert.equal(body.length, 2);
  assert.equal(body[0].kind === "VarDecl" && body[0].name, "sayı");
  assert.deepEqual(parse("x = 1; /* never closed\nprint(1);").errors, ["1:8: unterminated block comment"]);
  assert.deepEqual(parse("x = 1 @ 2;").errors.slice(0, 1), ["1:7: unexpected character '@'"]);
});

test("t-strings with embedded expressions and literal braces", () => {
  assert.equal(show(exprOf('t"{a} and {b + 1}"')), '(t a " and " (+ b 1))');
  assert.equal(show(exprOf(String.raw`t"\{x\} {y}!"`)), '(t "{x} " y "!")');
  assert.equal(show(exprOf('t"{f("}", {k: 1})}"')), '(t (call f "}" {k: 1}))');
  assert.equal(show(exprOf('t""')), "(t )");
  assert.equal(show(exprOf('t"{t"{n}"}"')), "(t (t n))");
  assert.deepEqual(parse('x = t"{}";').errors, ["1:8: expected expression, found '}'"]);
  assert.deepEqual(parse('x = t"{a b}";').errors, ["1:10: expected '}' (or ':' and a format spec) to close the t-string expression, found identifier 'b'"]);
  assert.deepEqual(parse('x = t"a } b";').errors, ["1:9: unmatched '}' in t-string (write \\} for a literal brace)"]);
});

test("t-string format specs: a ':' outside brackets and not answering a '?' starts the spec", () => {
  assert.equal(show(exprOf('t"{x:.2f}|{n:>8}"')), '(t x:.2f "|" n:>8)');
  assert.equal(show(exprOf('t"{c ? a : b:>6}"')), "(t (? c a b):>6)");
  assert.equal(show(exprOf('t"{f(a, {k: 1})[0]:x}"')), `(t (idx (call f a ${show(exprOf("{k: 1}"))}) 0):x)`);
  assert.equal(show(exprOf('t"{x:}"')), "(t x:)");
  assert.deepEqual(parse('x = t"{n:{w}}";').errors, ["1:10: a format spec cannot contain '{' (nested fields are not supported: use format(v, spec))"]);
  assert.deepEqual(parse('x = t"{n:>5\n";').errors.slice(0, 1), ["1:5: unterminated t-string field (expected '}' after the format spec)"]);
});

test("lambdas versus parenthesised expressions", () => {
  assert.equal(show(exprOf("(x)")), "x");
  assert.equal(show(exprOf("(x) => x")), "(lambda (x) x)");
  assert.equal(show(exprOf("(int x) => x * 2")), "(lambda (int x) (* x 2))");
  assert.equal(show(exprOf("(x, y) => { return x; }")), "(lambda (x, y) {1 stmts})");
  assert.equal(show(exprOf("() => 1")), "(lambda () 1)");
  assert.equal(show(exprOf("(int x): int => x")), "(lambda (int x): int x)");
  assert.equal(show(exprOf("(Point p, int[] xs): str => p.name")), "(lambda (Point p, int[] xs): str (. p name))");
  assert.equal(show(exprOf("f((a) => a + 1, (b))")), "(call f (lambda (a) (+ a 1)) b)");
  assert.equal(show(exprOf("() => () => 2")), "(lambda () (lambda () 2))");
});

test("array and object literals; `{` in expression position is an object", () => {
  assert.equal(show(exprOf("[]")), "[]");
  assert.equal(show(exprOf("[1, [2, 3],]")), "[1 [2 3]]");
  assert.equal(show(exprOf('{k: 1, "a b": [2], type: null}')), "{k: 1, a b: [2], type: null}");
  assert.equal(show(exprOf("{}")), "{}");
  const [s] = parseOk("Point p = { x: 3, y: 4 };");
  assert.equal(s.kind === "VarDecl" && show(s.init), "{x: 3, y: 4}");
  assert.deepEqual(parse("x = {1.5: 2};").errors, ["1:6: expected object key (a name, a string or an int), found number '1.5'"]);
  assert.equal(show(exprOf("{1: a, -2: b}")), "{1: a, -2: b}"); // int keys: a map<int, V> literal (the checker decides)
  assert.deepEqual(parse("x = {- a: 2};").errors.slice(0, 1), ["1:6: expected object key (a name, a string or an int), found '-'"]);
});

test("match expressions and statements", () => {
  assert.equal(
    show(exprOf('match n { 1 => "one", 2 .. 9 => "few", -1, 0 => "low", _ => "many" }')),
    '(match n [1 => "one"] [2..9 => "few"] [-1 0 => "low"] [_ => "many"])',
  );
  assert.equal(show(exprOf('match s { "a" => { print(1); } "b" => 2, }')), '(match s ["a" => {1 stmts}] ["b" => 2])');
  const body = parseOk('match x { 1 => print("a"), _ => { print("b"); } }\nprint(2);');
  assert.equal(body.length, 2);
  assert.equal(body[0].kind === "ExprStmt" && body[0].expr.kind, "Match");
  assert.deepEqual(parse("x = match n { 1 => 2 3 => 4 };").errors, ["1:22: expected ',' or '}' after match arm, found number '3'"]);
});

test("assignment is statement-level only", () => {
  const [s] = parseOk("xs[i] += 2;");
  assert.equal(s.kind === "ExprStmt" && show(s.expr), "(+= (idx xs i) 2)");
  assert.deepEqual(parse("a.b = c = 1;").errors, ["1:9: assignment is a statement and cannot be used inside an expression"]);
  assert.deepEqual(parse("print(x = 1);").errors, ["1:9: assignment is a statement and cannot be used inside an expression"]);
  assert.deepEqual(parse("f() = 1;").errors, ["1:1: invalid target for '=': expected a variable, element or field"]);
  assert.deepEqual(parse("5++;").errors, ["1:1: invalid target for '++': expected a variable, element or field"]);
});

// ---------- statements and declarations ----------

test("variable declarations of every form", () => {
  const body = parseOk(
    "int x = 1; var y = 2; const N = 3; const int M = 4; Point p; int[] xs = []; promise<int> pr = f();\n" +
      "func(int, str): bool g = h; array a = []; float[][] m; u.Point q; json j = null; str s;",
  );
  const shown = body.map((s) => (s.kind === "VarDecl" ? `${s.mode} ${show(s.declType)} ${s.name} = ${show(s.init)}` : s.kind));
  assert.deepEqual(shown, [
    "typed int x = 1", "var null y = 2", "const null N = 3", "const int M = 4", "typed Point p = null",
    "typed int[] xs = []", "typed promise<int> pr = (call f)", "typed func(int, str): bool g = h", "typed array a = []",
    "typed float[][] m = null", "typed u.Point q = null", "typed json j = null", "typed str s = null",
  ]);
  assert.deepEqual(parse("var z;").errors, ["1:6: expected '=' after 'var z' (it needs an initializer), found ';'"]);
});

test("map types: map<K, V> declarations, nested, and a malformed one reported as a type", () => {
  const body = parseOk("map<str, int> m = {}; map<int, map<str, float[]>> n; map<str, int>[] ms = [];");
  assert.deepEqual(body.map((s) => (s.kind === "VarDecl" ? `${show(s.declType)} ${s.name}` : s.kind)), [
    "map<str, int> m", "map<int, map<str, float[]>> n", "map<str, int>[] ms",
  ]);
  assert.deepEqual(parse("map<str int> h = {};").errors, ["1:9: expected ',' after the key type of 'map<', found 'int'"]);
  assert.equal(show(exprOf("map < b")), "(< map b)"); // a variable named map still compares
});

test("a function declared the C way: parsed as that function, marked with the Tulpar spelling", () => {
  const r = parse("str kind(str s, int n) {\n  return s;\n}\nvoid log(str m) { print(m); }\nint[] f() { return []; }");
  assert.deepEqual(r.errors, []); // the checker reports them, after which it still checks the bodies
  assert.deepEqual(r.program.body.map((s) => (s.kind === "FuncDecl" ? `${s.name}/${s.params.length}: ${show(s.result)} | ${s.cStyle?.suggestion}` : s.kind)), [
    "kind/2: str | func kind(str s, int n): str {", "log/1: void | func log(str m) {", "f/0: int[] | func f(): int[] {",
  ]);
  assert.equal(show(exprOf("f(a) + 1")), "(+ (call f a) 1)"); // a call is no declaration
  assert.equal(parseOk("func g() {}")[0].kind === "FuncDecl" && (parseOk("func g() {}")[0] as { cStyle?: unknown }).cStyle, undefined);
});

test("functions: async, defaults, untyped parameters, results, nesting", () => {
  const body = parseOk(
    "func add(int a, int b = 2): int { return a + b; }\nasync func slow(n) { await sleep_async(1); return n; }\n" +
      "func log(msg, str sep = \" \") { func inner(): void {} inner(); }\nfunc noargs() {}",
  );
  const fns = body.map((s) => {
    assert.equal(s.kind, "FuncDecl");
    return s.kind === "FuncDecl" ? s : null!;
  });
  assert.deepEqual(fns.map((f) => [f.name, f.isAsync, f.params.map((p) => `${show(p.type)} ${p.name}=${show(p.default)}`), show(f.result)]), [
    ["add", false, ["int a=null", "int b=2"], "int"],
    ["slow", true, ["null n=null"], "null"],
    ["log", false, ["null msg=null", 'str sep=" "'], "null"],
    ["noargs", false, [], "null"],
  ]);
  assert.equal(fns[2].body.body[0].kind, "FuncDecl");
  assert.equal(textOf("func add(int a, int b = 2): int { return a + b; }", fns[0].nameSpan), "add");
});

test("struct field defaults: an expression after '='", () => {
  const [s] = parseOk('struct Job { int tries = 3; str state = "new", str[] tags = []; Job next; }');
  assert.equal(s.kind, "StructDecl");
  if (s.kind !== "StructDecl") return;
  assert.deepEqual(s.fields.map((f) => `${show(f.type)} ${f.name} = ${f.default ? show(f.default) : "-"}`), [
    "int tries = 3", 'str state = "new"', "str[] tags = []", "Job next = -",
  ]);
});

test("structs, type, imports", () => {
  const body = parseOk('struct Point { int x; int y; }\ntype Pair { str type, json b }\nimport "http_client";\nimport "./util.tul" as u;');
  assert.deepEqual(body.map((s) => (s.kind === "StructDecl" ? `${s.name}{${s.fields.map((f) => `${show(f.type)} ${f.name}`).join(",")}}` : s.kind === "Import" ? `import ${s.path} as ${s.alias}` : s.kind)), [
    "Point{int x,int y}", "Pair{str type,json b}", "import http_client as null", "import ./util.tul as u",
  ]);
});

test("if / else-if / else chains nest in `else`", () => {
  const [s] = parseOk("if (a) { x(); } else if (b) { y(); } else if (c) z(); else { w(); }");
  assert.equal(s.kind, "If");
  if (s.kind !== "If") return;
  const e1 = s.else;
  assert.equal(e1?.kind, "If");
  const e2 = e1?.kind === "If" ? e1.else : null;
  assert.equal(e2?.kind, "If");
  const last = e2?.kind === "If" ? e2 : null;
  assert.equal(last?.then.body.length, 1); // `z();` wrapped in a Block
  assert.equal(last?.else?.kind, "Block");
  assert.equal(s.span.end, "if (a) { x(); } else if (b) { y(); } else if (c) z(); else { w(); }".length);
});

test("loops: while, for with optional parts, for-in forms, break/continue", () => {
  const body = parseOk(
    "while (i < 3) { i++; }\nfor (int i = 0; i < n; i++) { continue; }\nfor (;;) { break; }\nfor (i = 0; ; i += 2) {}\n" +
      "for (x in xs) {}\nfor (int x in range(0, 3)) {}\nfor (var k in obj) {}",
  );
  assert.deepEqual(body.map((s) => s.kind), ["While", "For", "For", "For", "ForIn", "ForIn", "ForIn"]);
  const f1 = body[1], f2 = body[2], f3 = body[3];
  assert.ok(f1.kind === "For" && f1.init?.kind === "VarDecl" && show(f1.cond) === "(< i n)" && show(f1.update) === "(++post i)");
  assert.ok(f1.kind === "For" && f1.body.body[0].kind === "Continue");
  assert.ok(f2.kind === "For" && f2.init === null && f2.cond === null && f2.update === null && f2.body.body[0].kind === "Break");
  assert.ok(f3.kind === "For" && f3.init?.kind === "ExprStmt" && show(f3.init.expr) === "(= i 0)" && show(f3.update) === "(+= i 2)");
  const ins = body.slice(4).map((s) => (s.kind === "ForIn" ? `${show(s.varType)} ${s.varName} in ${show(s.iterable)}` : ""));
  assert.deepEqual(ins, ["null x in xs", "int x in (call range 0 3)", "null k in obj"]);
});

test("return, throw, try/catch/finally", () => {
  const body = parseOk(
    "func f() { return; }\nfunc g() { return 1 + 2; }\nthrow \"boom\";\ntry { a(); } catch (e) { b(); } finally { c(); }\n" +
      "try { a(); } catch { b(); }\ntry { a(); } finally { c(); }",
  );
  const [f, g, t, t1, t2, t3] = body;
  assert.ok(f.kind === "FuncDecl" && f.body.body[0].kind === "Return" && f.body.body[0].value === null);
  assert.ok(g.kind === "FuncDecl" && g.body.body[0].kind === "Return" && show(g.body.body[0].value) === "(+ 1 2)");
  assert.ok(t.kind === "Throw" && show(t.value) === '"boom"');
  assert.ok(t1.kind === "Try" && t1.catchName === "e" && t1.catchBody && t1.finallyBody);
  assert.ok(t2.kind === "Try" && t2.catchName === null && t2.catchBody && !t2.finallyBody);
  assert.ok(t3.kind === "Try" && !t3.catchBody && t3.finallyBody);
  assert.deepEqual(parse("try { a(); }\nprint(1);").errors, ["2:1: expected 'catch' or 'finally' after the try block, found identifier 'print'"]);
});

test("blocks, empty statements and top-level statements", () => {
  const body = parseOk("{ var x = 1; { x = 2; } } ; print(x);");
  assert.deepEqual(body.map((s) => s.kind), ["Block", "ExprStmt"]);
});

// ---------- errors, recovery, limits ----------

test("several syntax errors are reported with line:col and parsing continues", () => {
  const src = "int a = 1\nint b = 2;\nint c = ;\nprint(a, b);\nfoo(;\nif (x { y(); }\nvar ok = 1;\n}\nfunc f() { int z = ); return 1; }\nprint(f());\n";
  const { program, errors } = parse(src);
  assert.deepEqual(errors, [
    "1:10: expected ';' after variable declaration",
    "3:9: expected expression, found ';'",
    "5:5: expected expression, found ';'",
    "6:7: expected ')' after the condition, found '{'",
    "8:1: expected expression, found '}'",
    "9:20: expected expression, found ')'",
  ]);
  const kinds = program.body.map((s) => (s.kind === "VarDecl" ? `var ${s.name}` : s.kind));
  assert.deepEqual(kinds, ["var a", "var b", "ExprStmt", "var ok", "FuncDecl", "ExprStmt"]);
  const f = program.body[4];
  assert.ok(f.kind === "FuncDecl" && f.body.body.length === 1 && f.body.body[0].kind === "Return");
});

test("error messages name the expectation and the found token", () => {
  const cases: [string, string][] = [
    ["print(1)\n", "1:9: expected ';' after expression"],
    ["print(1) print(2);", "1:10: expected ';' after expression, found identifier 'print'"],
    ["f(1 2);", "1:5: expected ',' or ')' in argument list, found number '2'"],
    ["x = [1 2];", "1:8: expected ',' or ']' in array literal, found number '2'"],
    ["func f( { }", "1:9: expected a type, found '{'"],
    ["func 1() {}", "1:6: expected a function name after 'func', found number '1'"],
    ["func (x) {}", "1:10: expected a variable name, found '{'"],
    ["while x {}", "1:7: expected '(' after 'while', found identifier 'x'"],
    ["x = (1 + 2;", "1:11: expected ')' to close the parenthesised expression, found ';'"],
    ["{ x = 1;", "1:9: expected '}' to close the block, found end of file"],
    ['import foo;', "1:8: expected a module path string after 'import', found identifier 'foo'"],
    ["x = a.;", "1:7: expected field name after '.', found ';'"],
    ["else { }", "1:1: expected expression, found 'else'"],
    ["x = spawn f;", "1:11: spawn needs a function call: spawn f(args)"],
    ["int spawn = 1;", "1:5: expected a variable name, found 'spawn'"],
  ];
  for (const [src, want] of cases) assert.deepEqual(parse(src).errors, [want], src);
});

test("nesting deeper than 256 levels is one diagnostic, never a crash", () => {
  const ok = (n: number) => "x = " + "(".repeat(n) + "1" + ")".repeat(n) + ";";
  assert.deepEqual(parse(ok(255)).errors, []);
  assert.deepEqual(parse("print(" + ok(255).slice(4, -1) + ");").errors, []);
  assert.deepEqual(parse(ok(257)).errors, [`1:${4 + 257}: nesting too deep (more than 256 levels)`]);
  assert.deepEqual(parse(ok(100000)).errors, [`1:${4 + 257}: nesting too deep (more than 256 levels)`]);
  assert.deepEqual(parse("{".repeat(300) + "}".repeat(300)).errors, ["1:257: nesting too deep (more than 256 levels)"]);
  assert.deepEqual(parse("x = " + "[".repeat(300) + "]".repeat(300) + ";").errors, ["1:261: nesting too deep (more than 256 levels)"]);
  assert.deepEqual(parse("x = " + "f(".repeat(300) + ")".repeat(300) + ";").errors, ["1:518: nesting too deep (more than 256 levels)"]);
  // each `[]` of a type is a level (the checker and codegen walk types recursively)
  assert.deepEqual(parse("int" + "[]".repeat(300) + " x;").errors, ["1:516: nesting too deep (more than 256 levels)"]);
  assert.deepEqual(parse("var f = " + "() => ".repeat(300) + "1;").errors.length, 1);
  assert.deepEqual(parse("x = " + 't"{'.repeat(300) + "1" + '}"'.repeat(300) + ";").errors.length, 1);
  assert.deepEqual(parse("if (a) ".repeat(300) + "x();").errors.length, 1);
  assert.deepEqual(parse("x = " + "- ".repeat(100000) + "1;").errors, []); // prefix chains are loops
  // else-if chains are parsed in a loop, and the checker and codegen walk the tree they build
  // with explicit stacks; past MAX_TREE_DEPTH (10,000) levels the chain is one diagnostic (parse/depth.ts)
  assert.deepEqual(parse("if (a) {}" + " else if (b) {}".repeat(9000)).errors, []);
  assert.deepEqual(parse("if (a) {}" + " else if (b) {}".repeat(20000)).errors, ["1:150001: nesting too deep (more than 10000 levels)"]);
  // only statements with enough tokens to be that deep are walked: the long one among short ones is found
  assert.deepEqual(parse("x = 1;\n".repeat(3000) + "if (a) {}" + " else if (b) {}".repeat(20000) + "\ny = 2;").errors, ["3001:150001: nesting too deep (more than 10000 levels)"]);
  assert.deepEqual(parse("x = 1;\n".repeat(3000) + "x = " + "!".repeat(12000) + "b;").errors, ["3001:10003: nesting too deep (more than 10000 levels)"]);
});

test("spans point at the source text of each node", () => {
  const src = "var total = price * (1 + rate);";
  const [s] = parseOk(src);
  assert.ok(s.kind === "VarDecl" && s.init);
  if (s.kind !== "VarDecl" || !s.init) return;
  assert.equal(textOf(src, s.span), "var total = price * (1 + rate)");
  assert.equal(textOf(src, s.nameSpan), "total");
  assert.equal(textOf(src, s.init.span), "price * (1 + rate)");
  assert.ok(s.init.kind === "Binary");
  if (s.init.kind === "Binary") assert.equal(textOf(src, s.init.right.span), "(1 + rate)"); // parentheses included
  assert.equal(s.span.file.path, "t.tul");
});

test("the lexer flags newlines before tokens and ends with eof", () => {
  const toks = lex(new SourceFile("t.tul", "a\n  b c"), new DiagnosticBag()).tokens;
  assert.deepEqual(toks.map((t) => [t.kind, t.nl]), [["ident", true], ["ident", true], ["ident", false], ["eof", false]]);
});

test("parseProgram never throws on garbage", () => {
  const sample = 'func f(int a): int { if (a > 1) { return f(a - 1) * t"{a}"; } return [1, {k: "v"}][0]; }\nmatch x { 1 .. 2 => 3, _ => 4 }\n';
  let seed = 12345;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (let i = 0; i < 400; i++) {
    const chars = [...sample];
    for (let k = 0; k < 1 + rand(6); k++) {
      const at = rand(chars.length);
      const op = rand(3);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, "(){}[];,\"t=>.?:/*'"[rand(19)]);
      else chars.splice(at, 0, chars[rand(chars.length)]);
    }
    const { errors } = parse(chars.join(""));
    assert.ok(!errors.some((e) => e.includes("internal parser error")), errors.join("\n"));
  }
});

test("scope and shield blocks; the words stay usable as names; async lambdas", () => {
  const [s, h, v, a, l] = parseOk("scope { f(); }\nshield { await g(); }\nvar scope = 1;\nscope = 2;\nvar inc = async (int x) => x + 1;");
  assert.ok(s.kind === "Scope" && s.body.body.length === 1);
  assert.ok(h.kind === "Shield" && h.body.body.length === 1);
  assert.ok(v.kind === "VarDecl" && v.name === "scope");
  assert.ok(a.kind === "ExprStmt" && a.expr.kind === "Assign");
  assert.ok(l.kind === "VarDecl" && l.init?.kind === "Lambda" && l.init.isAsync === true);
  assert.deepEqual(parse("scope { f();\n").errors.length > 0, true);
});
