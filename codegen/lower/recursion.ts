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
 * returns, and nested function declarations not for calls.
 */
export function hasBaseCase(body: Stmt[], isSelfCall: (c: Call) => boolean): boolean {
  const callsSelf = (roots: AstNode | AstNode[]): boolean =>
    someNode(roots, (n) => n.kind === "Call" && isSelfCall(n), (n) => n.kind !== "FuncDecl");
  if (!callsSelf(body)) return true;
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
