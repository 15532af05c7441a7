// Expression rules: conditional, binary levels (one table-driven `operand (op operand)*` fold),
// unary/await/spawn, postfix, primaries, lambdas, match, array/object literals and t-strings.

import type { Block, Expr, IntLit, Lambda, MatchArm, ObjectLit, Param, Pattern, TString } from "../ast.js";
import { KEYWORDS, type Token } from "../lexer.js";
import { D } from "../messages.js";
import type { Span } from "../source.js";
import {
  accept, want, enter, expected, failHere, lazy, nested, next, rule, type Ctx, type P, type Run,
} from "./core.js";
import { skipType, typeNode } from "./types.js";
import { block } from "./stmt.js";

/**
 * Binary operators and their precedence (higher binds tighter); all are left-associative. The
 * bitwise ones sit as in Python: tighter than comparisons, looser than `+ -` (`x & 1 == 0` is
 * `(x & 1) == 0`), `|` loosest, then `^`, `&`, the shifts. `|>` binds loosest of all: `a + b |> f`
 * is `f(a + b)`.
 */
const BIN_PREC: Readonly<Record<string, number>> = {
  "|>": 0, "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
  "|": 5, "^": 6, "&": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
};
export const ASSIGN_OPS: ReadonlySet<string> = new Set(["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="]);
const PREFIX_OPS: ReadonlySet<string> = new Set(["!", "-", "+", "~", "await", "spawn", "++", "--"]);

/**
 * The operator at the current token: `>>` and `>>=` are lexed as `>` followed by an adjacent `>` or
 * `>=` (so that `promise<promise<int>>` closes two types) and joined here. Returns the operator and
 * how many tokens it takes.
 */
export function operatorAt(c: Ctx, i = c.at): { op: string; width: number } {
  const t = c.tok(i);
  if (t.kind === ">") {
    const n = c.tok(i + 1);
    if (n.start === t.end && (n.kind === ">" || n.kind === ">=")) return { op: n.kind === ">" ? ">>" : ">>=", width: 2 };
  }
  return { op: t.kind, width: 1 };
}

// Grammar rules are arcsecond parsers (`rule`); the hot recursive path (binary, unary, postfix,
// primary and the bracketed forms) are sub-rule functions taking the enclosing rule's `run`, which
// keeps the stack cost of one nesting level small (256 levels must fit in Node's default stack).

// expression = conditional            (an assignment operator after it is reported: assignments are statements)
// expression-or-assignment = conditional [ assign-op expression ]   (statement level, for-init/update)
export const expr: P<Expr> = lazy(() => conditional(false));
export const exprOrAssign: P<Expr> = lazy(() => conditional(true));
const nestedExpr: P<Expr> = lazy(() => nested(expr));
/** binary as a parser of its own (match patterns). */
export const binaryExpr: P<Expr> = rule((run, c) => binary(run, c));

// conditional = binary [ "?" expression ":" conditional ]   (else-chains folded in a loop)
function conditional(allowAssign: boolean): P<Expr> {
  return rule((run, c) => {
    const i0 = c.at;
    const first = binary(run, c);
    const e = c.tok(c.at).kind === "?" ? ternaryRest(run, c, i0, first) : first;
    const opIndex = c.at;
    const { op: opText, width } = operatorAt(c);
    if (!ASSIGN_OPS.has(opText)) return e;
    if (!allowAssign) c.report(D.assignInExpr(), c.span(opIndex, opIndex + width));
    for (let k = 0; k < width; k++) run(next);
    const op = opText as "=";
    checkTarget(c, e, `'${op}'`);
    const value = run(expr);
    return { kind: "Assign", op, target: e, value, span: c.span(i0, c.at) };
  });
}

function ternaryRest(run: Run, c: Ctx, i0: number, first: Expr): Expr {
  run(next);
  const conds = [first], thens: Expr[] = [], starts = [i0];
  let otherwise: Expr;
  for (;;) {
    thens.push(run(nestedExpr));
    want(run, c, ":", "in conditional expression");
    const i = c.at;
    const e = binary(run, c);
    if (!run(accept("?"))) { otherwise = e; break; }
    conds.push(e);
    starts.push(i);
  }
  const end = c.at;
  for (let k = conds.length - 1; k >= 0; k--) {
    otherwise = { kind: "Ternary", cond: conds[k], then: thens[k], else: otherwise, span: c.span(starts[k], end) };
  }
  return otherwise;
}

/** Assignment and ++/-- targets must be a variable, an element or a field. */
function checkTarget(c: Ctx, target: Expr, what: string): void {
  if (target.kind === "Ident" || target.kind === "Index" || target.kind === "Member") return;
  c.report(D.badUpdateTarget({ what }), target.span);
}

// binary = unary { bin-op unary }   bin-op: || && == != < <= > >= | ^ & << >> + - * / %; folded by precedence with an operator stack (linear, no recursion)
function binary(run: Run, c: Ctx): Expr {
  const operands: Expr[] = [unary(run, c)];
  const ops: string[] = [];
  for (;;) {
    const { op, width } = operatorAt(c);
    const prec = BIN_PREC[op];
    if (prec === undefined) break;
    for (let k = 0; k < width; k++) run(next);
    while (ops.length && BIN_PREC[ops[ops.length - 1]] >= prec) reduce(c, operands, ops);
    ops.push(op);
    operands.push(unary(run, c));
  }
  while (ops.length) reduce(c, operands, ops);
  return operands[0];
}

function reduce(c: Ctx, operands: Expr[], ops: string[]): void {
  const right = operands.pop()!, left = operands.pop()!;
  const op = ops.pop() as "+";
  const span = { file: c.file, start: left.span.start, end: right.span.end };
  operands.push(op === ("|>" as string) ? pipe(c, left, right, span) : { kind: "Binary", op, left, right, span });
}

/** PIPE_TARGETS: what may follow `|>`: a call (`x |> f(a)` is `f(x, a)`), or a function (`x |> f`,
 * `x |> u.f`, a lambda) called with x alone (docs/reference.md §15.6). */
const PIPE_TARGETS: ReadonlySet<string> = new Set(["Ident", "Member", "Lambda", "Index"]);

function pipe(c: Ctx, left: Expr, right: Expr, span: Span): Expr {
  if (right.kind === "Call") return { kind: "Call", callee: right.callee, args: [left, ...right.args], span };
  if (PIPE_TARGETS.has(right.kind)) return { kind: "Call", callee: right, args: [left], span };
  c.report(D.pipeTarget(), right.span);
  return left;
}

// unary = { "!" | "-" | "+" | "~" | "await" | "spawn" | "++" | "--" } postfix
function unary(run: Run, c: Ctx): Expr {
  if (!PREFIX_OPS.has(c.peek().kind)) return postfix(run, c);
  const ops: { kind: string; at: number }[] = [];
  while (PREFIX_OPS.has(c.peek().kind)) ops.push({ at: c.at, kind: run(next).kind });
  let e = postfix(run, c);
  const end = c.at;
  for (let k = ops.length - 1; k >= 0; k--) e = applyPrefix(c, ops[k].kind, e, c.span(ops[k].at, end));
  return e;
}

/** Builds a prefix node; `-` directly on a number literal folds into a negative literal. */
function applyPrefix(c: Ctx, op: string, e: Expr, span: Span): Expr {
  if (op === "await") return { kind: "Await", operand: e, span };
  if (op === "spawn") {
    if (e.kind !== "Call") c.report(D.spawnNeedsCall(), e.span);
    return { kind: "Spawn", call: e, span };
  }
  if (op === "++" || op === "--") {
    checkTarget(c, e, `'${op}'`);
    return { kind: "Update", op, prefix: true, target: e, span };
  }
  if (op === "-" && e.kind === "IntLit") {
    c.pendingMinInt.delete(e);
    return { kind: "IntLit", value: BigInt.asIntN(64, -e.value), span };
  }
  if (op === "-" && e.kind === "FloatLit") return { kind: "FloatLit", value: -e.value, span };
  return { kind: "Unary", op: op as "-", operand: e, span };
}

// postfix = primary { "(" args ")" | "[" expression "]" | "." name | "++" | "--" }
function postfix(run: Run, c: Ctx): Expr {
  const i0 = c.at;
  let e = primary(run, c);
  for (;;) {
    const k = c.peek().kind;
    if (k === "(") e = { kind: "Call", callee: e, args: callArgs(run, c), span: c.span(i0, c.at) };
    else if (k === "[") e = { kind: "Index", object: e, index: bracketed(run, c, indexSuffix), span: c.span(i0, c.at) };
    else if (k === ".") {
      run(next);
      const t = c.peek();
      if (!isName(t)) run(failHere(expected("field name after '.'", "", t)));
      run(next);
      e = { kind: "Member", object: e, name: t.text, nameSpan: c.tokSpan(c.at - 1), span: c.span(i0, c.at) };
    } else if (k === "++" || k === "--") {
      run(next);
      checkTarget(c, e, `'${k}'`);
      e = { kind: "Update", op: k, prefix: false, target: e, span: c.span(i0, c.at) };
    } else if (k === "{" && isTypedStructLit(c, e)) {
      const name = e.span;
      e = bracketed(run, c, objectLit); // read as the plain literal
      const text = c.file.text.slice(e.span.start, e.span.end);
      c.report(D.typedStructLit({ type: c.file.text.slice(name.start, name.end), literal: text.length <= 40 ? text : "{...}" }), name);
    } else return e;
  }
}

/**
 * `Job{tries: 5}` or `Job{}` (Go's and Rust's spelling): a capitalised name right before `{` and then
 * `}` or `name:`. Nowhere else in the grammar does an expression take `{` (a match subject's `{`
 * is followed by a pattern and `=>`), so this is reported once and read as `{tries: 5}`.
 */
function isTypedStructLit(c: Ctx, e: Expr): boolean {
  if (e.kind !== "Ident" || !/^[A-Z]/.test(e.name)) return false;
  const a = c.tok(c.at + 1), b = c.tok(c.at + 2);
  return a.kind === "}" || (isName(a) && b.kind === ":");
}

// args = "(" [ expression { "," expression } [ "," ] ] ")"
function callArgs(run: Run, c: Ctx): Expr[] {
  run(enter);
  try {
    run(next);
    const args: Expr[] = [];
    while (c.peek().kind !== ")") {
      args.push(run(expr));
      if (!run(accept(","))) break;
    }
    want(run, c, ")", "in argument list", "',' or ')'");
    return args;
  } finally {
    c.depth--;
  }
}

function indexSuffix(run: Run, c: Ctx): Expr {
  run(next);
  const index = run(expr);
  want(run, c, "]", "to close the index");
  return index;
}

/** A field name (after '.', in a struct or as an object key): an identifier or a keyword (`j.type`). */
export function isName(t: Token): boolean {
  return t.kind === "ident" || KEYWORDS.has(t.kind);
}

// primary = literal | t-string | identifier | "(" expression ")" | lambda | array | object | match
function primary(run: Run, c: Ctx): Expr {
  const i = c.at;
  const t = c.tok(i);
  switch (t.kind) {
    case "int-lit": return intLiteral(run, c);
    case "float-lit": run(next); return { kind: "FloatLit", value: t.value as number, span: c.tokSpan(i) };
    case "str-lit": run(next); return { kind: "StrLit", value: t.value as string, span: c.tokSpan(i) };
    case "true":
    case "false": run(next); return { kind: "BoolLit", value: t.kind === "true", span: c.tokSpan(i) };
    case "null": run(next); return { kind: "NullLit", span: c.tokSpan(i) };
    case "ident": run(next); return { kind: "Ident", name: t.text, span: c.tokSpan(i) };
    case "tstr-begin": return bracketed(run, c, tstring);
    case "(": return bracketed(run, c, isLambdaAt(c, i) ? lambda : parenExpr);
    case "async": if (c.tok(i + 1).kind === "(" && isLambdaAt(c, i + 1)) return bracketed(run, c, asyncLambda); break;
    case "[": return bracketed(run, c, arrayLit);
    case "{": return bracketed(run, c, objectLit);
    case "match": return bracketed(run, c, matchExpr);
  }
  return run(failHere(expected("expression", "", t)));
}

/** Runs a bracketed sub-rule one nesting level deeper (see core.ts `enter`). */
function bracketed(run: Run, c: Ctx, sub: (run: Run, c: Ctx) => Expr): Expr {
  run(enter);
  try {
    return sub(run, c);
  } finally {
    c.depth--;
  }
}

/** An int literal; 2^63 is remembered until a unary minus claims it (else: out of range). */
function intLiteral(run: Run, c: Ctx): Expr {
  const t = run(next);
  const node: IntLit = { kind: "IntLit", value: t.value as bigint, span: c.tokSpan(c.at - 1) };
  if (t.minInt) c.pendingMinInt.add(node);
  return node;
}

/** `(` starts a lambda when its matching `)` is followed by `=>` or by `: type =>`. */
function isLambdaAt(c: Ctx, i: number): boolean {
  const close = c.parenMatch[i];
  if (close < 0) return false;
  const after = c.tok(close + 1).kind;
  if (after === "=>") return true;
  if (after !== ":") return false;
  const j = skipType(c, close + 2);
  return j > 0 && c.tok(j).kind === "=>";
}

/** `( e )` yields e itself, its span widened to include the parentheses. */
function parenExpr(run: Run, c: Ctx): Expr {
  const i0 = c.at;
  run(next);
  const e = run(expr);
  want(run, c, ")", "to close the parenthesised expression");
  e.span = c.span(i0, c.at);
  return e;
}

// lambda = params [ ":" type ] "=>" ( block | expression )
function lambda(run: Run, c: Ctx): Expr {
  const i0 = c.at;
  const params = run(paramList);
  const result = run(accept(":")) ? run(typeNode) : null;
  want(run, c, "=>", "after lambda parameters");
  const body: Expr | Block = c.peek().kind !== "{" ? run(expr) : objectBody(c) ? objectAsBody(run, c) : run(block);
  return { kind: "Lambda", params, result, body, span: c.span(i0, c.at) };
}

/** `=> {"status": 200}`: braces after `=>` start a block, but a key and a colon show an object. */
function objectBody(c: Ctx): boolean {
  const key = c.tok(c.at + 1).kind;
  return (key === "str-lit" || key === "ident") && c.tok(c.at + 2).kind === ":";
}

/** Reports `=> {"k": v}` once and reads it as `=> ({"k": v})`, so the rest of the file still parses. */
function objectAsBody(run: Run, c: Ctx): Expr {
  c.report(D.lambdaObjectBody({ example: "'=> ({...})' or '=> { return {...}; }'" }), c.tokSpan(c.at));
  return run(expr);
}

// async-lambda = "async" lambda
function asyncLambda(run: Run, c: Ctx): Expr {
  const i0 = c.at;
  run(next);
  const e = lambda(run, c) as Lambda;
  e.isAsync = true;
  e.span = c.span(i0, c.at);
  return e;
}

// params = "(" [ param { "," param } ] ")"
export const paramList: P<Param[]> = lazy(() =>
  rule((run, c) => {
    want(run, c, "(", "to start the parameter list");
    const params: Param[] = [];
    while (c.peek().kind !== ")") {
      params.push(run(param));
      if (!run(accept(","))) break;
    }
    want(run, c, ")", "after parameter", "',' or ')'");
    return params;
  }),
);

// param = [ type ] name [ "=" expression ]      (no type: json)
const param: P<Param> = rule((run, c) => {
  const i0 = c.at;
  const t = c.peek();
  const after = c.tok(c.at + 1).kind;
  const untyped = t.kind === "ident" && (after === "," || after === ")" || after === "=");
  const type = untyped ? null : run(typeNode);
  const name = want(run, c, "ident", "", "parameter name");
  const dflt = run(accept("=")) ? run(expr) : null;
  return { name: name.text, type, default: dflt, span: c.span(i0, c.at) };
});

// array = "[" [ expression { "," expression } [ "," ] ] "]"
function arrayLit(run: Run, c: Ctx): Expr {
  const i0 = c.at;
  run(next);
  const elems: Expr[] = [];
  while (c.peek().kind !== "]") {
    elems.push(run(expr));
    if (!run(accept(","))) break;
  }
  want(run, c, "]", "in array literal", "',' or ']'");
  return { kind: "ArrayLit", elems, span: c.span(i0, c.at) };
}

// object = "{" [ key ":" expression { "," key ":" expression } [ "," ] ] "}"   key = name | string | ["-"] int
function objectLit(run: Run, c: Ctx): Expr {
  const i0 = c.at;
  run(next);
  const entries: ObjectLit["entries"] = [];
  while (c.peek().kind !== "}") {
    const k0 = c.peek();
    const minus = k0.kind === "-" && c.tok(c.at + 1).kind === "int-lit";
    if (minus) run(next);
    const k = c.peek();
    if (!isName(k) && k.kind !== "str-lit" && k.kind !== "int-lit") run(failHere(expected("object key (a name, a string or an int)", "", k)));
    run(next);
    want(run, c, ":", "after object key");
    const keySpan = { file: c.file, start: k0.start, end: k.end };
    if (k.kind === "int-lit") {
      const v = BigInt.asIntN(64, minus ? -(k.value as bigint) : (k.value as bigint));
      entries.push({ key: String(v), intKey: v, keySpan, value: run(expr) }); // map<int, V> literals
    } else entries.push({ key: k.kind === "str-lit" ? (k.value as string) : k.text, keySpan, value: run(expr) });
    if (!run(accept(","))) break;
  }
  want(run, c, "}", "in object literal", "',' or '}'");
  return { kind: "ObjectLit", entries, span: c.span(i0, c.at) };
}

// match = "match" expression "{" { arm [ "," ] } "}"      (the comma is optional after a block arm)
function matchExpr(run: Run, c: Ctx): Expr {
  const i0 = c.at;
  run(next);
  const subject = run(expr);
  want(run, c, "{", "after the match subject");
  const arms: MatchArm[] = [];
  while (c.peek().kind !== "}") {
    const arm = run(matchArm);
    arms.push(arm);
    if (!run(accept(",")) && arm.body.kind !== "Block") break;
  }
  want(run, c, "}", "after match arm", "',' or '}'");
  return { kind: "Match", subject, arms, span: c.span(i0, c.at) };
}

// arm = pattern { "," pattern } "=>" ( block | expression )
const matchArm: P<MatchArm> = rule((run, c) => {
  const i0 = c.at;
  const patterns = [run(pattern)];
  while (run(accept(","))) patterns.push(run(pattern));
  want(run, c, "=>", "after match pattern", "',' or '=>'");
  const body: Expr | Block = c.peek().kind === "{" ? run(block) : run(expr);
  return { patterns, body, span: c.span(i0, c.at) };
});

// pattern = "_" | binary [ ".." binary ]
const pattern: P<Pattern> = rule((run, c) => {
  const i0 = c.at;
  const t = c.peek();
  if (t.kind === "ident" && t.text === "_") {
    run(next);
    return { kind: "Wildcard", span: c.span(i0, c.at) };
  }
  const lo = run(binaryExpr);
  if (!run(accept(".."))) return { kind: "ValuePattern", value: lo, span: c.span(i0, c.at) };
  const hi = run(binaryExpr);
  return { kind: "RangePattern", lo, hi, span: c.span(i0, c.at) };
});

// t-string = tstr-begin { tstr-text | tstr-open expression [ tstr-spec ] tstr-close } tstr-end   (see lexer.ts)
function tstring(run: Run, c: Ctx): Expr {
  const i0 = c.at;
  run(next);
  const parts: (string | Expr)[] = [];
  const specs: TString["specs"] = [];
  for (;;) {
    const t = run(next);
    if (t.kind === "tstr-text") parts.push(t.value as string);
    else if (t.kind === "tstr-open") {
      parts.push(run(expr));
      const spec = c.peek();
      if (spec.kind === "tstr-spec") {
        run(next);
        specs[parts.length - 1] = { text: spec.value as string, span: { file: c.file, start: spec.start + 1, end: spec.end } };
      }
      want(run, c, "tstr-close", "to close the t-string expression", "'}' (or ':' and a format spec)");
    } else break;
  }
  const e: TString = { kind: "TString", parts, span: c.span(i0, c.at) };
  if (specs.length) e.specs = specs;
  return e;
}
