// Chunked builds (lower/module.ts generateChunks): the one LLVM module is printed once per chunk of
// functions, after which those functions' bodies are deleted. This turns each print into a module
// clang compiles on its own, like a part of split.ts: the chunk's functions are defined in it
// (hidden, since later chunks may call them), every global is defined in the first chunk printed
// after its creation (hidden) and declared in later ones that use it, strings and the prelude's
// helpers are copied where used. The unbounded-recursion facts (recursion.ts) are whole-program:
// a chunk goes to clang only once they are final for each of its functions (see Recursion).

import { ANY, withoutWayOut } from "./recursion.js";
import { symbolRefs, type ModuleScan, type ScanFn } from "./scan.js";
import { declaration, exported, FUNCTION_NAME, GLOBAL_NAME, isCopied, isExternalGlobal, SPECIAL_GLOBAL, type Item } from "./split.js";
import { runTextPassesIn, scanForPasses, type PassFacts, type ScannedModule } from "./pipeline.js";

/** The LLVM names (unquoted) of the functions a printed module defines. */
export function definedFunctions(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (!line.startsWith("define ")) continue;
    const m = FUNCTION_NAME.exec(line);
    if (!m) throw new Error(`chunks: unexpected line ${line.slice(0, 120)}`);
    if (!isCopied("define", m[1], line)) out.push(unquote(m[1])); // the prelude's helpers: every chunk copies them
  }
  return out;
}

/** A symbol name as LLVM prints it, unquoted (`"a b"`, with `\XX` hex escapes) or plain. */
function unquote(name: string): string {
  if (!name.startsWith('"')) return name;
  const bytes: number[] = [];
  const body = name.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\" && /^[0-9A-Fa-f]{2}$/.test(body.slice(i + 1, i + 3))) {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else for (const b of Buffer.from(body[i])) bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}

/** A function or global of a printed module: lines [start, end), the symbols it names. */
interface Piece {
  kind: Item["kind"];
  name: string;
  start: number;
  end: number;
  refs: Set<string>;
  copied: boolean;
  /** As split.ts sees it (its first line), for its declaration and hidden forms. */
  item: Item;
}

/** The functions and (non-external) globals of a printed module, in order. */
function piecesOf(lines: string[]): Piece[] {
  const out: Piece[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const define = line.startsWith("define ");
    if (!define && (!line.startsWith("@") || isExternalGlobal(line))) continue;
    const name = (define ? FUNCTION_NAME : GLOBAL_NAME).exec(line)?.[1];
    if (name === undefined) throw new Error(`chunks: unexpected line ${line.slice(0, 120)}`);
    let end = i + 1;
    if (define) while (end < lines.length && lines[end - 1] !== "}") end++;
    const refs = new Set<string>();
    for (let k = i; k < end; k++) if (lines[k].includes("@")) symbolRefs(lines[k], -1, refs, true);
    refs.delete(name);
    const kind = define ? "define" : "global";
    const copied = isCopied(kind, name, line);
    out.push({ kind, name, start: i, end, refs, copied, item: { kind, name, first: line, count: end - i, refs, metadata: [], rest: null, copied } });
    i = end - 1;
  }
  return out;
}

/** One chunk's module text, waiting for its functions' recursion facts. */
interface Waiting {
  lines: string[];
  fns: string[];
  /** The passes' walk over `lines` (done on arrival: the recursion facts come from it too). */
  scanned: ScannedModule;
}

/** Turns the prints of a chunked build into modules and emits them once their facts are final. */
export class ChunkedModule {
  private readonly definedGlobals = new Set<string>();
  private readonly definedFns = new Set<string>();
  private readonly recursion: Recursion;
  private readonly waiting: Waiting[] = [];

  /** `userFns`: the LLVM names of the program's functions (declared before the first chunk). */
  constructor(private readonly facts: PassFacts, private readonly userFns: Set<string>, private readonly emit: (ir: string) => void) {
    this.recursion = new Recursion(userFns);
  }

  /** A chunk's print (its functions' bodies have been deleted from the module since). */
  add(printed: string[]): void {
    const { lines, fns } = this.module(printed);
    const scanned = scanForPasses(lines, this.facts);
    this.recursion.add(scanned.scan);
    this.waiting.push({ lines, fns, scanned });
    this.flush();
  }

  /** After the last chunk: every fact is final, every chunk goes. */
  finish(): void {
    this.recursion.finish();
    this.flush();
    if (this.waiting.length) throw new Error("chunks: a chunk is left without recursion facts");
  }

  private flush(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i];
      if (!this.recursion.decided(w.fns)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      const lines = runTextPassesIn(w.lines, { ...this.facts, recursion: this.recursion.unbounded }, w.scanned);
      this.emit(lines.join("\n"));
    }
  }

  /** Whether `name` is a function this program generates (defined in some chunk). */
  private generated(name: string): boolean {
    return this.definedFns.has(name) || this.userFns.has(unquote(name));
  }

  /** The chunk's own module: its functions, the globals new since the last print, what they use.
   *  Line by line over the print, in its order (function bodies pass through untouched). */
  private module(printed: string[]): { lines: string[]; fns: string[] } {
    const pieces = piecesOf(printed);
    const byName = new Map(pieces.map((it) => [it.name, it]));
    const own = pieces.filter((it) => !it.copied && (it.kind === "define" || !this.definedGlobals.has(it.name)));
    const used = new Set<string>();
    const copies = new Set<Piece>();
    for (const work = own.slice(); work.length; ) {
      for (const r of work.pop()!.refs) {
        if (used.has(r)) continue;
        used.add(r);
        const target = byName.get(r);
        if (target?.copied && !copies.has(target)) {
          copies.add(target);
          work.push(target);
        }
      }
    }
    const lines: string[] = [], fns: string[] = [];
    let next = 0;
    for (const it of pieces) {
      for (; next < it.start; next++) this.keepLine(printed[next], used, lines);
      next = it.end;
      const first = this.firstLine(it, used, copies, fns);
      if (first === null) continue;
      lines.push(first);
      for (let k = it.start + 1; k < it.end; k++) lines.push(printed[k]);
    }
    for (; next < printed.length; next++) this.keepLine(printed[next], used, lines);
    return { lines, fns };
  }

  /** A function's or global's first line in this chunk's module (null: left out). */
  private firstLine(it: Piece, used: Set<string>, copies: Set<Piece>, fns: string[]): string | null {
    if (it.copied) return copies.has(it) ? it.item.first : null;
    if (it.kind === "define") {
      fns.push(it.name);
      this.definedFns.add(it.name);
      return this.hidden(it.item);
    }
    if (!this.definedGlobals.has(it.name)) {
      this.definedGlobals.add(it.name);
      return SPECIAL_GLOBAL.test(it.name) ? it.item.first : exported(it.item);
    }
    return used.has(it.name) && !SPECIAL_GLOBAL.test(it.name) ? declaration(it.item) : null;
  }

  /** A line outside functions and globals: declarations of this program's functions only where
   *  used (hidden), everything else as printed. */
  private keepLine(line: string, used: Set<string>, out: string[]): void {
    const name = line.startsWith("declare ") ? FUNCTION_NAME.exec(line)?.[1] : undefined;
    if (name === undefined || !this.generated(name)) out.push(line);
    else if (used.has(name)) out.push(line.replace(/^declare (?:dso_local )?(?:hidden )?/, "declare hidden "));
  }

  /** The first line of a function defined in this chunk, visible to the others (hidden: not
   *  exported from the executable); the program's main, `tul_user_main`, keeps its linkage. */
  private hidden(it: Item): string {
    const first = it.first;
    if (/^define (?:internal |private )/.test(first) || (this.userFns.has(unquote(it.name)) && !first.startsWith("define hidden "))) return exported(it);
    return first;
  }
}

/**
 * The unbounded recursions of a program that arrives chunk by chunk. A function's facts are final
 * once nothing it can reach may still change: every function it calls (directly or through others)
 * is defined already and none of them calls indirectly (an indirect call may reach any
 * address-taken function, and later chunks can take more addresses). Such a "closed" function's
 * strongly connected component is complete, so recursion.ts's answer for it is the same as over the
 * whole program. The others wait for the last chunk, when the rest of the graph is analysed whole
 * (a closed function never shares a component with an open one: it would reach what opens it).
 */
class Recursion {
  /** Defined functions whose facts are not final yet. */
  private readonly open = new Map<string, ScanFn>();
  private readonly defined = new Set<string>();
  private readonly taken = new Set<string>();
  /** The functions found without a way out so far (final for every function no longer open). */
  readonly unbounded = new Set<string>();

  constructor(private readonly userFns: Set<string>) {}

  /** A chunk's module, as the passes' walk found it. */
  add(scan: ModuleScan): void {
    for (const f of scan.fns) {
      this.open.set(f.name, f);
      this.defined.add(f.name);
    }
    for (const name of scan.referenced) this.taken.add(name);
    this.decide(false);
  }

  finish(): void {
    this.decide(true);
  }

  /** Whether the facts of all these functions are final. */
  decided(fns: string[]): boolean {
    return fns.every((f) => !this.open.has(f));
  }

  /** Decides the closed functions (all of them when `last`). */
  private decide(last: boolean): void {
    const pending = (name: string): boolean => !this.defined.has(name) && this.userFns.has(unquote(name));
    const succ = new Map<string, string[]>();
    for (const f of this.open.values()) {
      const out = new Set<string>();
      for (const b of f.blocks) {
        for (const c of b.calls) {
          if (c.callee === null) out.add(ANY);
          else if (this.open.has(c.callee) || (!last && pending(c.callee))) out.add(c.callee);
        }
      }
      succ.set(f.name, [...out]);
    }
    if (last) succ.set(ANY, [...this.taken].filter((t) => this.open.has(t)));
    else for (const name of this.reachOpen(succ, pending)) succ.delete(name);
    withoutWayOut(succ, this.open, this.taken, this.unbounded);
    for (const name of succ.keys()) this.open.delete(name);
  }

  /** The functions that can reach an indirect call or a function not yet defined. */
  private reachOpen(succ: Map<string, string[]>, pending: (name: string) => boolean): Set<string> {
    const callers = new Map<string, string[]>();
    const open: string[] = [];
    for (const [f, callees] of succ) {
      if (callees.some((c) => c === ANY || pending(c))) open.push(f);
      for (const c of callees) {
        const list = callers.get(c);
        if (list) list.push(f);
        else callers.set(c, [f]);
      }
    }
    const seen = new Set(open);
    while (open.length) {
      for (const caller of callers.get(open.pop()!) ?? []) {
        if (!seen.has(caller)) {
          seen.add(caller);
          open.push(caller);
        }
      }
    }
    return seen;
  }
}
