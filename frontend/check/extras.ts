// Typing of t-strings, match expressions and structs (declarations, literals, fields): the
// constructs beyond the core scalars/strings/arrays/json of frontend/check/expressions.ts.

import type { Block, Expr, Match, MatchArm, ObjectLit, Pattern, StructDecl, TString } from "../ast.js";
import { T, isNumeric, typeEquals, type Type } from "../types.js";
import type { Checker } from "./context.js";
import { D } from "../messages.js";
import { coerce, convertible, resolveType, show, stringify, unify } from "./conversions.js";
import { checkValue, checkExpr } from "./expressions.js";
import { checkBlock } from "./statements.js";
import type { SpecKind } from "../fmtspec.js";
import { withSuggestion } from "./suggest.js";

type StructType = Type & { k: "struct" };

// ---------------------------------------------------------------- t-strings

/**
 * `t"{a} b"`: every embedded expression is converted to its string form (Convert stringify); one
 * with a format spec (`{x:.2f}`) keeps its type, and a literal spec is checked for it now.
 */
export function checkTString(cx: Checker, e: TString): Type {
  for (let i = 0; i < e.parts.length; i++) {
    const part = e.parts[i];
    if (typeof part === "string") continue;
    const t = checkValue(cx, part);
    const spec = e.specs?.[i];
    if (!spec) {
      e.parts[i] = stringify(cx, part);
      continue;
    }
    if (t.k === "never") e.parts[i] = coerce(cx, part, T.json);
    cx.formatSpecs.add(specKind(t), spec.text, (why) => {
      cx.error(why.includes(`'${spec.text}'`) ? D.formatSpec({ why }) : D.formatSpecOf({ spec: spec.text, why }), spec.span);
    });
  }
  return T.str;
}

/** What a format spec formats, for its compile-time check: json checks only the syntax, bools and
 *  other values format through their string form. */
export function specKind(t: Type): SpecKind {
  if (t.k === "int" || t.k === "float" || t.k === "str" || t.k === "bool") return t.k;
  return t.k === "json" || t.k === "never" ? "any" : "str";
}

// ---------------------------------------------------------------- structs

const BUILTIN_TYPE_NAMES = new Set(["int", "float", "bool", "str", "void", "json", "array", "never", "promise"]);

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

/** The type of a struct's field, if it has one. */
export function fieldType(cx: Checker, t: StructType, name: string): Type | undefined {
  return cx.structFields.get(t.decl)?.get(name);
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
    checkValue(cx, entry.value, ft);
    entry.value = coerce(cx, entry.value, ft, (found, want) => D.fieldValue({ field: entry.key, struct: t.name, want, found }));
  }
  return t;
}

// ---------------------------------------------------------------- match

/**
 * `match s { p => a, ... }`: value patterns are converted to the subject's type (json subject:
 * patterns boxed), range bounds too (numbers or strings). Expression arms are converted to the
 * match's type (the expected type, or the arms' common type); a block arm yields no value, so a
 * match with a block arm that completes is void (a statement); one that cannot complete is never.
 */
export function checkMatch(cx: Checker, e: Match, expected: Type | undefined): Type {
  const subject = checkValue(cx, e.subject);
  for (const arm of e.arms) for (const p of arm.patterns) checkPattern(cx, p, subject);
  const want = expected && expected.k !== "void" && expected.k !== "never" ? expected : undefined;
  const types = e.arms.map((arm) => checkArm(cx, arm, want));
  const t = matchType(cx, e, types, want);
  for (const arm of e.arms) if (arm.body.kind !== "Block" && t.k !== "void") arm.body = coerce(cx, arm.body, t);
  return t;
}

function checkArm(cx: Checker, arm: MatchArm, want: Type | undefined): Type {
  if (arm.body.kind === "Block") return checkBlock(cx, arm.body as Block) ? T.void : T.never;
  return checkExpr(cx, arm.body as Expr, want);
}

function matchType(cx: Checker, e: Match, types: Type[], want: Type | undefined): Type {
  if (types.some((t) => t.k === "void")) return T.void;
  if (want) return want;
  let t: Type | null = T.never;
  for (const a of types) t = t && unify(t, a);
  if (t) return t;
  if (types.some((a) => a.k === "json")) return T.json;
  cx.error(D.matchArms({ types: types.map(show).join(", ") }), e.span);
  return T.json;
}

function checkPattern(cx: Checker, p: Pattern, subject: Type): void {
  if (p.kind === "Wildcard") return;
  if (p.kind === "ValuePattern") {
    p.value = patternValue(cx, p.value, subject);
    return;
  }
  if (!isNumeric(subject) && subject.k !== "str" && subject.k !== "json" && subject.k !== "never") {
    cx.error(D.rangePattern({ type: show(subject) }), p.span);
  }
  p.lo = patternValue(cx, p.lo, subject);
  p.hi = patternValue(cx, p.hi, subject);
}

function patternValue(cx: Checker, v: Expr, subject: Type): Expr {
  const t = checkValue(cx, v, subject);
  if (typeEquals(t, subject) || convertible(t, subject)) return coerce(cx, v, subject);
  cx.error(D.patternType({ type: show(t), subject: show(subject) }), v.span);
  return v;
}
