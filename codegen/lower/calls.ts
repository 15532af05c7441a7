// Calls: direct calls to user functions (`tul_fn_<name>`), built-ins (builtins.ts), and `await`.
// Async functions (tul_task_spawn) plug in here: see spawnAsync.

import llvm from "llvm-bindings";
import type { Await, Call, Expr, FuncDecl } from "../../frontend/ast.js";
import { CodegenError, type Gen } from "./context.js";
import { noValue, genExpr, tyOf, undefOf } from "./expr.js";
import { lowerBuiltin } from "./builtins.js";
import { llvmType } from "./types.js";
import { outSlot } from "./vars.js";
import { spawnAsync } from "./async.js";
import { genValueCall } from "./closures.js";
import { awaitChannelOp } from "./channels.js";

export function genCall(g: Gen, e: Call): llvm.Value {
  const target = e.target;
  if (!target) throw new CodegenError("call without a resolved target (checker contract)");
  if (target.kind === "builtin") return lowerBuiltin(g, e, target.overload);
  if (target.kind === "value") return genValueCall(g, e);
  const decl = target.sym.decl;
  if (decl.isAsync) return spawnAsync(g, decl, e);
  return callUser(g, decl, e);
}

/** A direct call; a `never` function's call is followed by unreachable. */
function callUser(g: Gen, decl: FuncDecl, e: Call): llvm.Value {
  const fn = g.funcs.get(decl);
  if (!fn) throw new CodegenError(`function ${decl.name} was not declared`);
  const args = e.args.map((a) => genExpr(g, a));
  g.loc(e.span);
  const result = decl.sym!.type.result;
  const v = g.builder.CreateCall(fn, args);
  if (result.k === "never" || decl.neverReturns) {
    g.terminate(() => g.builder.CreateUnreachable());
    return undefOf(g, tyOf(e));
  }
  return llvmType(g, result) === g.types.void ? noValue(g) : v;
}


/** `sleep_async(ms)` itself, not a promise variable holding one. */
export function isSleepAsync(e: Expr): e is Call {
  return e.kind === "Call" && e.target?.kind === "builtin" && e.target.name === "sleep_async";
}

/** `await sleep_async(ms)`: one runtime call that parks the task on a timer inside the task itself,
 * so the most common await allocates nothing (the promise could never be seen anyway). */
function awaitSleep(g: Gen, e: Call): llvm.Value {
  const ms = genExpr(g, e.args[0]);
  g.loc(e.span);
  g.call("tul_sleep_await", [ms]);
  return noValue(g);
}

/** `await e`: tul_await on promises; any other value passes through unchanged. */
export function genAwait(g: Gen, e: Await): llvm.Value {
  if (isSleepAsync(e.operand)) return awaitSleep(g, e.operand);
  const direct = awaitChannelOp(g, e.operand);
  if (direct) return direct;
  return awaitRest(g, e, genExpr(g, e.operand));
}

/** `await v` once the operand is lowered to `v` (a non-promise passes through). */
export function awaitRest(g: Gen, e: Await, v: llvm.Value): llvm.Value {
  const t = tyOf(e.operand);
  if (t.k !== "promise") return v;
  g.loc(e.span);
  if (llvmType(g, t.inner) === g.types.void) {
    g.call("tul_await", [v, g.nullPtr()]);
    return noValue(g);
  }
  const [slot, read] = outSlot(g, t.inner);
  g.call("tul_await", [v, slot]);
  return read();
}
