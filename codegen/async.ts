// Async lowering (LANGUAGE.md §9): an `async func` compiles to an ordinary body function plus an
// entry thunk the scheduler runs; calls spawn a task (tul_task_spawn); `gather` packs its arguments
// for tul_gather. `await` itself is in calls.ts (one runtime call).

import llvm from "llvm-bindings";
import type { Call, FuncDecl } from "../frontend/ast.js";
import { T, type Type } from "../frontend/types.js";
import { CodegenError, type Gen } from "./context.js";
import { genExpr, tyOf } from "./expr.js";
import { llvmType, memType, memPtrType, typeDesc } from "./types.js";

/** Bytes per argument in a task's argument block: every value fits an 8-byte slot. */
const SLOT = 8;

const thunks = new WeakMap<Gen, Map<FuncDecl, llvm.Function>>();

/** The Tulpar type an async function's body returns (T of its promise<T>). */
export function asyncBodyResult(f: FuncDecl): Type {
  const r = f.sym!.type.result;
  return r.k === "promise" ? r.inner : r;
}

/** `void tul_task_<name>(i8 *args, i8 *result_slot)`: unpacks the arguments and runs the body. */
export function declareTaskEntry(g: Gen, f: FuncDecl, body: llvm.Function): llvm.Function {
  const ft = llvm.FunctionType.get(g.t.void, [g.t.ptr, g.t.ptr], false);
  const fn = llvm.Function.Create(ft, llvm.Function.LinkageTypes.InternalLinkage, `tul_task_${f.name}`, g.mod);
  // A builder of its own with no debug location: the thunk has no DISubprogram, so the trace
  // shows the body's frames only (the body is kept out of line, see index.ts).
  const b = new llvm.IRBuilder(g.ctx);
  b.SetInsertPoint(llvm.BasicBlock.Create(g.ctx, "entry", fn));
  const params = f.sym!.type.params.map((t, i) => loadArg(g, b, fn.getArg(0), t, i));
  const result = b.CreateCall(body, params);
  const rt = asyncBodyResult(f);
  if (llvmType(g, rt) !== g.t.void) {
    const slot = b.CreateBitCast(fn.getArg(1), memPtrType(g, rt));
    b.CreateStore(rt.k === "bool" ? b.CreateZExt(result, g.t.i8) : result, slot);
  }
  b.CreateRetVoid();
  let map = thunks.get(g);
  if (!map) thunks.set(g, (map = new Map()));
  map.set(f, fn);
  return fn;
}

function loadArg(g: Gen, b: llvm.IRBuilder, block: llvm.Value, t: Type, i: number): llvm.Value {
  const at = b.CreateGEP(g.t.i8, block, [llvm.ConstantInt.get(g.t.i64, i * SLOT, false)]);
  const v = b.CreateLoad(memType(g, t), b.CreateBitCast(at, memPtrType(g, t)));
  return t.k === "bool" ? b.CreateICmpNE(v, llvm.ConstantInt.get(g.t.i8, 0, false)) : v;
}

/** A call of an async func: spawn the task, fill its argument block, yield the promise. */
export function spawnAsync(g: Gen, decl: FuncDecl, e: Call): llvm.Value {
  const entry = thunks.get(g)?.get(decl);
  if (!entry) throw new CodegenError(`async function ${decl.name} has no task entry`);
  const args = e.args.map((a) => genExpr(g, a));
  const types = decl.sym!.type.params;
  const rt = asyncBodyResult(decl);
  const resultDesc = llvmType(g, rt) === g.t.void ? g.nullPtr() : typeDesc(g, rt);
  const out = g.alloca(g.t.ptr, "task_args");
  g.loc(e.span);
  const entryPtr = g.b.CreateBitCast(entry, g.t.ptr);
  const promise = g.call("tul_task_spawn", [entryPtr, g.i64(types.length * SLOT), resultDesc, g.b.CreateBitCast(out, g.t.ptr)]);
  const block = g.b.CreateLoad(g.t.ptr, out);
  args.forEach((v, i) => storeSlotAt(g, block, i, types[i], v));
  return promise;
}

function storeSlotAt(g: Gen, block: llvm.Value, i: number, t: Type, v: llvm.Value): void {
  const at = g.b.CreateGEP(g.t.i8, block, [g.i64(i * SLOT)]);
  g.b.CreateStore(t.k === "bool" ? g.b.CreateZExt(v, g.t.i8) : v, g.b.CreateBitCast(at, memPtrType(g, t)));
}

/** `gather(a, b, ...)`: values and their static types side by side, then tul_gather. */
export function lowerGather(g: Gen, e: Call): llvm.Value {
  const n = e.args.length;
  const values = g.b.CreateBitCast(g.alloca(llvm.ArrayType.get(g.t.i64, Math.max(n, 1)), "gather_values"), g.t.ptr);
  const types = g.b.CreateBitCast(g.alloca(llvm.ArrayType.get(g.t.ptr, Math.max(n, 1)), "gather_types"), g.t.ptrPtr);
  e.args.forEach((a, i) => {
    const t = tyOf(a);
    const v = genExpr(g, a);
    if (llvmType(g, t) !== g.t.void) storeSlotAt(g, values, i, t, v);
    const desc = t.k === "void" || t.k === "never" ? typeDesc(g, T.json) : typeDesc(g, t);
    g.b.CreateStore(desc, g.b.CreateGEP(g.t.ptr, types, [g.i64(i)]));
  });
  const result = tyOf(e);
  const arr = result.k === "promise" ? result.inner : result;
  const elem = arr.k === "array" ? arr.elem : T.json;
  g.loc(e.span);
  return g.call("tul_gather", [g.i64(n), values, g.b.CreateBitCast(types, g.t.ptr), typeDesc(g, elem)]);
}
