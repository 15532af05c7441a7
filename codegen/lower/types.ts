// Tulpar types -> LLVM types (register and memory forms) and run-time `tul_type` descriptor constants,
// deduplicated by type string.

import llvm from "llvm-bindings";
import { typeToString, type Type } from "../../frontend/types.js";
import type { StructDecl } from "../../frontend/ast.js";
import { assertNever } from "../../common/assert.js";
import { CodegenError, type Gen } from "./context.js";
import { cString } from "./strings.js";
import { structInit } from "./structs.js";

const KIND = { int: 0, float: 1, bool: 2, str: 3, json: 4, array: 5, struct: 6, func: 7, promise: 8, void: 9, channel: 10, map: 11 } as const;

/** The register form: i64, double, i1, void, or i8* for every reference. */
export function llvmType(g: Gen, t: Type): llvm.Type {
  switch (t.k) {
    case "int":
      return g.types.i64;
    case "float":
      return g.types.f64;
    case "bool":
      return g.types.i1;
    case "void":
    case "never":
      return g.types.void;
    default:
      return g.types.ptr;
  }
}

/** The memory form (array slots, struct fields, globals, locals): bool is one byte. */
export function memType(g: Gen, t: Type): llvm.Type {
  return t.k === "bool" ? g.types.i8 : llvmType(g, t);
}

/** Converts a register value to its memory form. */
export function toMem(g: Gen, t: Type, v: llvm.Value): llvm.Value {
  return t.k === "bool" ? g.builder.CreateZExt(v, g.types.i8) : v;
}

/** Converts a memory value to its register form. */
export function fromMem(g: Gen, t: Type, v: llvm.Value): llvm.Value {
  return t.k === "bool" ? g.builder.CreateICmpNE(v, g.i8(0)) : v;
}

/** Size of a value in an array slot or struct field. */
export function slotSize(t: Type): number {
  return t.k === "bool" ? 1 : 8;
}

/** A typed pointer to the memory form of `t`. */
export function memPtrType(g: Gen, t: Type): llvm.PointerType {
  return g.ptrTo(memType(g, t));
}

/** `const tul_type *` for a static type, as an i8* constant. */
export function typeDesc(g: Gen, t: Type): llvm.Constant {
  // A descriptor's initializer only points at other descriptors: declare each one first, fill the
  // initializers in from a work list (no recursion on type nesting: a chain of 5,000 structs).
  const pending: Pending[] = [];
  const desc = declareDesc(g, t, pending);
  for (let p = pending.pop(); p; p = pending.pop()) p.gv.setInitializer(descInit(g, p.t, pending));
  return desc;
}

interface Pending {
  gv: llvm.GlobalVariable;
  t: Type;
}

/** The descriptor of `t`: a runtime one, a cached one, or a new global whose initializer is pending. */
function declareDesc(g: Gen, t: Type, pending: Pending[]): llvm.Constant {
  switch (t.k) {
    case "int":
    case "float":
    case "bool":
    case "str":
    case "json":
      return g.runtimeGlobal(`tul_type_${t.k}`);
  }
  const key = t.k === "struct" ? `struct ${t.name}#${structId(g, t.decl)}` : typeToString(t);
  const cached = g.typeDescs.get(key);
  if (cached) return cached;
  const gv = new llvm.GlobalVariable(g.mod, g.types.typeDesc, true, llvm.GlobalValue.LinkageTypes.PrivateLinkage, null, `tul.type.${g.nextId()}`);
  const ptr = llvm.ConstantExpr.getBitCast(gv, g.types.ptr);
  g.typeDescs.set(key, ptr); // before the initializer: structs may refer to themselves
  pending.push({ gv, t });
  return ptr;
}

function structId(g: Gen, d: StructDecl): number {
  let id = g.structIds.get(d);
  if (id === undefined) g.structIds.set(d, (id = g.structIds.size));
  return id;
}

function descStruct(
  g: Gen, kind: number, size: number, elem: llvm.Constant, name: llvm.Constant, n: number, fields: llvm.Constant,
  init: llvm.Constant = g.nullPtr(),
): llvm.Constant {
  const i64 = (v: number) => llvm.ConstantInt.get(g.types.i64, v, true);
  return llvm.ConstantStruct.get(g.types.typeDesc, [i64(kind), i64(size), elem, name, i64(n), fields, init]);
}

/** The struct's init function as the descriptor's `init` (null when it has none). */
function structInitPtr(g: Gen, t: Type & { k: "struct" }): llvm.Constant {
  const fn = structInit(g, t);
  return fn ? llvm.ConstantExpr.getBitCast(fn, g.types.ptr) : g.nullPtr();
}

function descInit(g: Gen, t: Type, pending: Pending[]): llvm.Constant {
  const nul = g.nullPtr();
  switch (t.k) {
    case "array":
      return descStruct(g, KIND.array, 8, declareDesc(g, t.elem, pending), nul, 0, nul);
    case "promise":
      return descStruct(g, KIND.promise, 8, isVoidLike(t.inner) ? nul : declareDesc(g, t.inner, pending), nul, 0, nul);
    case "map": // elem: the value type; nfields: the key's kind (TUL_K_INT or TUL_K_STR)
      return descStruct(g, KIND.map, 8, declareDesc(g, t.value, pending), nul, t.key.k === "int" ? KIND.int : KIND.str, nul);
    case "channel":
      return descStruct(g, KIND.channel, 8, declareDesc(g, t.elem, pending), nul, 0, nul);
    case "func":
      return descStruct(g, KIND.func, 8, nul, cString(g, typeToString(t)), 0, nul);
    case "struct":
      return descStruct(g, KIND.struct, 8, nul, cString(g, t.name), t.decl.fields.length, fieldTable(g, t, pending), structInitPtr(g, t));
    case "void":
    case "never":
      return descStruct(g, KIND.void, 0, nul, nul, 0, nul);
    case "int":
    case "float":
    case "bool":
    case "str":
    case "json":
      throw new CodegenError(`${t.k} has the runtime's own descriptor (typeDesc)`);
    default:
      return assertNever(t, "type");
  }
}

export function isVoidLike(t: Type): boolean {
  return t.k === "void" || t.k === "never";
}

/** The field types of a struct, resolved by the checker's struct type (see structFieldTypes). */
function fieldTable(g: Gen, t: Type & { k: "struct" }, pending: Pending[]): llvm.Constant {
  const fieldTy = llvm.StructType.get(g.ctx, [g.types.ptr, g.types.ptr, g.types.i64]);
  const types = structFieldTypes(t);
  const entries = t.decl.fields.map((f, i) =>
    llvm.ConstantStruct.get(fieldTy, [cString(g, f.name), declareDesc(g, types[i], pending), llvm.ConstantInt.get(g.types.i64, i * 8, true)]),
  );
  const arrTy = llvm.ArrayType.get(fieldTy, entries.length);
  const gv = g.constGlobal("fields", llvm.ConstantArray.get(arrTy, entries));
  return llvm.ConstantExpr.getBitCast(gv, g.types.ptr);
}

/** Field types of a struct, as the checker resolved them (StructDecl.fieldTypes). */
export function structFieldTypes(t: Type & { k: "struct" }): Type[] {
  if (!t.decl.fieldTypes) throw new CodegenError(`struct ${t.name} has no field types (checker contract)`);
  return t.decl.fieldTypes;
}

/** The runtime's kind numbers by Tulpar type kind (enum tul_kind in tulrt.h; tests/unit/kinds.test.ts). */
export function runtimeKinds(): Readonly<Record<string, number>> {
  return KIND;
}
