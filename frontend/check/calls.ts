// Calls: built-ins (an overload of the registry row, frontend/builtins.ts), named functions (arity, argument
// conversion, defaults filled in; a nested one is then called through its closure) and method-call
// sugar `x.f(a)` -> `f(x, a)`.

import type { BuiltinSymbol, Call, FuncSymbol, Ident, Member, SymbolRef } from "../ast.js";
import { arity, hintFor, lookupBuiltin, resolveBuiltin, type BuiltinRow } from "../builtins.js";
import { T, type Type } from "../types.js";
import type { Checker, ModuleScope } from "./context.js";
import { D } from "../messages.js";
import { coerce, show } from "./conversions.js";
import { checkExpr, checkValue } from "./expressions.js";
import { aliasModule, lookupFunction, lookupName, lookupQualified } from "./names.js";
import { callResult, ensureDefaults } from "./functions.js";
import { memberField } from "./structs.js";
import { specKind } from "./expressions.js";
import { checkValueCall } from "./closures.js";
import { asNestedCall } from "./nested.js";
import { unknownCallee, visibleNames, withSuggestion } from "./suggest.js";

/** `expected`: the type the context wants (channel() takes its element type from it). */
export function checkCall(cx: Checker, e: Call, expected?: Type): Type {
  if (e.callee.kind === "Member") return checkMethodCall(cx, e, e.callee, expected);
  if (e.callee.kind !== "Ident") {
    const ct = checkExpr(cx, e.callee);
    if (ct.k === "func") return checkValueCall(cx, e, ct, 0);
    cx.unsupported("calling a function value", e.callee.span);
    return checkLooseArgs(cx, e, 0);
  }
  const sym = lookupName(cx, e.callee.name, e.callee.span);
  if (!sym) {
    cx.error(unknownCallee(D.unknownFunc({ name: e.callee.name }), e.callee.name, visibleNames(cx, e.callee.span, true)), e.callee.span);
    return checkLooseArgs(cx, e, 0);
  }
  return dispatch(cx, e, e.callee, sym, 0, expected);
}

/** Checks arguments without a signature (after an error) so their own errors are still reported. */
function checkLooseArgs(cx: Checker, e: Call, from: number): Type {
  for (let i = from; i < e.args.length; i++) checkExpr(cx, e.args[i]);
  return T.json;
}

/** `prechecked`: how many leading arguments were already checked (the receiver of method sugar). */
function dispatch(cx: Checker, e: Call, callee: Ident, sym: SymbolRef, prechecked: number, expected?: Type): Type {
  callee.sym = sym;
  if (sym.kind === "func") return checkFuncCall(cx, e, callee, sym, prechecked);
  if (sym.kind === "builtin") return checkBuiltinCall(cx, e, callee, lookupBuiltin(sym.name)!, prechecked, expected);
  callee.ty = sym.type;
  if (sym.type.k === "func") return checkValueCall(cx, e, sym.type, prechecked);
  else cx.error(D.notCallable({ name: callee.name, type: show(sym.type) }), callee.span);
  return checkLooseArgs(cx, e, prechecked);
}

/**
 * `x.f(a)`: when x is not a struct with a field f, and f is a top-level function or a built-in,
 * the call becomes `f(x, a)` (callee Ident f, receiver as first argument).
 */
function checkMethodCall(cx: Checker, e: Call, m: Member, expected?: Type): Type {
  const mod = aliasModule(cx, m.object);
  if (mod) return checkQualifiedCall(cx, e, m, mod);
  const ot = checkValue(cx, m.object);
  const ft = ot.k === "struct" ? memberField(cx, m, ot) : undefined;
  if (ft) {
    m.ty = ft;
    if (ft.k === "func") return checkValueCall(cx, e, ft, 0);
    cx.unsupported("calling a function value", m.span);
    return checkLooseArgs(cx, e, 0);
  }
  const sym = lookupFunction(cx, m.name, m.nameSpan);
  if (!sym) {
    const names = [...(ot.k === "struct" ? cx.structFields.get(ot.decl)?.keys() ?? [] : []), ...visibleNames(cx, m.nameSpan, true)];
    cx.error(withSuggestion(D.unknownMethod({ name: m.name, type: show(ot) }), m.name, names), m.nameSpan);
    return checkLooseArgs(cx, e, 0);
  }
  const callee: Ident = { kind: "Ident", name: m.name, span: m.nameSpan };
  e.callee = callee;
  e.args = [m.object, ...e.args];
  return dispatch(cx, e, callee, sym, 1, expected);
}

/** `u.f(a)` where `u` is an import alias: a call of the function (or function value) f of that module. */
function checkQualifiedCall(cx: Checker, e: Call, m: Member, mod: ModuleScope): Type {
  const sym = lookupQualified(cx, mod, (m.object as Ident).name, m.name, m.nameSpan);
  if (!sym) return checkLooseArgs(cx, e, 0);
  const callee: Ident = { kind: "Ident", name: m.name, span: m.span };
  e.callee = callee;
  return dispatch(cx, e, callee, sym, 0);
}

function arityText(min: number, max: number): string {
  if (max === Infinity) return `at least ${min} argument${min === 1 ? "" : "s"}`;
  if (min === max) return `${min} argument${min === 1 ? "" : "s"}`;
  return `${min} to ${max} arguments`;
}

const argMessage = (name: string, i: number) => (found: string, want: string) =>
  D.argValue({ index: i + 1, name, want, found });

/** A direct call of a top-level function: arity, arguments converted, defaults appended. */
function checkFuncCall(cx: Checker, e: Call, callee: Ident, fs: FuncSymbol, prechecked: number): Type {
  const params = fs.decl.params;
  const types = fs.type.params;
  callee.ty = fs.type;
  let required = params.length;
  while (required > 0 && params[required - 1].default) required--;
  if (e.args.length < required || e.args.length > params.length) {
    cx.error(D.arity({ name: callee.name, expected: arityText(required, params.length), count: e.args.length }), e.span);
    checkLooseArgs(cx, e, prechecked);
    return callResult(cx, fs, e);
  }
  for (let i = 0; i < e.args.length; i++) {
    if (i >= prechecked) checkValue(cx, e.args[i], types[i]);
    e.args[i] = coerce(cx, e.args[i], types[i], argMessage(callee.name, i));
  }
  if (e.args.length < params.length) ensureDefaults(cx, fs);
  for (let i = e.args.length; i < params.length; i++) e.args.push(params[i].default!);
  e.target = { kind: "func", sym: fs };
  const result = callResult(cx, fs, e);
  asNestedCall(cx, e, callee, fs);
  return result;
}

/** A built-in call: arguments checked with the row's hints (in its checkOrder), an overload chosen,
 * arguments converted. */
function checkBuiltinCall(cx: Checker, e: Call, callee: Ident, row: BuiltinRow, prechecked: number, expected?: Type): Type {
  const name = callee.name;
  const { min, max } = arity(row);
  if (e.args.length < min || e.args.length > max) {
    cx.error(D.arity({ name, expected: arityText(min, max), count: e.args.length }), e.span);
    return checkLooseArgs(cx, e, prechecked);
  }
  const types: Type[] = new Array<Type>(e.args.length);
  for (const i of argOrder(row, e.args.length)) {
    const t = i < prechecked ? e.args[i].ty ?? T.json : checkExpr(cx, e.args[i], hintFor(row, i, types));
    types[i] = voidArg(cx, e, i, name, t);
  }
  const r = resolveBuiltin(row, types, expected);
  if ("error" in r) {
    cx.error(r.error, e.span);
    return T.json;
  }
  if ("argIndex" in r) {
    const bad = e.args[r.argIndex];
    cx.error(D.argType({ index: r.argIndex + 1, name, want: r.want, found: show(types[r.argIndex]) }), bad.span);
    return T.json;
  }
  // an argument that can only throw, passed where any value fits, is given the json type (Convert)
  const params = r.params.map((t) => (t.k === "never" ? T.json : t));
  for (let i = 0; i < e.args.length; i++) e.args[i] = coerce(cx, e.args[i], params[i], argMessage(name, i));
  if (row.spec) checkLiteralSpec(cx, e, row.spec, params);
  e.target = { kind: "builtin", name: row.name, overload: r.overload };
  callee.sym = { kind: "builtin", name: row.name } satisfies BuiltinSymbol;
  callee.ty = T.func(params, r.result);
  return r.result;
}

/** The argument indexes in the order the row wants them checked (left to right by default). */
function argOrder(row: BuiltinRow, n: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!row.checkOrder) return all;
  const first = row.checkOrder.filter((i) => i < n);
  return [...first, ...all.filter((i) => !first.includes(i))];
}

/** A format spec written as a string literal is checked at compile time, for the kind it formats. */
function checkLiteralSpec(cx: Checker, e: Call, spec: { arg: number; of: number }, params: Type[]): void {
  const lit = e.args[spec.arg];
  if (lit?.kind !== "StrLit") return;
  cx.formatSpecs.add(specKind(params[spec.of]), lit.value, (why) => {
    cx.error(why.includes(`'${lit.value}'`) ? D.formatSpec({ why }) : D.formatSpecOf({ spec: lit.value, why }), lit.span);
  });
}

function voidArg(cx: Checker, e: Call, i: number, name: string, t: Type): Type {
  if (t.k !== "void") return t;
  cx.error(D.voidArgument({ index: i + 1, name }), e.args[i].span);
  e.args[i].ty = T.json;
  return T.json;
}
