// Big literals without big code: the literal elements of an array literal are copied from a
// private constant global with one memcpy, and runs of literal values boxed to json (json object
// literals, json arrays) are boxed and stored by a loop over a constant table. One instruction
// sequence per element made clang -O2 take minutes on 50,000-element literals (issue 17).

import llvm from "llvm-bindings";
import type { Expr } from "../../frontend/ast.js";
import type { Type } from "../../frontend/types.js";
import { CodegenError, type Gen } from "./context.js";
import { genExpr, tyOf } from "./expr.js";
import { MEMCPY } from "./prelude.js";
import { strConst } from "./strings.js";
import { memType, toMem, typeDesc } from "./types.js";

/** Literal elements from which a constant template or table is worth its global. */
export const TABLE_MIN = 8;

/** Whether lowering `x` gives a constant and emits nothing: a literal, maybe negated or converted to float. */
export function isLiteral(x: Expr): boolean {
  switch (x.kind) {
    case "IntLit": case "FloatLit": case "BoolLit": case "StrLit": case "NullLit": return true;
    case "Unary": return x.op === "-" && (x.operand.kind === "IntLit" || x.operand.kind === "FloatLit");
    case "Convert": return (x.expr.kind === "IntLit" || x.expr.kind === "FloatLit") && tyOf(x).k === "float";
    default: return false;
  }
}

/** A literal in its memory form, as a constant. */
function literalConstant(g: Gen, x: Expr, t: Type): llvm.Constant {
  const v = toMem(g, t, genExpr(g, x));
  if (v instanceof llvm.Constant) return v;
  throw new CodegenError(`literal ${x.kind} did not lower to a constant`);
}

/** The constant elements of an array literal by index (in memory form), or null when too few. */
export function literalConstants(g: Gen, elems: Expr[], elem: Type): Map<number, llvm.Constant> | null {
  if (elem.k === "json") return null; // boxed at run time: boxedInOrder
  let n = 0;
  for (const x of elems) if (isLiteral(x)) n++;
  if (n < TABLE_MIN) return null;
  const out = new Map<number, llvm.Constant>();
  elems.forEach((x, i) => {
    if (isLiteral(x)) out.set(i, literalConstant(g, x, elem));
  });
  return out;
}

/** memcpy of a private constant [n x T] (zeros where the element is not a constant) into `data`. */
export function copyTemplate(g: Gen, data: llvm.Value, elem: Type, n: number, constants: Map<number, llvm.Constant>): void {
  const mt = memType(g, elem);
  const zero = llvm.Constant.getNullValue(mt);
  const elems: llvm.Constant[] = [];
  for (let i = 0; i < n; i++) elems.push(constants.get(i) ?? zero);
  const ty = llvm.ArrayType.get(mt, n);
  const gv = g.constGlobal("lit", llvm.ConstantArray.get(ty, elems));
  const bytes = g.i64(n * (elem.k === "bool" ? 1 : 8));
  g.call(MEMCPY, [g.builder.CreateBitCast(data, g.types.ptr), llvm.ConstantExpr.getBitCast(gv, g.types.ptr), bytes, g.bool(false)]);
}

/** The literal that a json-typed value boxes (`"k": 1` is a Convert to json of 1), or null. */
function boxedLiteral(x: Expr): Expr | null {
  if (x.kind !== "Convert" || x.to.k !== "json" || x.stringify) return null;
  return isLiteral(x.expr) && x.expr.kind !== "NullLit" ? x.expr : null;
}

/** What a table loop hands each element: its boxed value, its index in the literal, its key (objects). */
export type TableStep = (boxed: llvm.Value, index: llvm.Value, key: llvm.Value) => void;

/**
 * Lowers json-typed `values` in order: runs of at least TABLE_MIN boxed literals through one loop
 * over a constant table (`step`), every other value by `one(i)`. `keys` (json objects) go into the
 * table beside the values.
 */
export function boxedInOrder(g: Gen, values: Expr[], keys: string[] | null, one: (i: number) => void, step: TableStep): void {
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j < values.length && boxedLiteral(values[j])) j++;
    if (j - i >= TABLE_MIN) {
      tableLoop(g, values.slice(i, j), keys?.slice(i, j) ?? null, i, step);
      i = j;
    } else {
      for (const end = Math.max(j, i + 1); i < end; i++) one(i);
    }
  }
}

/** One loop boxing a run of literals from a table of (key, type descriptor, value slot) triples. */
function tableLoop(g: Gen, values: Expr[], keys: string[] | null, first: number, step: TableStep): void {
  const cells: llvm.Constant[] = [];
  values.forEach((x, i) => {
    const lit = boxedLiteral(x)!;
    const t = tyOf(lit);
    const slot = g.constGlobal("lit", literalConstant(g, lit, t));
    cells.push(keys ? strConst(g, keys[i]) : g.nullPtr(), typeDesc(g, t), llvm.ConstantExpr.getBitCast(slot, g.types.ptr));
  });
  const ty = llvm.ArrayType.get(g.types.ptr, cells.length);
  const table = g.constGlobal("lit", llvm.ConstantArray.get(ty, cells));
  const base = llvm.ConstantExpr.getBitCast(table, g.types.ptrPtr);
  const pre = g.builder.GetInsertBlock()!;
  const loop = g.block("lit.loop"), done = g.block("lit.done");
  g.br(loop);
  g.at(loop);
  const i = g.builder.CreatePHI(g.types.i64, 2);
  i.addIncoming(g.i64(0), pre);
  const cell = (k: number): llvm.Value =>
    g.builder.CreateLoad(g.types.ptr, g.builder.CreateInBoundsGEP(g.types.ptr, base, [g.builder.CreateAdd(g.builder.CreateMul(i, g.i64(3)), g.i64(k))]));
  const boxed = g.call("tul_json_box", [cell(2), cell(1)]);
  step(boxed, g.builder.CreateAdd(i, g.i64(first)), cell(0));
  const next = g.builder.CreateAdd(i, g.i64(1));
  i.addIncoming(next, g.builder.GetInsertBlock()!);
  g.builder.CreateCondBr(g.builder.CreateICmpULT(next, g.i64(values.length)), loop, done);
  g.at(done);
}
