// Typing of the constructs beyond the core issue: t-strings, match expressions, struct literals and
// fields. Reported as "not supported yet" (E9000) until they are implemented.

import type { Match, ObjectLit, StructDecl, TString } from "../ast.js";
import { T, type Type } from "../types.js";
import type { Checker } from "./context.js";

export function checkTString(cx: Checker, e: TString): Type {
  cx.unsupported("t-string", e.span);
  return T.str;
}

export function checkMatch(cx: Checker, e: Match, _expected: Type | undefined): Type {
  cx.unsupported("match expression", e.span);
  return T.json;
}

export function checkStructLit(cx: Checker, e: ObjectLit, _t: Type & { k: "struct" }): Type {
  cx.unsupported("struct literal", e.span);
  return T.json;
}

/** The type of a struct's field, if it has one. */
export function fieldType(t: Type & { k: "struct" }, name: string): Type | undefined {
  void t;
  void name;
  return undefined;
}

/** Pass 1: a top-level struct declaration. */
export function declareStruct(cx: Checker, d: StructDecl): void {
  cx.unsupported("struct declaration", d.nameSpan);
  if (!cx.structs.has(d.name)) cx.structs.set(d.name, d);
}
