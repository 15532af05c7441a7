// Checker support for closures (docs/reference.md §5.5-5.7): lambdas, named functions used as values and calls
// of function-typed values (nested named functions are desugared to closures in nested.ts). A lambda body sees the enclosing scopes; the variables it uses from outside
// (locals and parameters of enclosing functions) are marked VarSymbol.captured for codegen.

import { walk, type Call, type Expr, type FuncDecl, type FuncSymbol, type Lambda, type Node, type VarSymbol } from "../ast.js";
import { T, type Type } from "../types.js";
import { FnCtx, Scope, type Checker, type FuncInfo } from "./context.js";
import { D } from "../messages.js";
import { coerce, resolveType, show, unify } from "./conversions.js";
import { checkExpr, checkValue } from "./expressions.js";
import { checkStmts } from "./statements.js";
import { ensureFunctionChecked, wrapResult } from "./functions.js";


/** `(int x) => x * 2`, `(x) => { ... }`: parameters typed by annotation, else by the expected type, else json. */
export function checkLambda(cx: Checker, e: Lambda, expected: Type | undefined): Type {
  const want = expected?.k === "func" ? expected : undefined;
  const params = e.params.map((_, i) => lambdaParam(cx, e, i, want));
  // the expected function type fixes the result like an annotation does (an async lambda's
  // body returns the T of promise<T>)
  const declared = e.result ? resolveType(cx, e.result) : expectedResult(e, want);
  const decl = lambdaDecl(e);
  const sym: FuncSymbol = { kind: "func", name: "<lambda>", decl, type: { k: "func", params, result: wrapResult(decl, declared ?? T.json) } };
  const info: FuncInfo = {
    decl, sym, declared, state: "checking", tentative: null, seed: null, tentativeUsed: [], provisional: [], defaults: "done",
  };
  const ctx = new FnCtx(decl, info, new Scope(cx.fn.scope), cx.fn.topIndex);
  for (const p of e.params) if (p.sym && !ctx.scope.names.has(p.name)) ctx.scope.names.set(p.name, p.sym);
  const result = cx.inFunction(ctx, () => lambdaBody(cx, e, ctx, declared, !!declared));
  finishLambda(e, ctx.hasTry);
  return T.func(params, wrapResult(decl, result));
}

/** The result the expected function type asks of the body, if any. */
function expectedResult(e: Lambda, want: (Type & { k: "func" }) | undefined): Type | null {
  if (!want || want.result.k === "void") return null;
  if (!e.isAsync) return want.result;
  return want.result.k === "promise" && want.result.inner.k !== "void" ? want.result.inner : null;
}

function lambdaParam(cx: Checker, e: Lambda, i: number, want: (Type & { k: "func" }) | undefined): Type {
  const p = e.params[i];
  let type = p.type ? resolveType(cx, p.type) : want?.params[i] ?? T.json;
  if (type.k === "void" || type.k === "never") type = T.json;
  if (p.default) cx.error(D.lambdaDefault(), p.span);
  p.sym = cx.newVar(p.name, type, p, { isParam: true, paramIndex: i });
  return type;
}

/** A FuncDecl standing for the lambda while its body is checked (return statements refer to it). */
function lambdaDecl(e: Lambda): FuncDecl {
  const body = "kind" in e.body && e.body.kind === "Block" ? e.body : { kind: "Block" as const, body: [], span: e.span };
  return { kind: "FuncDecl", name: "<lambda>", nameSpan: e.span, isAsync: !!e.isAsync, params: e.params, result: e.result, body, span: e.span };
}

/** The lambda's result type: the expression body's type, or the block's declared / inferred result. */
function lambdaBody(cx: Checker, e: Lambda, ctx: FnCtx, hint: Type | null, isDeclared: boolean): Type {
  if (!("kind" in e.body) || e.body.kind !== "Block") {
    const body = e.body as Expr;
    const t = checkExpr(cx, body, hint ?? undefined);
    if (isDeclared && hint && hint.k !== "void") {
      e.body = coerce(cx, body, hint);
      return hint;
    }
    return t;
  }
  const completes = checkStmts(cx, e.body.body);
  if (isDeclared && hint) {
    if (hint.k !== "void" && hint.k !== "never" && completes) {
      cx.error(D.lambdaMustReturn({ type: show(hint) }), e.span);
    }
    return hint;
  }
  const types = ctx.valueReturns.map((r) => r.value!.ty ?? T.json).filter((t) => t.k !== "never");
  if (types.length === 0) return !completes && ctx.bareReturns.length === 0 ? T.never : T.void;
  let result: Type = types[0];
  for (const t of types) result = unify(result, t) ?? (result.k === "json" || t.k === "json" ? T.json : result);
  for (const r of ctx.valueReturns) r.value = coerce(cx, r.value!, result);
  return result;
}

/**
 * After a lambda's body was checked: its codegen facts. Every local of an enclosing function that
 * the lambda (or a lambda inside it) reads or writes is captured, in order of first use.
 */
export function finishLambda(e: Lambda, hasTry: boolean): void {
  const seen = new Set<VarSymbol>();
  const inside = (n: Node) => n.span.start >= e.span.start && n.span.end <= e.span.end;
  walk(e.body, (n) => {
    if (n.kind === "Ident" && n.sym?.kind === "var" && !n.sym.isGlobal && !inside(n.sym.decl)) seen.add(n.sym);
  });
  for (const sym of seen) sym.captured = true;
  e.captures = [...seen];
  e.hasTry = hasTry;
}

/**
 * A named function used as a value: its function type (its result inferred first when needed); an
 * async function's value returns the promise a direct call would (`func(int): promise<int>`).
 */
export function funcValueType(cx: Checker, sym: FuncSymbol, span: import("../source.js").Span): Type {
  const info = cx.funcInfos.get(sym.decl);
  if (info) ensureFunctionChecked(cx, info, span);
  return sym.type;
}

/** `f(a, b)` where `f` has a function type: arity and argument conversions, target "value". */
export function checkValueCall(cx: Checker, e: Call, ft: Type & { k: "func" }, prechecked: number): Type {
  if (e.args.length !== ft.params.length) {
    cx.error(D.valueArity({ want: ft.params.length, count: e.args.length }), e.span);
  }
  e.args.forEach((a, i) => {
    const pt = ft.params[i];
    if (i >= prechecked) checkValue(cx, a, pt);
    if (pt) e.args[i] = coerce(cx, a, pt);
  });
  e.target = { kind: "value" };
  return ft.result;
}
