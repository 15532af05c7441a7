// Structs: declarations (names, then field types, so that structs may refer to each other and to
// themselves), field lookup and struct literals (`{x: 1}` where a struct type is expected).

import type { Expr, Member, ObjectLit, StructDecl } from "../ast.js";
import { T, type Type } from "../types.js";
import type { Checker } from "./context.js";
import { D } from "../messages.js";
import { coerce, resolveType } from "./conversions.js";
import { checkValue, checkExpr } from "./expressions.js";
import { withSuggestion } from "./suggest.js";

type StructType = Type & { k: "struct" };

const BUILTIN_TYPE_NAMES = new Set(["int", "float", "bool", "str", "void", "json", "array", "never", "promise", "channel"]);

/** Pass 1a: registers a top-level struct name (fields are resolved in pass 1b). */
export function declareStruct(cx: Checker, d: StructDecl): void {
  const m = cx.mod(d.nameSpan);
  if (m.structs.has(d.name) || BUILTIN_TYPE_NAMES.has(d.name)) {
    cx.error(D.redeclared({ name: d.name }), d.nameSpan);
    return;
  }
  m.structs.set(d.name, d);
}

/** Pass 1b: a struct's field types (other structs, itself included, may be used). */
export function resolveStructFields(cx: Checker, d: StructDecl): void {
  if (cx.mod(d.nameSpan).structs.get(d.name) !== d) return;
  const fields = new Map<string, Type>();
  const types: Type[] = [];
  for (const f of d.fields) {
    let t = resolveType(cx, f.type);
    if (t.k === "void" || t.k === "never") {
      cx.error(D.voidField({ name: f.name, type: t.k }), f.type.span);
      t = T.json;
    }
    if (fields.has(f.name)) cx.error(D.fieldRedeclared({ name: f.name, struct: d.name }), f.span);
    else fields.set(f.name, t);
    types.push(t);
  }
  cx.structFields.set(d, fields);
  d.fieldTypes = types;
}

/**
 * Pass 1c (every struct's fields known): field defaults (docs/reference.md §19.11) are constant
 * expressions converted to the field's type; a new instance evaluates them afresh (a `[]` default
 * gives each instance its own array).
 */
export function checkStructDefaults(cx: Checker, d: StructDecl): void {
  if (cx.mod(d.nameSpan).structs.get(d.name) !== d || !d.fieldTypes) return;
  d.fields.forEach((f, i) => {
    if (!f.default) return;
    if (!isConstant(f.default)) {
      cx.error(D.fieldDefaultNotConstant({ name: f.name }), f.default.span);
      f.default = undefined;
      return;
    }
    checkValue(cx, f.default, d.fieldTypes![i]);
    f.default = coerce(cx, f.default, d.fieldTypes![i]);
  });
}

/** A literal, a negated number, or an array or object literal of constants. */
function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case "IntLit": case "FloatLit": case "StrLit": case "BoolLit": case "NullLit": return true;
    case "Unary": return e.op === "-" && (e.operand.kind === "IntLit" || e.operand.kind === "FloatLit");
    case "ArrayLit": return e.elems.every(isConstant);
    case "ObjectLit": return e.entries.every((x) => isConstant(x.value));
    default: return false;
  }
}

/** The type of a struct's field, if it has one. */
export function fieldType(cx: Checker, t: StructType, name: string): Type | undefined {
  return cx.structFields.get(t.decl)?.get(name);
}

/** The slot of a struct's field (its position in the declaration), recorded for codegen. */
function fieldIndex(t: StructType, name: string): number {
  return t.decl.fields.findIndex((f) => f.name === name);
}

/** `x.name` on a struct: the field's type, its slot recorded on the node; undefined: no such field. */
export function memberField(cx: Checker, e: Member, t: StructType): Type | undefined {
  const ft = fieldType(cx, t, e.name);
  if (ft) e.field = fieldIndex(t, e.name);
  return ft;
}

/** `{x: 1, y: 2}` where a struct is expected: known fields, each value converted to its type. */
export function checkStructLit(cx: Checker, e: ObjectLit, t: StructType): Type {
  const seen = new Set<string>();
  for (const entry of e.entries) {
    const ft = entry.intKey === undefined ? fieldType(cx, t, entry.key) : undefined;
    if (!ft) {
      cx.error(withSuggestion(D.noStructField({ struct: t.name, name: entry.key }), entry.key, cx.structFields.get(t.decl)?.keys() ?? []), entry.keySpan);
      checkExpr(cx, entry.value);
      continue;
    }
    if (seen.has(entry.key)) cx.error(D.fieldTwice({ name: entry.key }), entry.keySpan);
    seen.add(entry.key);
    entry.field = fieldIndex(t, entry.key);
    checkValue(cx, entry.value, ft);
    entry.value = coerce(cx, entry.value, ft, (found, want) => D.fieldValue({ field: entry.key, struct: t.name, want, found }));
  }
  return t;
}
