// The type checker's entry point: hoists top-level declarations, checks the main program in order
// and every function body, filling the AST's checker fields (see frontend/check/*.ts by concern).

import type { Import, Program, VarDecl } from "./ast.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { Checker, FnCtx } from "./check/context.js";
import { D } from "./messages.js";
import { declareFunction, ensureDefaults, ensureFunctionChecked } from "./check/functions.js";
import { checkGlobalDecl, checkStmt } from "./check/statements.js";
import { checkStructDefaults, declareStruct, resolveStructFields } from "./check/structs.js";
import { checkIsolation } from "./check/isolation.js";

/**
 * Resolves names, types every expression, inserts Convert nodes, resolves calls and sets the
 * checker fields of the AST. Reports every error into `diags`; never throws for a user's mistake.
 */
export function checkProgram(program: Program, diags: DiagnosticBag): void {
  const cx = new Checker(program, diags);
  try {
    hoist(cx, program);
    for (const info of cx.funcInfos.values()) ensureDefaults(cx, info.sym);
    checkMain(cx, program);
    for (const info of cx.funcInfos.values()) ensureFunctionChecked(cx, info);
    cx.formatSpecs.flush();
    checkIsolation(cx);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // A pathological expression (thousands of chained operators) exhausted the JS stack.
    cx.error(D.exprTooDeep(), cx.currentStmt?.span ?? { file: program.file, start: 0, end: 0 });
  }
}

/** Pass 1: structs, then function signatures, then the globals (names only; typed on demand). */
function hoist(cx: Checker, program: Program): void {
  for (const s of program.body) if (s.kind === "Import") registerImport(cx, s);
  for (const s of program.body) if (s.kind === "StructDecl") declareStruct(cx, s);
  for (const s of program.body) if (s.kind === "StructDecl") resolveStructFields(cx, s);
  for (const s of program.body) if (s.kind === "StructDecl") checkStructDefaults(cx, s);
  for (const s of program.body) if (s.kind === "FuncDecl") declareFunction(cx, s);
  program.body.forEach((s, index) => {
    if (s.kind === "VarDecl") registerGlobal(cx, s, index);
  });
}

/** An import resolved by frontend/modules.ts: the module's names become visible to the importer. */
function registerImport(cx: Checker, s: Import): void {
  if (!s.target) return;
  const from = cx.mod(s.span), to = cx.mod(s.target);
  if (!s.alias) from.imports.push(to);
  else if (from.aliases.has(s.alias)) cx.error(D.redeclared({ name: s.alias }), s.span);
  else from.aliases.set(s.alias, to);
}

function registerGlobal(cx: Checker, d: VarDecl, index: number): void {
  const m = cx.mod(d.nameSpan);
  if (m.globals.has(d.name) || m.funcs.has(d.name)) {
    cx.error(D.redeclared({ name: d.name }), d.nameSpan);
    return;
  }
  m.globals.set(d.name, { decl: d, index, sym: null, initChecked: false, inProgress: false });
}

/** The main program: the top-level statements that are not declarations, in order. */
function checkMain(cx: Checker, program: Program): void {
  const main = new FnCtx(null, null, cx.globalScope, 0);
  cx.inFunction(main, () => {
    program.body.forEach((s, index) => {
      main.topIndex = index;
      if (s.kind === "FuncDecl" || s.kind === "StructDecl") return;
      if (s.kind === "Import") {
        if (!s.target) cx.unsupported("import without frontend/modules.ts's loadProgram", s.span);
      }
      else if (s.kind === "VarDecl") {
        cx.currentStmt = s;
        checkGlobalDecl(cx, s);
      }
      else checkStmt(cx, s);
    });
  });
  program.hasTry = main.hasTry;
}
