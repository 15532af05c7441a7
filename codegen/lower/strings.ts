// String literal constants: private globals with the tul_str layout {i64 len, i64 cplen, [n+1 x i8]},
// deduplicated by content, plus plain NUL-terminated C strings for descriptors and messages.

import llvm from "llvm-bindings";
import type { Gen } from "./context.js";

/** The UTF-8 bytes of `s` and a NUL as an LLVM constant, built by LLVM from the whole string at once
 *  (a constant per byte made a 10 MB literal take minutes). Node's UTF-8 conversion, like
 *  TextEncoder, turns a lone surrogate into U+FFFD. */
function byteArray(g: Gen, s: string): llvm.Constant {
  return llvm.ConstantDataArray.getString(g.ctx, s, true);
}

/** A Tulpar string constant (a `tul_str *` as i8*). */
export function strConst(g: Gen, s: string): llvm.Constant {
  const cached = g.strings.get(s);
  if (cached) return cached;
  const data = byteArray(g, s);
  const ty = llvm.StructType.get(g.ctx, [g.types.i64, g.types.i64, data.getType()]);
  const init = llvm.ConstantStruct.get(ty, [
    g.i64(Buffer.byteLength(s, "utf8")) as llvm.Constant,
    g.i64(codePoints(s)) as llvm.Constant,
    data,
  ]);
  const gv = g.constGlobal("str", init);
  const ptr = llvm.ConstantExpr.getBitCast(gv, g.types.ptr);
  g.strings.set(s, ptr);
  return ptr;
}

/** A NUL-terminated C string constant as i8*. */
export function cString(g: Gen, s: string): llvm.Constant {
  const cache = g.cStrings;
  const hit = cache.get(s);
  if (hit) return hit;
  const data = byteArray(g, s);
  const gv = g.constGlobal("cstr", data);
  const ptr = llvm.ConstantExpr.getBitCast(gv, g.types.ptr);
  cache.set(s, ptr);
  return ptr;
}

/** The number of code points in `s` (a lone surrogate counts as one, as it becomes U+FFFD). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i + 1 < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n--;
        i++;
      }
    }
  }
  return n;
}
