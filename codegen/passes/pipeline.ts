// The text passes over the printed LLVM module, in the order they run: function attributes
// (attributes.ts, with the recursions recursion.ts finds), stack-check placement
// (stack_checks.ts), TBAA tags (tbaa.ts) and the debug-info emission kind. Each is a function
// from IR text to IR text with its own unit tests (tests/unit/passes.test.ts, recursion.test.ts).

import { addFunctionAttributes, lineTablesOnly } from "./attributes.js";
import { unboundedRecursion } from "./recursion.js";
import { placeStackChecks } from "./stack_checks.js";
import { addTbaa } from "./tbaa.js";

/** What lowering knows that the passes need. */
export interface PassFacts {
  /** Functions whose every return recurses (lower/recursion.ts). */
  noTailCalls: Set<string>;
  /** Functions that must stay out of line. */
  noInline: Set<string>;
  /** Attributes for every generated function (sanitizers). */
  extraAttributes: string[];
  /** Full debug info (-g); otherwise line tables only. */
  debug: boolean;
}

export function runTextPasses(printed: string, facts: PassFacts): string {
  const noTailCalls = new Set([...facts.noTailCalls, ...unboundedRecursion(printed)]);
  const attributed = addFunctionAttributes(printed, noTailCalls, facts.noInline, facts.extraAttributes);
  const tagged = addTbaa(placeStackChecks(attributed));
  return facts.debug ? tagged : lineTablesOnly(tagged);
}
