// Tulpar parser entry point: lexes a SourceFile and runs the arcsecond grammar of frontend/parse/
// over the token array; every syntax error becomes a diagnostic and parseProgram never throws.

import arcsecond from "arcsecond";
import type { Program, Stmt } from "./ast.js";
import type { SourceFile } from "./source.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { lex } from "./lexer.js";
import { Ctx, MAX_DEPTH, type P } from "./parse/core.js";
import { firstTooDeep, MAX_TREE_DEPTH } from "./parse/depth.js";
import { D } from "./messages.js";
import { program } from "./parse/stmt.js";

const { withData } = arcsecond;

/** Parses a whole file into a Program; syntax errors are added to `diags` (several per file). */
export function parseProgram(file: SourceFile, diags: DiagnosticBag): Program {
  let ctx: Ctx | null = null;
  let body: Stmt[] = [];
  try {
    const { tokens, tooDeep } = lex(file, diags);
    if (tooDeep) return { kind: "Program", file, files: [file], body };
    ctx = new Ctx(file, tokens, diags);
    body = runGrammar(program, ctx);
    if (!ctx.fatal) for (const lit of ctx.pendingMinInt) diags.error(D.intOutOfRange(), (lit as Stmt).span);
    const toks = ctx.toks;
    const deep = ctx.fatal ? null : firstTooDeep(body, (i) => toks[i].start, toks.length);
    if (deep) {
      diags.error(D.tooDeep({ max: MAX_TREE_DEPTH }), deep.span);
      body = [];
    }
  } catch (e) {
    lastResort(e, file, ctx, diags);
  }
  return { kind: "Program", file, files: [file], body };
}

/** Runs a grammar rule over the token array (state.index is a token index, state.data the Ctx). */
function runGrammar<T>(rule: P<T[]>, ctx: Ctx): T[] {
  const parser = withData(rule as never)(ctx as never) as unknown as P<T[]>;
  const out = parser.run(new Uint8Array(ctx.toks.length));
  if (!out.isError) return out.result;
  if (!ctx.fatal) ctx.report(out.error.message, out.error.span);
  return [];
}

/** An exception escaped the grammar: stack exhaustion is reported as too deep nesting. */
function lastResort(e: unknown, file: SourceFile, ctx: Ctx | null, diags: DiagnosticBag): void {
  if (ctx?.fatal) return;
  const span = ctx ? ctx.tokSpan(ctx.furthest) : { file, start: 0, end: 0 };
  if (e instanceof RangeError) diags.error(D.tooDeep({ max: MAX_DEPTH }), span);
  else diags.error(D.parserInternal({ why: e instanceof Error ? e.message : String(e) }), span);
}
