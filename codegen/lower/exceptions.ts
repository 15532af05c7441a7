// try/catch/finally on the runtime's setjmp handlers (tulrt.h): push a handler, `_setjmp`, body,
// pop; catch binds tul_caught(); finally is emitted inline on every way out (normal, return,
// break, continue via runCleanups, and throw, followed by tul_rethrow).

import llvm from "llvm-bindings";
import type { Block, Scope, Shield, Try } from "../../frontend/ast.js";
import type { Gen } from "./context.js";
import { genBlock } from "./stmt.js";
import { storeVar } from "./vars.js";

/** A 512-byte, 16-byte aligned handler in the entry block ([32 x fp128] has 16-byte alignment). */
function handlerAlloca(g: Gen): llvm.Value {
  const ty = llvm.ArrayType.get(llvm.Type.getFP128Ty(g.ctx), 32);
  return g.builder.CreateBitCast(g.alloca(ty, "handler"), g.types.ptr);
}

/** tul_try_push(h); branch on `_setjmp(h) == 0` to `body`, else to `caught`. */
function protect(g: Gen, h: llvm.Value, body: llvm.BasicBlock, caught: llvm.BasicBlock): void {
  g.call("tul_try_push", [h]);
  const r = g.call("_setjmp", [h]);
  g.builder.CreateCondBr(g.builder.CreateICmpEQ(r, llvm.ConstantInt.get(g.types.i32, 0, true)), body, caught);
}

/** Generates `block` with handler `h` active (popped on normal exit). */
function guarded(g: Gen, h: llvm.Value, block: Block, after: llvm.BasicBlock): void {
  g.current.cleanups.push({ kind: "handler", handler: h });
  genBlock(g, block);
  g.current.cleanups.pop();
  g.call("tul_try_pop", [h]);
  g.br(after);
}

export function genTry(g: Gen, s: Try): void {
  g.loc(s.span);
  const fin = s.finallyBody;
  if (fin) g.current.cleanups.push({ kind: "finally", body: fin });
  const h = handlerAlloca(g);
  const body = g.block("try.body"), caught = g.block("try.caught"), after = g.block("try.after");
  protect(g, h, body, caught);
  g.at(body);
  guarded(g, h, s.body, after);
  g.at(caught);
  if (fin) g.current.cleanups.pop();
  if (s.catchBody) genCatch(g, s, s.catchBody, after);
  else rethrowAfter(g, fin);
  g.at(after);
  if (fin) genBlock(g, fin);
}

/**
 * `scope { B }` and `shield { B }` (tulrt_async.h): `enter`, then B under a handler; `exit` runs on
 * every way out (end, return/break/continue through runCleanups, throw). On a throw, a scope first
 * records the error in flight (`fail`: cancels its tasks), then `exit` waits for them, and the
 * original exception continues with its own trace unless a task's error came first.
 */
function genBlockStmt(g: Gen, s: Scope | Shield, enter: string, fail: string | null, exit: string): void {
  g.loc(s.span);
  const handle = g.call(enter, []);
  g.current.cleanups.push({ kind: "call", fn: exit, arg: handle });
  const h = handlerAlloca(g);
  const body = g.block("scope.body"), caught = g.block("scope.caught"), after = g.block("scope.after");
  protect(g, h, body, caught);
  g.at(body);
  guarded(g, h, s.body, after);
  g.current.cleanups.pop();
  g.at(caught);
  g.loc(s.span);
  if (fail) g.call(fail, [handle]);
  g.call(exit, [handle]);
  g.callNoReturn("tul_rethrow", []);
  g.at(after);
  g.loc(s.span);
  g.call(exit, [handle]);
}

export function genScope(g: Gen, s: Scope): void {
  genBlockStmt(g, s, "tul_scope_enter", "tul_scope_fail", "tul_scope_exit");
}

export function genShield(g: Gen, s: Shield): void {
  genBlockStmt(g, s, "tul_shield_enter", null, "tul_shield_exit");
}

/** The catch clause; with a finally, a second handler makes a throw from catch run finally first. */
function genCatch(g: Gen, s: Try, catchBody: Block, after: llvm.BasicBlock): void {
  g.loc(s.span);
  const e = g.call("tul_caught", []);
  if (s.catchSym) storeVar(g, s.catchSym, e);
  const fin = s.finallyBody;
  if (!fin) {
    genBlock(g, catchBody);
    g.br(after);
    return;
  }
  g.current.cleanups.push({ kind: "finally", body: fin });
  const h2 = handlerAlloca(g);
  const run = g.block("catch.body"), threw = g.block("catch.threw");
  protect(g, h2, run, threw);
  g.at(run);
  guarded(g, h2, catchBody, after);
  g.current.cleanups.pop();
  g.at(threw);
  rethrowAfter(g, fin);
}

/** Runs finally (if any) on the exceptional path, then re-throws the caught value. */
function rethrowAfter(g: Gen, fin: Block | null): void {
  if (fin) genBlock(g, fin);
  g.callNoReturn("tul_rethrow", []);
}

/**
 * Leaving try bodies early (return/break/continue): pops handlers and runs finally blocks from the
 * innermost cleanup down to `depth`. A finally block runs with only the cleanups outside it active.
 */
export function runCleanups(g: Gen, depth: number): void {
  const saved = g.current.cleanups;
  for (let i = saved.length - 1; i >= depth; i--) {
    const c = saved[i];
    if (c.kind === "handler") {
      g.call("tul_try_pop", [c.handler]);
      continue;
    }
    if (c.kind === "call") {
      g.call(c.fn, [c.arg]);
      continue;
    }
    g.current.cleanups = saved.slice(0, i);
    genBlock(g, c.body);
    g.current.cleanups = saved;
  }
}
