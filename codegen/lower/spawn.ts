// `spawn f(args)` (docs/reference.md §16): an entry thunk per spawned function (`tul_spawn_<name>`,
// the task-entry layout: one 8-byte slot per argument), the arguments and their type descriptors
// side by side, then tul_spawn, which deep-copies them into the job. Also the worker guard: the
// code of a function value the checker found unfit for a worker (frontend/check/isolation.ts)
// first tests tul_on_worker and throws RuntimeError there.

import llvm from "llvm-bindings";
import type { Call, FuncDecl, Spawn } from "../../frontend/ast.js";
import { CodegenError, type Gen } from "./context.js";
import { buildTaskEntry, storeSlotWith } from "./async.js";
import { genExpr } from "./expr.js";
import { cString } from "./strings.js";
import { llvmType, typeDesc } from "./types.js";

/** tul_spawn of the call's function with its arguments; the value is the job's promise. */
export function genSpawn(g: Gen, e: Spawn): llvm.Value {
  const call = e.call as Call;
  if (call.target?.kind !== "func") throw new CodegenError("spawn of something other than a top-level function (checker contract)");
  const decl = call.target.sym.decl;
  const ft = call.target.sym.type;
  const n = ft.params.length;
  const values = g.builder.CreateBitCast(g.alloca(llvm.ArrayType.get(g.types.i64, Math.max(n, 1)), "spawn_values"), g.types.ptr);
  const types = g.builder.CreateBitCast(g.alloca(llvm.ArrayType.get(g.types.ptr, Math.max(n, 1)), "spawn_types"), g.types.ptrPtr);
  call.args.forEach((a, i) => {
    storeSlotWith(g, g.builder, values, i, ft.params[i], genExpr(g, a));
    g.builder.CreateStore(typeDesc(g, ft.params[i]), g.builder.CreateGEP(g.types.ptr, types, [g.i64(i)]));
  });
  const resultDesc = llvmType(g, ft.result) === g.types.void ? g.nullPtr() : typeDesc(g, ft.result);
  const entry = g.builder.CreateBitCast(spawnEntry(g, decl), g.types.ptr);
  g.loc(e.span);
  return g.call("tul_spawn", [entry, g.i64(n), values, g.builder.CreateBitCast(types, g.types.ptr), resultDesc]);
}

/** The entry thunk the worker runs (one per spawned function, made on first use). */
function spawnEntry(g: Gen, decl: FuncDecl): llvm.Function {
  const hit = g.spawnEntries.get(decl);
  if (hit) return hit;
  const body = g.funcs.get(decl);
  if (!body || !decl.sym) throw new CodegenError(`spawned function ${decl.name} has no body (checker contract)`);
  const fn = buildTaskEntry(g, `tul_spawn_${decl.name}`, decl.sym.type.params, decl.sym.type.result, body);
  g.spawnEntries.set(decl, fn);
  return fn;
}

/**
 * At the insertion point of `b` in `fn`: `if (tul_on_worker) tul_throw_msg(message)`, then goes on
 * in a fresh block (the branch to the throw is marked unlikely by the noreturn call).
 */
export function emitWorkerGuard(g: Gen, b: llvm.IRBuilder, fn: llvm.Function, message: string): void {
  const flag = g.mod.getGlobalVariable("tul_on_worker");
  if (!flag) throw new CodegenError("runtime global tul_on_worker is not declared");
  const bad = llvm.BasicBlock.Create(g.ctx, "worker.refuse", fn);
  const ok = llvm.BasicBlock.Create(g.ctx, "worker.ok", fn);
  const on = b.CreateICmpNE(b.CreateLoad(g.types.i8, flag), g.i8(0));
  b.CreateCondBr(on, bad, ok);
  b.SetInsertPoint(bad);
  b.CreateCall(g.rt("tul_throw_msg"), [cString(g, message)]);
  b.CreateUnreachable();
  b.SetInsertPoint(ok);
}
