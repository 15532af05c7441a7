// One walk over a printed module's lines that finds its functions, their basic blocks (calls,
// branches, returns) and the functions referenced other than as a direct callee: what both the
// recursion analysis (recursion.ts) and stack-check placement (stack_checks.ts) read, parsed once.

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
}

const DEFINE = /^define [^@]*@([-\w.$]+|"[^"]*")\(/;
const LABEL = /^([-\w.$]+|"(?:[^"\\]|\\.)*"):/;
const SUCC = /label %([-\w.$]+|"(?:[^"\\]|\\.)*")/g;
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

/** A quick test that a line may be a call (CALL matches only lines that pass it). */
export function mayCall(line: string): boolean {
  return line.includes("call") || line.includes("invoke ");
}

/** Whether a line is a call that counts for stack-check placement. */
export function isCountedCall(line: string): boolean {
  return mayCall(line) && CALL.test(line) && !NOT_A_CALL.test(line);
}

export function scanModule(lines: string[]): ModuleScan {
  const fns: ScanFn[] = [];
  const referenced = new Set<string>();
  let fn: ScanFn | null = null;
  let block: ScanBlock | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fn === null || block === null) {
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
    if (!isIndented(line)) {
      const label = LABEL.exec(line);
      if (label) {
        if (block.label || block.calls.length || block.succs.length || block.returns) fn.blocks.push((block = { label: label[1], start: i, calls: [], succs: [], returns: false }));
        else { block.label = label[1]; block.start = i; }
      }
      continue;
    }
    let callee = -1;
    if (mayCall(line) && CALL.test(line)) {
      const m = CALLEE.exec(line);
      const direct = m !== null && m[1].startsWith("@");
      if (direct) callee = m.index + m[0].length - m[1].length - 1;
      block.calls.push({ callee: direct ? m[1].slice(1) : null, counts: !NOT_A_CALL.test(line) });
      if (line.includes("@tul__stack_check(") && CHECK.test(line)) fn.checks.push(i);
    }
    if (line.includes("ret ") && /^\s+ret /.test(line)) block.returns = true;
    if (line.includes("label %")) for (const s of line.matchAll(SUCC)) block.succs.push(s[1]);
    if (line.includes("@")) symbolRefs(line, callee, referenced);
  }
  return { fns, referenced };
}

/**
 * Adds the symbols a line names (`@name`, `@"name"`) to `out`, except the one at index `skip` (a
 * direct call's callee): what /@([-\w.$]+|"[^"]*")/g finds, or with `escapes` /@([-\w.$]+|"(?:[^"\\]|\\.)*")/g
 * (the same on LLVM's output, which prints `"` in a name as \22). Scanned by hand: a third of a
 * module's lines name a symbol.
 */
export function symbolRefs(line: string, skip: number, out: Set<string>, escapes = false): void {
  for (let at = line.indexOf("@"); at >= 0; at = line.indexOf("@", at + 1)) {
    let end = at + 1;
    if (line.charCodeAt(end) === 34) { // @"quoted name"
      end = escapes ? quoteEnd(line, end + 1) : line.indexOf('"', end + 1) + 1;
      if (end === 0) continue; // unterminated: no name here
    } else {
      while (end < line.length && isNameChar(line.charCodeAt(end))) end++;
    }
    if (end === at + 1) continue;
    if (at !== skip) out.add(line.slice(at + 1, end));
    at = end - 1;
  }
}

/** One past the `"` closing a quoted name whose text starts at `i` (backslash escapes skipped), or 0. */
function quoteEnd(line: string, i: number): number {
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
  }
  return 0;
}

/** [-\w.$] */
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 || c === 36;
}
