// Closures: a function value is a pointer to a GC block { fn, cell_1 .. cell_n } where fn takes the block
// as its first argument (lambdas, nested named functions, named functions used as values). Captured variables (VarSymbol.captured) live in heap cells allocated once per
// invocation of the function that declares them, so the function and its lambdas share them by reference.

import llvm from "llvm-bindings";
import type { Call, Expr, FuncDecl, Lambda, VarSymbol } from "../../frontend/ast.js";
import { hasBaseCase } from "./recursion.js";
import { T, type Type } from "../../frontend/types.js";
import { buildSpawnThunk, buildTaskEntry, taskEntryOf } from "./async.js";
import { emitWorkerGuard } from "./spawn.js";
import { CodegenError, type FnState, type Gen } from "./context.js";
import { noValue, genExpr, tyOf, undefOf } from "./expr.js";
import { genBlock } from "./stmt.js";
import { cString } from "./strings.js";
import { llvmType, memPtrType } from "./types.js";
import { storeVar, varSlot } from "./vars.js";

/** The slot of a captured local: a heap cell allocated in the entry block of the declaring function. */
export function cellSlot(g: Gen, sym: VarSymbol): llvm.Value {
  const cell = g.current.allocas.CreateCall(g.rt("tul_alloc"), [llvm.ConstantInt.get(g.types.i64, 8, true)]);
  const slot = g.current.allocas.CreateBitCast(cell, memPtrType(g, sym.type));
  g.current.locals.set(sym.id, slot);
  return slot;
}

function closureFnType(g: Gen, ft: Type & { k: "func" }): llvm.FunctionType {
  return llvm.FunctionType.get(llvmType(g, ft.result), [g.types.ptr, ...ft.params.map((p) => llvmType(g, p))], false);
}

// ---------------------------------------------------------------- calls

/**
 * `f(a, b)` on a function value: loads fn from the closure block and passes the block first. A call
 * of a nested function by name is a direct call of its code (its closure local is never null), and
 * inside that function's own body it passes its own closure block.
 */
export function genValueCall(g: Gen, e: Call): llvm.Value {
  const ft = tyOf(e.callee);
  if (ft.k !== "func") throw new CodegenError("calling a value that is not a function (checker contract)");
  const known = e.callee.kind === "Ident" && e.callee.sym?.kind === "var" ? g.nestedCode.get(e.callee.sym.id) : undefined;
  const clo = known && known === g.current.fn ? known.getArg(0) : genExpr(g, e.callee);
  const args = e.args.map((a) => genExpr(g, a));
  g.loc(e.span);
  const fty = closureFnType(g, ft);
  const v = g.builder.CreateCall(fty, known ?? loadCode(g, clo, fty), [clo, ...args]);
  if (ft.result.k === "never") {
    g.terminate(() => g.builder.CreateUnreachable());
    return undefOf(g, tyOf(e));
  }
  return llvmType(g, ft.result) === g.types.void ? noValue(g) : v;
}

/** Calls closure `clo` of type `ft` with `args` (register form); a never result ends the block. */
export function callClosure(g: Gen, ft: Type & { k: "func" }, clo: llvm.Value, args: llvm.Value[]): llvm.Value {
  const fty = closureFnType(g, ft);
  const v = g.builder.CreateCall(fty, loadCode(g, clo, fty), [clo, ...args]);
  if (ft.result.k === "never") {
    g.terminate(() => g.builder.CreateUnreachable());
    return undefOf(g, T.json);
  }
  return llvmType(g, ft.result) === g.types.void ? noValue(g) : v;
}

/** The LLVM function type of a closure's code (the closure block first). */
export function closureCodeType(g: Gen, ft: Type & { k: "func" }): llvm.FunctionType {
  return closureFnType(g, ft);
}

/** The code pointer of a closure (TypeError: null reference when the value is null). */
function loadCode(g: Gen, clo: llvm.Value, fty: llvm.FunctionType): llvm.Value {
  const nullCheck = g.block("clo.null"), ok = g.block("clo.ok");
  g.builder.CreateCondBr(g.builder.CreateICmpEQ(clo, g.nullPtr()), nullCheck, ok);
  g.at(nullCheck);
  g.callNoReturn("tul_throw_msg", [nullMessage(g)]);
  g.at(ok);
  const fnRaw = g.builder.CreateLoad(g.types.ptr, g.builder.CreateBitCast(clo, g.types.ptrPtr));
  return g.builder.CreateBitCast(fnRaw, llvm.PointerType.getUnqual(fty));
}

function nullMessage(g: Gen): llvm.Value {
  return cString(g, "TypeError: null reference");
}

// ---------------------------------------------------------------- named functions as values

/** A constant closure { thunk } for a top-level function; the thunk drops the block argument. */
export function funcValue(g: Gen, decl: FuncDecl): llvm.Value {
  const cache = g.funcValues;
  const hit = cache.get(decl);
  if (hit) return hit;
  const target = g.funcs.get(decl);
  if (!target || !decl.sym) throw new CodegenError(`function ${decl.name} cannot be used as a value`);
  const ft = decl.sym.type;
  const thunk = decl.isAsync
    ? buildSpawnThunk(g, `tul_fnval_${decl.name}`, ft, taskEntryOf(g, decl), false)
    : callThunk(g, target, ft, `tul_fnval_${decl.name}`, decl.workerGuard);
  const arrTy = llvm.ArrayType.get(g.types.ptr, 1);
  const init = llvm.ConstantArray.get(arrTy, [llvm.ConstantExpr.getBitCast(thunk, g.types.ptr)]);
  const gv = new llvm.GlobalVariable(g.mod, arrTy, true, llvm.GlobalValue.LinkageTypes.PrivateLinkage, init, `tul.fnval.${decl.name}`);
  const c = llvm.ConstantExpr.getBitCast(gv, g.types.ptr);
  cache.set(decl, c);
  return c;
}

/** `<name>(i8* closure, params...)`: calls `target` with the parameters (after the worker guard,
 *  when the function may not run on a spawn worker: `refuse` is then the RuntimeError's text). */
function callThunk(g: Gen, target: llvm.Function, ft: Type & { k: "func" }, name: string, refuse?: string): llvm.Function {
  const thunk = llvm.Function.Create(closureFnType(g, ft), llvm.Function.LinkageTypes.InternalLinkage, name, g.mod);
  const b = new llvm.IRBuilder(g.ctx);
  b.SetInsertPoint(llvm.BasicBlock.Create(g.ctx, "entry", thunk));
  if (refuse) emitWorkerGuard(g, b, thunk, refuse);
  const r = b.CreateCall(target, ft.params.map((_, i) => thunk.getArg(i + 1)));
  if (llvmType(g, ft.result) === g.types.void) b.CreateRetVoid();
  else b.CreateRet(r);
  return thunk;
}

// ---------------------------------------------------------------- lambdas

/** Emits the lambda's function, then builds its closure block from the current function's cells. */
export function genLambda(g: Gen, e: Lambda): llvm.Value {
  const ft = tyOf(e);
  if (ft.k !== "func") throw new CodegenError("lambda without a function type (checker contract)");
  const caps = e.captures;
  if (!caps) throw new CodegenError("lambda without its captures (checker contract)");
  const fn = closureCode(g, e, ft, caps);
  g.loc(e.span);
  const clo = g.call("tul_alloc", [g.i64(8 * (1 + caps.length))]);
  const slots = g.builder.CreateBitCast(clo, g.types.ptrPtr);
  g.builder.CreateStore(llvm.ConstantExpr.getBitCast(fn, g.types.ptr), slots);
  caps.forEach((sym, i) => {
    const cell = g.builder.CreateBitCast(varSlot(g, sym), g.types.ptr);
    g.builder.CreateStore(cell, g.builder.CreateInBoundsGEP(g.types.ptr, slots, [g.i64(i + 1)]));
  });
  return clo;
}

/**
 * The code a closure block points to. A nested named function (frontend/check/nested.ts) is named
 * `tul_fn_<name>` in LLVM and DWARF (traces show its name); a nested async one is a spawn thunk that
 * starts a task running its body (closure block first in the task's arguments).
 */
function closureCode(g: Gen, e: Lambda, ft: Type & { k: "func" }, caps: VarSymbol[]): llvm.Function {
  const nested = e.nested;
  if (!nested && e.isAsync) return asyncLambdaCode(g, e, ft, caps);
  if (!nested) return emitLambda(g, e, ft, caps, `tul_lambda.${g.lambdaCount++}`, "<lambda>");
  const { decl, closure } = nested;
  const name = freshName(g, `tul_fn_${decl.name}`);
  if (!hasBaseCase(decl.body.body, (c) => c.callee.kind === "Ident" && c.callee.sym === closure)) g.noTailCalls.add(name);
  if (!decl.isAsync) return emitLambda(g, e, ft, caps, name, decl.name, (fn) => g.nestedCode.set(closure.id, fn));
  const inner = ft.result.k === "promise" ? ft.result.inner : ft.result;
  const body = emitLambda(g, e, { k: "func", params: ft.params, result: decl.neverReturns ? T.never : inner }, caps, name, decl.name);
  g.noInline.add(name); // keeps the body's frames in traces, as for top-level async functions
  const entry = buildTaskEntry(g, `tul_task_${decl.name}`, [ft, ...ft.params], inner, body);
  const thunk = buildSpawnThunk(g, `tul_fnval_${decl.name}`, ft, entry, true);
  g.nestedCode.set(closure.id, thunk);
  return thunk;
}

/** `async (...) => ...`: a spawn thunk starting a task that runs the lambda's body. */
function asyncLambdaCode(g: Gen, e: Lambda, ft: Type & { k: "func" }, caps: VarSymbol[]): llvm.Function {
  const inner = ft.result.k === "promise" ? ft.result.inner : ft.result;
  const n = g.lambdaCount++;
  const name = `tul_lambda.${n}`;
  const body = emitLambda(g, e, { k: "func", params: ft.params, result: inner }, caps, name, "<lambda>");
  g.noInline.add(name);
  const entry = buildTaskEntry(g, `tul_task_lambda.${n}`, [ft, ...ft.params], inner, body);
  return buildSpawnThunk(g, `tul_fnval_lambda.${n}`, ft, entry, true);
}

/** `base`, or `base.N` when the module already has a function of that name. */
function freshName(g: Gen, base: string): string {
  let name = base;
  for (let i = 2; g.mod.getFunction(name); i++) name = `${base}.${i}`;
  return name;
}

function emitLambda(g: Gen, e: Lambda, ft: Type & { k: "func" }, caps: VarSymbol[], name: string, diName: string, created?: (fn: llvm.Function) => void): llvm.Function {
  const fn = llvm.Function.Create(closureFnType(g, ft), llvm.Function.LinkageTypes.InternalLinkage, name, g.mod);
  created?.(fn);
  const saved = g.fnState;
  const savedBB = g.builder.GetInsertBlock();
  const line = e.span.file.position(e.span.start).line;
  const entry = llvm.BasicBlock.Create(g.ctx, "entry", fn);
  const allocas = new llvm.IRBuilder(g.ctx);
  allocas.SetInsertPoint(entry);
  const scope = g.di.subprogram(fn, diName, line, e.span.file.path);
  const result = ft.result;
  const state: FnState = { fn, result, allocas, locals: new Map(), volatile: !!e.hasTry, loops: [], cleanups: [], scope };
  g.fnState = state;
  const body = g.block("body");
  g.builder.SetInsertPoint(body);
  g.setDebugLoc(line, 1, scope);
  g.call("tul__stack_check", []);
  if (e.workerGuard) emitWorkerGuard(g, g.builder, fn, e.workerGuard);
  bindCaptures(g, fn, caps);
  e.params.forEach((p, i) => {
    if (!p.sym) throw new CodegenError(`lambda parameter ${p.name} has no symbol (checker contract)`);
    storeVar(g, p.sym, fn.getArg(i + 1));
  });
  lambdaBody(g, e, result);
  allocas.CreateBr(body);
  g.di.finishSubprogram(scope);
  g.fnState = saved;
  if (savedBB) g.builder.SetInsertPoint(savedBB);
  return fn;
}

/** Inside the lambda, each captured variable's slot is its cell, read from the closure block. */
function bindCaptures(g: Gen, fn: llvm.Function, caps: VarSymbol[]): void {
  const slots = g.current.allocas.CreateBitCast(fn.getArg(0), g.types.ptrPtr);
  caps.forEach((sym, i) => {
    const p = g.current.allocas.CreateInBoundsGEP(g.types.ptr, slots, [llvm.ConstantInt.get(g.types.i64, i + 1, true)]);
    const cell = g.current.allocas.CreateLoad(g.types.ptr, p);
    g.current.locals.set(sym.id, g.current.allocas.CreateBitCast(cell, memPtrType(g, sym.type)));
  });
}

function lambdaBody(g: Gen, e: Lambda, result: Type): void {
  const isVoid = llvmType(g, result) === g.types.void;
  if ("kind" in e.body && e.body.kind === "Block") {
    genBlock(g, e.body);
    if (isVoid && result.k !== "never") g.builder.CreateRetVoid();
    else g.builder.CreateUnreachable();
    return;
  }
  const v = genExpr(g, e.body as Expr);
  if (result.k === "never") g.builder.CreateUnreachable();
  else if (isVoid) g.builder.CreateRetVoid();
  else g.builder.CreateRet(v);
}

