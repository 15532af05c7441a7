// Function attributes the bindings cannot set, added to the printed IR: every generated function
// gets `uwtable` (plus any attributes the build asks for, such as sanitize_address), functions that
// must keep real recursion get "disable-tail-calls", and async bodies `noinline`.

/** The names generated functions have (user functions, lambdas, task entries, function values, main). */
const GENERATED = /^(define [^\n]*@((?:tul_fn_|tul_lambda\.|tul_task_|tul_fnval_)[^\n(]*|tul_user_main)\([^\n]*\)) (!dbg !\d+ \{|\{)$/;

/** The first of the four attribute groups this pass appends (#4000 to #4003). */
const GROUP_BASE = 4000;

/**
 * Every generated function gets `uwtable`: clang infers nounwind for them, and without an unwind
 * table their CFI would only go to .debug_frame, where the runtime's _Unwind_Backtrace cannot walk
 * through them. Functions in `noTailCalls` (recursion without a way out: lower/recursion.ts on the
 * source, passes/recursion.ts on the IR) get "disable-tail-calls", so that neither tail-recursion
 * elimination nor sibling calls can turn their recursion into a loop: unbounded recursion must end
 * in StackOverflowError. Functions with a base case keep TRE (fib then compiles to the same code as
 * the C version). Functions in `noInline` stay out of line (async bodies keep their frames in
 * traces). `extra`: attributes for every generated function (sanitize_address with --sanitize).
 */
export function addFunctionAttributes(text: string, noTailCalls: Set<string>, noInline: Set<string>, extra: string[] = []): string {
  return addFunctionAttributesIn(text.split("\n"), noTailCalls, noInline, extra).join("\n");
}

/** addFunctionAttributes on the module's lines, in place (definition lines keep their indices; the
 *  attribute groups go last); `defines`: the indices of the function definitions, when known. */
export function addFunctionAttributesIn(lines: string[], noTailCalls: Set<string>, noInline: Set<string>, extra: string[] = [], defines?: number[]): string[] {
  const out = lines;
  const attribute = (i: number): void => {
    out[i] = out[i].replace(GENERATED, (_all, head: string, name: string, tail: string) => {
      const group = (noTailCalls.has(name) ? 1 : 0) + (noInline.has(name) ? 2 : 0);
      return `${head} #${GROUP_BASE + group} ${tail}`;
    });
  };
  if (defines) defines.forEach(attribute); // the definitions' line indices (scan.ts)
  else for (let i = 0; i < out.length; i++) if (out[i].startsWith("define ")) attribute(i);
  const common = ["uwtable", ...extra].join(" ");
  out.push(
    `attributes #${GROUP_BASE} = { ${common} }`,
    `attributes #${GROUP_BASE + 1} = { ${common} "disable-tail-calls"="true" }`,
    `attributes #${GROUP_BASE + 2} = { ${common} noinline }`,
    `attributes #${GROUP_BASE + 3} = { ${common} noinline "disable-tail-calls"="true" }`,
    "",
  );
  return out;
}

/** The bindings create FullDebug compile units; without -g the unit is LineTablesOnly. */
export function lineTablesOnly(text: string): string {
  return text.replace(/emissionKind: FullDebug/, "emissionKind: LineTablesOnly");
}

/** lineTablesOnly on the module's lines, in place (the compile unit is among the metadata at the end). */
export function lineTablesOnlyIn(lines: string[]): string[] {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].includes("emissionKind: FullDebug")) continue;
    lines[i] = lineTablesOnly(lines[i]);
    break;
  }
  return lines;
}
