// Statement lowering: declarations, blocks, if/while/for/for-in, break/continue/return (running
// the cleanups of enclosing try/finally first), throw.

import llvm from "llvm-bindings";
import type { Block, Break, Continue, Expr, For, ForIn, If, Return, Stmt, Throw, VarDecl, While } from "../../frontend/ast.js";
import { T, type Type } from "../../frontend/types.js";
import { CodegenError, type Gen } from "./context.js";
import { assertNever } from "../../common/assert.js";
import { arrayData, arrayLen, noValue, genExpr, tyOf, zeroValue } from "./expr.js";
import { genScope, genShield, genTry, runCleanups } from "./exceptions.js";
import { rangeBounds } from "./builtins.js";
import { forJson } from "./json.js";
import { forMap } from "./maps.js";
import { llvmType, memPtrType, memType, fromMem } from "./types.js";
import { freshLoopVar, loadVar, outSlot, storeVar, tempVar, varSlot, type TempVar } from "./vars.js";
import { genSelect } from "./channels.js";
import { ELEM_NAME } from "../passes/tbaa.js";

export function genStmt(g: Gen, s: Stmt): void {
  switch (s.kind) {
    case "VarDecl": return genVarDecl(g, s);
    case "ExprStmt": g.loc(s.span); genExpr(g, s.expr); return;
    case "Block": return genBlock(g, s);
    case "If": return genIf(g, s);
    case "While": return genWhile(g, s);
    case "For": return genFor(g, s);
    case "ForIn": return genForIn(g, s);
    case "Break": return genLoopJump(g, s);
    case "Continue": return genLoopJump(g, s);
    case "Return": return genReturn(g, s);
    case "Throw": return genThrow(g, s);
    case "Try": return genTry(g, s);
    case "Select": return genSelect(g, s, genBlock);
    case "Scope": return genScope(g, s);
    case "Shield": return genShield(g, s);
    case "FuncDecl": case "StructDecl": case "Import": return; // generated separately / nothing to run
    default: return assertNever(s);
  }
}

export function genBlock(g: Gen, b: Block): void {
  if (g.current.loops.length > 0) freshBlockCells(g, b);
  for (const s of b.body) genStmt(g, s);
}

/** Inside a loop, each entry of a block gets new cells for the captured variables it declares (before
 *  the closures of its nested functions are made at its start, so they share those cells). */
function freshBlockCells(g: Gen, b: Block): void {
  for (const s of b.body) if (s.kind === "VarDecl" && s.sym?.captured) freshLoopVar(g, s.sym);
}

/** A block used as a value (match arms): the last expression statement's value. */
export function genBlockValue(g: Gen, b: Block, t: Type): llvm.Value {
  const last = b.body[b.body.length - 1];
  if (!last || last.kind !== "ExprStmt" || llvmType(g, t) === g.types.void) {
    genBlock(g, b);
    return noValue(g);
  }
  for (const s of b.body.slice(0, -1)) genStmt(g, s);
  g.loc(last.span);
  return genExpr(g, last.expr);
}

function genVarDecl(g: Gen, s: VarDecl): void {
  const sym = s.sym;
  if (!sym) throw new CodegenError(`declaration of ${s.name} has no symbol (checker contract)`);
  g.loc(s.span);
  const v = s.init ? genExpr(g, s.init) : zeroValue(g, sym.type);
  storeVar(g, sym, v);
}

/** An if and its else-if chain (as long as the program makes it: lowered in a loop), one end block. */
function genIf(g: Gen, s: If): void {
  const end = g.block("if.end");
  for (let link: If | null = s; link; ) {
    g.loc(link.span);
    const c = genExpr(g, link.cond);
    const thenBB = g.block("if.then"), elseBB = link.else ? g.block("if.else") : end;
    g.builder.CreateCondBr(c, thenBB, elseBB);
    g.at(thenBB);
    genBlock(g, link.then);
    g.br(end);
    const rest: If | Block | null = link.else;
    link = null;
    if (!rest) break;
    g.at(elseBB);
    if (rest.kind === "If") link = rest;
    else {
      genBlock(g, rest);
      g.br(end);
    }
  }
  g.at(end);
}

/** Runs `body` as a loop body with break/continue targets. */
function loopBody(g: Gen, body: Block, breakBB: llvm.BasicBlock, continueBB: llvm.BasicBlock): void {
  g.current.loops.push({ breakBB, continueBB, cleanupDepth: g.current.cleanups.length });
  genBlock(g, body);
  g.current.loops.pop();
}

function condBranch(g: Gen, cond: Expr | null, body: llvm.BasicBlock, end: llvm.BasicBlock): void {
  if (!cond) return g.br(body);
  g.loc(cond.span);
  g.builder.CreateCondBr(genExpr(g, cond), body, end);
}

function genWhile(g: Gen, s: While): void {
  const head = g.block("while.cond"), body = g.block("while.body"), end = g.block("while.end");
  g.br(head);
  g.at(head);
  condBranch(g, s.cond, body, end);
  g.at(body);
  loopBody(g, s.body, end, head);
  g.br(head);
  g.at(end);
}

/**
 * `for (init; cond; update)`. A loop variable a closure captures is copied into a new cell at the
 * start of each iteration's body and back at its end (docs/reference.md §19.12): the condition and
 * the update work on the loop's own cell, each iteration's closures keep the value it had then.
 */
function genFor(g: Gen, s: For): void {
  if (s.init) genStmt(g, s.init);
  const captured = s.init?.kind === "VarDecl" && s.init.sym?.captured ? s.init.sym : null;
  const head = g.block("for.cond"), body = g.block("for.body"), step = g.block("for.step"), end = g.block("for.end");
  g.br(head);
  g.at(head);
  condBranch(g, s.cond, body, end);
  g.at(body);
  const loopCell = captured ? varSlot(g, captured) : null;
  if (captured) {
    const v = loadVar(g, captured);
    freshLoopVar(g, captured);
    storeVar(g, captured, v);
  }
  loopBody(g, s.body, end, step);
  g.br(step);
  g.at(step);
  if (captured) {
    const v = loadVar(g, captured);
    g.current.locals.set(captured.id, loopCell!);
    storeVar(g, captured, v);
  }
  if (s.update) {
    g.loc(s.update.span);
    genExpr(g, s.update);
  }
  g.br(head);
  g.at(end);
}

// ---------------------------------------------------------------- for-in

function genForIn(g: Gen, s: ForIn): void {
  const it = s.iterable;
  g.loc(s.span);
  if (it.kind === "Call" && it.target?.kind === "builtin" && it.target.name === "range") return forRange(g, s, ...rangeBounds(g, it));
  const t = tyOf(it);
  if (t.k === "array") return forArray(g, s, genExpr(g, it), t.elem);
  if (t.k === "map") return forMap(g, s, genExpr(g, it));
  if (t.k === "str") return forStr(g, s, genExpr(g, it));
  if (t.k === "json") return forJson(g, s, genExpr(g, it));
  if (t.k === "channel") return forChannel(g, s, genExpr(g, it), t.elem);
  throw new CodegenError(`for-in over ${t.k} is not supported yet`);
}

/**
 * The shared shape of for-in loops: index from `start` while `more(i)`, binding the element, then
 * i++. `more` may move the index itself (maps skip deleted slots) through `idx`.
 */
export function countingLoop(
  g: Gen, s: ForIn, start: llvm.Value,
  more: (i: llvm.Value, idx: TempVar) => llvm.Value, bind: (i: llvm.Value) => llvm.Value,
): void {
  const sym = s.sym;
  if (!sym) throw new CodegenError("for-in without a symbol (checker contract)");
  const idx = tempVar(g, T.int, "idx");
  idx.store(start);
  const head = g.block("forin.cond"), body = g.block("forin.body"), step = g.block("forin.step"), end = g.block("forin.end");
  g.br(head);
  g.at(head);
  g.builder.CreateCondBr(more(idx.load(), idx), body, end);
  g.at(body);
  freshLoopVar(g, sym);
  storeVar(g, sym, bind(idx.load()));
  loopBody(g, s.body, end, step);
  g.br(step);
  g.at(step);
  idx.store(g.builder.CreateAdd(idx.load(), g.i64(1)));
  g.br(head);
  g.at(end);
}

function forRange(g: Gen, s: ForIn, a: llvm.Value, b: llvm.Value): void {
  const hi = tempVar(g, T.int, "hi");
  hi.store(b);
  countingLoop(g, s, a, (i) => g.builder.CreateICmpSLT(i, hi.load()), (i) => i);
}

/** Arrays: the length is re-read every iteration (elements pushed in the loop are visited). */
function forArray(g: Gen, s: ForIn, arr: llvm.Value, elem: Type): void {
  const xs = tempVar(g, T.str, "xs"); // any pointer-typed slot
  xs.store(arr);
  countingLoop(
    g, s, g.i64(0),
    (i) => g.builder.CreateICmpSLT(i, arrayLen(g, xs.load())),
    (i) => {
      const data = g.builder.CreateBitCast(arrayData(g, xs.load()), memPtrType(g, elem));
      return fromMem(g, elem, g.builder.CreateLoad(memType(g, elem), g.builder.CreateInBoundsGEP(memType(g, elem), data, [i], ELEM_NAME)));
    },
  );
}

/** Strings: code points as one-character strings. */
function forStr(g: Gen, s: ForIn, str: llvm.Value): void {
  const sv = tempVar(g, T.str, "s");
  sv.store(str);
  const n = tempVar(g, T.int, "n");
  n.store(g.call("tul_str_len", [str]));
  countingLoop(g, s, g.i64(0), (i) => g.builder.CreateICmpSLT(i, n.load()), (i) => g.call("tul_str_index", [sv.load(), i]));
}

/** Channels (docs/reference.md §15.3): receive until closed and drained (tul_chan_recv_next). */
function forChannel(g: Gen, s: ForIn, ch: llvm.Value, elem: Type): void {
  const sym = s.sym;
  if (!sym) throw new CodegenError("for-in without a symbol (checker contract)");
  const c = tempVar(g, T.str, "ch"); // any pointer-typed slot
  c.store(ch);
  const [slot, read] = outSlot(g, elem);
  const head = g.block("forch.recv"), body = g.block("forch.body"), end = g.block("forch.end");
  g.br(head);
  g.at(head);
  g.loc(s.span);
  g.builder.CreateCondBr(g.call("tul_chan_recv_next", [c.load(), slot]), body, end);
  g.at(body);
  storeVar(g, sym, read());
  loopBody(g, s.body, end, head);
  g.br(head);
  g.at(end);
}

// ---------------------------------------------------------------- jumps

/** `break` / `continue`: leaves the try blocks inside the innermost loop, then jumps. */
function genLoopJump(g: Gen, s: Break | Continue): void {
  const loop = g.current.loops[g.current.loops.length - 1];
  if (!loop) throw new CodegenError(`${s.kind.toLowerCase()} outside a loop`);
  g.loc(s.span);
  runCleanups(g, loop.cleanupDepth);
  g.terminate(() => g.br(s.kind === "Break" ? loop.breakBB : loop.continueBB));
}

function genReturn(g: Gen, s: Return): void {
  g.loc(s.span);
  const v = s.value ? genExpr(g, s.value) : null;
  runCleanups(g, 0);
  g.loc(s.span);
  const isVoid = llvmType(g, g.current.result) === g.types.void;
  g.terminate(() => (isVoid || !v ? g.builder.CreateRetVoid() : g.builder.CreateRet(v)));
}

function genThrow(g: Gen, s: Throw): void {
  const v = genExpr(g, s.value);
  g.loc(s.span);
  g.callNoReturn("tul_throw", [v]);
}
