// The depth limit of a parsed tree. Brackets are limited while parsing (core.ts `enter`), but
// operator chains (`1 + 1 + ... + 1`), prefix runs (`- - - x`) and `else if` chains are built in
// loops into trees as deep as they are long. The checker and codegen follow such chains with
// explicit stacks, so the limit only bounds time and the few passes that still recurse (the
// hostile-files test builds 20,000-link chains); deeper trees get a diagnostic instead.

import type { Stmt } from "../ast.js";
import type { Span } from "../source.js";

/** The most nested nodes (statements and expressions) one path from the top may pass through. */
export const MAX_TREE_DEPTH = 10_000;

interface Node { kind: string; span: Span }

const isNode = (v: unknown): v is Node =>
  typeof v === "object" && v !== null && typeof (v as Node).kind === "string" && "span" in (v as object);

/**
 * The most nodes one path of a statement's tree holds per token of the statement: every node but a
 * few wrappers consumes a token of its own (a prefix run `- - x` is one node per token, a binary
 * chain one per two; the highest ratio over the golden programs, the examples and hostile chains
 * of every kind is 1.5, for `await g;`). With a margin: statements of fewer than
 * MAX_TREE_DEPTH / NODES_PER_TOKEN tokens cannot be too deep, and are not walked.
 */
const NODES_PER_TOKEN = 4;

/** The first node (in pre-order) deeper than MAX_TREE_DEPTH, or null; walks with its own stack
 *  (two parallel arrays and for-in: this visits every node it walks, so it allocates nothing per
 *  node). With the token start offsets, only the top-level statements long enough to be too deep
 *  are walked (see NODES_PER_TOKEN; a 10k-line program has none). */
export function firstTooDeep(all: Stmt[], tokenStarts?: (i: number) => number, tokenCount = 0): Node | null {
  const body = tokenStarts ? all.filter((s) => tokensIn(s.span, tokenStarts, tokenCount) * NODES_PER_TOKEN >= MAX_TREE_DEPTH) : all;
  const nodes: Node[] = body.slice() as Node[];
  const depths: number[] = body.map(() => 1);
  while (nodes.length) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > MAX_TREE_DEPTH) return node;
    const rec = node as unknown as Record<string, unknown>;
    for (const key in rec) {
      const v = rec[key];
      if (key === "span" || key === "nameSpan" || typeof v !== "object" || v === null) continue;
      if (Array.isArray(v)) {
        for (const x of v) {
          if (isNode(x)) { nodes.push(x); depths.push(depth + 1); }
          else if (typeof x === "object" && x !== null) pushChildren(x as Record<string, unknown>, depth, nodes, depths); // match arms, params
        }
      } else if (isNode(v)) { nodes.push(v); depths.push(depth + 1); }
    }
  }
  return null;
}

/** The nodes inside a plain record of the tree (a match arm, a parameter, a t-string part). */
function pushChildren(rec: Record<string, unknown>, depth: number, nodes: Node[], depths: number[]): void {
  for (const key in rec) {
    const v = rec[key];
    if (isNode(v)) { nodes.push(v); depths.push(depth + 1); }
    else if (Array.isArray(v)) for (const x of v) if (isNode(x)) { nodes.push(x); depths.push(depth + 1); }
  }
}

/** How many tokens start inside `span` (token starts ascend). */
function tokensIn(span: Span, start: (i: number) => number, count: number): number {
  return firstAtOrAfter(span.end, start, count) - firstAtOrAfter(span.start, start, count);
}

function firstAtOrAfter(offset: number, start: (i: number) => number, count: number): number {
  let lo = 0, hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (start(mid) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
