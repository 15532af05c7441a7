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

/** The first node (in pre-order) deeper than MAX_TREE_DEPTH, or null; walks with its own stack. */
export function firstTooDeep(body: Stmt[]): Node | null {
  const stack: [Node, number][] = body.map((s) => [s as Node, 1]);
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_TREE_DEPTH) return node;
    for (const [key, v] of Object.entries(node)) {
      if (key === "span" || key === "nameSpan" || typeof v !== "object" || v === null) continue;
      if (Array.isArray(v)) {
        for (const x of v) {
          if (isNode(x)) stack.push([x, depth + 1]);
          else if (typeof x === "object" && x !== null) pushChildren(x, depth, stack); // match arms, params
        }
      } else if (isNode(v)) stack.push([v, depth + 1]);
    }
  }
  return null;
}

/** The nodes inside a plain record of the tree (a match arm, a parameter, a t-string part). */
function pushChildren(rec: object, depth: number, stack: [Node, number][]): void {
  for (const v of Object.values(rec)) {
    if (isNode(v)) stack.push([v, depth + 1]);
    else if (Array.isArray(v)) for (const x of v) if (isNode(x)) stack.push([x, depth + 1]);
  }
}
