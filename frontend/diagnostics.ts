// Diagnostics as data (code, severity, message, span), collected by every phase and rendered once
// as `file:line:col: error: message`, the source line and a caret.

import type { Span } from "./source.js";
import type { Message } from "./messages.js";

export type Severity = "error" | "warning" | "note";

export interface Diagnostic {
  code: string; // stable identifier, e.g. "E0101" (frontend/messages.ts)
  severity: Severity;
  message: string;
  span: Span;
  related?: { message: string; span: Span }[];
}

export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  /** Reports an error: a message of the catalogue (frontend/messages.ts) at a span. */
  error(message: Message, span: Span, related?: Diagnostic["related"]): void {
    this.items.push({ code: message.code, severity: "error", message: message.text, span, related });
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

function renderOne(severity: string, message: string, span: Span): string {
  const { line, col } = span.file.position(span.start);
  const text = span.file.lineText(line);
  const endPos = span.file.position(Math.max(span.start, span.end));
  const width = endPos.line === line ? Math.max(1, endPos.col - col) : 1;
  const gutter = String(line).length;
  const pad = " ".repeat(gutter);
  return (
    `${span.file.path}:${line}:${col}: ${severity}: ${message}\n` +
    `${pad} |\n${line} | ${printable(text)}\n${pad} | ${" ".repeat(col - 1)}^${"~".repeat(width - 1)}\n`
  );
}

/** Control characters (NUL, escape...) and bidirectional overrides in a source line would act on
 *  the terminal: shown as U+FFFD, one code point each, so the caret stays aligned. Tabs: a space. */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
function printable(line: string): string {
  return line.replace(/\t/g, " ").replace(UNPRINTABLE, "\ufffd");
}

/** A character for a message: quoted when it can be seen, else its code point (U+0000). */
export function showChar(cp: string): string {
  const code = cp.codePointAt(0)!;
  if (/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(cp)) return `'${cp}'`;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Renders diagnostics sorted by position, each with its source line and caret. */
export function renderDiagnostics(diags: Diagnostic[]): string {
  const sorted = [...diags].sort(
    (a, b) => a.span.file.path.localeCompare(b.span.file.path) || a.span.start - b.span.start,
  );
  let out = "";
  for (const d of sorted) {
    out += renderOne(d.severity, d.message, d.span);
    for (const r of d.related ?? []) out += renderOne("note", r.message, r.span);
  }
  const errors = diags.filter((d) => d.severity === "error").length;
  if (errors > 0) out += `${errors} error${errors === 1 ? "" : "s"} generated.\n`;
  return out;
}
