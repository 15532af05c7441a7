// Stack-check placement: a text pass over the printed IR that moves each function's stack check
// to where its calls start (placeStackChecks), so that paths without calls skip it. Which
// recursions must stay real recursion is recursion.ts's job.

import { scanModule, type ModuleScan, type ScanBlock, type ScanCall, type ScanFn } from "./scan.js";

// ---------------------------------------------------------------- stack-check placement

/**
 * Moves each function's stack check (`call void @tul__stack_check()`, emitted at the top of the body)
 * down to the nearest block that dominates every call the function makes, lifted out of any loop.
 * Base cases such as `if (n < 2) { return n; }` then return without paying for it: fib, tak and
 * ackermann spend half their calls in such leaves.
 *
 * Why this still guarantees StackOverflowError before the stack runs out: unbounded stack growth
 * needs a cycle of calls, and every function that calls anything still performs the check before
 * its first call on every path (the new block dominates all its calls), so each cycle passes a
 * check once per frame, exactly as before. What runs below tul_stack_limit without a check is the
 * same as for leaf functions, which never checked: the current frame (the check moved within the
 * function, whose frame is allocated once in the prologue, so %rsp is the same wherever it runs)
 * plus runtime calls and the throw itself, which the red zone below the limit is sized for
 * (TUL_TASK_STACK_RED_ZONE, 64 KiB on task stacks; MAIN_RED_ZONE, 256 KiB on the main stack).
 * setjmp (try) counts as a call, so a longjmp back into the function resumes after the check.
 *
 * Calls are recognised conservatively: every `call` except LLVM intrinsics, the volatile helpers
 * and the runtime's throws (which run in the red zone by design) counts, whether it can reach user
 * code or not. When the CFG parse is unsure (a call in a block it sees as unreachable, several
 * checks) the check stays where it was.
 */
export function placeStackChecks(text: string): string {
  return placeStackChecksIn(text.split("\n")).join("\n");
}

/** placeStackChecks on the module's lines. */
export function placeStackChecksIn(lines: string[]): string[] {
  return placeStackChecksOf(lines, scanModule(lines));
}

/** A line taken out of the module (a leaf function's check): dropped by the final compaction. */
const REMOVED = "\u0000removed";

/**
 * placeStackChecks on lines that `scan` describes (line indices included): moves lines within each
 * function in place; the same array is returned unless a leaf's check was dropped.
 */
export function placeStackChecksOf(lines: string[], scan: ModuleScan): string[] {
  let removed = false;
  for (const fn of scan.fns) {
    if (fn.checks.length !== 1) continue; // none, or unsure
    const at = placement(fn, lines);
    if (at === "leaf") {
      lines[fn.checks[0]] = REMOVED;
      removed = true;
    } else if (at !== null) moveCheck(lines, fn, at);
  }
  return removed ? lines.filter((l) => l !== REMOVED) : lines;
}

const PHI = /^\s+%\S+ = phi /;

/** Where a function's check goes: a block index (0: stays), "leaf" (no calls: dropped), null (unsure: stays). */
function placement(fn: ScanFn, lines: string[]): number | "leaf" | null {
  const callers: number[] = [];
  fn.blocks.forEach((b, i) => b.calls.some((c) => c.counts) && callers.push(i));
  if (!callers.length) return "leaf"; // nothing to protect
  if (staysPut(fn, lines)) return null;
  const at = checkBlock(fn.blocks, callers);
  return at === 0 ? null : at;
}

const counts = (c: ScanCall): boolean => c.counts;

/**
 * The common shape, decided without dominators: the check's block B calls and is entered straight
 * from the entry block (or is it), so B's only dominators are the entry and B itself, and the
 * calls' nearest common dominator (lifted out of cycles) is one of them. Either way the check stays,
 * or moves to B after its label and phis, which is where it already is when only phis precede it.
 */
function staysPut(fn: ScanFn, lines: string[]): boolean {
  const check = fn.checks[0];
  let b = fn.blocks.length - 1;
  while (b > 0 && fn.blocks[b].start > check) b--;
  const block = fn.blocks[b];
  if (!block.calls.some(counts)) return false;
  if (b === 0) return true; // the entry dominates everything: the check stays
  if (!fn.blocks[0].succs.includes(block.label)) return false;
  for (let k = block.start + 1; k < check; k++) if (!PHI.test(lines[k])) return false;
  return check + 1 >= fn.end || !PHI.test(lines[check + 1]);
}

/** Moves the check to block `at`, after its label and phis (the function's line count is unchanged). */
function moveCheck(lines: string[], fn: ScanFn, at: number): void {
  const from = fn.checks[0];
  const check = lines[from];
  const last = fn.end - 1; // the body is lines[define + 1 .. last]
  for (let k = from; k < last; k++) lines[k] = lines[k + 1]; // take it out
  const shift = (k: number): number => (k > from ? k - 1 : k); // indices without the check
  const blockEnd = at + 1 < fn.blocks.length ? shift(fn.blocks[at + 1].start) : last;
  let k = shift(fn.blocks[at].start) + 1;
  while (k < blockEnd && PHI.test(lines[k])) k++;
  for (let j = last; j > k; j--) lines[j] = lines[j - 1]; // and in again
  lines[k] = check;
}

/** Index of the block to check in: the calls' nearest common dominator, outside every cycle. */
function checkBlock(blocks: ScanBlock[], targets: number[]): number | null {
  const index = new Map(blocks.map((b, i) => [b.label, i]));
  const edges: number[][] = [];
  for (const b of blocks) {
    const out: number[] = [];
    for (const s of b.succs) {
      const x = index.get(s);
      if (x === undefined) return null;
      out.push(x);
    }
    edges.push(out);
  }
  const { idom, intersect } = dominators(edges);
  if (targets.some((t) => idom[t] === -1)) return null;
  let at = targets.reduce(intersect);
  while (at !== 0 && inCycle(edges, at)) at = idom[at];
  return at;
}

/** Immediate dominators (Cooper, Harvey, Kennedy; -1 for blocks unreachable from block 0) and the
 *  nearest common dominator of two reachable blocks. */
function dominators(succs: number[][]): { idom: Int32Array; intersect: (a: number, b: number) => number } {
  const n = succs.length;
  const rpo = reversePostorder(succs);
  const num = new Int32Array(n).fill(-1);
  for (let i = 0; i < rpo.length; i++) num[rpo[i]] = i;
  const preds: number[][] = [];
  for (let i = 0; i < n; i++) preds.push([]);
  for (let i = 0; i < n; i++) for (const s of succs[i]) preds[s].push(i);
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (num[a] > num[b]) a = idom[a];
      while (num[b] > num[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 1; i < rpo.length; i++) {
      const v = rpo[i];
      let d = -1;
      for (const p of preds[v]) if (idom[p] !== -1) d = d === -1 ? p : intersect(d, p);
      if (idom[v] !== d) { idom[v] = d; changed = true; }
    }
  }
  return { idom, intersect };
}

/** Blocks reachable from block 0 in reverse postorder (iterative: bodies can have thousands of blocks). */
function reversePostorder(succs: number[][]): number[] {
  const order: number[] = [];
  const seen = new Uint8Array(succs.length);
  seen[0] = 1;
  const nodes = [0], next = [0];
  while (nodes.length) {
    const top = nodes.length - 1;
    const s = succs[nodes[top]][next[top]++];
    if (s === undefined) {
      order.push(nodes[top]);
      nodes.pop();
      next.pop();
    } else if (!seen[s]) {
      seen[s] = 1;
      nodes.push(s);
      next.push(0);
    }
  }
  return order.reverse();
}

/** True when block `n` can reach itself. */
function inCycle(succs: number[][], n: number): boolean {
  const seen = new Uint8Array(succs.length);
  const stack = succs[n].slice();
  while (stack.length) {
    const x = stack.pop()!;
    if (x === n) return true;
    if (seen[x]) continue;
    seen[x] = 1;
    for (const s of succs[x]) stack.push(s);
  }
  return false;
}
