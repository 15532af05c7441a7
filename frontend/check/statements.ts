// Statement checking with a simple flow analysis: every check returns whether the statement can
// complete normally (used for missing returns and `never` inference). Scopes, loops, try/catch.

import type { Block, Expr, ExprStmt, For, ForIn, If, Stmt, Try, VarDecl, While, Break, Continue } from "../ast.js";
import { T, typeEquals, type Type } from "../types.js";
import type { Checker } from "./context.js";
import { D } from "../messages.js";
import { assertNever } from "../../common/assert.js";
import { coerce, makeConvert, resolveType, show } from "./conversions.js";
import { checkExpr, checkValue } from "./expressions.js";
import { checkReturn } from "./functions.js";
import { ensureGlobalSym } from "./names.js";
import { checkNestedDecl, finishNestedBlock, hoistNested } from "./nested.js";
import { checkSelect } from "./select.js";

/** Checks statements in order; false when the sequence cannot complete normally. */
export function checkStmts(cx: Checker, stmts: Stmt[]): boolean {
  const nested = stmts.some((s) => s.kind === "FuncDecl") ? hoistNested(cx, stmts) : null;
  let completes = true;
  for (const s of stmts) if (!checkStmt(cx, s)) completes = false;
  if (nested) finishNestedBlock(cx, stmts, nested);
  return completes;
}

export function checkStmt(cx: Checker, s: Stmt): boolean {
  cx.currentStmt = s;
  switch (s.kind) {
    case "VarDecl":
      return checkLocalVarDecl(cx, s);
    case "ExprStmt":
      return checkExprStmt(cx, s);
    case "Block":
      return checkBlock(cx, s);
    case "If":
      return checkIf(cx, s);
    case "While":
      return checkWhile(cx, s);
    case "For":
      return checkFor(cx, s);
    case "ForIn":
      return checkForIn(cx, s);
    case "Break":
    case "Continue":
      return checkJump(cx, s);
    case "Return":
      checkReturn(cx, s);
      return false;
    case "Throw":
      checkValue(cx, s.value);
      s.value = coerce(cx, s.value, T.json);
      return false;
    case "Try":
      return checkTry(cx, s);
    case "Scope":
    case "Shield":
      cx.fn.hasTry = true; // lowered on a handler, like try
      return checkBlock(cx, s.body);
    case "FuncDecl":
      checkNestedDecl(cx, s);
      return true;
    case "StructDecl":
      cx.unsupported("struct declaration inside a block", s.nameSpan);
      return true;
    case "Import":
      cx.error(D.importNotTop(), s.span);
      return true;
    case "Select":
      return checkSelect(cx, s);
    default:
      return assertNever(s);
  }
}

export function checkBlock(cx: Checker, b: Block): boolean {
  return cx.inScope(() => checkStmts(cx, b.body));
}

/** A condition of if/while/for/?: must be bool (json is unboxed to bool). */
export function checkCondition(cx: Checker, e: Expr): Expr {
  checkValue(cx, e);
  return coerce(cx, e, T.bool, (found) => D.condition({ found }));
}

function checkExprStmt(cx: Checker, s: ExprStmt): boolean {
  const t = checkExpr(cx, s.expr);
  if (s.expr.kind === "Call") cx.stmtCalls.add(s.expr);
  return t.k !== "never" || cx.provisional.has(s.expr);
}

// ---------------------------------------------------------------- declarations

/** The declared type of a variable (void is not a variable type). */
function declaredType(cx: Checker, d: VarDecl): Type | null {
  if (!d.declType) return null;
  const t = resolveType(cx, d.declType);
  if (t.k !== "void" && t.k !== "never") return t;
  cx.error(D.voidVariable({ name: d.name, type: t.k }), d.declType.span);
  return T.json;
}

/**
 * Checks a declaration's initializer against its declared type (or infers the type from it; a
 * `never` initializer makes it json). Without initializer the variable holds its zero value.
 */
export function checkVarInit(cx: Checker, d: VarDecl, declared: Type | null): { type: Type; completes: boolean } {
  declared ??= declaredType(cx, d);
  if (!d.init) return { type: declared ?? T.json, completes: true }; // without a type the parser requires one
  const t = checkExpr(cx, d.init, declared ?? undefined);
  const completes = t.k !== "never";
  if (declared) {
    d.init = coerce(cx, d.init, declared);
    return { type: declared, completes };
  }
  if (t.k === "void") {
    cx.error(D.voidValue(), d.init.span);
    return { type: T.json, completes };
  }
  if (t.k === "never") d.init = makeConvert(d.init, T.json);
  return { type: t.k === "never" ? T.json : t, completes };
}

function checkLocalVarDecl(cx: Checker, d: VarDecl): boolean {
  const { type, completes } = checkVarInit(cx, d, null);
  const sym = cx.newVar(d.name, type, d, { isConst: d.mode === "const" });
  cx.declareLocal(sym, d.nameSpan);
  d.sym = sym;
  return completes;
}

/** A top-level declaration in the main program: the global's symbol (maybe typed on demand already). */
export function checkGlobalDecl(cx: Checker, d: VarDecl): boolean {
  const g = cx.mod(d.nameSpan).globals.get(d.name);
  if (!g || g.decl !== d) {
    const { type, completes } = checkVarInit(cx, d, null); // a redeclaration, already reported
    d.sym = cx.newVar(d.name, type, d, { isGlobal: true, isConst: d.mode === "const" });
    return completes;
  }
  const sym = ensureGlobalSym(cx, g, d.nameSpan);
  d.sym = sym;
  if (g.initChecked) return true;
  g.initChecked = true;
  return checkVarInit(cx, d, sym.type).completes;
}

// ---------------------------------------------------------------- control flow

/** An if and its else-if chain (as long as the program makes it: checked in a loop). Completes
 *  when some branch does, or when the chain ends without an else. */
function checkIf(cx: Checker, s: If): boolean {
  let completes = false;
  for (let link = s; ; link = link.else) {
    link.cond = checkCondition(cx, link.cond);
    if (checkBlock(cx, link.then)) completes = true;
    if (!link.else) return true;
    if (link.else.kind !== "If") return checkBlock(cx, link.else) || completes;
  }
}

const isTrue = (e: Expr | null): boolean => !e || (e.kind === "BoolLit" && e.value);

/** Checks a loop body with a loop context; returns whether a `break` targets this loop. */
function inLoop(cx: Checker, body: () => void): boolean {
  const loop = { hasBreak: false };
  cx.fn.loops.push(loop);
  try {
    body();
  } finally {
    cx.fn.loops.pop();
  }
  return loop.hasBreak;
}

function checkWhile(cx: Checker, s: While): boolean {
  s.cond = checkCondition(cx, s.cond);
  const hasBreak = inLoop(cx, () => checkBlock(cx, s.body));
  return !isTrue(s.cond) || hasBreak;
}

function checkFor(cx: Checker, s: For): boolean {
  return cx.inScope(() => {
    let ok = true;
    if (s.init) ok = s.init.kind === "VarDecl" ? checkLocalVarDecl(cx, s.init) : checkExprStmt(cx, s.init);
    if (s.cond) s.cond = checkCondition(cx, s.cond);
    const hasBreak = inLoop(cx, () => {
      checkBlock(cx, s.body);
      if (s.update) checkExpr(cx, s.update);
    });
    return ok && (!isTrue(s.cond) || hasBreak);
  });
}

/** The element type `for (x in e)` visits: T[] -> T, str -> str (code points), json -> json,
 * channel<T> -> T (received until the channel is closed and drained). */
function elementType(cx: Checker, s: ForIn, t: Type): Type {
  if (t.k === "array" || t.k === "channel") return t.elem;
  if (t.k === "map") return t.key; // keys in insertion order
  if (t.k === "str") return T.str;
  if (t.k === "json" || t.k === "never") return T.json;
  cx.error(D.notIterable({ type: show(t) }), s.iterable.span);
  return T.json;
}

/**
 * `for (x in e)`: the loop variable has the element type; a declared type must equal it
 * (`for (int k in range(a, b))`). `range(...)` is an ordinary builtin call of type int[].
 */
function checkForIn(cx: Checker, s: ForIn): boolean {
  const elem = elementType(cx, s, checkValue(cx, s.iterable));
  let type = elem;
  if (s.varType) {
    type = resolveType(cx, s.varType);
    if (!typeEquals(type, elem)) {
      cx.error(D.loopVar({ name: s.varName, type: show(type), elem: show(elem) }), s.varType.span);
    }
  }
  return cx.inScope(() => {
    const sym = cx.newVar(s.varName, type, s);
    cx.declareLocal(sym, s.span);
    s.sym = sym;
    inLoop(cx, () => checkBlock(cx, s.body));
    return true;
  });
}

function checkJump(cx: Checker, s: Break | Continue): boolean {
  const loop = cx.fn.loops[cx.fn.loops.length - 1];
  if (!loop) cx.error(s.kind === "Break" ? D.breakOutside() : D.continueOutside(), s.span);
  else if (s.kind === "Break") loop.hasBreak = true;
  return false;
}

/** try/catch/finally: the catch variable is json; marks the function (or main program) hasTry. */
function checkTry(cx: Checker, s: Try): boolean {
  cx.fn.hasTry = true;
  const a = checkBlock(cx, s.body);
  let completes = a;
  if (s.catchBody) {
    const body = s.catchBody;
    const b = cx.inScope(() => {
      if (s.catchName) {
        s.catchSym = cx.newVar(s.catchName, T.json, s);
        cx.declareLocal(s.catchSym, s.span);
      }
      return checkBlock(cx, body);
    });
    completes = a || b;
  }
  if (s.finallyBody && !checkBlock(cx, s.finallyBody)) completes = false;
  return completes;
}
