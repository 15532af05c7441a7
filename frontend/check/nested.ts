// Functions declared inside a block (docs/reference.md §5.8): hoisted within their block, checked like
// top-level functions (functions.ts) in their block's scope, then desugared into closures: each
// becomes a const local holding a Lambda, created at the start of the block (so siblings can call
// each other, and themselves, through captured cells), and every use of the name uses that local.

import { walk, type AstNode, type Call, type FuncDecl, type FuncSymbol, type Ident, type Lambda, type Stmt, type VarDecl, type VarSymbol } from "../ast.js";
import { T, type Type } from "../types.js";
import type { Span } from "../source.js";
import type { Checker, FnCtx, FuncInfo, NestedFn } from "./context.js";
import { D } from "../messages.js";
import { resolveType } from "./conversions.js";
import { checkDefaultValues, declareParam, ensureFunctionChecked, reportCStyle, wrapResult } from "./functions.js";
import { finishLambda } from "./closures.js";

/** Block entry: declares the block's nested functions (names visible in the whole block), then their defaults. */
export function hoistNested(cx: Checker, stmts: Stmt[]): FuncDecl[] {
  const decls = stmts.filter((s): s is FuncDecl => s.kind === "FuncDecl");
  for (const d of decls) if (d.test !== undefined) cx.error(D.testNotTop({ where: enclosing(cx) }), d.nameSpan);
  const infos = decls.map((d) => declareNested(cx, d, stmts));
  for (const info of infos) checkNestedDefaults(cx, info);
  return decls;
}

/** What a nested test sits in, for E2032. */
function enclosing(cx: Checker): string {
  const d = cx.fn.decl;
  if (!d) return "a block";
  return d.test !== undefined ? `the test ${JSON.stringify(d.test)}` : `function '${d.name}'`;
}

function declareNested(cx: Checker, d: FuncDecl, stmts: Stmt[]): FuncInfo {
  reportCStyle(cx, d);
  const params = d.params.map((p, i) => declareParam(cx, d, p, i));
  let declared = d.result ? resolveType(cx, d.result) : null;
  if (declared && d.isAsync && declared.k === "promise") declared = declared.inner;
  const type = T.func(params, declared ? wrapResult(d, declared) : T.void) as Type & { k: "func" };
  const sym: FuncSymbol = { kind: "func", name: d.name, decl: d, type };
  d.sym = sym;
  const info: FuncInfo = {
    decl: d, sym, declared, state: "pending", tentative: null, seed: null, tentativeUsed: [], provisional: [], defaults: "checking",
    nested: closureFor(cx, d, type, stmts),
  };
  cx.funcInfos.set(d, info);
  const names = cx.fn.scope.names;
  if (names.has(d.name)) cx.error(D.redeclared({ name: d.name }), d.nameSpan);
  else names.set(d.name, sym);
  return info;
}

/**
 * The closure standing for `d`: a Lambda sharing its parameters and body (its span starts after the
 * name, so that the local holding it, declared at the name, counts as captured by a recursive body).
 */
function closureFor(cx: Checker, d: FuncDecl, type: Type & { k: "func" }, stmts: Stmt[]): NestedFn {
  const lambda: Lambda = {
    kind: "Lambda", params: d.params, result: d.result, body: d.body, ty: type,
    span: { file: d.span.file, start: d.nameSpan.end, end: d.span.end },
  };
  const closureDecl: VarDecl = { kind: "VarDecl", mode: "const", declType: null, name: d.name, nameSpan: d.nameSpan, init: lambda, span: d.span };
  const closure = cx.newVar(d.name, type, closureDecl, { isConst: true });
  closureDecl.sym = closure;
  lambda.nested = { decl: d, closure };
  return { scope: cx.fn.scope, topIndex: cx.fn.topIndex, lambda, closure, closureDecl, stmts, reached: false };
}

/** Default values are checked in the block's scope at its start, converted to the parameter types. */
function checkNestedDefaults(cx: Checker, info: FuncInfo): void {
  checkDefaultValues(cx, info.decl);
  info.defaults = "done";
}

/** The declaration statement itself: checks the body now unless a use already needed it. */
export function checkNestedDecl(cx: Checker, d: FuncDecl): void {
  const info = cx.funcInfos.get(d);
  if (!info?.nested) return;
  info.nested.reached = true;
  ensureFunctionChecked(cx, info);
}

/** Runs `check` (the body's check); a use before the declaration is recorded for reportEarlyUse. */
export function checkNestedEarly(cx: Checker, info: FuncInfo, use: Span | undefined, check: () => void): void {
  const nested = info.nested!;
  if (nested.reached || !use) return check();
  const inside = (s: Stmt) => s.kind === "FuncDecl" && s.span.start <= use.start && use.end <= s.span.end;
  cx.early.push({ decl: info.decl, use, stmts: nested.stmts, fromSibling: nested.stmts.some(inside), reported: false });
  try {
    check();
  } finally {
    cx.early.pop();
  }
}

/**
 * An unknown name met while checking a nested function early: when its block declares the name after
 * the use, says so (a use that runs too early, or a result that needs an annotation). False otherwise.
 */
export function reportEarlyUse(cx: Checker, name: string, span: Span): boolean {
  const top = cx.early[cx.early.length - 1];
  if (!top || !top.stmts.some((s) => s.kind === "VarDecl" && s.name === name && s.span.start > top.use.start)) return false;
  const f = top.decl.name;
  if (top.fromSibling) cx.error(D.cannotInferBefore({ name: f, var: name }), span);
  else if (!top.reported) cx.error(D.useBeforeDecl({ name: f, var: name }), top.use);
  top.reported = true;
  return true;
}

/** After the body was checked (functions.ts): codegen facts of the closure. */
export function finishNestedBody(nested: NestedFn, ctx: FnCtx): void {
  finishLambda(nested.lambda, ctx.hasTry);
}

/** The closure local of a nested function, or undefined for a top-level one. */
export function nestedClosure(cx: Checker, fs: FuncSymbol): VarSymbol | undefined {
  return cx.funcInfos.get(fs.decl)?.nested?.closure;
}

/** A direct call of a nested function (arity and defaults already done): a call of its closure. */
export function asNestedCall(cx: Checker, e: Call, callee: Ident, fs: FuncSymbol): void {
  const closure = nestedClosure(cx, fs);
  if (!closure) return;
  callee.sym = closure;
  callee.ty = fs.type;
  e.target = { kind: "value" };
}

/**
 * Block exit: reports uses that run before a variable the function needs is declared, then replaces
 * the declarations by their closure locals at the start of the block.
 */
export function finishNestedBlock(cx: Checker, stmts: Stmt[], decls: FuncDecl[]): void {
  const infos = decls.map((d) => cx.funcInfos.get(d)).filter((i): i is FuncInfo & { nested: NestedFn } => !!i?.nested);
  checkEarlyUses(cx, stmts, infos);
  const rest = stmts.filter((s) => s.kind !== "FuncDecl");
  stmts.length = 0; // refilled without spreading: a block may hold 100,000 statements
  for (const i of infos) stmts.push(i.nested.closureDecl);
  for (const s of rest) stmts.push(s);
}

// ---------------------------------------------------------------- uses before a captured declaration

type Nested = FuncInfo & { nested: NestedFn };

/**
 * `f(); int n = 1; func f() { print(n); }`: the call runs before `n` has a value. For each function,
 * the block's variables it reads (itself or through sibling functions it uses); a use outside the
 * siblings' bodies placed before such a variable's declaration ends is an error.
 */
function checkEarlyUses(cx: Checker, stmts: Stmt[], infos: Nested[]): void {
  const vars = new Set<VarSymbol>();
  for (const s of stmts) if (s.kind === "VarDecl" && s.sym) vars.add(s.sym);
  if (vars.size === 0) return;
  const byClosure = new Map(infos.map((i) => [i.nested.closure, i] as const));
  const needs = neededVars(infos, vars, byClosure);
  const reported = new Set<string>();
  for (const s of stmts) {
    if (s.kind === "FuncDecl") continue;
    visitIdents(s, (id) => {
      const f = byClosure.get(id.sym as VarSymbol);
      if (!f) return;
      for (const v of needs.get(f) ?? []) {
        const end = (v.decl as VarDecl).span.end;
        if (id.span.start >= end || reported.has(`${id.span.start}:${v.id}`)) continue;
        reported.add(`${id.span.start}:${v.id}`);
        cx.error(D.useBeforeDecl({ name: f.decl.name, var: v.name }), id.span);
      }
    });
  }
}

/** Per function, the block variables it needs, directly or through the sibling functions it uses. */
function neededVars(infos: Nested[], vars: Set<VarSymbol>, byClosure: Map<VarSymbol, Nested>): Map<Nested, Set<VarSymbol>> {
  const direct = new Map<Nested, { vars: Set<VarSymbol>; deps: Set<Nested> }>();
  for (const i of infos) {
    const own = { vars: new Set<VarSymbol>(), deps: new Set<Nested>() };
    visitIdents(i.decl.body, (id) => {
      const sym = id.sym as VarSymbol;
      if (vars.has(sym)) own.vars.add(sym);
      const dep = byClosure.get(sym);
      if (dep) own.deps.add(dep);
    });
    direct.set(i, own);
  }
  const out = new Map<Nested, Set<VarSymbol>>();
  for (const i of infos) {
    const acc = new Set<VarSymbol>(), seen = new Set<Nested>([i]), todo = [i];
    while (todo.length) {
      const cur = direct.get(todo.pop()!)!;
      cur.vars.forEach((v) => acc.add(v));
      for (const d of cur.deps) if (!seen.has(d)) { seen.add(d); todo.push(d); }
    }
    out.set(i, acc);
  }
  return out;
}

/** Every name in `n` that refers to a variable. */
function visitIdents(n: AstNode, visit: (id: Ident) => void): void {
  walk(n, (x) => {
    if (x.kind === "Ident" && x.sym?.kind === "var") visit(x);
  });
}
