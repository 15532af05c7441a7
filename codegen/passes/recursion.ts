// Unbounded recursion must end in StackOverflowError at every -O level: this pass finds, in the
// printed IR, the functions whose recursion has no way out (no base case), so that they get
// "disable-tail-calls" (no tail-recursion elimination, no sibling calls) and cannot become loops.

import { scanModule, type ModuleScan, type ScanBlock, type ScanCall, type ScanFn } from "./scan.js";

/**
 * Names of the functions that can never return normally because every path to a `ret` goes through a
 * call that recurses without end. Works on the IR LLVM will optimise, so mutual recursion, lambdas,
 * nested functions and function values are all seen the way the inliner and TRE will see them.
 *
 * The call graph is conservative: a direct call is an edge to its callee; an indirect call (closure,
 * function value) is an edge to every function whose address is taken anywhere in the module (the
 * only ones an indirect call can reach, and the ones LLVM may turn it into once it knows the
 * pointer). In each strongly connected component that recurses, "can return" is the least fixpoint
 * of: some path from the entry to a `ret` passes only calls that can return (calls outside the
 * component can; a direct call into it can when its callee can; an indirect call can when every
 * address-taken member can). The members left without a way out are returned.
 *
 * Recursions with a base case keep tail-recursion elimination (fib and friends need it for speed);
 * see docs/decisions.md ("Functions") for what that means for a base case that is never reached.
 */
/** The call-graph node every indirect call goes to; its successors are the address-taken functions. */
export const ANY = "";

export function unboundedRecursion(text: string): Set<string> {
  return unboundedRecursionIn(text.split("\n"));
}

/** unboundedRecursion on the module's lines. */
export function unboundedRecursionIn(lines: string[]): Set<string> {
  return unboundedRecursionOf(scanModule(lines));
}

/** unboundedRecursion on a scanned module (the pass pipeline scans once for this and stack_checks.ts). */
export function unboundedRecursionOf(scan: ModuleScan): Set<string> {
  const fns = scan.fns;
  const byName = new Map(fns.map((f) => [f.name, f]));
  const taken = new Set([...scan.referenced].filter((name) => byName.has(name)));
  const succ = new Map(fns.map((f) => [f.name, callees(f, byName)]));
  succ.set(ANY, [...taken]);
  return withoutWayOut(succ, byName, taken);
}

/** The functions of the call graph `succ` (every successor a node of it; ANY among them when some
 *  function calls indirectly) whose recursion has no way out, added to `out`. */
export function withoutWayOut(succ: Map<string, string[]>, byName: Map<string, Fn>, taken: Set<string>, out = new Set<string>()): Set<string> {
  for (const scc of components([...succ.keys()], succ)) {
    if (scc.length === 1 && !succ.get(scc[0])!.includes(scc[0])) continue; // not recursive
    const members = scc.filter((f) => f !== ANY);
    const returns = canReturn(members, byName, taken);
    for (const f of members) if (!returns.has(f)) out.add(f);
  }
  return out;
}

type Fn = ScanFn;
type Block = ScanBlock;
type Call = ScanCall;

/** The functions `f` may call: its direct callees that are defined here, and ANY for an indirect call. */
function callees(f: Fn, byName: Map<string, Fn>): string[] {
  const out = new Set<string>();
  for (const b of f.blocks) for (const c of b.calls) {
    if (c.callee === null) out.add(ANY);
    else if (byName.has(c.callee)) out.add(c.callee);
  }
  return [...out];
}

/** Strongly connected components (Tarjan, iterative: call chains can be thousands deep). */
function components(nodes: string[], succ: Map<string, string[]>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), out: string[][] = [];
  let next = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    index.set(root, next); low.set(root, next++); stack.push(root); onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      const ws = succ.get(v)!;
      if (i < ws.length) {
        top[1]++;
        const w = ws[i];
        if (!index.has(w)) {
          index.set(w, next); low.set(w, next++); stack.push(w); onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) { const u = work[work.length - 1][0]; low.set(u, Math.min(low.get(u)!, low.get(v)!)); }
      if (low.get(v) !== index.get(v)) continue;
      const scc: string[] = [];
      for (let w = ""; w !== v; ) { w = stack.pop()!; onStack.delete(w); scc.push(w); }
      out.push(scc);
    }
  }
  return out;
}

/** The members of `scc` that can return normally (least fixpoint, see unboundedRecursion). */
function canReturn(scc: string[], byName: Map<string, Fn>, taken: Set<string>): Set<string> {
  const members = new Set(scc);
  const returns = new Set<string>();
  const takenMembers = scc.filter((f) => taken.has(f));
  const callReturns = (c: Call): boolean =>
    c.callee === null ? takenMembers.every((t) => returns.has(t)) : !members.has(c.callee) || returns.has(c.callee);
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of scc) {
      if (returns.has(name) || !reachesReturn(byName.get(name)!, callReturns)) continue;
      returns.add(name);
      changed = true;
    }
  }
  return returns;
}

/** Whether some path from the entry block reaches a `ret` through blocks whose calls all return. */
function reachesReturn(f: Fn, callReturns: (c: Call) => boolean): boolean {
  const byLabel = new Map(f.blocks.map((b) => [b.label, b]));
  const seen = new Set<Block>();
  const work = [f.blocks[0]];
  while (work.length) {
    const b = work.pop()!;
    if (seen.has(b)) continue;
    seen.add(b);
    if (!b.calls.every(callReturns)) continue;
    if (b.returns) return true;
    for (const s of b.succs) {
      const next = byLabel.get(s);
      if (next) work.push(next);
    }
  }
  return false;
}
