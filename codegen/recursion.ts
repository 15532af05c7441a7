// Detects functions without a base case (every way out recurses), whose tail recursion must stay
// real recursion so that it ends in StackOverflowError instead of an endless loop after TRE.

import type { FuncDecl, Return, Stmt } from "../frontend/ast.js";

const SKIP = new Set(["span", "ty", "sym", "target", "catchSym", "to", "file", "decl", "nameSpan", "keySpan"]);

/** True when `n` contains a direct call to `f` (not looking into nested functions). */
function callsSelf(n: unknown, f: FuncDecl): boolean {
  if (Array.isArray(n)) return n.some((x) => callsSelf(x, f));
  if (!n || typeof n !== "object") return false;
  const node = n as { kind?: string; target?: { kind: string; sym?: { decl: FuncDecl } } } & Record<string, unknown>;
  if (node.kind === "FuncDecl") return false;
  if (node.kind === "Call" && node.target?.kind === "func" && node.target.sym?.decl === f) return true;
  for (const [k, v] of Object.entries(node)) if (!SKIP.has(k) && callsSelf(v, f)) return true;
  return false;
}

function collectReturns(n: unknown, out: Return[]): void {
  if (Array.isArray(n)) return n.forEach((x) => collectReturns(x, out));
  if (!n || typeof n !== "object") return;
  const node = n as { kind?: string } & Record<string, unknown>;
  if (node.kind === "FuncDecl" || node.kind === "Lambda") return;
  if (node.kind === "Return") out.push(node as unknown as Return);
  for (const [k, v] of Object.entries(node)) if (!SKIP.has(k)) collectReturns(v, out);
}

/** A function has a base case when some return (or falling off the end) does not recurse. */
export function hasBaseCase(f: FuncDecl): boolean {
  if (!callsSelf(f.body.body, f)) return true;
  const returns: Return[] = [];
  collectReturns(f.body.body, returns);
  if (returns.some((r) => !r.value || !callsSelf(r.value, f))) return true;
  const last: Stmt | undefined = f.body.body[f.body.body.length - 1];
  const fallsOff = !last || last.kind !== "Return";
  return fallsOff && !f.body.body.some((s) => s.kind === "ExprStmt" && callsSelf(s, f));
}
