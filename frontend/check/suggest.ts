// "did you mean ...?" for unknown names (docs/reference.md §19.14): the visible name closest to the
// misspelt one, within edit distance 2 (a swap of two neighbouring letters counts as one edit).

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { BUILTINS } from "../builtins.js";
import { STDLIB_DIR } from "../../common/paths.js";
import type { Message } from "../messages.js";
import type { Scope, Checker } from "./context.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";

/** Edit distance with adjacent transpositions (optimal string alignment), cut off above `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [], prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** The largest distance worth suggesting for a name: one edit per three letters, at least 1, at most 2
 *  (`lenght` -> `length`, `pritn` -> `print`, but not `Foo` -> `bool`). */
const maxDistance = (name: string): number => Math.min(2, Math.max(1, Math.floor(name.length / 3)));

/**
 * The candidate closest to `name`: a case-insensitive match first, else the smallest distance within
 * `maxDistance` that is also smaller than the name's length (a one-letter name suggests nothing);
 * ties go to the earlier candidate (callers list the nearest scopes first).
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const max = maxDistance(name);
  let best: string | undefined, bestD = max + 1;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    if (c === name) continue;
    if (c.toLowerCase() === lower) return c;
    const d = editDistance(name, c, max);
    if (d < bestD && d < name.length) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

let stdlibFuncs: Map<string, string> | null = null;

/** The standard module (`stdlib/<name>.tul`) whose public function is `name`, if any. The modules
 *  are read the first time a name is unknown, never on a program that checks cleanly. */
export function stdlibModuleOf(name: string): string | undefined {
  if (!stdlibFuncs) {
    stdlibFuncs = new Map();
    let files: string[] = [];
    try { files = readdirSync(STDLIB_DIR).filter((f) => f.endsWith(".tul")).sort(); } catch { /* no stdlib: no hint */ }
    for (const f of files) {
      const text = readFileSync(path.join(STDLIB_DIR, f), "utf8");
      for (const m of text.matchAll(/^(?:async\s+)?func\s+([A-Za-z]\w*)/gm)) stdlibFuncs.set(m[1], f.slice(0, -4));
    }
  }
  return stdlibFuncs.get(name);
}

/** An unknown callee's message: where it is declared when a standard module has it (`router`
 *  without `import "http_server";`), else " (did you mean 'x'?)" when a close name exists. */
export function unknownCallee(m: Message, name: string, candidates: Iterable<string>): Message {
  const mod = stdlibModuleOf(name);
  if (mod) return { code: m.code, text: `${m.text} (it is in the standard module "${mod}": add 'import "${mod}";')` };
  return withSuggestion(m, name, candidates);
}

/** The message with " (did you mean 'x'?)" added when a close name exists. */
export function withSuggestion(m: Message, name: string, candidates: Iterable<string>): Message {
  const s = closest(name, candidates);
  return s ? { code: m.code, text: `${m.text} (did you mean '${s}'?)` } : m;
}

/** Every name a value could refer to at `span`: locals (innermost first), the module's functions and
 *  globals (and those of its unaliased imports), then the built-ins. For a callee (`call`), functions
 *  and built-ins come first and only variables holding function values are candidates. */
export function* visibleNames(cx: Checker, span: Span, call = false): Iterable<string> {
  const m = cx.mod(span);
  const mods = [m, ...m.imports];
  const callable = (t: Type | undefined) => !call || t === undefined || t.k === "func";
  function* locals(): Iterable<string> {
    for (let s: Scope | null = cx.fn.scope; s; s = s.parent)
      for (const [name, sym] of s.names) if (sym.kind !== "var" || callable(sym.type)) yield name;
  }
  function* globals(): Iterable<string> {
    for (const mod of mods) for (const [name, g] of mod.globals) if (callable(g.sym?.type)) yield name;
  }
  function* functions(): Iterable<string> {
    for (const mod of mods) yield* mod.funcs.keys();
    for (const row of BUILTINS) {
      yield row.name;
      yield* row.aliases ?? [];
    }
  }
  if (call) yield* functions();
  yield* locals();
  yield* globals();
  if (!call) yield* functions();
}
