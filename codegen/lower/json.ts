// json lowering: object literals, `j[i]` / `j["k"]` / `j.k` reads and writes, for-in over json and
// json operators (runtime core/json_ops.c). The json forms of the built-ins are registry rows.

import llvm from "llvm-bindings";
import type { ForIn, Index, Member, ObjectLit } from "../../frontend/ast.js";
import { T, type Type } from "../../frontend/types.js";
import { type Gen } from "./context.js";
import { genExpr, tyOf, type OrderOp } from "./expr.js";
import { countingLoop } from "./stmt.js";
import { strConst } from "./strings.js";
import { typeDesc } from "./types.js";
import { boxedInOrder } from "./literal_tables.js";
import { tempVar, scratchSlot } from "./vars.js";

const OP_CODE = { "+": 0, "-": 1, "*": 2, "/": 3, "%": 4 } as const;

// ---------------------------------------------------------------- literals and reads

/** `{ "k": v, ... }` as json: a new object, then one set per entry in order (values already boxed by
 *  the checker; runs of literal values from a table loop, literal_tables.ts). */
export function genJsonObjectLit(g: Gen, e: ObjectLit): llvm.Value {
  g.loc(e.span);
  const obj = g.call("tul_json_new_object", []);
  const set = (key: llvm.Value, v: llvm.Value): void => void g.call("tul_json_set", [obj, key, v]);
  const values = e.entries.map((en) => en.value);
  boxedInOrder(g, values, e.entries.map((en) => en.key), (i) => set(strConst(g, e.entries[i].key), genExpr(g, values[i])), (boxed, _i, key) => set(key, boxed));
  return obj;
}

/** `j[k]` for an already evaluated json object and key of type int, str or json. */
export function jsonIndexValue(g: Gen, obj: llvm.Value, key: llvm.Value, keyType: Type): llvm.Value {
  if (keyType.k === "int") return g.call("tul_json_at", [obj, key]);
  if (keyType.k === "str") return g.call("tul_json_get", [obj, key]);
  return g.call("tul_json_index", [obj, key]);
}

/** `j.k` is `j["k"]` (`obj`: the lowered `j`). */
export function jsonMemberOf(g: Gen, e: Member, obj: llvm.Value): llvm.Value {
  g.loc(e.span);
  return g.call("tul_json_get", [obj, strConst(g, e.name)]);
}

// ---------------------------------------------------------------- writes

/** An assignable json element or key: object and key evaluated once. Reading it (for `j[k] += v` and
 *  `j.k++`) throws KeyError when an object lacks a str key, instead of reading null. */
export function jsonPlace(g: Gen, target: Index | Member): { type: Type; load(): llvm.Value; store(v: llvm.Value): void } {
  const obj = genExpr(g, target.object);
  let key: llvm.Value, kt: Type;
  if (target.kind === "Member") {
    key = strConst(g, target.name);
    kt = T.str;
  } else {
    kt = tyOf(target.index);
    key = genExpr(g, target.index);
  }
  g.loc(target.span);
  const setter = kt.k === "int" ? "tul_json_set_at" : kt.k === "str" ? "tul_json_set" : "tul_json_set_index";
  return {
    type: T.json,
    load: () => (kt.k === "str" ? g.call("tul_json_get_existing", [obj, key]) : jsonIndexValue(g, obj, key, kt)),
    store: (v) => {
      g.loc(target.span);
      g.call(setter, [obj, key, v]);
    },
  };
}

// ---------------------------------------------------------------- operators

export function jsonArith(g: Gen, op: keyof typeof OP_CODE, a: llvm.Value, b: llvm.Value): llvm.Value {
  return g.call("tul_json_arith", [g.i64(OP_CODE[op]), a, b]);
}

export function jsonNeg(g: Gen, v: llvm.Value): llvm.Value {
  return g.call("tul_json_neg", [v]);
}

/** json 1, for `j++` / `j--`. */
export function jsonOne(g: Gen): llvm.Value {
  return g.call("tul_json_box", [scratchSlot(g, T.int, g.i64(1)), typeDesc(g, T.int)]);
}

/** `<`, `<=`, `>`, `>=` through tul_json_cmp (-1, 0, 1; 2 when unordered, which is never true). */
export function jsonOrder(g: Gen, op: OrderOp, a: llvm.Value, b: llvm.Value): llvm.Value {
  const c = g.call("tul_json_cmp", [a, b]);
  const is = (v: number) => g.builder.CreateICmpEQ(c, g.i64(v));
  switch (op) {
    case "<": return is(-1);
    case ">": return is(1);
    case "<=": return g.builder.CreateOr(is(-1), is(0));
    default: return g.builder.CreateOr(is(1), is(0));
  }
}

// ---------------------------------------------------------------- for-in

/** `for (x in j)`: array elements, object keys or str code points; the length is re-read each time. */
export function forJson(g: Gen, s: ForIn, j: llvm.Value): void {
  const jv = tempVar(g, T.json, "jit");
  jv.store(j);
  countingLoop(
    g, s, g.i64(0),
    (i) => g.builder.CreateICmpSLT(i, g.call("tul_json_len", [jv.load()])),
    (i) => g.call("tul_json_iter_at", [jv.load(), i]),
  );
}
