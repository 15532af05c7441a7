// Variable storage: entry-block allocas for locals (volatile accesses in functions containing try),
// LLVM globals for top-level variables, and typed temporary slots for runtime calls.

import llvm from "llvm-bindings";
import type { VarSymbol } from "../../frontend/ast.js";
import { typeToString, type Type } from "../../frontend/types.js";
import { CodegenError, type Gen } from "./context.js";
import { fromMem, memPtrType, memType, toMem } from "./types.js";
import { volatileName, type VolatileType } from "./prelude.js";
import { cellSlot } from "./closures.js";

/** The memory slot of a variable (creating the global or entry-block alloca on first use). */
export function varSlot(g: Gen, sym: VarSymbol): llvm.Value {
  return sym.isGlobal ? globalSlot(g, sym) : localSlot(g, sym);
}

function globalSlot(g: Gen, sym: VarSymbol): llvm.Value {
  const hit = g.globals.get(sym.id);
  if (hit) return hit;
  const ty = memType(g, sym.type);
  // a str global holds "" until its declaration runs (a function may read it before: docs/decisions.md)
  const init = sym.type.k === "str" ? g.runtimeGlobal("tul_empty_str") : llvm.Constant.getNullValue(ty);
  const gv = new llvm.GlobalVariable(g.mod, ty, false, globalLinkage(g), init, `tulg.${sym.name}.${sym.id}`);
  g.globals.set(sym.id, gv);
  return gv;
}

/** Linkage of globals: external when the program has a try (so setjmp returns reload them). */
function globalLinkage(g: Gen): number {
  return g.externalGlobals ? llvm.GlobalValue.LinkageTypes.ExternalLinkage : llvm.GlobalValue.LinkageTypes.InternalLinkage;
}

function localSlot(g: Gen, sym: VarSymbol): llvm.Value {
  const hit = g.current.locals.get(sym.id);
  if (hit) return hit;
  if (sym.captured) return cellSlot(g, sym);
  const slot = g.alloca(memType(g, sym.type), sym.name);
  g.current.locals.set(sym.id, slot);
  if (g.debugVars) describeVar(g, sym, slot);
  return slot;
}

/** -g: a DILocalVariable for the slot, at the declaration's line. */
function describeVar(g: Gen, sym: VarSymbol, slot: llvm.Value): void {
  const span = (sym.decl as { span?: import("../../frontend/source.js").Span }).span;
  const line = span ? span.file.position(span.start).line : 0;
  const argNo = sym.isParam ? (sym.paramIndex ?? 0) + 1 : 0;
  const entry = g.current.allocas.GetInsertBlock();
  if (entry) g.di.declareVar(g.ctx, g.current.scope, slot, sym.name, argNo, line, sym.type, entry);
}

function volatileKind(g: Gen, t: Type): VolatileType {
  const m = memType(g, t);
  if (m === g.types.i8 || t.k === "bool") return "i8";
  if (t.k === "int") return "i64";
  if (t.k === "float") return "double";
  return "i8*";
}

function isVolatile(g: Gen, sym: VarSymbol): boolean {
  return !sym.isGlobal && g.fnState !== null && g.current.volatile;
}

/**
 * Gives a captured variable a new cell (docs/reference.md §19.12): called where a loop binds its
 * variable for an iteration, and at the start of a block inside a loop for the captured variables
 * the block declares, so a closure created in an iteration keeps that iteration's variable.
 * Variables no closure captures live in one slot and pay nothing.
 */
export function freshLoopVar(g: Gen, sym: VarSymbol): void {
  if (!sym.captured) return;
  const cell = g.call("tul_alloc", [g.i64(8)]);
  g.current.locals.set(sym.id, g.builder.CreateBitCast(cell, memPtrType(g, sym.type)));
}

/** Loads a variable in register form. */
export function loadVar(g: Gen, sym: VarSymbol): llvm.Value {
  requireOwnLocal(g, sym);
  disown(g, sym);
  return loadSlot(g, varSlot(g, sym), sym.type, isVolatile(g, sym));
}

/**
 * Code is generated in source order, so a local read (or assigned) before this function declared it
 * belongs to an enclosing function: a closure capture, which codegen does not support yet.
 */
export function requireOwnLocal(g: Gen, sym: VarSymbol): void {
  if (sym.isGlobal || g.current.locals.has(sym.id)) return;
  throw new CodegenError(`closures are not supported yet (a nested function or lambda uses '${sym.name}' of its enclosing function)`);
}

/** Stores a register-form value into a variable. */
export function storeVar(g: Gen, sym: VarSymbol, v: llvm.Value): void {
  disown(g, sym);
  storeSlot(g, varSlot(g, sym), sym.type, v, isVolatile(g, sym));
}

export function loadSlot(g: Gen, slot: llvm.Value, t: Type, vol = false): llvm.Value {
  const raw = vol ? g.call(volatileName("load", volatileKind(g, t)), [slot]) : g.builder.CreateLoad(memType(g, t), slot);
  return fromMem(g, t, raw);
}

export function storeSlot(g: Gen, slot: llvm.Value, t: Type, v: llvm.Value, vol = false): void {
  const m = toMem(g, t, v);
  if (vol) g.call(volatileName("store", volatileKind(g, t)), [m, slot]);
  else g.builder.CreateStore(m, slot);
}

/** A compiler-made local: an entry-block slot with typed load and store. */
export interface TempVar { load(): llvm.Value; store(v: llvm.Value): void }

/** A temporary local slot of variable-like storage for a compiler-made value (loop indexes etc.). */
export function tempVar(g: Gen, t: Type, name: string): TempVar {
  const slot = g.alloca(memType(g, t), name);
  const vol = g.current.volatile;
  return { load: () => loadSlot(g, slot, t, vol), store: (v) => storeSlot(g, slot, t, v, vol) };
}

/** Stores `v` into a fresh entry-block slot and returns it as i8* (for runtime calls taking a slot). */
export function valueSlot(g: Gen, t: Type, v: llvm.Value): llvm.Value {
  const slot = g.alloca(memType(g, t), "slot");
  g.builder.CreateStore(toMem(g, t, v), slot);
  return g.builder.CreateBitCast(slot, g.types.ptr);
}

/**
 * `v` in a slot for a runtime call that reads it before returning and keeps no pointer to it (boxing
 * to json, string forms, formatting): one alloca per function and type, reused by every such call. An
 * alloca per use gave a 20,000-key json literal 20,000 stack slots, and clang's register allocator
 * went quadratic on them.
 */
export function scratchSlot(g: Gen, t: Type, v: llvm.Value): llvm.Value {
  const state = g.current;
  const key = typeToString(t);
  let slot = (state.scratch ??= new Map()).get(key);
  if (!slot) state.scratch.set(key, (slot = g.alloca(memType(g, t), "scratch")));
  g.builder.CreateStore(toMem(g, t, v), slot);
  return g.builder.CreateBitCast(slot, g.types.ptr);
}

/** An empty slot for a runtime call to fill: returns [i8* for the call, reader in register form]. */
export function outSlot(g: Gen, t: Type): [llvm.Value, () => llvm.Value] {
  const slot = g.alloca(memType(g, t), "out");
  return [g.builder.CreateBitCast(slot, g.types.ptr), () => fromMem(g, t, g.builder.CreateLoad(memType(g, t), slot))];
}

// ---------------------------------------------------------------- in-place string appends

/**
 * A str variable whose appends (`s += x`, `s = s + x`) may grow its string in place: a global, or a
 * local not captured by a closure and not in a function with `try` (a longjmp could restore a stale
 * register copy of its flag). Its
 * "owned" flag says the variable holds the only reference to its current string: set by an append,
 * cleared by every other read or store of the variable (anything that could copy the reference).
 */
export function appendable(g: Gen, sym: VarSymbol): boolean {
  if (sym.type.k !== "str" || sym.captured) return false;
  return sym.isGlobal || (g.fnState !== null && !g.current.volatile);
}

/** The variable's owned flag: an i8 alloca, 0 at function entry (a zeroed i8 global for globals). */
export function ownedFlag(g: Gen, sym: VarSymbol): llvm.Value {
  if (sym.isGlobal) {
    const flags = g.globalOwnedFlags;
    let gv = flags.get(sym.id);
    if (!gv) {
      gv = new llvm.GlobalVariable(g.mod, g.types.i8, false, globalLinkage(g), llvm.ConstantInt.get(g.types.i8, 0, false), `tulg.${sym.name}.${sym.id}.owned`);
      flags.set(sym.id, gv);
    }
    return gv;
  }
  const map = (g.current.owned ??= new Map());
  let flag = map.get(sym.id);
  if (!flag) {
    flag = g.alloca(g.types.i8, `${sym.name}.owned`);
    g.current.allocas.CreateStore(g.i8(0), flag);
    map.set(sym.id, flag);
  }
  return flag;
}

function disown(g: Gen, sym: VarSymbol): void {
  if (appendable(g, sym)) g.builder.CreateStore(g.i8(0), ownedFlag(g, sym));
}
