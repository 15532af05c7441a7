// New struct instances (docs/reference.md §19.11): each field holds its default, else its zero value
// ("" for str, an empty array or map; 0, false or null need no store). The stores form one init
// function per struct, `tul.init.<Name>`, called after the allocation and named in the struct's type
// descriptor, so converting json to the struct starts from the same defaults (json.c).

import llvm from "llvm-bindings";
import type { StructDecl } from "../../frontend/ast.js";
import type { Type } from "../../frontend/types.js";
import type { FnState, Gen } from "./context.js";
import { fieldPtr, genExpr, zeroValue } from "./expr.js";
import { structFieldTypes } from "./types.js";
import { storeSlot } from "./vars.js";

type StructType = Type & { k: "struct" };

/** A new instance of t with its defaults. */
export function newStruct(g: Gen, t: StructType): llvm.Value {
  const n = Math.max(1, t.decl.fields.length);
  const obj = g.call("tul_alloc", [g.i64(n * 8)]);
  const init = structInit(g, t);
  if (init) g.builder.CreateCall(init, [obj]);
  return obj;
}

/**
 * The init function of t (declared here, defined by `defineStructInits` once the module's functions
 * are done), or null when every field starts as zero bits.
 */
export function structInit(g: Gen, t: StructType): llvm.Function | null {
  const types = structFieldTypes(t);
  if (!t.decl.fields.some((f, i) => f.default || needsStore(types[i]))) return null;
  let fn = g.structInits.get(t.decl);
  if (!fn) {
    const fty = llvm.FunctionType.get(g.types.void, [g.types.ptr], false);
    fn = llvm.Function.Create(fty, llvm.Function.LinkageTypes.InternalLinkage, `tul.init.${t.name}`, g.mod);
    g.structInits.set(t.decl, fn);
    g.pendingInits.push(t);
  }
  return fn;
}

const needsStore = (t: Type): boolean => t.k === "str" || t.k === "array" || t.k === "map";

/** Defines the bodies of the init functions used (a body may use further structs: until none is left). */
export function defineStructInits(g: Gen): void {
  for (let t = g.pendingInits.shift(); t; t = g.pendingInits.shift()) defineInit(g, t, g.structInits.get(t.decl)!);
}

function defineInit(g: Gen, t: StructType, fn: llvm.Function): void {
  const line = t.decl.span.file.position(t.decl.span.start).line;
  const entry = llvm.BasicBlock.Create(g.ctx, "entry", fn);
  const allocas = new llvm.IRBuilder(g.ctx);
  allocas.SetInsertPoint(entry);
  const scope = g.di.subprogram(fn, `${t.name}.init`, line, t.decl.span.file.path);
  const state: FnState = { fn, result: { k: "void" }, allocas, locals: new Map(), volatile: false, loops: [], cleanups: [], scope };
  const saved = g.fnState;
  g.fnState = state;
  const body = g.block("body");
  g.builder.SetInsertPoint(body);
  g.setDebugLoc(line, 1, scope);
  storeFields(g, t.decl, structFieldTypes(t), fn.getArg(0));
  g.builder.CreateRetVoid();
  allocas.CreateBr(body);
  g.di.finishSubprogram(scope);
  g.fnState = saved;
}

function storeFields(g: Gen, d: StructDecl, types: Type[], obj: llvm.Value): void {
  d.fields.forEach((f, i) => {
    const ft = types[i];
    if (f.default) {
      g.loc(f.default.span);
      storeSlot(g, fieldPtr(g, obj, i, ft), ft, genExpr(g, f.default));
    } else if (needsStore(ft)) storeSlot(g, fieldPtr(g, obj, i, ft), ft, zeroValue(g, ft));
  });
}
