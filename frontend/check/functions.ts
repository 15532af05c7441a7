// Named functions (top-level; nested ones share this through nested.ts): signatures (hoisted), default
// arguments, bodies checked once (on demand when an inferred result is needed first), result inference
// from returns (void / never / unified type), missing-return checks, recursion before the result is known.

import { isStmt, walk, type Call, type Expr, type FuncDecl, type Param, type Return, type Stmt } from "../ast.js";
import { T, typeEquals, type Type } from "../types.js";
import type { Span } from "../source.js";
import { FnCtx, Scope, type Checker, type FuncInfo } from "./context.js";
import { D } from "../messages.js";
import { coerce, convertible, resolveType, show, unify } from "./conversions.js";
import { checkExpr, checkValue } from "./expressions.js";
import { checkStmts } from "./statements.js";
import { checkNestedEarly, finishNestedBody } from "./nested.js";

/** Pass 1: the FuncSymbol of a top-level function (parameter types, declared result). */
export function declareFunction(cx: Checker, d: FuncDecl): void {
  reportCStyle(cx, d);
  const params = d.params.map((p, i) => declareParam(cx, d, p, i));
  let declared = d.result ? resolveType(cx, d.result) : null;
  if (declared && d.isAsync && declared.k === "promise") declared = declared.inner;
  const result = declared ? wrapResult(d, declared) : T.void;
  const sym = { kind: "func" as const, name: d.name, decl: d, type: T.func(params, result) as Type & { k: "func" } };
  d.sym = sym;
  const info: FuncInfo = { decl: d, sym, declared, state: "pending", tentative: null, seed: null, tentativeUsed: [], provisional: [], defaults: "pending" };
  cx.funcInfos.set(d, info);
  const m = cx.mod(d.nameSpan);
  if (m.funcs.has(d.name)) cx.error(d.test !== undefined ? D.duplicateTest({ name: JSON.stringify(d.test) }) : D.redeclared({ name: d.name }), d.nameSpan);
  else m.funcs.set(d.name, info);
}

/** A function the parser found declared the C way: one error with its Tulpar spelling. */
export function reportCStyle(cx: Checker, d: FuncDecl): void {
  if (d.cStyle) cx.error(D.cStyleFunction({ suggestion: d.cStyle.suggestion }), d.cStyle.span);
}

export function declareParam(cx: Checker, d: FuncDecl, p: Param, i: number): Type {
  let type = p.type ? resolveType(cx, p.type) : T.json;
  if (type.k === "void" || type.k === "never") {
    cx.error(D.voidParam({ name: p.name, type: type.k }), p.span);
    type = T.json;
  }
  p.sym = cx.newVar(p.name, type, p, { isParam: true, paramIndex: i });
  if (d.params.slice(0, i).some((q) => q.name === p.name)) {
    cx.error(D.redeclared({ name: p.name }), p.span);
  }
  if (!p.default && d.params.slice(0, i).some((q) => q.default)) {
    cx.error(D.missingDefault({ name: p.name }), p.span);
  }
  return type;
}

export const wrapResult = (d: FuncDecl, body: Type): Type => (d.isAsync ? T.promise(body) : body);

/** Checks (once) the default values of a function, in the module scope, converted to the parameter types. */
export function ensureDefaults(cx: Checker, fs: { decl: FuncDecl }): void {
  const info = cx.funcInfos.get(fs.decl);
  if (!info || info.defaults !== "pending") return;
  info.defaults = "checking";
  const ctx = new FnCtx(null, null, cx.globalScope, Infinity);
  cx.inFunction(ctx, () => checkDefaultValues(cx, info.decl));
  info.defaults = "done";
}

/** Checks a function's default values in the current scope, converted to the parameter types. */
export function checkDefaultValues(cx: Checker, decl: FuncDecl): void {
  for (const p of decl.params) {
    if (!p.default) continue;
    const t = p.sym!.type;
    checkValue(cx, p.default, t);
    p.default = coerce(cx, p.default, t, (found, want) => D.defaultType({ name: p.name, want, found }));
  }
}

/**
 * Checks a function's body once, inferring its result type when it is not declared. `use`: the call
 * or value that needs it now (a nested function used before its declaration, see nested.ts).
 */
export function ensureFunctionChecked(cx: Checker, info: FuncInfo, use?: Span): void {
  if (info.state !== "pending") return;
  info.state = "checking";
  ensureDefaults(cx, info.sym);
  const d = info.decl;
  const nested = info.nested;
  const ctx = new FnCtx(d, info, new Scope(nested?.scope ?? cx.globalScope), nested?.topIndex ?? Infinity);
  if (!info.declared) info.seed = seedResult(d);
  const check = () => cx.inFunction(ctx, () => {
    for (const p of d.params) if (!ctx.scope.names.has(p.name)) ctx.scope.names.set(p.name, p.sym!);
    const completes = checkStmts(cx, d.body.body);
    if (info.declared) finishDeclared(cx, info, ctx, completes);
    else finishInferred(cx, info, ctx, completes);
  });
  if (nested) checkNestedEarly(cx, info, use, check);
  else check();
  d.hasTry = ctx.hasTry;
  info.state = "done";
  if (nested) finishNestedBody(nested, ctx);
}

function finishDeclared(cx: Checker, info: FuncInfo, ctx: FnCtx, completes: boolean): void {
  const body = info.declared!;
  const d = info.decl;
  if (body.k === "never" && (completes || ctx.bareReturns.length > 0)) {
    cx.error(D.neverReturns({ name: d.name }), d.nameSpan);
  } else if (body.k !== "void" && body.k !== "never" && completes) {
    cx.error(D.mustReturn({ name: d.name, type: show(body) }), d.nameSpan);
  }
  d.neverReturns = body.k === "never";
}

/**
 * The result of a function without annotation: never when no path completes and nothing returns,
 * void without value returns, else the common type of the returned values (converted to it).
 */
function finishInferred(cx: Checker, info: FuncInfo, ctx: FnCtx, completes: boolean): void {
  const d = info.decl;
  const valueTypes: Type[] = ctx.valueReturns.map((r) => r.value!.ty ?? T.json).filter((t) => t.k !== "never");
  let body: Type;
  if (valueTypes.length === 0) {
    body = !completes && ctx.bareReturns.length === 0 ? T.never : T.void;
  } else {
    body = valueTypes.reduce((a, b) => unifyReturns(a, b) ?? a);
    for (const r of ctx.bareReturns) {
      cx.error(D.returnWithoutValue({ name: d.name, type: show(body) }), r.span);
    }
    if (completes) cx.error(D.mustReturn({ name: d.name, type: show(body) }), d.nameSpan);
    for (const r of ctx.valueReturns) if (convertible(r.value!.ty ?? T.json, body)) r.value = coerce(cx, r.value!, body);
  }
  info.sym.type.result = wrapResult(d, body);
  d.neverReturns = body.k === "never";
  if (info.tentativeUsed.some((t) => !typeEquals(t, body))) reportCannotInfer(cx, d, d.nameSpan);
  fixProvisional(cx, info, body);
}

/** Recursive calls made before the result was known: fine as statements or when nothing returns. */
function fixProvisional(cx: Checker, info: FuncInfo, body: Type): void {
  for (const call of info.provisional) {
    if (cx.stmtCalls.has(call)) call.ty = info.sym.type.result;
    else if (body.k !== "never") reportCannotInfer(cx, info.decl, call.span);
  }
}

function reportCannotInfer(cx: Checker, d: FuncDecl, span: Span): void {
  cx.error(D.cannotInferResult({ name: d.name }), span);
}

/** The result type of a call of `fs` (inferring it on demand; see FuncInfo.tentative/provisional). */
export function callResult(cx: Checker, fs: { decl: FuncDecl; type: Type & { k: "func" } }, call: Call): Type {
  const info = cx.funcInfos.get(fs.decl)!;
  if (info.declared) return fs.type.result;
  ensureFunctionChecked(cx, info, call.span);
  if (info.state === "done") return fs.type.result;
  const guess = info.tentative ?? info.seed;
  if (guess) {
    info.tentativeUsed.push(guess);
    return wrapResult(info.decl, guess);
  }
  info.provisional.push(call);
  cx.provisional.add(call);
  return wrapResult(info.decl, T.never);
}

/** The common type of two returned values: as unify, and json absorbs any other type (boxed). */
function unifyReturns(a: Type, b: Type): Type | null {
  return unify(a, b) ?? (a.k === "json" || b.k === "json" ? T.json : null);
}

/** `return e;` / `return;`: checked against the declared result, or recorded for inference. */
export function checkReturn(cx: Checker, s: Return): void {
  const info = cx.fn.info;
  if (!info) {
    cx.error(D.returnOutside(), s.span);
    if (s.value) checkExpr(cx, s.value);
    return;
  }
  if (info.declared) return checkDeclaredReturn(cx, info, s);
  if (!s.value) {
    cx.fn.bareReturns.push(s);
    return;
  }
  const t = checkValue(cx, s.value);
  cx.fn.valueReturns.push(s);
  if (t.k === "never") return;
  const joined = info.tentative ? unifyReturns(info.tentative, t) : t;
  if (!joined) {
    cx.error(D.returnsDiffer({ name: info.decl.name, type: show(t), other: show(info.tentative!) }), s.value.span);
    return;
  }
  info.tentative = joined;
}

function checkDeclaredReturn(cx: Checker, info: FuncInfo, s: Return): void {
  const body = info.declared!;
  const name = info.decl.name;
  if (!s.value) {
    if (body.k !== "void") cx.error(D.returnWithoutValue({ name, type: show(body) }), s.span);
    return;
  }
  const t = checkExpr(cx, s.value, body.k === "void" ? undefined : body);
  if (body.k === "void") {
    if (t.k !== "never") cx.error(D.returnFromVoid({ name }), s.value.span);
    return;
  }
  const message = name === "<lambda>" ? (found: string, want: string) => D.lambdaReturnType({ want, found }) : (found: string, want: string) => D.returnType({ name, want, found });
  s.value = coerce(cx, s.value, body, message);
}

/**
 * A guess of an inferred result from returns whose type is obvious before checking (literals,
 * typed parameters), so that `return n * f(n - 1); ... return 1;` can use it for the recursive call.
 * Never reported itself: a wrong guess only leads to "cannot infer ... annotate it".
 */
function seedResult(d: FuncDecl): Type | null {
  const params = new Map(d.params.map((p) => [p.name, p.sym!.type] as const));
  for (const value of returnValues(d.body.body)) {
    const t = obviousType(value, params);
    if (t) return t;
  }
  return null;
}

const BITWISE_OPS: ReadonlySet<string> = new Set(["&", "|", "^", "<<", ">>"]);

function obviousType(e: Expr, params: Map<string, Type>): Type | null {
  while (e.kind === "Unary" && (e.op === "-" || e.op === "+")) e = e.operand; // `-x` has x's type (a loop: `- - - x`)
  switch (e.kind) {
    case "IntLit":
      return T.int;
    case "FloatLit":
      return T.float;
    case "StrLit":
    case "TString":
      return T.str;
    case "BoolLit":
      return T.bool;
    case "Unary":
      return e.op === "!" ? T.bool : T.int; // `!` or `~` (the loop above skipped `-` and `+`)
    case "Binary":
      return BITWISE_OPS.has(e.op) ? T.int : null;
    case "Ident":
      return params.get(e.name) ?? null;
    default:
      return null;
  }
}

/** The values of the return statements in a body (not looking into expressions or nested functions). */
function returnValues(stmts: Stmt[]): Expr[] {
  const out: Expr[] = [];
  walk(stmts, (n) => {
    if (n.kind === "Return" && n.value) out.push(n.value);
    return isStmt(n) && n.kind !== "FuncDecl" && n.kind !== "Return";
  });
  return out;
}
