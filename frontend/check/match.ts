// `match` expressions: patterns (values, ranges, `_`) converted to the subject's type, arms to the
// match's type.

import type { Block, Expr, Match, MatchArm, Pattern } from "../ast.js";
import { T, isNumeric, typeEquals, type Type } from "../types.js";
import type { Checker } from "./context.js";
import { D } from "../messages.js";
import { coerce, convertible, show, unify } from "./conversions.js";
import { checkValue, checkExpr } from "./expressions.js";
import { checkBlock } from "./statements.js";

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
