// Type annotations to types, and the implicit conversions of docs/reference.md §2.4, each made explicit as a
// Convert node: int->float, X->json, json->X, never->X, and X->str (string form) for `+`/t-strings.

import type { Convert, Expr, StructDecl, TypeNode } from "../ast.js";
import { T, typeEquals, typeToString, isNumeric, type Type } from "../types.js";
import { withSuggestion } from "./suggest.js";
import type { Checker } from "./context.js";
import { D, MISSING_ASYNC_HINT, MISSING_AWAIT_HINT, type Message } from "../messages.js";
import { assertNever } from "../../common/assert.js";

/** The semantic type of a type annotation; unknown names are reported and read as json. */
export function resolveType(cx: Checker, node: TypeNode): Type {
  switch (node.kind) {
    case "NamedType":
      return namedType(cx, node.name, node.span);
    case "ArrayType": {
      const elem = resolveType(cx, node.elem);
      if (elem.k === "void" || elem.k === "never") {
        cx.error(D.voidArray({ type: elem.k }), node.span);
        return T.array(T.json);
      }
      return T.array(elem);
    }
    case "PromiseType":
      return T.promise(resolveType(cx, node.inner));
    case "MapType":
      return mapType(cx, node);
    case "ChannelType": {
      const elem = resolveType(cx, node.elem);
      if (elem.k !== "void" && elem.k !== "never") return T.channel(elem);
      cx.error(D.voidChannel({ type: elem.k }), node.span);
      return T.channel(T.json);
    }
    case "FuncType":
      return T.func(node.params.map((p) => resolveType(cx, p)), resolveType(cx, node.result));
    default:
      return assertNever(node);
  }
}

/** `map<K, V>`: K must be int or str, V any value type. */
function mapType(cx: Checker, node: TypeNode & { kind: "MapType" }): Type {
  let key = resolveType(cx, node.key);
  let value = resolveType(cx, node.value);
  if (key.k !== "int" && key.k !== "str") {
    cx.error(D.mapKey({ type: show(key) }), node.key.span);
    key = T.str;
  }
  if (value.k === "void" || value.k === "never") {
    cx.error(D.mapValue({ type: value.k }), node.value.span);
    value = T.json;
  }
  return T.map(key, value);
}

const NAMED: Record<string, Type> = {
  int: T.int,
  float: T.float,
  bool: T.bool,
  str: T.str,
  void: T.void,
  json: T.json,
  never: T.never,
  array: T.array(T.json),
};

function namedType(cx: Checker, name: string, span: TypeNode["span"]): Type {
  const t = NAMED[name];
  if (t) return t;
  const decl = lookupStruct(cx, name, span);
  if (decl) return { k: "struct", name: decl.name, decl };
  const m = cx.mod(span);
  const known = [...Object.keys(NAMED), ...[m, ...m.imports].flatMap((x) => [...x.structs.keys()])];
  cx.error(withSuggestion(D.unknownType({ name }), name, known), span);
  return T.json;
}

/** A struct visible in the span's module; `u.Point` names a struct of the module imported as `u`. */
function lookupStruct(cx: Checker, name: string, span: TypeNode["span"]): StructDecl | undefined {
  const m = cx.mod(span);
  const dot = name.indexOf(".");
  if (dot < 0) return m.find("structs", name);
  return m.aliases.get(name.slice(0, dot))?.structs.get(name.slice(dot + 1));
}

/** Whether a value of type `from` converts implicitly to `to` (equal types need no conversion). */
export function convertible(from: Type, to: Type): boolean {
  if (typeEquals(from, to)) return true;
  if (from.k === "void" || to.k === "void") return from.k === "never";
  if (from.k === "never") return true;
  if (to.k === "json" || from.k === "json") return to.k !== "never";
  if (from.k === "array" && to.k === "array") return to.elem.k === "json"; // T[] -> json[]: each element boxed
  if (from.k === "func" && to.k === "func") return neverFits(from, to);
  return from.k === "int" && to.k === "float";
}

/** A `func(P): never` value fits any function type with the same parameters (docs/reference.md
 *  §19.13): it never returns, so no caller sees its result. */
function neverFits(from: Type & { k: "func" }, to: Type & { k: "func" }): boolean {
  return from.result.k === "never" && from.params.length === to.params.length && from.params.every((p, i) => typeEquals(p, to.params[i]));
}

/** Wraps `e` in a Convert node to `to`. */
export function makeConvert(e: Expr, to: Type, stringify = false): Convert {
  const c: Convert = { kind: "Convert", expr: e, to, span: e.span, ty: to };
  if (stringify) c.stringify = true;
  return c;
}

/** The message for a value of type `found` where `want` was needed. */
export type MismatchMessage = (found: string, want: string) => Message;
const defaultMessage: MismatchMessage = (found, want) => D.mismatch({ want, found });

/**
 * Converts a checked expression to `to`: returns it unchanged when the types are equal, wrapped in a
 * Convert when an implicit conversion exists, and otherwise reports a mismatch at its span.
 */
export function coerce(cx: Checker, e: Expr, to: Type, message: MismatchMessage = defaultMessage): Expr {
  const from = e.ty ?? T.json;
  if (typeEquals(from, to)) return e;
  if (from.k === "never" && to.k === "void") return e;
  if (from.k === "promise" && to.k === "promise" && from.inner.k === "never") {
    e.ty = to; // a promise that can only reject fits any promise type (same representation)
    return e;
  }
  if (e.kind === "NullLit" && (to.k === "struct" || to.k === "channel")) {
    e.ty = to; // a struct- or channel-typed null: no instance (the same null pointer as json null)
    return e;
  }
  const literalForPromise = to.k === "promise" && e.kind === "ObjectLit"; // json, but never a promise
  if (convertible(from, to) && !literalForPromise) return makeConvert(e, to);
  const hint = literalForPromise ? MISSING_ASYNC_HINT : from.k === "promise" && convertible(from.inner, to) ? MISSING_AWAIT_HINT : "";
  const m = message(typeToString(from), typeToString(to));
  cx.error({ code: m.code, text: m.text + hint }, e.span);
  return e;
}

/** The string form of a checked expression (`+` with a str side, t-strings). */
export function stringify(cx: Checker, e: Expr): Expr {
  const from = e.ty ?? T.json;
  if (from.k === "str") return e;
  if (from.k === "void") {
    cx.error(D.voidValue(), e.span);
    return e;
  }
  return makeConvert(e, T.str, true);
}

/**
 * The common type of two values (array elements, ternary branches, returns): equal types, the other
 * type when one is never, float for int/float; null when there is none.
 */
export function unify(a: Type, b: Type): Type | null {
  if (typeEquals(a, b)) return a;
  if (a.k === "never") return b;
  if (b.k === "never") return a;
  if (isNumeric(a) && isNumeric(b)) return T.float;
  return null;
}

export const show = typeToString;
