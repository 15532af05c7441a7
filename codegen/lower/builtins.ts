// Built-in calls: lowers the overload the checker chose (frontend/builtins.ts, Call.target.overload),
// either as a call of its runtime function or with one of the inline emitters below. No dispatch on
// argument types happens here: every emitter serves exactly one overload.

import llvm from "llvm-bindings";
import { lowerGather, lowerGatherArray, lowerRace, lowerVote } from "./async.js";
import type { Call } from "../../frontend/ast.js";
import type { Type } from "../../frontend/types.js";
import { missingArgument, type InlineEmitter, type Overload } from "../../frontend/builtins.js";
import { CodegenError, type Gen } from "./context.js";
import { arrayLen, noValue, genExpr, toStr, tyOf } from "./expr.js";
import { abiByName } from "./abi.js";
import { loadSlot, storeSlot, scratchSlot, valueSlot } from "./vars.js";
import { memPtrType, slotSize, typeDesc } from "./types.js";
import { strConst } from "./strings.js";
import { jsonGet, mapGet, mapHas } from "./maps.js";
import { chanRecv, chanSend, channelNew } from "./channels.js";
import {
  arrayChunks, arrayEach, arrayEnumerate, arrayFilter, arrayFlatMap, arrayMap, arrayReduce, arraySum, arrayZip, mapConcurrent,
} from "./pipelines.js";

type Emitter = (g: Gen, e: Call) => llvm.Value;

/** Lowers a call of a built-in: the chosen overload's runtime function or inline emitter. */
export function lowerBuiltin(g: Gen, e: Call, overload: Overload): llvm.Value {
  const lower = overload.lower;
  if ("inline" in lower) return EMITTERS[lower.inline](g, e);
  return runtimeCall(g, e, overload, lower.rt);
}

/** Evaluates the arguments (left-out optional ones filled in), then calls the runtime function. */
function runtimeCall(g: Gen, e: Call, overload: Overload, symbol: string): llvm.Value {
  const args = e.args.map((a) => genExpr(g, a));
  for (let i = args.length; missingArgument(overload, i); i++) {
    const { value } = missingArgument(overload, i)!;
    args.push(value === null ? g.nullPtr() : g.i64(value));
  }
  g.loc(e.span);
  const fn = abiByName.get(symbol);
  if (!fn) throw new CodegenError(`runtime function ${symbol} is not in the ABI`);
  if (fn.attrs.includes("noreturn")) {
    g.callNoReturn(symbol, args);
    return noValue(g);
  }
  const v = g.call(symbol, args);
  return fn.ret === "void" ? noValue(g) : v;
}

function arg(g: Gen, e: Call, i: number): llvm.Value {
  return genExpr(g, e.args[i]);
}

/** A double intrinsic (sqrt, sin, ...) of the (float) argument. */
function intrinsic1(id: number): Emitter {
  return (g, e) => {
    const x = arg(g, e, 0);
    const fn = llvm.Intrinsic.getDeclaration(g.mod, id, [g.types.f64]);
    return g.builder.CreateCall(fn, [x]);
  };
}

// ---------------------------------------------------------------- I/O

/** print(a, b, ...) / eprint: string forms joined by one space, then tul_print / tul_eprint. */
function printTo(symbol: "tul_print" | "tul_eprint"): Emitter {
  return (g, e) => {
    let line: llvm.Value | null = null;
    for (const a of e.args) {
      const s = toStr(g, genExpr(g, a), tyOf(a));
      line = line ? g.call("tul_str_concat", [g.call("tul_str_concat", [line, strConst(g, " ")]), s]) : s;
    }
    g.loc(e.span);
    g.call(symbol, [line ?? g.runtimeGlobal("tul_empty_str")]);
    return noValue(g);
  };
}

// ---------------------------------------------------------------- formatting and sorting

/** format(v, spec) of any other type: the value's slot and type descriptor go to tul_format. */
function formatValue(g: Gen, e: Call): llvm.Value {
  const t = tyOf(e.args[0]);
  const v = arg(g, e, 0), spec = arg(g, e, 1);
  g.loc(e.span);
  return g.call("tul_format", [scratchSlot(g, t, v), typeDesc(g, t), spec]);
}

/** sort_by(xs, key): the runtime needs the key's result type to compare keys. */
function sortBy(g: Gen, e: Call): llvm.Value {
  const kt = tyOf(e.args[1]);
  if (kt.k !== "func") throw new CodegenError("sort_by: the key is not a function (checker contract)");
  const xs = arg(g, e, 0), key = arg(g, e, 1);
  g.loc(e.span);
  return g.call("tul_arr_sort_by", [xs, key, typeDesc(g, kt.result)]);
}

// ---------------------------------------------------------------- conversions

/** A conversion computed by one instruction from the argument. */
function unary(op: (g: Gen, v: llvm.Value) => llvm.Value): Emitter {
  return (g, e) => {
    const v = arg(g, e, 0);
    g.loc(e.span);
    return op(g, v);
  };
}

function toJson(g: Gen, e: Call): llvm.Value {
  const t = tyOf(e.args[0]);
  const v = arg(g, e, 0);
  g.loc(e.span);
  return g.call("tul_to_json", [scratchSlot(g, t, v), typeDesc(g, t)]);
}

// ---------------------------------------------------------------- collections

function elemOf(e: Call): Type {
  const t = tyOf(e.args[0]);
  if (t.k !== "array") throw new CodegenError(`expected an array, found ${t.k} (checker contract)`);
  return t.elem;
}

function arrayLength(g: Gen, e: Call): llvm.Value {
  const v = arg(g, e, 0);
  g.loc(e.span);
  return arrayLen(g, v);
}

function arrayPush(g: Gen, e: Call): llvm.Value {
  const elem = elemOf(e);
  const xs = arg(g, e, 0), x = arg(g, e, 1);
  g.loc(e.span);
  const slot = pushSlot(g, xs, slotSize(elem));
  storeSlot(g, g.builder.CreateBitCast(slot, memPtrType(g, elem)), elem, x);
  return noValue(g);
}

/**
 * tul_arr_push_slot with its fast path inline (tul_arr: len @0, cap @8, data @16): when there is
 * room, the new slot is data + len * size and len grows by one; only a full array calls the runtime.
 */
export function pushSlot(g: Gen, xs: llvm.Value, size: number): llvm.Value {
  const b = g.builder, t = g.types;
  const hdr = b.CreateBitCast(xs, t.i64Ptr);
  const field = (i: number) => b.CreateGEP(t.i64, hdr, [g.i64(i)]);
  const len = b.CreateLoad(t.i64, hdr);
  const cap = b.CreateLoad(t.i64, field(1));
  const fast = g.block("push.fast"), slow = g.block("push.slow"), done = g.block("push.done");
  b.CreateCondBr(b.CreateICmpSLT(len, cap), fast, slow);
  g.at(fast);
  const data = b.CreateLoad(t.ptr, b.CreateBitCast(field(2), t.ptrPtr));
  const fastSlot = b.CreateGEP(t.i8, data, [b.CreateMul(len, g.i64(size))]);
  b.CreateStore(b.CreateAdd(len, g.i64(1)), hdr);
  g.br(done);
  g.at(slow);
  const slowSlot = g.call("tul_arr_push_slot", [xs]);
  g.br(done);
  g.at(done);
  const phi = b.CreatePHI(t.ptr, 2);
  phi.addIncoming(fastSlot, fast);
  phi.addIncoming(slowSlot, slow);
  return phi;
}

function arrayPop(g: Gen, e: Call): llvm.Value {
  const elem = elemOf(e);
  const xs = arg(g, e, 0);
  g.loc(e.span);
  const slot = g.call("tul_arr_pop_slot", [xs]);
  return loadSlot(g, g.builder.CreateBitCast(slot, memPtrType(g, elem)), elem);
}

function range(g: Gen, e: Call): llvm.Value {
  const [a, b] = rangeBounds(g, e);
  g.loc(e.span);
  return g.call("tul_range", [a, b]);
}

/** range(n) is range(0, n). */
export function rangeBounds(g: Gen, e: Call): [llvm.Value, llvm.Value] {
  if (e.args.length === 1) return [g.i64(0), arg(g, e, 0)];
  return [arg(g, e, 0), arg(g, e, 1)];
}

/** indexOf on an array: deep equality through tul_arr_index_of. */
function arrayIndexOf(g: Gen, e: Call): llvm.Value {
  const elem = elemOf(e);
  const xs = arg(g, e, 0), x = arg(g, e, 1);
  g.loc(e.span);
  return g.call("tul_arr_index_of", [xs, valueSlot(g, elem, x)]);
}

function arrayContains(g: Gen, e: Call): llvm.Value {
  return g.builder.CreateICmpSGE(arrayIndexOf(g, e), g.i64(0));
}

// ---------------------------------------------------------------- math

function absFloat(g: Gen, e: Call): llvm.Value {
  const v = arg(g, e, 0);
  return g.builder.CreateCall(llvm.Intrinsic.getDeclaration(g.mod, llvm.Intrinsic.fabs, [g.types.f64]), [v]);
}

function absInt(g: Gen, e: Call): llvm.Value {
  const b = g.builder, v = arg(g, e, 0);
  return b.CreateSelect(b.CreateICmpSLT(v, g.i64(0)), b.CreateSub(g.i64(0), v), v);
}

/** min/max: a compare and a select (int or float operands, as the overload says). */
function select(compare: (b: llvm.IRBuilder, x: llvm.Value, y: llvm.Value) => llvm.Value): Emitter {
  return (g, e) => {
    const a = arg(g, e, 0), b = arg(g, e, 1);
    return g.builder.CreateSelect(compare(g.builder, a, b), a, b);
  };
}

function powFloat(g: Gen, e: Call): llvm.Value {
  const a = arg(g, e, 0), b = arg(g, e, 1);
  g.loc(e.span);
  const fn = llvm.Intrinsic.getDeclaration(g.mod, llvm.Intrinsic.pow, [g.types.f64]);
  return g.builder.CreateCall(fn, [a, b]);
}

/** floor/ceil of a float: the intrinsic, then the checked conversion to int (inf/nan: ValueError). */
function rounding(id: number): Emitter {
  return (g, e) => {
    const v = arg(g, e, 0);
    const r = g.builder.CreateCall(llvm.Intrinsic.getDeclaration(g.mod, id, [g.types.f64]), [v]);
    g.loc(e.span);
    return g.call("tul_float_to_int", [r]);
  };
}

// ---------------------------------------------------------------- tests (docs/reference.md §17.6)

/** assert(cond[, msg]): on false, the message (evaluated only then; by default the condition's
 *  source text) goes to tul_assert_fail. */
function assertCall(g: Gen, e: Call): llvm.Value {
  const cond = arg(g, e, 0);
  const fail = g.block("assert.fail"), ok = g.block("assert.ok");
  g.builder.CreateCondBr(cond, ok, fail);
  g.at(fail);
  const msg = e.args.length > 1 ? arg(g, e, 1) : strConst(g, sourceText(e.args[0]));
  g.loc(e.span);
  g.callNoReturn("tul_assert_fail", [msg]);
  g.at(ok);
  return noValue(g);
}

/** The source text of an expression (below the conversions the checker wrapped around it). */
function sourceText(x: Call["args"][number]): string {
  while (x.kind === "Convert") x = x.expr;
  return x.span.file.text.slice(x.span.start, x.span.end);
}

/** assert_eq(a, b): both values' slots and their (common) type to tul_assert_eq. */
function assertEq(g: Gen, e: Call): llvm.Value {
  const t = tyOf(e.args[0]);
  const a = arg(g, e, 0), b = arg(g, e, 1);
  const slots = [valueSlot(g, t, a), valueSlot(g, t, b)];
  g.loc(e.span);
  g.call("tul_assert_eq", [...slots, typeDesc(g, t)]);
  return noValue(g);
}

const EMITTERS: Record<InlineEmitter, Emitter> = {
  assert: assertCall,
  assertEq,
  mapGet,
  mapHas,
  jsonGet,
  print: printTo("tul_print"),
  eprint: printTo("tul_eprint"),
  formatValue,
  sortBy,
  gather: lowerGather,
  gatherArray: lowerGatherArray,
  race: lowerRace,
  vote: lowerVote,
  toString: (g, e) => toStr(g, arg(g, e, 0), tyOf(e.args[0])),
  toJson,
  identity: (g, e) => arg(g, e, 0),
  toSelf: unary((_g, v) => v),
  intToFloat: unary((g, v) => g.builder.CreateSIToFP(v, g.types.f64)),
  boolToFloat: unary((g, v) => g.builder.CreateUIToFP(v, g.types.f64)),
  boolToInt: unary((g, v) => g.builder.CreateZExt(v, g.types.i64)),
  intToBool: unary((g, v) => g.builder.CreateICmpNE(v, g.i64(0))),
  floatToBool: unary((g, v) => g.builder.CreateFCmpUNE(v, g.f64(0))),
  arrayLength,
  arrayPush,
  arrayPop,
  range,
  arrayContains,
  arrayIndexOf,
  absInt,
  absFloat,
  minInt: select((b, x, y) => b.CreateICmpSLT(x, y)),
  minFloat: select((b, x, y) => b.CreateFCmpOLT(x, y)),
  maxInt: select((b, x, y) => b.CreateICmpSGT(x, y)),
  maxFloat: select((b, x, y) => b.CreateFCmpOGT(x, y)),
  powFloat,
  floor: rounding(llvm.Intrinsic.floor),
  ceil: rounding(llvm.Intrinsic.ceil),
  sqrt: intrinsic1(llvm.Intrinsic.sqrt),
  sin: intrinsic1(llvm.Intrinsic.sin),
  cos: intrinsic1(llvm.Intrinsic.cos),
  log: intrinsic1(llvm.Intrinsic.log),
  exp: intrinsic1(llvm.Intrinsic.exp),
  channelNew,
  chanSend,
  chanRecv,
  mapConcurrent,
  arrayMap,
  arrayFilter,
  arrayReduce,
  arraySum,
  arrayEach,
  arrayFlatMap,
  arrayChunks,
  arrayZip,
  arrayEnumerate,
};
