// `spawn f(args)` (docs/reference.md §16): the call must name a top-level plain function whose
// parameters and result can be copied to another thread; the expression is promise<result>. What
// the function may do on the worker is checked once every body is typed (check/isolation.ts).

import { assertNever } from "../../common/assert.js";
import type { Call, Spawn, StructDecl, VarDecl, VarSymbol } from "../ast.js";
import { T, type Type } from "../types.js";
import type { Checker } from "./context.js";
import { D } from "../messages.js";
import { show } from "./conversions.js";
import { checkCall } from "./calls.js";
import { checkExpr } from "./expressions.js";

export function checkSpawn(cx: Checker, e: Spawn): Type {
  if (e.call.kind !== "Call") {
    checkExpr(cx, e.call); // the parser reported it
    return T.promise(T.json);
  }
  const call = e.call;
  const result = checkCall(cx, call);
  call.ty = result;
  if (!spawnable(cx, call)) return T.promise(result);
  cx.spawns.push(e);
  return T.promise(result);
}

/** Whether the call names a function spawn can run; reports why not. */
function spawnable(cx: Checker, call: Call): boolean {
  const target = call.target;
  const name = call.callee.kind === "Ident" ? call.callee.name : "this";
  if (!target) return false; // the call itself had errors
  if (target.kind === "builtin") {
    cx.error(D.spawnBuiltin({ name }), call.callee.span);
    return false;
  }
  if (target.kind === "value") {
    const why = isNestedFunction(call) ? `'${name}' is a nested function, which shares its block's variables`
      : "a function value cannot be checked for what it does on the worker";
    cx.error(D.spawnNotTopLevel({ why }), call.callee.span);
    return false;
  }
  const decl = target.sym.decl;
  if (decl.isAsync) {
    cx.error(D.spawnAsync({ name }), call.callee.span);
    return false;
  }
  if (!copyableSignature(cx, call, target.sym.type)) return false;
  decl.spawned = true; // codegen keeps it out of line: its entry thunk has no debug info (traces)
  return true;
}

function isNestedFunction(call: Call): boolean {
  const sym = call.callee.kind === "Ident" ? call.callee.sym : undefined;
  if (sym?.kind !== "var") return false;
  const init = ((sym as VarSymbol).decl as VarDecl).init;
  return init?.kind === "Lambda" && !!init.nested;
}

/** Arguments and the result cross threads by deep copy: no function values or promises in them. */
function copyableSignature(cx: Checker, call: Call, ft: Type & { k: "func" }): boolean {
  const name = call.callee.kind === "Ident" ? call.callee.name : "the function";
  for (let i = 0; i < ft.params.length; i++) {
    const why = notCopyable(cx, ft.params[i]);
    if (!why) continue;
    const at = call.args[i]?.span ?? call.span;
    cx.error(D.spawnArgCopy({ index: i + 1, name, type: show(ft.params[i]), why }), at);
    return false;
  }
  const why = notCopyable(cx, ft.result);
  if (why) {
    cx.error(D.spawnResultCopy({ name, type: show(ft.result), why }), call.callee.span);
    return false;
  }
  return true;
}

/** Why a value of type t cannot be deep-copied to another thread, or null when it can. */
export function notCopyable(cx: Checker, t: Type, seen = new Set<StructDecl>()): string | null {
  switch (t.k) {
    case "func":
      return "it holds a function value, which belongs to its thread";
    case "promise":
      return "it holds a promise, which belongs to the event loop";
    case "array":
      return notCopyable(cx, t.elem, seen);
    case "struct": {
      if (seen.has(t.decl)) return null;
      seen.add(t.decl);
      for (const [field, ft] of cx.structFields.get(t.decl) ?? []) {
        const why = notCopyable(cx, ft, seen);
        if (why) return `${why} (field '${field}' of ${t.name})`;
      }
      return null;
    }
    case "map": // keys are str or int; the runtime's deep copy copies a map's table and values
      return notCopyable(cx, t.value, seen);
    case "channel": // docs/reference.md §15
      return "it holds a channel, which belongs to the event loop";
    case "int": case "float": case "bool": case "str": case "json": case "void": case "never":
      return null;
    default:
      return assertNever(t, "type");
  }
}
