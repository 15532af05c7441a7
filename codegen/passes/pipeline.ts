// The text passes over the printed LLVM module, in the order they run: function attributes
// (attributes.ts, with the recursions recursion.ts finds), stack-check placement
// (stack_checks.ts), TBAA tags (tbaa.ts; when optimising), and without -g the debug-info emission
// kind and call-site-only locations (locations.ts). Each is a function from IR text to IR text (and one on
// its lines, ...In) with its own unit tests (tests/unit/passes.test.ts, recursion.test.ts); the
// pipeline runs them on one array of lines, and its one walk over them (scan.ts) serves all but
// the attributes.

import { addFunctionAttributesIn, lineTablesOnlyIn } from "./attributes.js";
import { unboundedRecursionOf } from "./recursion.js";
import { scanModule, type ModuleScan } from "./scan.js";
import { placeStackChecksOf } from "./stack_checks.js";
import { appendTbaaTree, nextMetadataId } from "./tbaa.js";

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
  /** The -O level: TBAA tags only serve optimisation, and clang -O0 ignores them (the object is
   *  byte for byte the same), so at 0 they are not added. Unset: added. */
  optLevel?: number;
  /** The unbounded recursions, when already known (chunked builds find them across all chunks,
   *  passes/chunks.ts); otherwise recursion.ts looks for them in the module. */
  recursion?: Set<string>;
}

/** The passes' walk over a module's lines (scan.ts), with the rewrites it does on its way. */
export interface ScannedModule {
  scan: ModuleScan;
  /** Where the TBAA tags start (undefined: none added). */
  tbaaBase?: number;
}

/**
 * The one walk of the passes: functions, blocks and calls for recursion and stack checks, and on
 * the way, in place, the TBAA tags when optimising and the call-site-only locations without -g.
 * A chunked build (passes/chunks.ts) walks a chunk once, when it arrives, and runs the passes with
 * that walk once the chunk's recursion facts are final (no finding of the walk depends on them).
 */
export function scanForPasses(printed: string[], facts: PassFacts): ScannedModule {
  const tbaaBase = facts.optLevel === 0 ? undefined : nextMetadataId(printed);
  return { scan: scanModule(printed, { callSitesOnly: !facts.debug, tbaaBase }), tbaaBase };
}

export function runTextPasses(printed: string, facts: PassFacts): string {
  return runTextPassesIn(printed.split("\n"), facts).join("\n");
}

/** The passes on the module's lines: the text is split once for all of them (and for the split
 *  into parts, passes/split.ts), not once per pass (each split and join of a 10k-line program's
 *  8 MB of IR cost tens of milliseconds, and as much again in garbage collection). */
export function runTextPassesIn(printed: string[], facts: PassFacts, scanned: ScannedModule = scanForPasses(printed, facts)): string[] {
  const { scan, tbaaBase } = scanned;
  const noTailCalls = new Set([...facts.noTailCalls, ...(facts.recursion ?? unboundedRecursionOf(scan))]);
  const defines = scan.fns.map((f) => f.define);
  const attributed = addFunctionAttributesIn(printed, noTailCalls, facts.noInline, facts.extraAttributes, defines);
  const placed = placeStackChecksOf(attributed, scan);
  if (tbaaBase !== undefined) appendTbaaTree(placed, tbaaBase, scan.tbaaTagged);
  return facts.debug ? placed : lineTablesOnlyIn(placed);
}
