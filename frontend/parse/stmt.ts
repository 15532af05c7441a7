// Statement and declaration rules: blocks, if/while/for/for-in, jumps, try, import, struct,
// functions, variable declarations and expression statements, plus the whole-program rule.

import type { Block, Expr, ExprStmt, For, FuncDecl, If, Select, SelectCase, Stmt, StructField, VarDecl } from "../ast.js";
import {
  accept, want, endStmt, expected, failHere, lazy, nested, next, recoverStmt, rule,
  type Ctx, type P, type Run,
} from "./core.js";
import { exprOrAssign, expr, isName, paramList } from "./expr.js";
import { describeToken } from "../lexer.js";
import { D } from "../messages.js";
import { skipType, TYPE_KEYWORDS, typeNode } from "./types.js";

// statement = block | if | while | for | jump | return | throw | try | import | struct | function
//           | var-decl | typed-decl | ";" | expression-statement
export const statement: P<Stmt | null> = lazy(() =>
  rule((run, c): Stmt | null => {
    const i = c.at;
    switch (c.tok(i).kind) {
      case "{": return run(block);
      case "if": return ifStmt(run, c);
      case "while": return whileStmt(run, c);
      case "for": return forStmt(run, c);
      case "break":
      case "continue": return jumpStmt(run, c);
      case "return": return returnStmt(run, c);
      case "throw": return throwStmt(run, c);
      case "try": return tryStmt(run, c);
      case "import": return importStmt(run, c);
      case "struct":
      case "type": return structDecl(run, c);
      case "async": return funcDecl(run, c);
      case "func": if (c.tok(i + 1).kind !== "(") return funcDecl(run, c); break;
      case "var":
      case "const": return run(varDecl);
      case ";": run(next); return null;
      case "ident":
        if (isBlockWord(c, i)) return blockStmt(run, c);
        if (isTestDecl(c, i)) return testDecl(run, c);
        if (c.tok(i).text === "select" && c.tok(i + 1).kind === "{") return selectStmt(run, c);
        break;
    }
    if (startsCStyleFunc(c, i)) return cStyleFunc(run, c);
    return startsTypedDecl(c, i) ? run(typedDecl) : exprStmt(run, c);
  }),
);

/** `str kind(str s) {`: a type, a name and `(` (a function declared the C way). */
function startsCStyleFunc(c: Ctx, i: number): boolean {
  const k = c.tok(i).kind;
  if (k === "func") return false;
  const j = TYPE_KEYWORDS.has(k) || k === "ident" ? skipType(c, i) : -1;
  if (j <= i || c.tok(j).kind !== "ident" || c.tok(j + 1).kind !== "(") return false;
  const close = c.parenMatch[j + 1];
  return close > 0 && c.tok(close + 1).kind === "{";
}

/**
 * A function declared the C way is parsed as the function it means, marked for the checker to report
 * with the Tulpar spelling (a parse error would stop the build before its body is checked).
 */
function cStyleFunc(run: Run, c: Ctx): FuncDecl {
  const i0 = c.at;
  const result = run(typeNode);
  const nameAt = c.at;
  const name = run(next);
  const p0 = c.at;
  const params = run(paramList);
  const paramText = c.file.text.slice(c.tok(p0).start, c.tok(c.at - 1).end);
  const type = c.file.text.slice(c.tok(i0).start, c.tok(nameAt - 1).end);
  const suggestion = `func ${name.text}${paramText}${type === "void" ? "" : `: ${type}`} {`;
  const cStyle = { suggestion, span: c.span(i0, c.at) };
  const fnBody = run(funcBody);
  return {
    kind: "FuncDecl", name: name.text, nameSpan: c.tokSpan(nameAt), isAsync: false, params,
    result, body: fnBody, span: c.span(i0, c.at), cStyle,
  };
}

const recoveringStatement = recoverStmt(statement);
const nestedStatement = nested(statement);

/** `int x`, `Point p`, `u.Point p`, `int[] xs`, `promise<int> p`, `func(int): int f` start a declaration. */
function startsTypedDecl(c: Ctx, i: number): boolean {
  const k = c.tok(i).kind;
  if (TYPE_KEYWORDS.has(k) || (k === "func" && c.tok(i + 1).kind === "(")) return true;
  if (k !== "ident") return false;
  // `map<str ...` can only be a type (a malformed one gets the type rule's message, not an expression's)
  if (c.tok(i).text === "map" && c.tok(i + 1).kind === "<" && TYPE_KEYWORDS.has(c.tok(i + 2).kind)) return true;
  const j = skipType(c, i);
  return j > 0 && c.tok(j).kind === "ident";
}

// block = "{" { statement } "}"      (each statement recovers from its own syntax errors)
function blockRule(context: string): P<Block> {
  return nested(
    rule((run, c) => {
      const i0 = c.at;
      want(run, c, "{", context);
      const body: Stmt[] = [];
      for (;;) {
        const k = c.peek().kind;
        if (k === "}") break;
        if (k === "eof") run(failHere(expected("'}'", "to close the block", c.tok(c.at))));
        const s = run(recoveringStatement);
        if (s) body.push(s);
        if (c.fatal) break;
      }
      run(next);
      return { kind: "Block", body, span: c.span(i0, c.at) };
    }),
  );
}

export const block: P<Block> = lazy(() => blockRule("to start a block"));
const funcBody: P<Block> = lazy(() => blockRule("to start the function body"));

// body = block | statement       (a single statement is wrapped in a Block)
function body(run: Run, c: Ctx): Block {
  if (c.peek().kind === "{") return run(block);
  const i0 = c.at;
  const s = run(nestedStatement);
  return { kind: "Block", body: s ? [s] : [], span: c.span(i0, c.at) };
}

// if = "if" "(" expression ")" body [ "else" ( if | body ) ]      (else-if chains built in a loop)
function ifStmt(run: Run, c: Ctx): If {
  const chain = [ifHead(run, c)];
  while (run(accept("else"))) {
    const last = chain[chain.length - 1];
    if (c.peek().kind !== "if") {
      last.else = body(run, c);
      break;
    }
    const nextIf = ifHead(run, c);
    last.else = nextIf;
    chain.push(nextIf);
  }
  const end = c.tok(c.at - 1).end;
  for (const s of chain) s.span = { ...s.span, end };
  return chain[0];
}

function ifHead(run: Run, c: Ctx): If {
  const i0 = c.at;
  run(next);
  const cond = run(ifCondition);
  const then = body(run, c);
  return { kind: "If", cond, then, else: null, span: c.span(i0, c.at) };
}

function parenCondition(after: string): P<Expr> {
  return rule((run, c) => {
    want(run, c, "(", `after ${after}`);
    const cond = run(expr);
    want(run, c, ")", "after the condition");
    return cond;
  });
}

const ifCondition = parenCondition("'if'");

// while = "while" "(" expression ")" body
const whileCondition = parenCondition("'while'");
function whileStmt(run: Run, c: Ctx): Stmt {
  const i0 = c.at;
  run(next);
  const cond = run(whileCondition);
  return { kind: "While", cond, body: body(run, c), span: c.span(i0, c.at) };
}

// for = "for" "(" ( for-in-head | [init] ";" [expression] ";" [update] ) ")" body
function forStmt(run: Run, c: Ctx): Stmt {
  const i0 = c.at;
  run(next);
  want(run, c, "(", "after 'for'");
  const form = forInForm(c, c.at);
  if (form) return forInRest(run, c, i0, form);
  if (twoLoopVariables(c, c.at)) return run(failHere(D.forInTwoNames()));
  const init = run(forInit);
  const cond = c.peek().kind === ";" ? null : run(expr);
  want(run, c, ";", "after the loop condition");
  const update = c.peek().kind === ")" ? null : run(exprOrAssign);
  want(run, c, ")", "after the loop update");
  const loop: For = { kind: "For", init, cond, update, body: body(run, c), span: c.span(i0, c.at) };
  return loop;
}

/** Which for-in head starts at i: `x in`, `var x in`, `T x in`; null for a classic for. */
function forInForm(c: Ctx, i: number): "bare" | "var" | "typed" | null {
  const t = c.tok(i);
  if (t.kind === "ident" && c.tok(i + 1).kind === "in") return "bare";
  if (t.kind === "var" && c.tok(i + 1).kind === "ident" && c.tok(i + 2).kind === "in") return "var";
  const j = skipType(c, i);
  return j > 0 && c.tok(j).kind === "ident" && c.tok(j + 1).kind === "in" ? "typed" : null;
}

/** `for (k, v in m)` (Python's and Go's two loop variables) at i, or after `var` at i. */
function twoLoopVariables(c: Ctx, i: number): boolean {
  if (c.tok(i).kind === "var") i++;
  return c.tok(i).kind === "ident" && c.tok(i + 1).kind === "," && c.tok(i + 2).kind === "ident" && c.tok(i + 3).kind === "in";
}

// for-in-head = [ "var" | type ] name "in" expression ")"
function forInRest(run: Run, c: Ctx, i0: number, form: "bare" | "var" | "typed"): Stmt {
  if (form === "var") run(next);
  const varType = form === "typed" ? run(typeNode) : null;
  const name = run(next);
  run(next); // "in"
  const iterable = run(expr);
  want(run, c, ")", "after the for-in iterable");
  return { kind: "ForIn", varName: name.text, varType, iterable, body: body(run, c), span: c.span(i0, c.at) };
}

// init = ";" | var-decl | typed-decl | expression-or-assignment ";"
const forInit: P<VarDecl | ExprStmt | null> = lazy(() =>
  rule((run, c) => {
    const i0 = c.at;
    const k = c.tok(i0).kind;
    if (k === ";") return run(next) && null;
    if (k === "var" || k === "const") return run(varDecl);
    if (startsTypedDecl(c, i0)) return run(typedDecl);
    const e = run(exprOrAssign);
    const span = c.span(i0, c.at);
    want(run, c, ";", "after the loop initializer");
    return { kind: "ExprStmt", expr: e, span };
  }),
);

// jump = ( "break" | "continue" ) ";"
function jumpStmt(run: Run, c: Ctx): Stmt {
  const t = run(next);
  const span = c.tokSpan(c.at - 1);
  run(endStmt(`after '${t.kind}'`));
  return t.kind === "break" ? { kind: "Break", span } : { kind: "Continue", span };
}

// return = "return" [ expression ] ";"
function returnStmt(run: Run, c: Ctx): Stmt {
  const i0 = c.at;
  run(next);
  const k = c.peek().kind;
  const value = k === ";" || k === "}" || k === "eof" ? null : run(expr);
  const span = c.span(i0, c.at);
  run(endStmt(value ? "after the return value" : "after 'return'"));
  return { kind: "Return", value, span };
}

// throw = "throw" expression ";"
function throwStmt(run: Run, c: Ctx): Stmt {
  const i0 = c.at;
  run(next);
  const value = run(expr);
  const span = c.span(i0, c.at);
  run(endStmt("after the thrown value"));
  return { kind: "Throw", value, span };
}

// try = "try" block [ "catch" [ "(" [ name ] ")" ] block ] [ "finally" block ]   (not both omitted)
function tryStmt(run: Run, c: Ctx): Stmt {
  const i0 = c.at;
  run(next);
  const tryBody = run(block);
  let catchName: string | null = null, catchBody: Block | null = null, finallyBody: Block | null = null;
  if (run(accept("catch"))) {
    if (run(accept("("))) {
      if (c.peek().kind === "ident") catchName = run(next).text;
      want(run, c, ")", "after the catch variable");
    }
    catchBody = run(block);
  }
  if (run(accept("finally"))) finallyBody = run(block);
  if (!catchBody && !finallyBody) {
    const at = c.at;
    c.report(D.tryWithoutHandler({ found: describeToken(c.tok(at)) }), c.tokSpan(at));
  }
  return { kind: "Try", body: tryBody, catchName, catchBody, finallyBody, span: c.span(i0, c.at) };
}

// select = "select" "{" { "case" [ binding "=" ] expression ":" case-body | "default" ":" case-body } "}"
// binding = "var" name | type name          case-body = block | { statement }   (up to the next case)
// (contextual words, as scope and shield: `select` only before `{`, `case` and `default` only as a
// case's first word, so all three stay usable as names)
const wordAt = (c: Ctx, i: number): string => (c.tok(i).kind === "ident" ? c.tok(i).text : "");

function selectStmt(run: Run, c: Ctx): Select {
  const i0 = c.at;
  run(next);
  want(run, c, "{", "after 'select'");
  const cases: SelectCase[] = [];
  let dflt: Block | null = null;
  for (;;) {
    const k = wordAt(c, c.at);
    if (k === "case") cases.push(selectCase(run, c));
    else if (k === "default" && c.tok(c.at + 1).kind === ":") {
      const at = c.at;
      run(next);
      want(run, c, ":", "after 'default'");
      const b = caseBody(run, c);
      if (dflt) c.report(D.selectDefaultTwice(), c.tokSpan(at));
      dflt = b;
    } else break;
  }
  want(run, c, "}", "to close the select", "'case', 'default' or '}'");
  return { kind: "Select", cases, default: dflt, span: c.span(i0, c.at) };
}

function selectCase(run: Run, c: Ctx): SelectCase {
  const i0 = c.at;
  run(next);
  const binding = caseBinding(run, c);
  const op = run(expr);
  want(run, c, ":", "after the select case");
  if (binding) binding.span = c.span(i0 + 1, c.at - 1);
  return { op, binding, body: caseBody(run, c), span: c.span(i0, c.at) };
}

/** `var v =` or `T v =` before a case's operation (its init is filled in by the checker). */
function caseBinding(run: Run, c: Ctx): VarDecl | null {
  const i0 = c.at;
  const isVar = c.tok(i0).kind === "var" && c.tok(i0 + 1).kind === "ident" && c.tok(i0 + 2).kind === "=";
  const j = isVar ? -1 : skipType(c, i0);
  if (!isVar && !(j > 0 && c.tok(j).kind === "ident" && c.tok(j + 1).kind === "=")) return null;
  if (isVar) run(next);
  const declType = isVar ? null : run(typeNode);
  const nameAt = c.at;
  const name = run(next);
  run(next); // "="
  return { kind: "VarDecl", mode: isVar ? "var" : "typed", declType, name: name.text, nameSpan: c.tokSpan(nameAt), init: null, span: c.span(i0, c.at) };
}

/** A case's body: a block, or the statements up to the next `case`, `default` or the closing `}`. */
function caseBody(run: Run, c: Ctx): Block {
  if (c.peek().kind === "{") return run(block);
  const i0 = c.at;
  const body: Stmt[] = [];
  for (;;) {
    const k = c.peek().kind, w = wordAt(c, c.at);
    if (w === "case" || (w === "default" && c.tok(c.at + 1).kind === ":") || k === "}" || k === "eof" || c.fatal) break;
    const s = run(recoveringStatement);
    if (s) body.push(s);
  }
  return { kind: "Block", body, span: c.span(i0, c.at) };
}

// scope = "scope" block ;  shield = "shield" block
// (contextual words: `scope` and `shield` stay usable as names; only `scope {` starts the statement)
function isBlockWord(c: Ctx, i: number): boolean {
  const t = c.tok(i).text;
  return (t === "scope" || t === "shield") && c.tok(i + 1).kind === "{";
}

function blockStmt(run: Run, c: Ctx): Stmt {
  const i0 = c.at;
  const word = run(next).text;
  const body = run(block);
  return { kind: word === "scope" ? "Scope" : "Shield", body, span: c.span(i0, c.at) };
}

// test = "test" string block      (docs/reference.md §17.5; `test` stays usable as a name: only
// `test "..." {` starts a test). A test is an async function of no parameters returning void, with
// `test` set.
function isTestDecl(c: Ctx, i: number): boolean {
  return c.tok(i).text === "test" && c.tok(i + 1).kind === "str-lit" && c.tok(i + 2).kind === "{";
}

function testDecl(run: Run, c: Ctx): FuncDecl {
  const i0 = c.at;
  run(next);
  const nameTok = run(next);
  const testName = nameTok.value as string;
  const body = run(funcBody);
  const span = c.span(i0, c.at);
  const result = { kind: "NamedType" as const, name: "void", span: c.tokSpan(i0) };
  return { kind: "FuncDecl", name: `test ${JSON.stringify(testName)}`, nameSpan: c.tokSpan(i0 + 1), isAsync: true, params: [], result, body, span, test: testName };
}

// import = "import" string [ "as" name ] ";"
function importStmt(run: Run, c: Ctx): Stmt {
  const i0 = c.at;
  run(next);
  const path = want(run, c, "str-lit", "after 'import'", "a module path string");
  const alias = run(accept("as")) ? want(run, c, "ident", "after 'as'", "a module name").text : null;
  const span = c.span(i0, c.at);
  run(endStmt("after import"));
  return { kind: "Import", path: path.value as string, alias, span };
}

// struct = ( "struct" | "type" ) name "{" { type name [ "=" expression ] ( ";" | "," ) } "}" [ ";" ]
function structDecl(run: Run, c: Ctx): Stmt {
  const i0 = c.at;
  const kw = run(next).kind;
  const name = want(run, c, "ident", `after '${kw}'`, "a struct name");
  want(run, c, "{", "to start the struct body");
  const fields: StructField[] = [];
  while (c.peek().kind !== "}") {
    const f0 = c.at;
    const type = run(typeNode);
    const fname = c.peek();
    if (!isName(fname)) run(failHere(expected("field name", "", fname)));
    run(next);
    const dflt = run(accept("=")) ? run(expr) : undefined;
    fields.push({ name: fname.text, type, span: c.span(f0, c.at), ...(dflt ? { default: dflt } : {}) });
    if (!run(accept(";")) && !run(accept(","))) break;
  }
  want(run, c, "}", "after struct field", "';' or '}'");
  const span = c.span(i0, c.at);
  run(accept(";"));
  return { kind: "StructDecl", name: name.text, nameSpan: c.tokSpan(i0 + 1), fields, span };
}

// function = [ "async" ] "func" name params [ ":" type ] block
function funcDecl(run: Run, c: Ctx): FuncDecl {
  const i0 = c.at;
  const isAsync = !!run(accept("async"));
  want(run, c, "func", "after 'async'");
  const nameAt = c.at;
  const name = want(run, c, "ident", "after 'func'", "a function name");
  const params = run(paramList);
  const result = run(accept(":")) ? run(typeNode) : null;
  const fnBody = run(funcBody);
  return { kind: "FuncDecl", name: name.text, nameSpan: c.tokSpan(nameAt), isAsync, params, result, body: fnBody, span: c.span(i0, c.at) };
}

// var-decl = ( "var" | "const" [ type ] ) name "=" expression ";"
const varDecl: P<VarDecl> = lazy(() =>
  rule((run, c) => {
    const i0 = c.at;
    const kw = run(next).kind as "var" | "const";
    const untyped = kw === "var" || (c.peek().kind === "ident" && c.tok(c.at + 1).kind === "=");
    const declType = untyped ? null : run(typeNode);
    const nameAt = c.at;
    const name = want(run, c, "ident", "", "a variable name");
    want(run, c, "=", `after '${kw} ${name.text}' (it needs an initializer)`);
    const init = run(expr);
    const span = c.span(i0, c.at);
    run(endStmt("after variable declaration"));
    return { kind: "VarDecl", mode: kw, declType, name: name.text, nameSpan: c.tokSpan(nameAt), init, span };
  }),
);

// typed-decl = type name [ "=" expression ] ";"
const typedDecl: P<VarDecl> = lazy(() =>
  rule((run, c) => {
    const i0 = c.at;
    const declType = run(typeNode);
    const nameAt = c.at;
    const name = want(run, c, "ident", "", "a variable name");
    const init = run(accept("=")) ? run(expr) : null;
    const span = c.span(i0, c.at);
    run(endStmt("after variable declaration"));
    return { kind: "VarDecl", mode: "typed", declType, name: name.text, nameSpan: c.tokSpan(nameAt), init, span };
  }),
);

// expression-statement = expression-or-assignment ";"     (a match statement needs no ';')
function exprStmt(run: Run, c: Ctx): Stmt {
  const i0 = c.at;
  const e = run(exprOrAssign);
  const span = c.span(i0, c.at);
  if (e.kind !== "Match" || c.peek().kind === ";") run(endStmt("after expression"));
  return { kind: "ExprStmt", expr: e, span };
}

// program = { statement } end-of-file
export const program: P<Stmt[]> = rule((run, c) => {
  const out: Stmt[] = [];
  while (c.peek().kind !== "eof" && !c.fatal) {
    const s = run(recoveringStatement);
    if (s) out.push(s);
  }
  return out;
});
