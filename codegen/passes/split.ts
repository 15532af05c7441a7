// Splits a module's IR text into parts that clang compiles in parallel (one process per core) and
// the linker joins into the same program. Functions go to parts in source order (neighbours call
// each other, so inlining still sees them); every definition lives in exactly one part, except
// small prelude helpers (`tul__*`, no debug info) and string constants, which are copied into each
// part (their addresses carry no meaning). A symbol used across parts keeps its definition in one
// part with hidden visibility instead of internal linkage and is declared in the others. Each part
// carries the metadata its code refers to (its debug compile unit, subprograms, locations, TBAA).

import { symbolRefs } from "./scan.js";

export interface Item {
  kind: "global" | "define";
  name: string;
  /** Its first line (the definition's head, or the global), and how many lines it has. */
  first: string;
  count: number;
  /** Symbols (`@name`) the item refers to, itself excluded. */
  refs: Set<string>;
  /** Metadata ids its lines refer to (with repeats). */
  metadata: number[];
  /** Its lines after the first, joined (a function's body and `}`), or null. */
  rest: string | null;
  /** Copied into every part that uses it (see COPIED_GLOBAL, COPIED_FUNCTION). */
  copied: boolean;
}

/** The name of the function a `define` or `declare` line names (passes/chunks.ts reads both). */
export const FUNCTION_NAME = /^(?:define|declare) [^@]*@([-\w.$]+|"(?:[^"\\]|\\.)*")\(/;
/** The name of the global a line defines or declares. */
export const GLOBAL_NAME = /^@([-\w.$]+|"(?:[^"\\]|\\.)*") = /;
const METADATA_DEF = /^!(\d+) = /;
/** Copied into every part that uses them: pure data (strings) and the prelude's helpers. */
const COPIED_GLOBAL = /^tul\.c?str\.\d+$/;
const COPIED_FUNCTION = /^tul__/;
/** Globals the linker treats specially (appending arrays): kept whole in the first part. */
export const SPECIAL_GLOBAL = /^llvm\./;

/** The top-level pieces of a printed module. */
interface Parsed {
  /** Lines every part starts with: module id, source file, data layout, triple, type definitions. */
  head: string[];
  /** Declarations of external functions and globals: every part gets them all. */
  externals: string[];
  items: Item[];
  attributes: string[];
  namedMetadata: string[];
  /** Metadata definitions by id (`!N = ...`; sparse). */
  metadata: string[];
}


function parse(lines: string[]): Parsed {
  const p: Parsed = { head: [], externals: [], items: [], attributes: [], namedMetadata: [], metadata: [] };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("define ")) {
      let end = i;
      while (end < lines.length && lines[end] !== "}") end++;
      const name = FUNCTION_NAME.exec(line)?.[1];
      if (!name) throw new SplitError(line);
      p.items.push(item("define", name, line, end + 1 - i, lines.slice(i + 1, end + 1).join("\n")));
      i = end;
    } else if (line.startsWith("@")) {
      const name = GLOBAL_NAME.exec(line)?.[1];
      if (!name) throw new SplitError(line);
      if (isExternalGlobal(line)) p.externals.push(line);
      else p.items.push(item("global", name, line, 1, null));
    } else if (line.startsWith("declare ")) p.externals.push(line);
    else if (line.startsWith("attributes ")) p.attributes.push(line);
    else if (line.startsWith("!")) {
      const m = METADATA_DEF.exec(line);
      if (m) p.metadata[Number(m[1])] = line;
      else p.namedMetadata.push(line);
    } else if (line !== "" && !line.startsWith(";")) p.head.push(line);
  }
  return p;
}

/** An item; its references are read from its text (the body as one string: indexOf jumps from one
 *  `@` or `!` to the next instead of visiting every line). */
function item(kind: Item["kind"], name: string, first: string, count: number, rest: string | null): Item {
  const it: Item = { kind, name, first, count, refs: new Set(), metadata: [], rest, copied: false };
  for (const text of rest === null ? [first] : [first, rest]) {
    symbolRefs(text, -1, it.refs, true);
    metadataRefs(text, it.metadata);
  }
  it.refs.delete(name);
  it.copied = isCopied(kind, name, first);
  return it;
}

/** Whether a global line declares a global defined outside the program (every part keeps it). */
export function isExternalGlobal(line: string): boolean {
  return /^@\S+ = (?:external |extern_weak )/.test(line);
}

/** Whether an item is copied into every part that uses it (see COPIED_GLOBAL, COPIED_FUNCTION). */
export function isCopied(kind: Item["kind"], name: string, first: string): boolean {
  return kind === "global"
    ? COPIED_GLOBAL.test(name) && /^@\S+ = private /.test(first)
    : COPIED_FUNCTION.test(name) && /^define internal /.test(first) && !/ !dbg !\d+/.test(first);
}

/** Metadata ids a line (or lines) refers to (`!` and digits: what /!(\d+)/g finds, scanned by hand
 *  because nearly every line of a module has one, in `!dbg !N`). */
function metadataRefs(line: string, out: number[]): void {
  for (let i = line.indexOf("!"); i >= 0; i = line.indexOf("!", i + 1)) {
    let id = 0, j = i + 1;
    for (; j < line.length; j++) {
      const d = line.charCodeAt(j) - 48;
      if (d < 0 || d > 9) break;
      id = id * 10 + d;
    }
    if (j > i + 1) out.push(id);
  }
}

/**
 * Assigns the functions (in order) to `parts` contiguous groups of about equal size in lines, and
 * each other item to the part of its first user (the first part when nothing uses it).
 */
function assign(items: Item[], parts: number): Map<Item, number> {
  const home = new Map<Item, number>();
  const functions = items.filter((it) => it.kind === "define" && !it.copied);
  const total = functions.reduce((n, f) => n + f.count, 0);
  let seen = 0;
  for (const f of functions) {
    home.set(f, Math.min(parts - 1, Math.floor((seen * parts) / Math.max(1, total))));
    seen += f.count;
  }
  const byName = new Map(items.map((it) => [it.name, it]));
  // Globals follow their first user, through chains of globals (a type descriptor names others).
  const work = functions.slice();
  for (let i = 0; i < work.length; i++) {
    const user = work[i];
    for (const r of user.refs) {
      const it = byName.get(r);
      if (!it || home.has(it) || it.copied) continue;
      home.set(it, SPECIAL_GLOBAL.test(it.name) ? 0 : home.get(user)!);
      work.push(it);
    }
  }
  for (const it of items) if (!home.has(it) && !it.copied) home.set(it, 0);
  return home;
}

/** The first line of `define internal ...` / `@x = private ...` made visible to the other parts
 *  (hidden: not exported from the executable). */
export function exported(item: Item): string {
  const first = item.first;
  return item.kind === "define"
    ? first.replace(/^define (?:internal |private )?/, "define hidden ")
    : first.replace(/^(@\S+ = )(?:internal |private )?/, "$1hidden ");
}

/** A declaration of an item defined in another part. */
export function declaration(item: Item): string {
  const first = item.first;
  if (item.kind === "define") {
    return first
      .replace(/^define (?:internal |private )?/, "declare hidden ")
      .replace(/ \{$/, "")
      .replace(/ !\w+ !\d+/g, "");
  }
  const m = /^(@\S+ = )(?:internal |private )?((?:(?:local_)?unnamed_addr |thread_local(?:\([a-z]+\))? |addrspace\(\d+\) )*)(constant|global) (.*)$/.exec(first);
  if (!m) throw new SplitError(first);
  return `${m[1]}external hidden ${m[2]}${m[3]} ${valueType(m[4])}`;
}

/** The type at the start of `<type> <initializer>` (struct and array types nest). */
function valueType(s: string): string {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "{" || c === "[" || c === "<" || c === "(") depth++;
    else if (c === "}" || c === "]" || c === ">" || c === ")") depth--;
    else if (c === " " && depth === 0) {
      // `i8* ...`, `%T ...`, `{ ... } ...`: the type ends at the first top-level space not followed by `*` or `(`
      if (s[i + 1] !== "*" && s[i + 1] !== "(") return s.slice(0, i);
    }
  }
  return s;
}

/** The metadata lines reachable from the `roots` ids, in id order (ids are dense: marked in an
 *  array and read back in order, no sort). */
function metadataFor(roots: number[], metadata: string[], refCache: number[][]): string[] {
  const seen = new Uint8Array(metadata.length);
  const work: number[] = [];
  const add = (id: number): void => {
    if (id < metadata.length && !seen[id] && metadata[id] !== undefined) {
      seen[id] = 1;
      work.push(id);
    }
  };
  for (const id of roots) add(id);
  while (work.length) {
    const id = work.pop()!;
    let refs = refCache[id];
    if (!refs) {
      refs = [];
      const line = metadata[id];
      metadataRefs(line.slice(line.indexOf("=")), refs);
      refCache[id] = refs;
    }
    for (const r of refs) add(r);
  }
  const out: string[] = [];
  for (let id = 0; id < seen.length; id++) if (seen[id]) out.push(metadata[id]);
  return out;
}

/** A line the splitter does not understand: the module is then compiled whole. */
class SplitError extends Error {
  constructor(line: string) {
    super(`split: unexpected line ${line.slice(0, 120)}`);
  }
}

/**
 * Splits IR text into `parts` modules (fewer when it has fewer functions). One part, or text the
 * splitter does not understand, returns the text unchanged.
 */
export function splitModule(text: string, parts: number): string[] {
  return splitModuleLines(text.split("\n"), parts, () => text);
}

/** splitModule on the module's lines; `whole()` gives the text unsplit (made only when needed). */
export function splitModuleLines(lines: string[], parts: number, whole: () => string = () => lines.join("\n")): string[] {
  if (parts <= 1) return [whole()];
  try {
    return split(lines, parts) ?? [whole()];
  } catch (e) {
    if (e instanceof SplitError) return [whole()];
    throw e;
  }
}

/** The parts, or null when the module has too few functions to split. */
function split(lines: string[], parts: number): string[] | null {
  const p = parse(lines);
  const functions = p.items.filter((it) => it.kind === "define" && !it.copied).length;
  parts = Math.min(parts, functions);
  if (parts <= 1) return null;
  const home = assign(p.items, parts);
  const byName = new Map(p.items.map((it) => [it.name, it]));
  // Which parts each item is needed in (its home, every part using it, and for copies their users' parts).
  const users = new Map<Item, Set<number>>();
  const need = (it: Item, part: number): void => {
    let set = users.get(it);
    if (!set) users.set(it, (set = new Set()));
    set.add(part);
  };
  for (const it of p.items) {
    const h = home.get(it);
    if (h === undefined) continue;
    for (const r of it.refs) {
      const target = byName.get(r);
      if (target) need(target, h);
    }
  }
  // Copies bring their own references along (a helper may use a string), to a fixed point.
  for (let changed = true; changed; ) {
    changed = false;
    for (const it of p.items) {
      if (!it.copied) continue;
      for (const part of users.get(it) ?? []) {
        for (const r of it.refs) {
          const target = byName.get(r);
          if (target && !(users.get(target)?.has(part))) {
            need(target, part);
            changed = true;
          }
        }
      }
    }
  }
  const crossed = new Set(p.items.filter((it) => [...(users.get(it) ?? [])].some((u) => u !== home.get(it))));
  const refCache: number[][] = [];
  const namedRoots: number[] = [];
  for (const l of p.namedMetadata) metadataRefs(l, namedRoots);
  const out: string[] = [];
  for (let part = 0; part < parts; part++) {
    const globals: string[] = [];
    const decls: string[] = [];
    const defs: string[] = [];
    const roots = namedRoots.slice();
    for (const it of p.items) {
      const used = users.get(it)?.has(part) ?? false;
      const target = it.kind === "global" ? globals : defs;
      const here = it.copied ? used : home.get(it) === part;
      if (here) {
        target.push(!it.copied && crossed.has(it) ? exported(it) : it.first);
        if (it.rest !== null) target.push(it.rest); // one string per body
        for (const id of it.metadata) roots.push(id);
      } else if (used && !it.copied) (it.kind === "global" ? globals : decls).push(declaration(it));
    }
    const meta = metadataFor(roots, p.metadata, refCache);
    out.push(joinLines([p.head, globals, p.externals, decls, defs, p.attributes, p.namedMetadata, meta]));
  }
  return out;
}

/** The lines (or runs of lines) of all `groups` in order, each ending in a newline (no spread: a
 *  group can hold most of a huge module's lines). */
function joinLines(groups: string[][]): string {
  return groups.filter((g) => g.length).map((g) => g.join("\n")).join("\n") + "\n";
}
