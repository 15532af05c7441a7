// Async lowering (docs/reference.md §9): an `async func` compiles to an ordinary body function plus an
// entry thunk the scheduler runs; calls spawn a task (tul_task_spawn); `gather` packs its arguments
// for tul_gather. `await` itself is in calls.ts (one runtime call).

import llvm from "llvm-bindings";
import type { Call, FuncDecl } from "../../frontend/ast.js";
import { T, type Type } from "../../frontend/types.js";
import { CodegenError, type Gen } from "./context.js";
import { genExpr, tyOf } from "./expr.js";
import { llvmType, memType, memPtrType, typeDesc } from "./types.js";

/** Bytes per argument in a task's argument block: every value fits an 8-byte slot. */
const SLOT = 8;

/** The Tulpar type an async function's body returns (T of its promise<T>). */
export function asyncBodyResult(f: FuncDecl): Type {
  const r = f.sym!.type.result;
  return r.k === "promise" ? r.inner : r;
}

/** `void tul_task_<name>(i8 *args, i8 *result_slot)`: unpacks the arguments and runs the body. */
export function declareTaskEntry(g: Gen, f: FuncDecl, body: llvm.Function): llvm.Function {
  const fn = buildTaskEntry(g, `tul_task_${f.name}`, f.sym!.type.params, asyncBodyResult(f), body);
  g.taskEntries.set(f, fn);
  return fn;
}

/** A task entry calling `body` with the values of `types` read from the task's argument block. */
export function buildTaskEntry(g: Gen, name: string, types: Type[], rt: Type, body: llvm.Function): llvm.Function {
  const ft = llvm.FunctionType.get(g.types.void, [g.types.ptr, g.types.ptr], false);
  const fn = llvm.Function.Create(ft, llvm.Function.LinkageTypes.InternalLinkage, name, g.mod);
  // A builder of its own with no debug location: the thunk has no DISubprogram, so the trace
  // shows the body's frames only (the body is kept out of line, see module.ts).
  const b = new llvm.IRBuilder(g.ctx);
  b.SetInsertPoint(llvm.BasicBlock.Create(g.ctx, "entry", fn));
  const params = types.map((t, i) => loadArg(g, b, fn.getArg(0), t, i));
  const result = b.CreateCall(body, params);
  if (llvmType(g, rt) !== g.types.void) {
    const slot = b.CreateBitCast(fn.getArg(1), memPtrType(g, rt));
    b.CreateStore(rt.k === "bool" ? b.CreateZExt(result, g.types.i8) : result, slot);
  }
  b.CreateRetVoid();
  return fn;
}

function loadArg(g: Gen, b: llvm.IRBuilder, block: llvm.Value, t: Type, i: number): llvm.Value {
  const at = b.CreateGEP(g.types.i8, block, [llvm.ConstantInt.get(g.types.i64, i * SLOT, false)]);
  const v = b.CreateLoad(memType(g, t), b.CreateBitCast(at, memPtrType(g, t)));
  return t.k === "bool" ? b.CreateICmpNE(v, g.i8(0)) : v;
}

/** The task entry of a top-level async function (declared by module.ts). */
export function taskEntryOf(g: Gen, decl: FuncDecl): llvm.Function {
  const entry = g.taskEntries.get(decl);
  if (!entry) throw new CodegenError(`async function ${decl.name} has no task entry`);
  return entry;
}

/** A call of an async func: spawn the task, fill its argument block, yield the promise. */
export function spawnAsync(g: Gen, decl: FuncDecl, e: Call): llvm.Value {
  const entry = taskEntryOf(g, decl);
  const args = e.args.map((a) => genExpr(g, a));
  const out = g.alloca(g.types.ptr, "task_args");
  g.loc(e.span);
  return spawnWith(g, g.builder, entry, decl.sym!.type.params, asyncBodyResult(decl), args, out);
}

/** tul_task_spawn of `entry` with `args` (of `types`) stored into the new task's argument block. */
function spawnWith(g: Gen, b: llvm.IRBuilder, entry: llvm.Function, types: Type[], rt: Type, args: llvm.Value[], out: llvm.Value): llvm.Value {
  const resultDesc = llvmType(g, rt) === g.types.void ? g.nullPtr() : typeDesc(g, rt);
  const entryPtr = b.CreateBitCast(entry, g.types.ptr);
  const promise = b.CreateCall(g.rt("tul_task_spawn"), [entryPtr, llvm.ConstantInt.get(g.types.i64, types.length * SLOT, true), resultDesc, b.CreateBitCast(out, g.types.ptr)]);
  const block = b.CreateLoad(g.types.ptr, out);
  args.forEach((v, i) => storeSlotWith(g, b, block, i, types[i], v));
  return promise;
}

/**
 * `i8* <name>(i8* closure, params...)`: the code of an async function's value. It spawns `entry`
 * with the call's arguments, preceded by the closure block itself when `passClosure` (nested async
 * functions read their captured cells from it). No debug info: traces skip it.
 */
export function buildSpawnThunk(g: Gen, name: string, ft: Type & { k: "func" }, entry: llvm.Function, passClosure: boolean): llvm.Function {
  const inner = ft.result.k === "promise" ? ft.result.inner : ft.result;
  const fty = llvm.FunctionType.get(g.types.ptr, [g.types.ptr, ...ft.params.map((p) => llvmType(g, p))], false);
  const fn = llvm.Function.Create(fty, llvm.Function.LinkageTypes.InternalLinkage, name, g.mod);
  const b = new llvm.IRBuilder(g.ctx);
  b.SetInsertPoint(llvm.BasicBlock.Create(g.ctx, "entry", fn));
  const out = b.CreateAlloca(g.types.ptr, null, "task_args");
  const args = ft.params.map((_, i) => fn.getArg(i + 1));
  const types = passClosure ? [ft as Type, ...ft.params] : ft.params;
  b.CreateRet(spawnWith(g, b, entry, types, inner, passClosure ? [fn.getArg(0), ...args] : args, out));
  return fn;
}

/** Stores value v of type t into 8-byte slot i of an argument block (bool: its first byte). */
export function storeSlotWith(g: Gen, b: llvm.IRBuilder, block: llvm.Value, i: number, t: Type, v: llvm.Value): void {
  const at = b.CreateGEP(g.types.i8, block, [llvm.ConstantInt.get(g.types.i64, i * SLOT, true)]);
  b.CreateStore(t.k === "bool" ? b.CreateZExt(v, g.types.i8) : v, b.CreateBitCast(at, memPtrType(g, t)));
}

function storeSlotAt(g: Gen, block: llvm.Value, i: number, t: Type, v: llvm.Value): void {
  storeSlotWith(g, g.builder, block, i, t, v);
}

/** `gather(a, b, ...)`: values and their static types side by side, then tul_gather. */
export function lowerGather(g: Gen, e: Call): llvm.Value {
  const n = e.args.length;
  const values = g.builder.CreateBitCast(g.alloca(llvm.ArrayType.get(g.types.i64, Math.max(n, 1)), "gather_values"), g.types.ptr);
  const types = g.builder.CreateBitCast(g.alloca(llvm.ArrayType.get(g.types.ptr, Math.max(n, 1)), "gather_types"), g.types.ptrPtr);
  e.args.forEach((a, i) => {
    const t = tyOf(a);
    const v = genExpr(g, a);
    if (llvmType(g, t) !== g.types.void) storeSlotAt(g, values, i, t, v);
    const desc = t.k === "void" || t.k === "never" ? typeDesc(g, T.json) : typeDesc(g, t);
    g.builder.CreateStore(desc, g.builder.CreateGEP(g.types.ptr, types, [g.i64(i)]));
  });
  const result = tyOf(e);
  const arr = result.k === "promise" ? result.inner : result;
  const elem = arr.k === "array" ? arr.elem : T.json;
  g.loc(e.span);
  return g.call("tul_gather", [g.i64(n), values, g.builder.CreateBitCast(types, g.types.ptr), typeDesc(g, elem)]);
}

/** The T of an expression of type promise<T> or promise<T[]>... (the call's result type). */
function promisedOf(t: Type): Type {
  return t.k === "promise" ? t.inner : t;
}

/** `gather(ps)` on one promise<T>[]: tul_gather_arr with the result's element type. */
export function lowerGatherArray(g: Gen, e: Call): llvm.Value {
  const ps = genExpr(g, e.args[0]);
  const arr = promisedOf(tyOf(e));
  const elem = arr.k === "array" ? arr.elem : T.json;
  g.loc(e.span);
  return g.call("tul_gather_arr", [ps, typeDesc(g, elem)]);
}

/** `race(p1, p2, ...)`: the promises in a stack array, then tul_race. */
export function lowerRace(g: Gen, e: Call): llvm.Value {
  const n = e.args.length;
  const ps = g.builder.CreateBitCast(g.alloca(llvm.ArrayType.get(g.types.ptr, n), "race_args"), g.types.ptrPtr);
  e.args.forEach((a, i) => g.builder.CreateStore(genExpr(g, a), g.builder.CreateGEP(g.types.ptr, ps, [g.i64(i)])));
  g.loc(e.span);
  return g.call("tul_race", [g.i64(n), g.builder.CreateBitCast(ps, g.types.ptr)]);
}

/** `vote(ps)`: tul_vote with the value type (compared with tul_value_eq; void: all equal). */
export function lowerVote(g: Gen, e: Call): llvm.Value {
  const ps = genExpr(g, e.args[0]);
  const t = promisedOf(tyOf(e));
  g.loc(e.span);
  return g.call("tul_vote", [ps, llvmType(g, t) === g.types.void ? g.nullPtr() : typeDesc(g, t)]);
}
