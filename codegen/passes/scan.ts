// One walk over a printed module's lines that finds its functions, their basic blocks (calls,
// branches, returns) and the functions referenced other than as a direct callee: what both the
// recursion analysis (recursion.ts) and stack-check placement (stack_checks.ts) read, parsed once
// (and, in the same walk, call-site-only locations and TBAA tags: locations.ts, tbaa.ts).

import { withTbaaTag } from "./tbaa.js";

export interface ScanCall {
  /** The direct callee's name, or null for an indirect call. */
  callee: string | null;
  /** Whether the call counts for stack-check placement (not an intrinsic, volatile helper, throw or the check). */
  counts: boolean;
}

export interface ScanBlock {
  /** The label ("" for an unlabelled first block). */
  label: string;
  /** Index of the block's first line (its label line when it has one). */
  start: number;
  calls: ScanCall[];
  /** Labels it branches to. */
  succs: string[];
  returns: boolean;
}

export interface ScanFn {
  name: string;
  /** Index of the `define` line; `end` is the index of the closing `}`. */
  define: number;
  end: number;
  blocks: ScanBlock[];
  /** Line indices of its stack checks (`call void @tul__stack_check()`). */
  checks: number[];
}

export interface ModuleScan {
  fns: ScanFn[];
  /** Symbols named anywhere but as a direct call's callee or in a definition line (address-taken candidates). */
  referenced: Set<string>;
  /** Whether the TBAA rewrite tagged some line (ScanRewrites). */
  tbaaTagged: boolean;
}

const DEFINE = /^define [^@]*@([-\w.$]+|"[^"]*")\(/;
const LABEL = /^([-\w.$]+|"(?:[^"\\]|\\.)*"):/;
const RET = /^\s+ret /;
export const CALL = /^\s+(?:%\S+ = )?(?:tail |musttail |notail )?(?:call|invoke|callbr) /;
/** The callee of a call: the first `@name(` or `%name(` after the opcode (types never end in `(`). */
export const CALLEE = /(?:call|invoke|callbr) [^\n]*?([@%](?:[-\w.$]+|"[^"]*"))\(/;
const CHECK = /^\s+call void @tul__stack_check\(\)/;
const NOT_A_CALL = /call [^(]*@(?:llvm\.|tul__v(?:load|store)_|tul__stack_check\(|tul_throw\w*\(|tul_stack_overflow\()/;

/** Whether a line starts with white space (an instruction; labels and definitions start in column 0). */
export function isIndented(line: string): boolean {
  const c = line.charCodeAt(0);
  return c === 32 || c === 9;
}

/** A debug location attachment, as LLVM prints it after an instruction. */
export const DBG = ", !dbg !";

/** An instruction line without its `, !dbg !N` (the same line when it has none): locations.ts. */
export function withoutLocation(line: string): string {
  const at = line.indexOf(DBG);
  if (at < 0) return line;
  let end = at + DBG.length;
  while (end < line.length && line.charCodeAt(end) >= 48 && line.charCodeAt(end) <= 57) end++;
  return line.slice(0, at) + line.slice(end);
}

/** The rewrites of instruction lines (`call`: whether the line is a call). */
class Rewriter {
  /** Whether some line got a `!tbaa` tag. */
  tagged = false;

  constructor(private readonly r: ScanRewrites) {}

  line(line: string, call: boolean): string {
    const out = this.r.callSitesOnly && !call ? withoutLocation(line) : line;
    if (this.r.tbaaBase === undefined) return out;
    const tagged = withTbaaTag(out, this.r.tbaaBase);
    if (tagged !== out) this.tagged = true;
    return tagged;
  }
}

/** A quick test that a line may be a call (CALL matches only lines that pass it). */
export function mayCall(line: string): boolean {
  return line.includes("call") || line.includes("invoke ");
}


/** Rewrites of instruction lines the scan can do on its way (see scanModule). */
export interface ScanRewrites {
  /** locations.ts: instructions other than calls lose their `!dbg`. */
  callSitesOnly?: boolean;
  /** tbaa.ts: array accesses get `!tbaa` tags numbered from this metadata id (tbaa.ts appends the tree). */
  tbaaBase?: number;
}

/**
 * Scans the module. With `rewrites` the walk also does those passes on the way, in place (it knows
 * which lines are calls; no other finding of the scan depends on a line's `!dbg` or `!tbaa`, and
 * neither pass's result depends on the other having run first).
 */
export function scanModule(lines: string[], rewrites: ScanRewrites = {}): ModuleScan {
  const fns: ScanFn[] = [];
  const referenced = new Set<string>();
  const rewrite = rewrites.callSitesOnly || rewrites.tbaaBase !== undefined ? new Rewriter(rewrites) : null;
  let fn: ScanFn | null = null;
  let block: ScanBlock | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fn === null || block === null) {
      if (rewrite && isIndented(line)) lines[i] = rewrite.line(line, mayCall(line) && CALL.test(line)); // (LLVM prints none)
      if (line.startsWith("define ")) {
        const m = DEFINE.exec(line);
        if (m && line.endsWith("{")) {
          block = { label: "", start: i + 1, calls: [], succs: [], returns: false };
          fn = { name: m[1], define: i, end: -1, blocks: [block], checks: [] };
        }
        if (m) continue; // a definition's own line names no address-taken function
      }
      // Nor does a declaration's (in a chunk of a chunked build, passes/chunks.ts, it may declare a
      // function another chunk defines).
      if (line.includes("@") && !line.startsWith("declare ")) symbolRefs(line, -1, referenced);
      continue;
    }
    if (line === "}") {
      fn.end = i;
      fns.push(fn);
      fn = block = null;
      continue;
    }
    // The cheap tests first (this runs on every line of the module): a label starts in column 0,
    // a call line names call/invoke, a branch `label %`.
    const c0 = line.charCodeAt(0);
    if (c0 !== 32 && c0 !== 9) {
      const label = LABEL.exec(line);
      if (label) {
        if (block.label || block.calls.length || block.succs.length || block.returns) fn.blocks.push((block = { label: label[1], start: i, calls: [], succs: [], returns: false }));
        else { block.label = label[1]; block.start = i; }
      }
      continue;
    }
    let callee = -1;
    const call = (line.includes("call") || line.includes("invoke ")) && CALL.test(line);
    if (rewrite) lines[i] = rewrite.line(line, call);
    if (call) {
      const m = CALLEE.exec(line);
      const direct = m !== null && m[1].startsWith("@");
      if (direct) callee = m.index + m[0].length - m[1].length - 1;
      block.calls.push({ callee: direct ? m[1].slice(1) : null, counts: !NOT_A_CALL.test(line) });
      if (line.includes("@tul__stack_check(") && CHECK.test(line)) fn.checks.push(i);
    }
    if (line.includes("ret ") && RET.test(line)) block.returns = true;
    const branch = line.indexOf("label %");
    if (branch >= 0) labelRefs(line, branch, block.succs);
    if (line.includes("@")) symbolRefs(line, callee, referenced);
  }
  return { fns, referenced, tbaaTagged: rewrite?.tagged ?? false };
}

/**
 * Adds the symbols a line names (`@name`, `@"name"`) to `out`, except the one at index `skip` (a
 * direct call's callee): what /@([-\w.$]+|"[^"]*")/g finds, or with `escapes` /@([-\w.$]+|"(?:[^"\\]|\\.)*")/g
 * (the same on LLVM's output, which prints `"` in a name as \22), line by line when `line` holds
 * several. Scanned by hand: a third of a module's lines name a symbol.
 */
export function symbolRefs(line: string, skip: number, out: Set<string>, escapes = false): void {
  for (let at = line.indexOf("@"); at >= 0; at = line.indexOf("@", at + 1)) {
    let end = at + 1;
    if (line.charCodeAt(end) === 34) { // @"quoted name"
      end = quoteEnd(line, end + 1, escapes);
      if (end === 0) continue; // unterminated: no name here
    } else {
      while (end < line.length && isNameChar(line.charCodeAt(end))) end++;
    }
    if (end === at + 1) continue;
    if (at !== skip) out.add(line.slice(at + 1, end));
    at = end - 1;
  }
}

/** Adds the labels a line branches to (`label %name`, from index `from` on) to `out`: what
 *  /label %([-\w.$]+|"(?:[^"\\]|\\.)*")/g finds, scanned by hand. */
function labelRefs(line: string, from: number, out: string[]): void {
  for (let at = from; at >= 0; at = line.indexOf("label %", at + 1)) {
    const start = at + 7;
    let end = start;
    if (line.charCodeAt(start) === 34) end = quoteEnd(line, start + 1);
    else while (end < line.length && isNameChar(line.charCodeAt(end))) end++;
    if (end <= start) continue; // no name here
    out.push(line.slice(start, end));
    at = end - 1;
  }
}

/** One past the `"` closing a quoted name whose text starts at `i` (with `escapes`, a backslash
 *  escapes the next character), or 0 when the line ends first (`text` may hold several lines). */
function quoteEnd(text: string, i: number, escapes = true): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return 0;
    if (c === 92 && escapes) {
      if (text.charCodeAt(i + 1) === 10) return 0;
      i++;
    }
    else if (c === 34) return i + 1;
  }
  return 0;
}

/** [-\w.$] */
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 || c === 36;
}
