// Array built-ins of pipelines (docs/reference.md §15.7): map, filter, reduce, sum, each and flat_map
// as loops emitted inline (so clang can inline the function they call); chunks, zip and enumerate
// call the runtime (pipeline.c); map_concurrent calls tul_map_concurrent with an apply thunk.

import llvm from "llvm-bindings";
import type { Call } from "../../frontend/ast.js";
import { T, typeToString, type Type } from "../../frontend/types.js";
import { CodegenError, type Gen } from "./context.js";
import { arrayData, arrayLen, noValue, genExpr, tyOf } from "./expr.js";
import { callClosure, closureCodeType } from "./closures.js";
import { pushSlot } from "./builtins.js";
import { fromMem, llvmType, memPtrType, memType, slotSize, typeDesc } from "./types.js";
import { storeSlot, tempVar } from "./vars.js";

type FuncType = Type & { k: "func" };

function elemOf(e: Call, i = 0): Type {
  const t = tyOf(e.args[i]);
  if (t.k !== "array") throw new CodegenError(`expected an array, found ${t.k} (checker contract)`);
  return t.elem;
}

function funcOf(e: Call, i: number): FuncType {
  const t = tyOf(e.args[i]);
  if (t.k !== "func") throw new CodegenError(`expected a function, found ${t.k} (checker contract)`);
  return t;
}

/** A pointer-typed temporary (arrays, closures). */
function ptrVar(g: Gen, v: llvm.Value, name: string) {
  const slot = tempVar(g, T.str, name);
  slot.store(v);
  return slot;
}

/** Calls body(x) for the elements of xs in order: the length is read once, and the loop also stops
 * when the array has shrunk below the next index (the called function may pop from it). */
function eachElem(g: Gen, xs: llvm.Value, elem: Type, body: (x: llvm.Value) => void): void {
  const arr = ptrVar(g, xs, "xs");
  const n = tempVar(g, T.int, "n");
  n.store(arrayLen(g, xs));
  const idx = tempVar(g, T.int, "i");
  idx.store(g.i64(0));
  const head = g.block("each.cond"), bodyBB = g.block("each.body"), end = g.block("each.end");
  g.br(head);
  g.at(head);
  const i = idx.load();
  const inRange = g.builder.CreateAnd(g.builder.CreateICmpSLT(i, n.load()), g.builder.CreateICmpSLT(i, arrayLen(g, arr.load())));
  g.builder.CreateCondBr(inRange, bodyBB, end);
  g.at(bodyBB);
  const data = g.builder.CreateBitCast(arrayData(g, arr.load()), memPtrType(g, elem));
  body(fromMem(g, elem, g.builder.CreateLoad(memType(g, elem), g.builder.CreateInBoundsGEP(memType(g, elem), data, [i]))));
  idx.store(g.builder.CreateAdd(idx.load(), g.i64(1)));
  g.br(head);
  g.at(end);
}

/** An empty T[] with room for n elements (no growth while filling it). */
function emptyWithRoom(g: Gen, elem: Type, n: llvm.Value): llvm.Value {
  const a = g.call("tul_arr_new", [typeDesc(g, elem), n]);
  g.builder.CreateStore(g.i64(0), g.builder.CreateBitCast(a, g.types.i64Ptr));
  return a;
}

function push(g: Gen, arr: llvm.Value, elem: Type, v: llvm.Value): void {
  const slot = pushSlot(g, arr, slotSize(elem));
  storeSlot(g, g.builder.CreateBitCast(slot, memPtrType(g, elem)), elem, v);
}

/** The common start of `op(xs, f)`: the element and function types, the array, and `f` in a slot. */
function arrayAndFunc(g: Gen, e: Call) {
  const elem = elemOf(e), ft = funcOf(e, 1);
  const xs = genExpr(g, e.args[0]);
  const f = ptrVar(g, genExpr(g, e.args[1]), "f");
  g.loc(e.span);
  return { elem, ft, xs, f };
}

export function arrayMap(g: Gen, e: Call): llvm.Value {
  const { elem, ft, xs, f } = arrayAndFunc(g, e), r = ft.result;
  const out = ptrVar(g, emptyWithRoom(g, r, arrayLen(g, xs)), "out");
  eachElem(g, xs, elem, (x) => push(g, out.load(), r, callClosure(g, ft, f.load(), [x])));
  return out.load();
}

export function arrayFilter(g: Gen, e: Call): llvm.Value {
  const { elem, ft, xs, f } = arrayAndFunc(g, e);
  const out = ptrVar(g, g.call("tul_arr_new", [typeDesc(g, elem), g.i64(0)]), "out");
  eachElem(g, xs, elem, (x) => {
    const keep = g.block("filter.keep"), next = g.block("filter.next");
    g.builder.CreateCondBr(callClosure(g, ft, f.load(), [x]), keep, next);
    g.at(keep);
    push(g, out.load(), elem, x);
    g.br(next);
    g.at(next);
  });
  return out.load();
}

export function arrayReduce(g: Gen, e: Call): llvm.Value {
  const elem = elemOf(e), ft = funcOf(e, 1), acc = tyOf(e.args[2]);
  const xs = genExpr(g, e.args[0]);
  const f = ptrVar(g, genExpr(g, e.args[1]), "f");
  const total = tempVar(g, acc, "acc");
  total.store(genExpr(g, e.args[2]));
  g.loc(e.span);
  eachElem(g, xs, elem, (x) => total.store(callClosure(g, ft, f.load(), [total.load(), x])));
  return total.load();
}

export function arraySum(g: Gen, e: Call): llvm.Value {
  const elem = elemOf(e);
  const xs = genExpr(g, e.args[0]);
  const total = tempVar(g, elem, "sum");
  total.store(elem.k === "float" ? g.f64(0) : g.i64(0));
  eachElem(g, xs, elem, (x) => total.store(elem.k === "float" ? g.builder.CreateFAdd(total.load(), x) : g.builder.CreateAdd(total.load(), x)));
  return total.load();
}

export function arrayEach(g: Gen, e: Call): llvm.Value {
  const { elem, ft, xs, f } = arrayAndFunc(g, e);
  eachElem(g, xs, elem, (x) => callClosure(g, ft, f.load(), [x]));
  return noValue(g);
}

export function arrayFlatMap(g: Gen, e: Call): llvm.Value {
  const r = funcOf(e, 1).result;
  if (r.k !== "array") throw new CodegenError("flat_map of a function not returning an array (checker contract)");
  const { elem, ft, xs, f } = arrayAndFunc(g, e);
  const out = ptrVar(g, g.call("tul_arr_new", [typeDesc(g, r.elem), g.i64(0)]), "out");
  eachElem(g, xs, elem, (x) => g.call("tul_arr_extend", [out.load(), callClosure(g, ft, f.load(), [x])]));
  return out.load();
}

/** The element type of the call's own array type (chunks, zip, enumerate: their pair or chunk type). */
function resultElem(e: Call): Type {
  const t = tyOf(e);
  if (t.k !== "array") throw new CodegenError("an array built-in without an array type (checker contract)");
  return t.elem;
}

export function arrayChunks(g: Gen, e: Call): llvm.Value {
  const xs = genExpr(g, e.args[0]), n = genExpr(g, e.args[1]);
  g.loc(e.span);
  return g.call("tul_arr_chunks", [xs, n, typeDesc(g, resultElem(e))]);
}

export function arrayZip(g: Gen, e: Call): llvm.Value {
  const a = genExpr(g, e.args[0]), b = genExpr(g, e.args[1]);
  g.loc(e.span);
  return g.call("tul_arr_zip", [a, b, typeDesc(g, resultElem(e))]);
}

export function arrayEnumerate(g: Gen, e: Call): llvm.Value {
  const a = genExpr(g, e.args[0]);
  g.loc(e.span);
  return g.call("tul_arr_enumerate", [a, typeDesc(g, resultElem(e))]);
}

// ---------------------------------------------------------------- map_concurrent

/**
 * `void tul_apply.N(i8* clo, i8* in, i8* out)`: calls the closure with the element in slot `in` and
 * stores its result (a value, or the promise an async function returned) into slot `out`. The
 * runtime checks the closure for null before calling this. No debug info: traces skip it.
 */
function applyThunk(g: Gen, ft: FuncType): llvm.Function {
  const key = typeToString(ft);
  const hit = g.applyThunks.get(key);
  if (hit) return hit;
  const fty = llvm.FunctionType.get(g.types.void, [g.types.ptr, g.types.ptr, g.types.ptr], false);
  const fn = llvm.Function.Create(fty, llvm.Function.LinkageTypes.InternalLinkage, `tul_apply.${g.nextId()}`, g.mod);
  const b = new llvm.IRBuilder(g.ctx);
  b.SetInsertPoint(llvm.BasicBlock.Create(g.ctx, "entry", fn));
  const p = ft.params[0];
  let x: llvm.Value = b.CreateLoad(memType(g, p), b.CreateBitCast(fn.getArg(1), memPtrType(g, p)));
  if (p.k === "bool") x = b.CreateICmpNE(x, g.i8(0));
  const code = closureCodeType(g, ft);
  const fnPtr = b.CreateBitCast(b.CreateLoad(g.types.ptr, b.CreateBitCast(fn.getArg(0), g.types.ptrPtr)), llvm.PointerType.getUnqual(code));
  const v = b.CreateCall(code, fnPtr, [fn.getArg(0), x]);
  const r = ft.result;
  if (llvmType(g, r) !== g.types.void) b.CreateStore(r.k === "bool" ? b.CreateZExt(v, g.types.i8) : v, b.CreateBitCast(fn.getArg(2), memPtrType(g, r)));
  if (r.k === "never") b.CreateUnreachable();
  else b.CreateRetVoid();
  g.applyThunks.set(key, fn);
  return fn;
}

export function mapConcurrent(g: Gen, e: Call): llvm.Value {
  const ft = funcOf(e, 1);
  const xs = genExpr(g, e.args[0]), f = genExpr(g, e.args[1]), limit = genExpr(g, e.args[2]);
  const result = tyOf(e);
  const arr = result.k === "promise" ? result.inner : result;
  const elem = arr.k === "array" ? arr.elem : T.json;
  g.loc(e.span);
  const apply = g.builder.CreateBitCast(applyThunk(g, ft), g.types.ptr);
  return g.call("tul_map_concurrent", [xs, f, apply, limit, typeDesc(g, elem), g.bool(ft.result.k === "promise")]);
}
