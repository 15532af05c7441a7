// Typed maps `map<K, V>` (docs/reference.md §19.10) lowered onto the runtime table (runtime-c/src/core/
// map.c): lookups return a pointer to the value's 8-byte slot, which is read or written in place;
// K picks the _int or _str family. Literals, m[k] reads and writes, get/has, for-in over the keys.

import llvm from "llvm-bindings";
import type { Call, ForIn, Index, ObjectLit } from "../../frontend/ast.js";
import { T, type Type } from "../../frontend/types.js";
import { CodegenError, type Gen } from "./context.js";
import { genExpr, tyOf } from "./expr.js";
import { countingLoop } from "./stmt.js";
import { strConst } from "./strings.js";
import { memPtrType, typeDesc } from "./types.js";
import { loadSlot, storeSlot, tempVar } from "./vars.js";

export type MapType = Type & { k: "map" };

/** The runtime's code for K (TUL_K_INT or TUL_K_STR), also the descriptor's nfields. */
export const mapKeyKind = (t: MapType): number => (t.key.k === "int" ? 0 : 3);
const family = (t: MapType): "int" | "str" => (t.key.k === "int" ? "int" : "str");

export function asMap(t: Type): MapType {
  if (t.k !== "map") throw new CodegenError(`expected a map type, found ${t.k} (checker contract)`);
  return t;
}

/** An empty map of type t. */
export function newMap(g: Gen, t: MapType): llvm.Value {
  return g.call("tul_map_new", [g.i64(mapKeyKind(t)), typeDesc(g, t.value)]);
}

/** A typed pointer to a value slot returned by the runtime (i8*). */
function slotPtr(g: Gen, t: MapType, raw: llvm.Value): llvm.Value {
  return g.builder.CreateBitCast(raw, memPtrType(g, t.value));
}

/** The slot of key k, which must exist (m[k]: KeyError otherwise). */
export function mapAt(g: Gen, t: MapType, m: llvm.Value, k: llvm.Value): llvm.Value {
  return slotPtr(g, t, g.call(`tul_map_at_${family(t)}`, [m, k]));
}

/** The slot of key k, added (holding V's zero value) when missing: m[k] = v. */
export function mapPut(g: Gen, t: MapType, m: llvm.Value, k: llvm.Value): llvm.Value {
  return slotPtr(g, t, g.call(`tul_map_put_${family(t)}`, [m, k]));
}

/** `{k: v, ...}` where a map is expected: a new map, then one put per entry. */
export function genMapLit(g: Gen, e: ObjectLit): llvm.Value {
  const t = asMap(tyOf(e));
  g.loc(e.span);
  const m = newMap(g, t);
  for (const entry of e.entries) {
    const key = t.key.k === "int" ? g.i64(entry.intKey ?? 0n) : strConst(g, entry.key);
    const v = genExpr(g, entry.value);
    storeSlot(g, mapPut(g, t, m, key), t.value, v);
  }
  return m;
}

/** `m[k]` as a value. */
export function genMapIndex(g: Gen, e: Index, m: llvm.Value, k: llvm.Value): llvm.Value {
  const t = asMap(tyOf(e.object));
  g.loc(e.span);
  return loadSlot(g, mapAt(g, t, m, k), t.value);
}

/**
 * `m[k]` as an assignment target: reading it needs the key (KeyError), writing adds or replaces.
 * The slot is looked up again for the write: evaluating the value may have added keys (moving slots).
 */
export function mapPlace(g: Gen, target: Index): { type: Type; load(): llvm.Value; store(v: llvm.Value): void } {
  const t = asMap(tyOf(target.object));
  const m = genExpr(g, target.object);
  const k = genExpr(g, target.index);
  return {
    type: t.value,
    load: () => {
      g.loc(target.span);
      return loadSlot(g, mapAt(g, t, m, k), t.value);
    },
    store: (v) => {
      g.loc(target.span);
      storeSlot(g, mapPut(g, t, m, k), t.value, v);
    },
  };
}

/** get(m, k, default): the value when k is there, else the default (evaluated either way). */
export function mapGet(g: Gen, e: Call): llvm.Value {
  const t = asMap(tyOf(e.args[0]));
  const m = genExpr(g, e.args[0]), k = genExpr(g, e.args[1]), dflt = genExpr(g, e.args[2]);
  g.loc(e.span);
  const raw = g.call(`tul_map_find_${family(t)}`, [m, k]);
  const found = g.block("get.found"), end = g.block("get.end");
  const from = g.builder.GetInsertBlock()!;
  g.builder.CreateCondBr(g.builder.CreateICmpEQ(raw, g.nullPtr()), end, found);
  g.at(found);
  const v = loadSlot(g, slotPtr(g, t, raw), t.value);
  const fromFound = g.builder.GetInsertBlock()!;
  g.br(end);
  g.at(end);
  const phi = g.builder.CreatePHI(v.getType(), 2);
  phi.addIncoming(dflt, from);
  phi.addIncoming(v, fromFound);
  return phi;
}

/** has(m, k). */
export function mapHas(g: Gen, e: Call): llvm.Value {
  const t = asMap(tyOf(e.args[0]));
  const m = genExpr(g, e.args[0]), k = genExpr(g, e.args[1]);
  g.loc(e.span);
  return g.builder.CreateICmpNE(g.call(`tul_map_find_${family(t)}`, [m, k]), g.nullPtr());
}

/** get(j, k, default) on a json object: j[k] when the object has k (even a null), else the default. */
export function jsonGet(g: Gen, e: Call): llvm.Value {
  const j = genExpr(g, e.args[0]), k = genExpr(g, e.args[1]), dflt = genExpr(g, e.args[2]);
  g.loc(e.span);
  const has = g.call("tul_json_has", [j, k]);
  return g.builder.CreateSelect(has, g.call("tul_json_get", [j, k]), dflt);
}

/**
 * `for (k in m)`: the keys in insertion order (map.c's iteration protocol: deleting during the loop
 * is fine, adding a key makes the next step throw).
 */
export function forMap(g: Gen, s: ForIn, mv: llvm.Value): void {
  const t = asMap(tyOf(s.iterable));
  const m = tempVar(g, T.json, "map"); // any pointer-typed slot
  m.store(mv);
  const version = tempVar(g, T.int, "version");
  version.store(g.call("tul_map_version", [mv]));
  countingLoop(
    g, s, g.i64(0),
    (i, idx) => {
      const p = g.call("tul_map_next", [m.load(), i, version.load()]);
      idx.store(p);
      return g.builder.CreateICmpSGE(p, g.i64(0));
    },
    (i) => g.call(`tul_map_key_${family(t)}_at`, [m.load(), i]),
  );
}
