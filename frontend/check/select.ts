// `select` (docs/reference.md §15.4): each case is classified (a channel receive or send, a promise,
// a sleep_async timer) and its binding typed: the value lands in a hidden variable, and the binding
// is an ordinary declaration initialised from it, so its conversions and scope rules are the usual ones.

import type { Ident, Select, SelectCase } from "../ast.js";
import { elemType } from "../builtins.js";
import { T, type Type } from "../types.js";
import type { Checker } from "./context.js";
import { D } from "../messages.js";
import { show } from "./conversions.js";
import { checkExpr } from "./expressions.js";
import { checkStmt, checkStmts } from "./statements.js";

/** The name of the hidden variable: not a name a program can write. */
const HIDDEN = "<select value>";

/** Checks a select; it completes normally when some case (or the default) does. */
export function checkSelect(cx: Checker, s: Select): boolean {
  if (s.cases.length === 0 && !s.default) {
    cx.error(D.selectEmpty(), s.span);
    return true;
  }
  let completes = false;
  for (const c of s.cases) if (checkCase(cx, c)) completes = true;
  if (s.default && cx.inScope(() => checkStmts(cx, s.default!.body))) completes = true;
  return completes;
}

/** The case's kind and the type of the value it yields (null: none). */
function classify(cx: Checker, c: SelectCase, t: Type): Type | null {
  const op = c.op;
  const builtin = op.kind === "Call" && op.target?.kind === "builtin" ? op.target.name : null;
  if (builtin === "recv" && op.kind === "Call") {
    c.caseKind = "recv";
    return elemType(op.args[0].ty);
  }
  if (builtin === "send" || builtin === "sleep_async") {
    c.caseKind = builtin === "send" ? "send" : "sleep";
    return null;
  }
  if (t.k === "promise") {
    c.caseKind = "promise";
    return t.inner.k === "void" || t.inner.k === "never" ? null : t.inner;
  }
  if (t.k !== "never") {
    cx.error(D.selectCase({ found: show(t) }), op.span);
  }
  return null;
}

function checkCase(cx: Checker, c: SelectCase): boolean {
  const value = classify(cx, c, checkExpr(cx, c.op));
  return cx.inScope(() => {
    const b = c.binding;
    if (b && !value && c.caseKind) cx.error(D.selectNoValue({ name: b.name }), b.nameSpan);
    if (b) {
      const hidden = cx.newVar(HIDDEN, value ?? T.json, b); // json after an error: no cascade
      cx.fn.scope.names.set(HIDDEN, hidden);
      c.value = hidden;
      const init: Ident = { kind: "Ident", name: HIDDEN, span: c.op.span };
      b.init = init;
      checkStmt(cx, b);
    }
    return cx.inScope(() => checkStmts(cx, c.body.body));
  });
}
