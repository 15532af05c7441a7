// Built-in functions: one small lowering per name (dispatching on argument types), each a runtime
// call, an LLVM intrinsic or a few inline instructions.

import llvm from "llvm-bindings";
import { lowerGather } from "./async.js";
import type { Call, Expr } from "../../frontend/ast.js";
import type { Type } from "../../frontend/types.js";
import { CodegenError, type Gen } from "./context.js";
import { arrayLen, dummy, genExpr, toStr, tyOf, unbox } from "./expr.js";
import { loadSlot, storeSlot, valueSlot } from "./vars.js";
import { memPtrType, slotSize, typeDesc } from "./types.js";
import { strConst } from "./strings.js";
import { lowerJsonBuiltin } from "./json.js";

type Lowering = (g: Gen, e: Call) => llvm.Value;

const INT64_MAX = (1n << 63n) - 1n;

function arg(g: Gen, e: Call, i: number): llvm.Value {
  return genExpr(g, e.args[i]);
}

function argTy(e: Call, i: number): Type {
  return tyOf(e.args[i]);
}

/** Evaluates all arguments, then calls runtime function `name` at the call's location. */
function rtCall(name: string): Lowering {
  return (g, e) => {
    const args = e.args.map((a) => genExpr(g, a));
    g.loc(e.span);
    return g.call(name, args);
  };
}

function voidCall(name: string): Lowering {
  const inner = rtCall(name);
  return (g, e) => {
    inner(g, e);
    return dummy(g);
  };
}

/** A double intrinsic (sqrt, sin, ...) on a float (ints promoted). */
function intrinsic1(id: number): Lowering {
  return (g, e) => {
    const x = asFloat(g, arg(g, e, 0), argTy(e, 0));
    const fn = llvm.Intrinsic.getDeclaration(g.mod, id, [g.t.f64]);
    return g.b.CreateCall(fn, [x]);
  };
}

function asFloat(g: Gen, v: llvm.Value, t: Type): llvm.Value {
  if (t.k === "int") return g.b.CreateSIToFP(v, g.t.f64);
  if (t.k === "bool") return g.b.CreateUIToFP(v, g.t.f64);
  return v;
}

// ---------------------------------------------------------------- I/O

/** print(a, b, ...): string forms joined by one space, then tul_print. */
function print(g: Gen, e: Call): llvm.Value {
  let line: llvm.Value | null = null;
  for (const a of e.args) {
    const s = toStr(g, genExpr(g, a), tyOf(a));
    line = line ? g.call("tul_str_concat", [g.call("tul_str_concat", [line, spaceStr(g)]), s]) : s;
  }
  g.loc(e.span);
  g.call("tul_print", [line ?? g.runtimeGlobal("tul_empty_str")]);
  return dummy(g);
}

function spaceStr(g: Gen): llvm.Value {
  return strConst(g, " ");
}

function exit(g: Gen, e: Call): llvm.Value {
  const code = arg(g, e, 0);
  g.loc(e.span);
  g.callNoReturn("tul_exit", [code]);
  return dummy(g);
}

// ---------------------------------------------------------------- conversions

function toString(g: Gen, e: Call): llvm.Value {
  return toStr(g, arg(g, e, 0), argTy(e, 0));
}

function toInt(g: Gen, e: Call): llvm.Value {
  const t = argTy(e, 0), v = arg(g, e, 0);
  g.loc(e.span);
  switch (t.k) {
    case "int": return v;
    case "bool": return g.b.CreateZExt(v, g.t.i64);
    case "float": return g.call("tul_float_to_int", [v]);
    case "str": return g.call("tul_str_to_int", [v]);
    case "json": return g.call("tul_str_to_int", [g.call("tul_json_to_str", [v])]);
    default: throw new CodegenError(`toInt of ${t.k}`);
  }
}

function toFloat(g: Gen, e: Call): llvm.Value {
  const t = argTy(e, 0), v = arg(g, e, 0);
  g.loc(e.span);
  switch (t.k) {
    case "str": return g.call("tul_str_to_float", [v]);
    case "json": return g.call("tul_str_to_float", [g.call("tul_json_to_str", [v])]);
    default: return asFloat(g, v, t);
  }
}

function toBool(g: Gen, e: Call): llvm.Value {
  const t = argTy(e, 0), v = arg(g, e, 0);
  g.loc(e.span);
  switch (t.k) {
    case "bool": return v;
    case "int": return g.b.CreateICmpNE(v, g.i64(0));
    case "float": return g.b.CreateFCmpUNE(v, g.f64(0));
    case "str": return g.call("tul_str_to_bool", [v]);
    case "json": return g.call("tul_str_to_bool", [g.call("tul_json_to_str", [v])]);
    default: throw new CodegenError(`toBool of ${t.k}`);
  }
}

function toJson(g: Gen, e: Call): llvm.Value {
  const t = argTy(e, 0), v = arg(g, e, 0);
  return t.k === "json" ? v : g.call("tul_json_box", [valueSlot(g, t, v), typeDesc(g, t)]);
}

// ---------------------------------------------------------------- collections

function length(g: Gen, e: Call): llvm.Value {
  const t = argTy(e, 0), v = arg(g, e, 0);
  g.loc(e.span);
  if (t.k === "str") return g.call("tul_str_len", [v]);
  if (t.k === "array") return arrayLen(g, v);
  throw new CodegenError(`length of ${t.k} is not supported yet`);
}

function elemOf(t: Type): Type {
  if (t.k !== "array") throw new CodegenError(`expected an array, found ${t.k}`);
  return t.elem;
}

function push(g: Gen, e: Call): llvm.Value {
  const elem = elemOf(argTy(e, 0));
  const xs = arg(g, e, 0), x = arg(g, e, 1);
  g.loc(e.span);
  const slot = pushSlot(g, xs, slotSize(elem));
  storeSlot(g, g.b.CreateBitCast(slot, memPtrType(g, elem)), elem, x);
  return dummy(g);
}

/**
 * tul_arr_push_slot with its fast path inline (tul_arr: len @0, cap @8, data @16): when there is
 * room, the new slot is data + len * size and len grows by one; only a full array calls the runtime.
 */
function pushSlot(g: Gen, xs: llvm.Value, size: number): llvm.Value {
  const hdr = g.b.CreateBitCast(xs, g.t.i64Ptr);
  const field = (i: number) => g.b.CreateGEP(g.t.i64, hdr, [g.i64(i)]);
  const len = g.b.CreateLoad(g.t.i64, hdr);
  const cap = g.b.CreateLoad(g.t.i64, field(1));
  const fast = g.block("push.fast"), slow = g.block("push.slow"), done = g.block("push.done");
  g.b.CreateCondBr(g.b.CreateICmpSLT(len, cap), fast, slow);
  g.at(fast);
  const data = g.b.CreateLoad(g.t.ptr, g.b.CreateBitCast(field(2), g.t.ptrPtr));
  const fastSlot = g.b.CreateGEP(g.t.i8, data, [g.b.CreateMul(len, g.i64(size))]);
  g.b.CreateStore(g.b.CreateAdd(len, g.i64(1)), hdr);
  g.br(done);
  g.at(slow);
  const slowSlot = g.call("tul_arr_push_slot", [xs]);
  g.br(done);
  g.at(done);
  const phi = g.b.CreatePHI(g.t.ptr, 2);
  phi.addIncoming(fastSlot, fast);
  phi.addIncoming(slowSlot, slow);
  return phi;
}

function pop(g: Gen, e: Call): llvm.Value {
  const elem = elemOf(argTy(e, 0));
  const xs = arg(g, e, 0);
  g.loc(e.span);
  const slot = g.call("tul_arr_pop_slot", [xs]);
  return loadSlot(g, g.b.CreateBitCast(slot, memPtrType(g, elem)), elem);
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

function slice(g: Gen, e: Call): llvm.Value {
  const t = argTy(e, 0);
  const xs = arg(g, e, 0), a = arg(g, e, 1);
  const b = e.args.length > 2 ? arg(g, e, 2) : g.i64(INT64_MAX);
  g.loc(e.span);
  return g.call(t.k === "str" ? "tul_str_slice" : "tul_arr_slice", [xs, a, b]);
}

/** indexOf/contains: substring search on strings, deep equality on arrays. */
function search(g: Gen, e: Call): llvm.Value {
  const t = argTy(e, 0);
  const xs = arg(g, e, 0), x = arg(g, e, 1);
  g.loc(e.span);
  if (t.k === "str") return g.call("tul_str_index_of", [xs, x]);
  return g.call("tul_arr_index_of", [xs, valueSlot(g, elemOf(t), x)]);
}

function indexOf(g: Gen, e: Call): llvm.Value {
  return search(g, e);
}

function contains(g: Gen, e: Call): llvm.Value {
  if (argTy(e, 0).k === "str") return rtCall("tul_str_contains")(g, e);
  return g.b.CreateICmpSGE(search(g, e), g.i64(0));
}

// ---------------------------------------------------------------- math

function abs(g: Gen, e: Call): llvm.Value {
  const t = argTy(e, 0), v = arg(g, e, 0);
  if (t.k === "float") return g.b.CreateCall(llvm.Intrinsic.getDeclaration(g.mod, llvm.Intrinsic.fabs, [g.t.f64]), [v]);
  return g.b.CreateSelect(g.b.CreateICmpSLT(v, g.i64(0)), g.b.CreateSub(g.i64(0), v), v);
}

function minMax(isMin: boolean): Lowering {
  return (g, e) => {
    const ta = argTy(e, 0), tb = argTy(e, 1);
    let a = arg(g, e, 0), b = arg(g, e, 1);
    if (ta.k === "int" && tb.k === "int") {
      const lt = isMin ? g.b.CreateICmpSLT(a, b) : g.b.CreateICmpSGT(a, b);
      return g.b.CreateSelect(lt, a, b);
    }
    a = asFloat(g, a, ta);
    b = asFloat(g, b, tb);
    const lt = isMin ? g.b.CreateFCmpOLT(a, b) : g.b.CreateFCmpOGT(a, b);
    return g.b.CreateSelect(lt, a, b);
  };
}

function pow(g: Gen, e: Call): llvm.Value {
  const ta = argTy(e, 0), tb = argTy(e, 1);
  const a = arg(g, e, 0), b = arg(g, e, 1);
  g.loc(e.span);
  if (ta.k === "int" && tb.k === "int") return g.call("tul_pow_int", [a, b]);
  const fn = llvm.Intrinsic.getDeclaration(g.mod, llvm.Intrinsic.pow, [g.t.f64]);
  return g.b.CreateCall(fn, [asFloat(g, a, ta), asFloat(g, b, tb)]);
}

/** floor/ceil: float -> int through the checked conversion (inf/nan: ValueError). */
function rounding(id: number): Lowering {
  return (g, e) => {
    const t = argTy(e, 0), v = arg(g, e, 0);
    if (t.k === "int") return v;
    const r = g.b.CreateCall(llvm.Intrinsic.getDeclaration(g.mod, id, [g.t.f64]), [v]);
    g.loc(e.span);
    return g.call("tul_float_to_int", [r]);
  };
}

function round(g: Gen, e: Call): llvm.Value {
  const t = argTy(e, 0), v = arg(g, e, 0);
  if (t.k === "int") return v;
  g.loc(e.span);
  return g.call("tul_float_round", [v]);
}

// ---------------------------------------------------------------- async

function sleepAsync(g: Gen, e: Call): llvm.Value {
  return rtCall("tul_sleep_async")(g, e);
}

/** http_request / http_request_async(method, url, body[, opts]): a missing opts passes json null. */
function httpCall(name: string): Lowering {
  return (g, e) => {
    const args = e.args.map((a) => genExpr(g, a));
    while (args.length < 4) args.push(g.nullPtr());
    g.loc(e.span);
    return g.call(name, args);
  };
}

const TABLE: Record<string, Lowering> = {
  print,
  exit,
  input: rtCall("tul_input"),
  args: rtCall("tul_args"),
  env: rtCall("tul_env"),
  file_read: rtCall("tul_file_read"),
  file_write: voidCall("tul_file_write"),
  file_append: voidCall("tul_file_append"),
  file_exists: rtCall("tul_file_exists"),
  clock_ms: rtCall("tul_clock_ms"),
  time_ms: rtCall("tul_time_ms"),
  sleep: voidCall("tul_sleep"),
  toString,
  toInt,
  toFloat,
  toBool,
  toJson,
  length,
  len: length,
  push,
  pop,
  range,
  slice,
  sort: rtCall("tul_arr_sort"),
  contains,
  indexOf,
  upper: rtCall("tul_str_upper"),
  lower: rtCall("tul_str_lower"),
  trim: rtCall("tul_str_trim"),
  split: rtCall("tul_str_split"),
  join: rtCall("tul_str_join"),
  replace: rtCall("tul_str_replace"),
  substring: rtCall("tul_str_substring"),
  startsWith: rtCall("tul_str_starts_with"),
  endsWith: rtCall("tul_str_ends_with"),
  repeat: rtCall("tul_str_repeat"),
  abs,
  min: minMax(true),
  max: minMax(false),
  pow,
  floor: rounding(llvm.Intrinsic.floor),
  ceil: rounding(llvm.Intrinsic.ceil),
  round,
  sqrt: intrinsic1(llvm.Intrinsic.sqrt),
  sin: intrinsic1(llvm.Intrinsic.sin),
  cos: intrinsic1(llvm.Intrinsic.cos),
  log: intrinsic1(llvm.Intrinsic.log),
  exp: intrinsic1(llvm.Intrinsic.exp),
  random: rtCall("tul_random"),
  randint: rtCall("tul_randint"),
  sleep_async: sleepAsync,
  http_request: httpCall("tul_http_request"),
  http_request_async: httpCall("tul_http_request_async"),
  gather: lowerGather,
};

/** Lowers a call to built-in `name`. */
export function lowerBuiltin(g: Gen, name: string, e: Call): llvm.Value {
  // json.ts handles json arguments and the json-only built-ins; a name the table below knows with a
  // non-json first argument never goes there (its lookup must not see Object.prototype names).
  const firstIsJson = e.args.length > 0 && tyOf(e.args[0]).k === "json";
  const jsonsBusiness = (firstIsJson || !Object.hasOwn(TABLE, name) || name === "toJson") && !(name in Object.prototype);
  const viaJson = jsonsBusiness ? lowerJsonBuiltin(g, name, e) : null;
  if (viaJson) return viaJson;
  const lower = Object.hasOwn(TABLE, name) ? TABLE[name] : undefined;
  if (!lower) throw new CodegenError(`built-in '${name}' is not supported yet`);
  return lower(g, e);
}

/** Unused-argument helper kept for json-typed argument lowering (fromJson etc. once the ABI has them). */
export function unboxArg(g: Gen, a: Expr, t: Type): llvm.Value {
  return unbox(g, genExpr(g, a), t);
}
