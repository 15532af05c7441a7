// Recursion without a base case: a function whose every way out calls itself again. Its tail
// recursion must stay real recursion (module.ts marks it "disable-tail-calls"), so that it ends in
// StackOverflowError instead of turning into an endless loop after tail-recursion elimination.
// This is the source-level rule (every `return` recurses, even in one branch of `?:`); the IR pass
// codegen/passes/recursion.ts adds every function that cannot return at all (mutual recursion,
// lambdas, function values).

import { someNode, walk, type AstNode, type Call, type Return, type Stmt } from "../../frontend/ast.js";

/**
 * Whether some return of `body` (or falling off its end) does not recurse. `isSelfCall` says which
 * calls are the function calling itself; nested functions and lambdas are not looked into for
 * returns, and nested function declarations not for calls. `selfCalls`: whether the body calls
 * itself, when the caller already knows (scanCalls).
 */
export function hasBaseCase(body: Stmt[], isSelfCall: (c: Call) => boolean, selfCalls?: boolean): boolean {
  const callsSelf = (roots: AstNode | AstNode[]): boolean =>
    someNode(roots, (n) => n.kind === "Call" && isSelfCall(n), (n) => n.kind !== "FuncDecl");
  if (!(selfCalls ?? callsSelf(body))) return true;
  const returns: Return[] = [];
  walk(body, (n) => {
    if (n.kind === "Return") returns.push(n);
    return n.kind !== "FuncDecl" && n.kind !== "Lambda";
  });
  if (returns.some((r) => !r.value || !callsSelf(r.value))) return true;
  const last: Stmt | undefined = body[body.length - 1];
  const fallsOff = !last || last.kind !== "Return";
  return fallsOff && !body.some((s) => s.kind === "ExprStmt" && callsSelf(s));
}

/** What one walk of a function body finds, nested function declarations not looked into. */
export interface BodyCalls {
  /** It calls itself (isSelfCall). */
  self: boolean;
  /** It calls a user function or awaits (a leaf function has no stack check: module.ts). */
  user: boolean;
}

/** Whether a node calls a user function or awaits (what makes a function no leaf). */
export function callsUserCode(n: AstNode): boolean {
  return n.kind === "Await" || (n.kind === "Call" && n.target?.kind !== "builtin");
}

/** Both facts of BodyCalls in one walk (lowering asked for each with a walk of its own). */
export function scanCalls(body: Stmt[], isSelfCall: (c: Call) => boolean): BodyCalls {
  const found: BodyCalls = { self: false, user: false };
  walk(body, (n) => {
    if (found.self && found.user) return false;
    if (callsUserCode(n)) found.user = true;
    if (!found.self && n.kind === "Call" && isSelfCall(n)) found.self = true;
    return !(found.self && found.user) && n.kind !== "FuncDecl";
  });
  return found;
}
