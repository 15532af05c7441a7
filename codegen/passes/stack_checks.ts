// Stack-check placement: a text pass over the printed IR that moves each function's stack check
// to where its calls start (placeStackChecks), so that paths without calls skip it. Which
// recursions must stay real recursion is recursion.ts's job.

import { isIndented, mayCall } from "./recursion.js";

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

/** placeStackChecks on the module's lines (a new array). */
export function placeStackChecksIn(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("define ") || !/^define [^\n]*\{$/.test(lines[i])) {
      out.push(lines[i]);
      continue;
    }
    let end = i + 1;
    while (end < lines.length && lines[end] !== "}") end++;
    out.push(lines[i]);
    for (const line of placeInFunction(lines.slice(i + 1, end))) out.push(line); // no spread: bodies reach 100k lines
    i = end - 1;
  }
  return out;
}

interface Block {
  label: string;
  lines: string[];
  succs: string[];
}

const CHECK = /^\s+call void @tul__stack_check\(\)/;
const LABEL = /^([-\w.$]+|"(?:[^"\\]|\\.)*"):/;
const SUCC = /label %([-\w.$]+|"(?:[^"\\]|\\.)*")/g;
const NOT_A_CALL = /call [^(]*@(?:llvm\.|tul__v(?:load|store)_|tul__stack_check\(|tul_throw\w*\(|tul_stack_overflow\()/;

/** The function body with its check moved (or unchanged when the placement is uncertain). */
function placeInFunction(body: string[]): string[] {
  const checks: number[] = [];
  body.forEach((l, i) => l.includes("@tul__stack_check(") && CHECK.test(l) && checks.push(i));
  if (checks.length !== 1) return body;
  const check = body[checks[0]];
  const blocks = parseBlocks(body.filter((_, i) => i !== checks[0]));
  const callers: number[] = [];
  blocks.forEach((b, i) => b.lines.some(isCall) && callers.push(i));
  if (!callers.length) return blocks.flatMap((b) => b.lines); // a leaf: nothing to protect
  const at = checkBlock(blocks, callers);
  if (at === null || at === 0) return body;
  const b = blocks[at];
  let k = 1;
  while (k < b.lines.length && /^\s+%\S+ = phi /.test(b.lines[k])) k++;
  b.lines.splice(k, 0, check);
  return blocks.flatMap((x) => x.lines);
}

function isCall(line: string): boolean {
  return mayCall(line) && /^\s+(?:%\S+ = )?(?:tail |musttail |notail )?(?:call|invoke|callbr) /.test(line) && !NOT_A_CALL.test(line);
}

/** Splits a body into basic blocks (the first may have no label line) with their successors. */
function parseBlocks(body: string[]): Block[] {
  const blocks: Block[] = [];
  for (const line of body) {
    const m = isIndented(line) ? null : LABEL.exec(line);
    if (m || !blocks.length) blocks.push({ label: m ? m[1] : "", lines: [], succs: [] });
    const b = blocks[blocks.length - 1];
    b.lines.push(line);
    if (line.includes("label %")) for (const s of line.matchAll(SUCC)) b.succs.push(s[1]);
  }
  return blocks;
}

/** Index of the block to check in: the calls' nearest common dominator, outside every cycle. */
function checkBlock(blocks: Block[], targets: number[]): number | null {
  const index = new Map(blocks.map((b, i) => [b.label, i]));
  const succs = blocks.map((b) => b.succs.map((s) => index.get(s)));
  if (succs.some((s) => s.some((x) => x === undefined))) return null;
  const edges = succs as number[][];
  const { idom, intersect } = dominators(edges);
  if (targets.some((t) => idom[t] === -1)) return null;
  let at = targets.reduce(intersect);
  while (at !== 0 && inCycle(edges, at)) at = idom[at];
  return at;
}

/** Immediate dominators (Cooper, Harvey, Kennedy; -1 for blocks unreachable from block 0) and the
 *  nearest common dominator of two reachable blocks. */
function dominators(succs: number[][]): { idom: number[]; intersect: (a: number, b: number) => number } {
  const rpo = reversePostorder(succs);
  const num = succs.map(() => -1);
  rpo.forEach((n, i) => (num[n] = i));
  const preds = succs.map(() => [] as number[]);
  succs.forEach((ss, n) => ss.forEach((s) => preds[s].push(n)));
  const idom = succs.map(() => -1);
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
    for (const n of rpo.slice(1)) {
      const done = preds[n].filter((p) => idom[p] !== -1);
      const d = done.reduce(intersect);
      if (idom[n] !== d) { idom[n] = d; changed = true; }
    }
  }
  return { idom, intersect };
}

/** Blocks reachable from block 0 in reverse postorder (iterative: bodies can have thousands of blocks). */
function reversePostorder(succs: number[][]): number[] {
  const order: number[] = [];
  const seen = new Set<number>([0]);
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const next = succs[top[0]][top[1]++];
    if (next === undefined) {
      order.push(top[0]);
      stack.pop();
    } else if (!seen.has(next)) {
      seen.add(next);
      stack.push([next, 0]);
    }
  }
  return order.reverse();
}

/** True when block `n` can reach itself. */
function inCycle(succs: number[][], n: number): boolean {
  const seen = new Set<number>();
  const stack = [...succs[n]];
  while (stack.length) {
    const x = stack.pop()!;
    if (x === n) return true;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const s of succs[x]) stack.push(s);
  }
  return false;
}
