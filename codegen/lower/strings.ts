// String literal constants: private globals with the tul_str layout {i64 len, i64 cplen, [n+1 x i8]},
// deduplicated by content, plus plain NUL-terminated C strings for descriptors and messages.

import llvm from "llvm-bindings";
import type { Gen } from "./context.js";

function byteArray(g: Gen, bytes: Uint8Array): llvm.Constant {
  const arrTy = llvm.ArrayType.get(g.types.i8, bytes.length + 1);
  const elems: llvm.Constant[] = [];
  for (const b of bytes) elems.push(llvm.ConstantInt.get(g.types.i8, b, false));
  elems.push(llvm.ConstantInt.get(g.types.i8, 0, false));
  return llvm.ConstantArray.get(arrTy, elems);
}

/** A Tulpar string constant (a `tul_str *` as i8*). */
export function strConst(g: Gen, s: string): llvm.Constant {
  const cached = g.strings.get(s);
  if (cached) return cached;
  const bytes = new TextEncoder().encode(s);
  const data = byteArray(g, bytes);
  const ty = llvm.StructType.get(g.ctx, [g.types.i64, g.types.i64, data.getType()]);
  const init = llvm.ConstantStruct.get(ty, [
    llvm.ConstantInt.get(g.types.i64, bytes.length, true),
    llvm.ConstantInt.get(g.types.i64, [...s].length, true),
    data,
  ]);
  const gv = new llvm.GlobalVariable(g.mod, ty, true, llvm.GlobalValue.LinkageTypes.PrivateLinkage, init, `tul.str.${g.nextId()}`);
  const ptr = llvm.ConstantExpr.getBitCast(gv, g.types.ptr);
  g.strings.set(s, ptr);
  return ptr;
}

/** A NUL-terminated C string constant as i8*. */
export function cString(g: Gen, s: string): llvm.Constant {
  const cache = g.cStrings;
  const hit = cache.get(s);
  if (hit) return hit;
  const data = byteArray(g, new TextEncoder().encode(s));
  const gv = new llvm.GlobalVariable(g.mod, data.getType(), true, llvm.GlobalValue.LinkageTypes.PrivateLinkage, data, `tul.cstr.${g.nextId()}`);
  const ptr = llvm.ConstantExpr.getBitCast(gv, g.types.ptr);
  cache.set(s, ptr);
  return ptr;
}
