// Parser plumbing: arcsecond 5 parsers whose state.index is a TOKEN index into the lexer's array
// (state.data holds the Ctx), token primitives, spans, nesting-depth limit and error recovery.

import arcsecond from "arcsecond";
import type { Parser as ArcParser, ParserState } from "arcsecond";
import type { Span, SourceFile } from "../source.js";
import type { DiagnosticBag } from "../diagnostics.js";
import { describeToken, type Token } from "../lexer.js";
import { D, type Message } from "../messages.js";

// arcsecond is CommonJS: take the named values from the default import.
const { Parser, updateError } = arcsecond;

export const MAX_DEPTH = 256;

/** A syntax error travelling through arcsecond's error state. */
export interface SyntaxErr {
  message: Message;
  at: number; // token index the error points at (used for recovery)
  span: Span;
}

/** Everything a parse needs, carried in arcsecond's state.data. */
export class Ctx {
  /** Current token index inside a running rule (kept equal to the rule's state.index by `run`). */
  at = 0;
  depth = 0;
  fatal = false; // set once "nesting too deep" was reported: nothing recovers after it
  furthest = 0; // furthest token index consumed (for last-resort diagnostics)
  readonly parenMatch: Int32Array; // index of the matching ')' for each '(' (or -1)
  readonly pendingMinInt = new Set<object>(); // IntLit nodes of value 2^63 not (yet) negated

  constructor(readonly file: SourceFile, readonly toks: Token[], readonly diags: DiagnosticBag) {
    this.parenMatch = matchParens(toks);
  }

  tok(i: number): Token {
    return this.toks[Math.min(i, this.toks.length - 1)];
  }

  /** The current token (inside a rule). */
  peek(): Token {
    return this.tok(this.at);
  }

  /** Span from the start of token i0 to the end of the last token before i1. */
  span(i0: number, i1: number): Span {
    const end = i1 > i0 ? this.tok(i1 - 1).end : this.tok(i0).start;
    return { file: this.file, start: this.tok(i0).start, end };
  }

  tokSpan(i: number): Span {
    const t = this.tok(i);
    return { file: this.file, start: t.start, end: t.end };
  }

  /** Records a diagnostic (suppressed after a fatal one). */
  report(message: Message, span: Span): void {
    if (!this.fatal) this.diags.error(message, span);
  }
}

function matchParens(toks: Token[]): Int32Array {
  const match = new Int32Array(toks.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < toks.length; i++) {
    const k = toks[i].kind;
    if (k === "(") stack.push(i);
    else if (k === ")" && stack.length) match[stack.pop()!] = i;
  }
  return match;
}

export type P<T> = ArcParser<T, SyntaxErr, Ctx>;
type State = ParserState<unknown, SyntaxErr | null, Ctx>;
export type Run = <K>(p: P<K>) => K;

/** Builds a parser from a state transformer over token indexes. */
export function prim<T>(fn: (state: State, c: Ctx) => ParserState<T, SyntaxErr | null, Ctx>): P<T> {
  return new Parser((state: State) => (state.isError ? state : fn(state, state.data))) as unknown as P<T>;
}

/** arcsecond's updateParserState, as one object literal (the parser's hottest allocation). */
function ok<T>(state: State, result: T, index: number): ParserState<T, SyntaxErr | null, Ctx> {
  return { dataView: state.dataView, inputType: state.inputType, isError: false, error: null, result, data: state.data, index };
}

function err(state: State, e: SyntaxErr): ParserState<never, SyntaxErr | null, Ctx> {
  return updateError(state, e) as unknown as ParserState<never, SyntaxErr | null, Ctx>;
}

/**
 * A grammar rule written imperatively: `run(p)` applies parser p and returns its result, or throws
 * p's error state, which becomes this rule's error state. This is arcsecond's `coroutine` with the
 * Ctx passed in and one stack frame less per call (nesting depth costs stack).
 */
export function rule<T>(fn: (run: Run, c: Ctx) => T): P<T> {
  return new Parser(function rule$state(state: State) {
    if (state.isError) return state;
    let cur = state;
    const c = state.data;
    c.at = state.index;
    const run = <K>(p: P<K>): K => {
      const ns = p.p(cur) as State;
      if (ns.isError) throw ns;
      cur = ns;
      c.at = ns.index;
      return ns.result as K;
    };
    try {
      const result = fn(run, c);
      return ok(cur, result, cur.index); // `cur` must be read after fn ran
    } catch (e) {
      if (e instanceof Error) throw e;
      return e as State;
    }
  }) as unknown as P<T>;
}

/** A parser defined later (mutually recursive rules); it replaces itself on first use. */
export function lazy<T>(thunk: () => P<T>): P<T> {
  const self = new Parser((state: State) => {
    const target = thunk();
    self.p = target.p as typeof self.p;
    return target.p(state);
  });
  return self as unknown as P<T>;
}

// ---------- token primitives ----------

/** Consumes any token (never moves past end of file). */
export const next: P<Token> = prim((s, c) => {
  const t = c.tok(s.index);
  const i = t.kind === "eof" ? s.index : s.index + 1;
  if (i > c.furthest) c.furthest = i;
  return ok(s, t, i);
});

/** Consumes a token of this kind if present; null otherwise. */
const acceptCache = new Map<string, P<Token | null>>();
export function accept(kind: string): P<Token | null> {
  let p = acceptCache.get(kind);
  if (!p) acceptCache.set(kind, (p = makeAccept(kind)));
  return p;
}

function makeAccept(kind: string): P<Token | null> {
  return prim((s, c) => {
    const t = c.tok(s.index);
    if (t.kind !== kind) return ok(s, null, s.index);
    if (s.index + 1 > c.furthest) c.furthest = s.index + 1;
    return ok(s, t, s.index + 1);
  });
}

/** Consumes a token of this kind or fails with "expected 'k' <context>, found X". */
const expectCache = new Map<string, P<Token>>();
export function expect(kind: string, context: string, shown = `'${kind}'`): P<Token> {
  const key = `${kind}\0${context}\0${shown}`;
  let p = expectCache.get(key);
  if (!p) expectCache.set(key, (p = makeExpect(kind, context, shown)));
  return p;
}

function makeExpect(kind: string, context: string, shown: string): P<Token> {
  return prim((s, c) => {
    const t = c.tok(s.index);
    if (t.kind === kind) {
      if (s.index + 1 > c.furthest) c.furthest = s.index + 1;
      return ok(s, t, s.index + 1);
    }
    return err(s, syntaxErr(c, s.index, expected(shown, context, t)));
  });
}

/** Inside a rule: consumes a token of this kind or fails like `expect` (no parser built per call). */
export function want(run: Run, c: Ctx, kind: string, context: string, shown = `'${kind}'`): Token {
  const t = c.peek();
  if (t.kind === kind) return run(next);
  return run(failHere(expected(shown, context, t)));
}

/** "expected <what> <context>, found <token>". */
export function expected(what: string, context: string, found: Token): Message {
  return D.expected({ what: context ? `${what} ${context}` : what, found: describeToken(found) });
}

/** Fails at the current token with this message. */
export function failHere<T = never>(message: Message): P<T> {
  return prim((s, c) => err(s, syntaxErr(c, s.index, message)));
}

export function syntaxErr(c: Ctx, at: number, message: Message): SyntaxErr {
  return { message, at, span: c.tokSpan(at) };
}

/**
 * Statement terminator: consumes ';'. A missing ';' before a token on a new line (or before '}' /
 * end of file) is reported after the previous token and parsing goes on as if it were there.
 */
const endStmtCache = new Map<string, P<null>>();
export function endStmt(after: string): P<null> {
  let p = endStmtCache.get(after);
  if (!p) endStmtCache.set(after, (p = makeEndStmt(after)));
  return p;
}

function makeEndStmt(after: string): P<null> {
  return prim((s, c) => {
    const t = c.tok(s.index);
    if (t.kind === ";") return ok(s, null, s.index + 1);
    if (t.nl || t.kind === "}" || t.kind === "eof") {
      const prevEnd = s.index > 0 ? c.tok(s.index - 1).end : t.start;
      c.report(D.missingSemicolon({ after }), { file: c.file, start: prevEnd, end: prevEnd });
      return ok(s, null, s.index);
    }
    return err(s, syntaxErr(c, s.index, expected("';'", after, t)));
  });
}

// ---------- nesting depth ----------

/**
 * Runs p one nesting level deeper (blocks, parentheses, brackets, calls, lambdas, match).
 * Past MAX_DEPTH: one fatal diagnostic at the current (opening) token, and the parse unwinds.
 */
export function nested<T>(p: P<T>): P<T> {
  return new Parser(function nested$state(s: State) {
    if (s.isError) return s;
    const c = s.data;
    if (c.depth >= MAX_DEPTH) return err(s, tooDeep(c, s.index));
    c.depth++;
    try {
      return p.p(s);
    } finally {
      c.depth--;
    }
  }) as unknown as P<T>;
}

/** For rules that nest inline: `run(enter); try { ... } finally { c.depth--; }`. */
export const enter: P<null> = prim((s, c) => {
  if (c.depth >= MAX_DEPTH) return err(s, tooDeep(c, s.index));
  c.depth++;
  return ok(s, null, s.index);
});

function tooDeep(c: Ctx, at: number): SyntaxErr {
  const e = syntaxErr(c, at, D.tooDeep({ max: MAX_DEPTH }));
  if (!c.fatal) c.diags.error(e.message, e.span);
  c.fatal = true;
  return e;
}

// ---------- error recovery ----------

const DECL_STARTS = new Set(["func", "async", "struct", "type", "import"]);

/**
 * Runs a statement parser; on a (non-fatal) syntax error records the diagnostic, skips to just
 * after the next ';' (or to the '}' closing the current block, or to a declaration keyword at the
 * start of a line) and yields null, so the caller can continue with the next statement.
 */
export function recoverStmt<T>(p: P<T>): P<T | null> {
  return new Parser(function recover$state(s: State) {
    if (s.isError) return s;
    const out = p.p(s) as State;
    const c = s.data;
    if (!out.isError || c.fatal) return out;
    const e = out.error!;
    c.report(e.message, e.span);
    return ok(s, null, syncIndex(c, Math.max(e.at, s.index), s.index));
  }) as unknown as P<T | null>;
}

/** Where parsing resumes after an error at token `at` in a statement that began at `start`. */
function syncIndex(c: Ctx, at: number, start: number): number {
  let depth = 0; // braces opened by this statement before the error and not yet closed
  for (let j = start; j < at; j++) {
    const k = c.tok(j).kind;
    if (k === "{") depth++;
    else if (k === "}" && depth > 0) depth--;
  }
  let i = at;
  for (; ; i++) {
    const t = c.tok(i);
    if (t.kind === "eof") break;
    if (t.kind === "{") depth++;
    else if (t.kind === "}") {
      if (depth === 0) break;
      if (--depth === 0) return i + 1;
    } else if (depth === 0 && t.kind === ";") return i + 1;
    else if (depth === 0 && i > at && t.nl && DECL_STARTS.has(t.kind)) break;
  }
  return i > start || c.tok(start).kind === "eof" ? i : start + 1;
}

export { Parser };
