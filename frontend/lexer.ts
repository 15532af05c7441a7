// The Tulpar lexer: turns SourceFile.text into a flat token array with sticky (/y) regexes and
// charCode loops (linear time). Lexical mistakes become diagnostics; lexing never throws.

import type { SourceFile, Span } from "./source.js";
import { showChar, type DiagnosticBag } from "./diagnostics.js";
import { D, type Message } from "./messages.js";

/**
 * Token kinds. Keywords and punctuators use their own text as kind ("if", "(", "+=").
 * T-strings are flattened into the stream: `t"a{x}b"` lexes as
 *   tstr-begin, tstr-text("a"), tstr-open, ident(x), tstr-close, tstr-text("b"), tstr-end
 * (text tokens appear only when non-empty); `{x:.2f}` adds tstr-spec(".2f") before tstr-close.
 */
export type LiteralKind = "ident" | "int-lit" | "float-lit" | "str-lit" | "eof";
export type TStringKind = "tstr-begin" | "tstr-text" | "tstr-open" | "tstr-spec" | "tstr-close" | "tstr-end";

export interface Token {
  kind: string; // LiteralKind | TStringKind | keyword | punctuator
  start: number; // UTF-16 offsets into the file text
  end: number;
  text: string; // source text (identifier name, keyword, punctuator, number text)
  /** int: bigint (may be 2^63 when `tooBig` is unset, see below); float: number; string/tstr-text: decoded text */
  value?: bigint | number | string;
  /** int literal exactly 2^63: valid only directly under unary minus (the parser decides). */
  minInt: boolean;
  /** true when a newline (or the start of the file) separates this token from the previous one */
  nl: boolean;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  "func", "async", "await", "return", "if", "else", "while", "for", "in", "break", "continue", "try",
  "catch", "finally", "throw", "import", "as", "struct", "type", "var", "const", "match", "true",
  "false", "null", "int", "float", "bool", "str", "json", "array", "void", "spawn",
]);

/**
 * Punctuators, longest first so that the sticky regex prefers `=>` over `=`. `>>` is two `>` tokens
 * (`promise<promise<int>>` closes two types); the expression parser joins adjacent ones (parse/expr.ts).
 */
const PUNCT_RE = /<<=|=>|==|!=|<=|>=|&&|\|>|\|\||\+\+|--|\+=|-=|\*=|\/=|%=|&=|\|=|\^=|<<|\.\.|[(){}[\],;:?.+\-*/%<>=!&|^~]/y;
const IDENT_RE = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const IDENT_CONT_RE = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]/uy;
const FLOAT_RE = /[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)/y;
const INT_RE = /0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[oO][0-7](?:_?[0-7])*|0[bB][01](?:_?[01])*|[0-9](?:_?[0-9])*/y;

const INT64_MAX = (1n << 63n) - 1n;

function isAsciiIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
const MAX_TSTRING_NESTING = 256;

const C_QUOTE = 34, C_BACKSLASH = 92, C_NL = 10, C_LBRACE = 123, C_RBRACE = 125, C_SLASH = 47, C_STAR = 42;

export interface LexResult {
  tokens: Token[];
  /** t-strings nested deeper than 256 levels: reported once, and the rest of the file was not lexed. */
  tooDeep: boolean;
}

/** Lexes a whole file. The token array always ends with one "eof" token. */
export function lex(file: SourceFile, diags: DiagnosticBag): LexResult {
  const lexer = new Lexer(file, diags);
  lexer.run();
  return { tokens: lexer.tokens, tooDeep: lexer.tooDeep };
}

class Lexer {
  readonly tokens: Token[] = [];
  private readonly text: string;
  private pos = 0;
  private sawNewline = true;
  private tstringDepth = 0;
  tooDeep = false;

  constructor(private readonly file: SourceFile, private readonly diags: DiagnosticBag) {
    this.text = file.text;
  }

  run(): void {
    while (this.skipTrivia()) this.lexToken();
    this.push("eof", this.text.length, this.text.length, "");
  }

  private span(start: number, end: number): Span {
    return { file: this.file, start, end };
  }

  private error(message: Message, start: number, end: number): void {
    if (!this.tooDeep) this.diags.error(message, this.span(start, end));
  }

  private push(kind: string, start: number, end: number, text: string, value?: Token["value"]): Token {
    const tok: Token = { kind, start, end, text, value, minInt: false, nl: this.sawNewline };
    this.sawNewline = false;
    this.tokens.push(tok);
    return tok;
  }

  /** Skips whitespace and comments; returns false at end of input. */
  private skipTrivia(): boolean {
    const text = this.text;
    for (;;) {
      let c = text.charCodeAt(this.pos);
      while (c === 32 || c === C_NL || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff) {
        if (c === C_NL) this.sawNewline = true;
        c = text.charCodeAt(++this.pos);
      }
      if (this.pos >= text.length) return false;
      if (c !== C_SLASH) return true;
      const next = text.charCodeAt(this.pos + 1);
      if (next === C_SLASH) this.skipLineComment();
      else if (next === C_STAR) this.skipBlockComment();
      else return true;
    }
  }

  // line-comment = "//" { any character except newline }
  private skipLineComment(): void {
    const nl = this.text.indexOf("\n", this.pos);
    this.pos = nl < 0 ? this.text.length : nl;
  }

  // block-comment = "/*" { any } "*/"   (not nested)
  private skipBlockComment(): void {
    const close = this.text.indexOf("*/", this.pos + 2);
    if (close < 0) {
      this.error(D.unterminatedComment(), this.pos, this.pos + 2);
      this.pos = this.text.length;
      return;
    }
    if (this.text.slice(this.pos, close).includes("\n")) this.sawNewline = true;
    this.pos = close + 2;
  }

  /** Lexes one token starting at this.pos (which is not trivia and not end of input). */
  private lexToken(): void {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === C_QUOTE) return this.lexString();
    if (c === 116 /* t */ && text.charCodeAt(this.pos + 1) === C_QUOTE) return this.lexTString();
    if (c >= 48 && c <= 57) return this.lexNumber();
    if (isAsciiIdentStart(c)) return this.lexWord(this.asciiWordEnd());
    if (c >= 128) {
      IDENT_RE.lastIndex = this.pos;
      if (IDENT_RE.test(text)) return this.lexWord(IDENT_RE.lastIndex);
    }
    PUNCT_RE.lastIndex = this.pos;
    if (PUNCT_RE.test(text)) {
      const p = text.slice(this.pos, PUNCT_RE.lastIndex);
      this.push(p, this.pos, PUNCT_RE.lastIndex, p);
      this.pos = PUNCT_RE.lastIndex;
      return;
    }
    const cp = String.fromCodePoint(text.codePointAt(this.pos)!);
    this.error(D.unexpectedChar({ char: showChar(cp) }), this.pos, this.pos + cp.length);
    this.pos += cp.length;
  }

  /** End of an identifier that starts with an ASCII letter or `_` (continues into Unicode if needed). */
  private asciiWordEnd(): number {
    const text = this.text;
    let i = this.pos + 1;
    let c = text.charCodeAt(i);
    while (isAsciiIdentStart(c) || (c >= 48 && c <= 57)) c = text.charCodeAt(++i);
    if (c < 128 || Number.isNaN(c)) return i;
    IDENT_RE.lastIndex = this.pos;
    IDENT_RE.test(text);
    return IDENT_RE.lastIndex;
  }

  // identifier = (letter | "_") { letter | digit | "_" } ; keywords are reserved identifiers
  private lexWord(end: number): void {
    const word = this.text.slice(this.pos, end);
    this.push(KEYWORDS.has(word) ? word : "ident", this.pos, end, word);
    this.pos = end;
  }

  // number = int-literal | float-literal ; an identifier character right after it is an error
  private lexNumber(): void {
    const start = this.pos;
    const text = this.text;
    let i = start;
    let c = text.charCodeAt(i);
    while (c >= 48 && c <= 57) c = text.charCodeAt(++i);
    const maybeFloat = c === 46 /* . */ || c === 101 || c === 69 /* e E */ || c === 95 /* _ */;
    if (!maybeFloat && c !== 120 && c !== 88 && c !== 111 && c !== 79 && c !== 98 && c !== 66) {
      this.lexInt(start, i); // plain decimal digits: the common case
    } else {
      FLOAT_RE.lastIndex = start;
      if (FLOAT_RE.test(text)) this.lexFloat(start, FLOAT_RE.lastIndex);
      else {
        INT_RE.lastIndex = start;
        INT_RE.test(text);
        this.lexInt(start, INT_RE.lastIndex);
      }
    }
    this.rejectSuffix(start);
  }

  private lexFloat(start: number, end: number): void {
    const raw = this.text.slice(start, end);
    const value = Number(raw.replace(/_/g, ""));
    if (!Number.isFinite(value)) this.error(D.floatOutOfRange(), start, end);
    this.push("float-lit", start, end, raw, Number.isFinite(value) ? value : 0);
    this.pos = end;
  }

  private lexInt(start: number, end: number): void {
    const raw = this.text.slice(start, end);
    let value = BigInt(raw.length < 16 && !raw.includes("_") ? raw : raw.replace(/_/g, ""));
    const tok = this.push("int-lit", start, end, raw, value);
    if (value === INT64_MAX + 1n) tok.minInt = true;
    else if (value > INT64_MAX) {
      this.error(D.intOutOfRange(), start, end);
      tok.value = value = 0n;
    }
    this.pos = end;
  }

  /** `123abc`, `0x`, `1_` and `0b102`: report the whole malformed word once. */
  private rejectSuffix(start: number): void {
    const c = this.text.charCodeAt(this.pos);
    if (c < 128 && !isAsciiIdentStart(c) && !(c >= 48 && c <= 57)) return;
    IDENT_CONT_RE.lastIndex = this.pos;
    if (!IDENT_CONT_RE.test(this.text)) return;
    IDENT_RE.lastIndex = this.pos;
    let end = IDENT_RE.test(this.text) ? IDENT_RE.lastIndex : this.pos + 1;
    while (end < this.text.length && /[0-9A-Za-z_]/.test(this.text[end])) end++;
    this.error(D.badNumber({ text: this.text.slice(start, end) }), start, end);
    this.pos = end;
  }

  // string = '"' { character | escape } '"'
  private lexString(): void {
    const start = this.pos;
    this.pos++;
    const value = this.scanStringBody(start, false);
    this.push("str-lit", start, this.pos, this.text.slice(start, this.pos), value);
  }

  /**
   * Scans string characters up to the closing quote (consumed) or, in a t-string, up to an
   * unescaped `{` (not consumed). Reports bad escapes, newlines and a missing quote.
   */
  private scanStringBody(openQuote: number, tstring: boolean): string {
    const text = this.text;
    let out = "";
    let chunk = this.pos;
    for (;;) {
      if (this.pos >= text.length) {
        out += text.slice(chunk, this.pos);
        this.error(D.unterminatedString(), openQuote, text.length);
        return out;
      }
      const c = text.charCodeAt(this.pos);
      if (c === C_QUOTE) {
        out += text.slice(chunk, this.pos);
        if (!tstring) this.pos++;
        return out;
      }
      if (c === C_NL) {
        out += text.slice(chunk, this.pos);
        this.error(D.newlineInString(), this.pos, this.pos + 1);
        return out;
      }
      if (tstring && (c === C_LBRACE || c === C_RBRACE)) {
        out += text.slice(chunk, this.pos);
        if (c === C_LBRACE) return out;
        this.error(D.unmatchedBrace(), this.pos, this.pos + 1);
        this.pos++;
        chunk = this.pos;
        continue;
      }
      if (c === C_BACKSLASH) {
        out += text.slice(chunk, this.pos) + this.scanEscape();
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  // escape = "\" ( "n" | "t" | "r" | "0" | '"' | "\" | "{" | "}" | "u{" hex+ "}" )
  private scanEscape(): string {
    const start = this.pos;
    const ch = this.text[this.pos + 1];
    this.pos += 2;
    switch (ch) {
      case "n": return "\n";
      case "t": return "\t";
      case "r": return "\r";
      case "0": return "\0";
      case '"': return '"';
      case "\\": return "\\";
      case "{": return "{";
      case "}": return "}";
      case "u": return this.scanUnicodeEscape(start);
    }
    if (ch === undefined || ch === "\n") {
      this.pos = start + 1; // let the caller report the end of input / newline
      return "";
    }
    const shown = String.fromCodePoint(this.text.codePointAt(start + 1)!);
    this.pos = start + 1 + shown.length;
    this.error(D.unknownEscape({ escape: shown }), start, this.pos);
    return shown;
  }

  // unicode-escape = "\u{" hex-digit{1,6} "}"  naming a Unicode scalar value
  private scanUnicodeEscape(start: number): string {
    const m = /\{([0-9a-fA-F]{1,6})\}/y;
    m.lastIndex = this.pos;
    const found = m.exec(this.text);
    const cp = found ? parseInt(found[1], 16) : -1;
    if (!found || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      const end = found ? m.lastIndex : this.badUnicodeEnd();
      this.error(D.badUnicodeEscape(), start, end);
      this.pos = end;
      return "\uFFFD";
    }
    this.pos = m.lastIndex;
    return String.fromCodePoint(cp);
  }

  /** End of a malformed `\u...` escape: through the closing `}` if one follows soon on the line. */
  private badUnicodeEnd(): number {
    const m = /\{[^}"\n]{0,10}\}/y;
    m.lastIndex = this.pos;
    return m.test(this.text) ? m.lastIndex : this.pos;
  }

  // tstring = 't"' { character | escape | "{" expression "}" } '"'
  private lexTString(): void {
    const start = this.pos;
    if (++this.tstringDepth > MAX_TSTRING_NESTING) {
      this.error(D.tooDeep({ max: MAX_TSTRING_NESTING }), start, start + 2);
      this.tooDeep = true;
      this.pos = this.text.length;
      this.tstringDepth--;
      return;
    }
    this.push("tstr-begin", start, start + 2, 't"');
    this.pos += 2;
    for (;;) {
      const textStart = this.pos;
      const value = this.scanStringBody(start, true);
      if (value !== "" || this.pos > textStart) this.pushText(textStart, value);
      if (this.text.charCodeAt(this.pos) !== C_LBRACE) break;
      if (!this.lexInterpolation(start)) break;
    }
    const closed = this.text.charCodeAt(this.pos) === C_QUOTE;
    this.push("tstr-end", this.pos, closed ? this.pos + 1 : this.pos, closed ? '"' : "");
    if (closed) this.pos++;
    this.tstringDepth--;
  }

  private pushText(start: number, value: string): void {
    if (value !== "") this.push("tstr-text", start, this.pos, this.text.slice(start, this.pos), value);
  }

  /**
   * Lexes `{ tokens [":" spec] }` inside a t-string; returns false when the input ended first. A `:`
   * outside brackets that no `?` is waiting for starts the format spec (`{x:.2f}`, `{c ? a : b:>8}`):
   * its raw text up to the closing `}` becomes one tstr-spec token.
   */
  private lexInterpolation(tstringStart: number): boolean {
    this.push("tstr-open", this.pos, this.pos + 1, "{");
    this.pos++;
    let depth = 0, questions = 0;
    for (;;) {
      if (!this.skipTrivia()) {
        this.error(D.unterminatedTString(), tstringStart, this.text.length);
        return false;
      }
      const c = this.text.charCodeAt(this.pos);
      if (c === C_RBRACE && depth === 0) break;
      if (c === C_LBRACE || c === 40 /* ( */ || c === 91 /* [ */) depth++;
      if (c === C_RBRACE || c === 41 /* ) */ || c === 93 /* ] */) depth--;
      if (depth === 0 && c === 63 /* ? */) questions++;
      if (depth === 0 && c === 58 /* : */) {
        if (questions === 0) return this.lexFormatSpec(tstringStart);
        questions--;
      }
      this.lexToken();
    }
    this.push("tstr-close", this.pos, this.pos + 1, "}");
    this.pos++;
    return true;
  }

  // format-spec = ":" { any character except "}" "{" '"' newline } "}"
  private lexFormatSpec(tstringStart: number): boolean {
    const start = this.pos + 1;
    let end = start;
    const text = this.text;
    while (end < text.length && !'}{"\n'.includes(text[end])) end++;
    if (text[end] === "{") {
      this.error(D.nestedSpecField(), end, end + 1);
      const close = /[^"\n]*?\}\}?/y; // recover after the nested field's `}` and the field's own
      close.lastIndex = end;
      if (!close.test(text)) return false;
      this.push("tstr-close", close.lastIndex - 1, close.lastIndex, "}");
      this.pos = close.lastIndex;
      return true;
    }
    if (text[end] !== "}") {
      this.error(D.unterminatedSpec(), tstringStart, end);
      this.push("tstr-spec", this.pos, end, text.slice(this.pos, end), text.slice(start, end));
      this.push("tstr-close", end, end, ""); // reported once: the parser sees a complete field
      this.pos = end;
      return false;
    }
    this.push("tstr-spec", this.pos, end, text.slice(this.pos, end), text.slice(start, end));
    this.push("tstr-close", end, end + 1, "}");
    this.pos = end + 1;
    return true;
  }
}

/** How a token is named in "expected X, found Y" messages. */
export function describeToken(tok: Token): string {
  switch (tok.kind) {
    case "eof": return "end of file";
    case "ident": return `identifier '${tok.text}'`;
    case "int-lit":
    case "float-lit": return `number '${tok.text}'`;
    case "str-lit": return "string literal";
    case "tstr-begin": return "t-string";
    case "tstr-text": return "t-string text";
    case "tstr-open": return "'{'";
    case "tstr-spec": return "format spec";
    case "tstr-close": return "'}'";
    case "tstr-end": return "end of t-string";
  }
  return `'${tok.text}'`;
}
