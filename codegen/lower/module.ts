// Code generation entry point: lowers a checked Program to an LLVM module (functions `tul_fn_<name>`,
// the main program `tul_user_main`) and hands back its text and bitcode (verified: see verifyEarly).

import llvm from "llvm-bindings";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { someNode, type Call, type FuncDecl, type Import, type Program, type Stmt } from "../../frontend/ast.js";
import type { SourceFile } from "../../frontend/source.js";
import { withTempDirSync } from "../../common/tempdir.js";
import { phase } from "../../common/timing.js";
import { T, type Type } from "../../frontend/types.js";
import { CodegenError, Gen, type FnState } from "./context.js";
import { Debug } from "./debug.js";
import { preludeText } from "./prelude.js";
import { callsUserCode, hasBaseCase, scanCalls } from "./recursion.js";
import { runTextPassesIn, type PassFacts } from "../passes/pipeline.js";
import { ChunkedModule, definedFunctions } from "../passes/chunks.js";
import { collectFuncs, type ChunkPlan } from "./chunks.js";
import { sanitizeAttributes } from "../toolchain/sanitize.js";
import { splitModuleLines } from "../passes/split.js";
import { genBlock, genStmt } from "./stmt.js";
import { llvmType } from "./types.js";
import { zeroValue } from "./expr.js";
import { defineStructInits } from "./structs.js";
import { storeVar } from "./vars.js";
import { asyncBodyResult, declareTaskEntry, taskEntryOf } from "./async.js";
import { cString } from "./strings.js";

export interface GenerateOptions {
  optLevel: 0 | 1 | 2 | 3;
  debug: boolean;
  targetTriple?: string;
  /** Sanitizers (toolchain/sanitize.ts): their attributes go on every generated function. */
  sanitize?: string[];
  /** `tulc test`: the main file's test blocks are generated, and the main program runs them last. */
  tests?: boolean;
}

export interface GeneratedModule {
  /** The IR as LLVM prints it (parsed and verified once more after the text passes). */
  text(): string;
  bitcode(path: string): void;
  /** The IR straight from the text passes, for clang's stdin: clang's parser verifies it (our modules
   *  carry debug info, and LLVM verifies those on load), so tulc skips its own re-parse (~15 ms). */
  rawText(): string;
  /** rawText split into at most `n` modules for parallel clang jobs (codegen/passes/split.ts). */
  parts(n: number): string[];
  /** Runs LLVM's verifier on the lowered module (once; see verifyEarly): CodegenError when invalid. */
  verify(): void;
}

export { CodegenError };

export function generate(program: Program, opts: GenerateOptions): GeneratedModule {
  const { ctx, mod, g } = setUp(program, opts);
  phase("lower to LLVM IR", () => {
    lowerProgram(g, program, !!opts.tests);
    g.di.finalize();
  });
  let verified = false;
  const verify = (): void => {
    if (verified) return;
    verified = true;
    verifyModule(mod);
  };
  if (verifyEarly()) phase("verify IR", verify);
  const printed = phase("print IR", () => mod.print());
  const lines = phase("IR text passes", () => runTextPassesIn(printed.split("\n"), passFacts(g, opts)));
  let raw: string | null = null;
  const rawText = (): string => (raw ??= lines.join("\n"));
  let final: llvm.Module | null = null;
  const parsed = (): llvm.Module => (final ??= parseFinal(ctx, rawText(), program.file.path));
  return {
    text: () => parsed().print(),
    bitcode: (p: string) => llvm.WriteBitcodeToFile(parsed(), p),
    rawText,
    parts: (n: number) => splitModuleLines(lines, n, rawText),
    verify,
  };
}

/**
 * Generates a large program chunk by chunk (plan: lower/chunks.ts): each chunk's functions are
 * lowered into the one module, which is printed (verified first with verifyEarly); the printed
 * functions' bodies are then deleted (they become declarations, their instructions freed), so the
 * module only ever holds one chunk's code besides declarations, globals and metadata.
 * passes/chunks.ts turns each print into a module of its own and hands it to `emit` (a clang job)
 * once its recursion facts are known. Without verifyEarly a lowering bug shows as clang's error.
 */
export async function generateChunks(program: Program, opts: GenerateOptions, plan: ChunkPlan, emit: (ir: string) => void): Promise<void> {
  const { mod, g } = setUp(program, opts);
  const funcs = plan.funcs.flat();
  g.externalGlobals = !!program.hasTry || funcs.some((f) => f.hasTry);
  const names = phase("lower to LLVM IR", () => declareFuncs(g, funcs, true));
  const chunks = new ChunkedModule(passFacts(g, opts), names, emit);
  for (const [i, group] of plan.funcs.entries()) {
    const last = i === plan.funcs.length - 1;
    phase("lower to LLVM IR", () => {
      for (const f of group) {
        genFunction(g, f);
        f.body.body = []; // nothing reads a lowered function's statements again: let them go
      }
      if (last) genMain(g, program, null);
      defineStructInits(g);
      if (last) g.di.finalize();
    });
    if (verifyEarly()) phase("verify IR", () => verifyModule(mod));
    const lines = phase("print IR", () => mod.print().split("\n"));
    phase("free chunk", () => deleteBodies(g, lines));
    phase("IR text passes", () => chunks.add(lines));
    // The event loop runs between chunks: clang jobs that ended make way for the next, and the
    // bindings' objects garbage-collected so far are finalized (their native memory freed).
    await new Promise((resolve) => setImmediate(resolve));
  }
  phase("IR text passes", () => chunks.finish());
}

/** The context, the module with the prelude, and the lowering state for a program. */
function setUp(program: Program, opts: GenerateOptions): { ctx: llvm.LLVMContext; mod: llvm.Module; g: Gen } {
  const triple = opts.targetTriple ?? llvm.config.LLVM_DEFAULT_TARGET_TRIPLE;
  const ctx = new llvm.LLVMContext();
  const mod = phase("lower to LLVM IR", () => parsePrelude(ctx, triple));
  mod.setModuleIdentifier(program.file.path);
  mod.setSourceFileName(program.file.path);
  mod.setTargetTriple(triple);
  const layout = dataLayout(triple);
  if (layout) mod.setDataLayout(layout);
  const di = new Debug(mod, program.file.path, opts.optLevel > 0);
  const g = new Gen(ctx, mod, di, triple);
  g.debugVars = opts.debug;
  return { ctx, mod, g };
}

/** LLVM's verifier on the module: CodegenError when invalid. */
function verifyModule(mod: llvm.Module): void {
  if (!llvm.verifyModule(mod)) return;
  const dump = process.env.TULC_DEBUG ? `\n${mod.print()}` : "";
  throw new CodegenError(`internal error: generated LLVM IR is invalid (see the verifier's message above)${dump}`);
}

/** What lowering knows that the text passes need. */
function passFacts(g: Gen, opts: GenerateOptions): PassFacts {
  return { noTailCalls: g.noTailCalls, noInline: g.noInline, extraAttributes: sanitizeAttributes(opts.sanitize), debug: opts.debug, optLevel: opts.optLevel };
}

/** Deletes the bodies of the functions defined in a printed chunk (not the prelude's helpers, which
 *  every chunk copies): they become declarations, and LLVM frees their instructions. */
function deleteBodies(g: Gen, lines: string[]): void {
  g.builder.ClearInsertionPoint(); // the builder's block is about to go
  for (const name of definedFunctions(lines)) {
    const fn = g.mod.getFunction(name);
    if (!fn) throw new CodegenError(`internal error: printed function ${name} is not in the module`);
    fn.deleteBody();
  }
}

/**
 * Whether to run LLVM's verifier on the module before printing it: with $TULC_DEBUG or
 * $TULC_VERIFY (`npm test` sets it), not in ordinary builds. Clang verifies the module anyway when
 * it parses the IR (our modules carry debug info, and LLVM verifies those on load), and a build
 * whose clang fails calls verify() then (driver/pipeline.ts), so a lowering bug is still reported
 * as an internal error; skipping it saves ~55 ms of a 10k-line build (docs/decisions.md, issue 17).
 */
function verifyEarly(): boolean {
  return !!(process.env.TULC_DEBUG || process.env.TULC_VERIFY);
}

function parseFinal(ctx: llvm.LLVMContext, text: string, id: string): llvm.Module {
  const final = parseText(ctx, text);
  if (llvm.verifyModule(final)) throw new CodegenError("internal error: the attributed LLVM IR is invalid (see the verifier's message above)");
  final.setModuleIdentifier(id);
  return final;
}

/** Parses LLVM IR text into a module of `ctx`. */
function parseText(ctx: llvm.LLVMContext, text: string): llvm.Module {
  return withTempDirSync((dir) => {
    const file = path.join(dir, "module.ll");
    writeFileSync(file, text);
    const mod = llvm.parseIRFile(file, new llvm.SMDiagnostic(), ctx);
    if (!mod) throw new CodegenError("internal error: generated IR text does not parse");
    return mod;
  }, "tulc-ir-");
}

/** Parses the IR prelude (declarations with attributes, helpers) as the module to build into. */
function parsePrelude(ctx: llvm.LLVMContext, triple: string): llvm.Module {
  return parseText(ctx, preludeText(triple));
}

/**
 * The target's data layout (LLVM 14 strings; the bindings' createTargetMachine rejects its
 * arguments, so known targets come from this table). Null: leave it to clang.
 */
function dataLayout(triple: string): string | null {
  const darwin = /apple|darwin|macos/.test(triple);
  if (/^x86_64/.test(triple)) return `e-m:${darwin ? "o" : "e"}-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128`;
  if (/^(aarch64|arm64)/.test(triple)) return darwin ? "e-m:o-i64:64-i128:128-n32:64-S128" : "e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128";
  return null;
}

// ---------------------------------------------------------------- program

function lowerProgram(g: Gen, program: Program, tests: boolean): void {
  const runs = (f: FuncDecl): boolean => tests && f.span.file === program.file;
  const funcs = collectFuncs(program.body, runs);
  g.externalGlobals = !!program.hasTry || funcs.some((f) => f.hasTry);
  declareFuncs(g, funcs);
  for (const f of funcs) genFunction(g, f);
  genMain(g, program, tests ? funcs.filter((f) => f.test !== undefined) : null);
  defineStructInits(g);
}

/** Declares the functions (internal; `external` in chunked builds, where a function of a chunk yet
 *  to come must be a valid declaration until then); returns their LLVM names. */
function declareFuncs(g: Gen, funcs: FuncDecl[], external = false): Set<string> {
  const used = new Set<string>();
  const linkage = external ? llvm.Function.LinkageTypes.ExternalLinkage : llvm.Function.LinkageTypes.InternalLinkage;
  for (const f of funcs) {
    if (!f.sym) throw new CodegenError(`function ${f.name} has no symbol (checker contract)`);
    const base = f.test !== undefined ? "tul_fn_test" : `tul_fn_${f.name}`; // a test's name is no symbol
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}.${i}`;
    used.add(name);
    const result = f.isAsync ? asyncBodyResult(f) : f.sym.type.result;
    const ft = llvm.FunctionType.get(llvmType(g, result), f.sym.type.params.map((p) => llvmType(g, p)), false);
    const fn = llvm.Function.Create(ft, linkage, name, g.mod);
    g.funcs.set(f, fn);
    const isSelfCall = (c: Call): boolean => c.target?.kind === "func" && c.target.sym.decl === f;
    const calls = scanCalls(f.body.body, isSelfCall); // one walk for both facts
    g.stackChecks.set(f, calls.user);
    if (!hasBaseCase(f.body.body, isSelfCall, calls.self)) g.noTailCalls.add(name);
    if (f.isAsync) {
      declareTaskEntry(g, f, fn);
      g.noInline.add(name); // keeps the body's frames in traces (its task entry has no debug info)
    }
    if (f.spawned) g.noInline.add(name); // likewise for its spawn entry (spawn.ts)
  }
  return used;
}

/** Sets up the per-function state, the entry (alloca) block and the body block (returned). */
function beginFunction(g: Gen, fn: llvm.Function, name: string, line: number, result: Type, isVolatile: boolean, file?: string): llvm.BasicBlock {
  const entry = llvm.BasicBlock.Create(g.ctx, "entry", fn);
  const allocas = new llvm.IRBuilder(g.ctx);
  allocas.SetInsertPoint(entry);
  const scope = g.di.subprogram(fn, name, line, file);
  const state: FnState = { fn, result, allocas, locals: new Map(), volatile: isVolatile, loops: [], cleanups: [], scope };
  g.fnState = state;
  const body = g.block("body");
  g.at(body);
  g.setDebugLoc(line, 1, scope);
  return body;
}

/** Closes the function: falls off the end with `ret void` (or unreachable), links entry to body. */
function endFunction(g: Gen, body: llvm.BasicBlock): void {
  if (llvmType(g, g.current.result) === g.types.void && g.current.result.k !== "never") g.builder.CreateRetVoid();
  else g.builder.CreateUnreachable();
  g.current.allocas.CreateBr(body);
  g.di.finishSubprogram(g.current.scope);
  g.fnState = null;
}

function lineOf(n: { span: import("../../frontend/source.js").Span }): number {
  return n.span.file.position(n.span.start).line;
}

function genFunction(g: Gen, f: FuncDecl): void {
  const fn = g.funcs.get(f)!;
  const result = f.neverReturns ? T.never : f.isAsync ? asyncBodyResult(f) : f.sym!.type.result;
  const body = beginFunction(g, fn, f.name, lineOf(f), result, !!f.hasTry, f.span.file.path);
  if (g.stackChecks.get(f)) g.call("tul__stack_check", []); // declareFuncs found it
  f.params.forEach((p, i) => {
    if (!p.sym) throw new CodegenError(`parameter ${p.name} has no symbol (checker contract)`);
    storeVar(g, p.sym, fn.getArg(i));
  });
  genBlock(g, f.body);
  endFunction(g, body);
}

/**
 * The main program. With imports (frontend/modules.ts), every imported module's top-level code is
 * its own function (DWARF name `<module FILE>`, so traces show the module's file), called once by
 * its first importer before the importer's own statements, dependencies first: the run order of
 * docs/reference.md §8.3, the same order as Program.body.
 */
function genMain(g: Gen, program: Program, tests: FuncDecl[] | null): void {
  const byFile = new Map<SourceFile, Stmt[]>();
  for (const s of program.body) {
    const list = byFile.get(s.span.file) ?? [];
    if (!list.length) byFile.set(s.span.file, list);
    list.push(s);
  }
  const calls = planModuleInits(byFile, program.file);
  const ft = llvm.FunctionType.get(g.types.void, [], false);
  const fns = new Map<SourceFile, llvm.Function>();
  for (const file of byFile.keys()) {
    if (file === program.file) fns.set(file, llvm.Function.Create(ft, llvm.Function.LinkageTypes.ExternalLinkage, "tul_user_main", g.mod));
    else fns.set(file, llvm.Function.Create(ft, llvm.Function.LinkageTypes.InternalLinkage, moduleSymbol(file), g.mod));
  }
  if (!fns.has(program.file)) fns.set(program.file, llvm.Function.Create(ft, llvm.Function.LinkageTypes.ExternalLinkage, "tul_user_main", g.mod));
  for (const [file, fn] of fns) {
    const name = file === program.file ? "<main>" : `<module ${path.basename(file.path)}>`;
    const zeroed = file === program.file ? program.body : [];
    const ownTests = file === program.file ? tests : null;
    genModuleBody(g, fn, name, file, byFile.get(file) ?? [], calls.get(file) ?? [], fns, !!program.hasTry, zeroed, ownTests);
  }
}

/**
 * `tulc test`: after the main file's statements, tul_test_main over a table of its tests (name,
 * "file.tul:line", task entry), in source order (runtime-c/include/tulrt_async.h).
 */
function genTestRun(g: Gen, tests: FuncDecl[]): void {
  const tableType = llvm.ArrayType.get(llvm.ArrayType.get(g.types.ptr, 3), Math.max(tests.length, 1));
  const table = g.alloca(tableType, "tests");
  tests.forEach((t, i) => {
    const where = `${path.basename(t.span.file.path)}:${lineOf(t)}`;
    const cells = [cString(g, t.test!), cString(g, where), g.builder.CreateBitCast(taskEntryOf(g, t), g.types.ptr)];
    cells.forEach((v, k) => g.builder.CreateStore(v, g.builder.CreateGEP(tableType, table, [g.i64(0), g.i64(i), g.i64(k)])));
  });
  g.call("tul_test_main", [g.i64(tests.length), g.builder.CreateBitCast(table, g.types.ptr)]);
}

/**
 * Globals hold their zero value until their declaration runs, and a function called earlier may
 * read them (docs/decisions.md "Program shape"): before anything else, the main program gives every
 * array and map global an empty one (str globals start as "" statically, the rest as 0 or null).
 */
function zeroGlobals(g: Gen, body: Stmt[]): void {
  for (const s of body) {
    if (s.kind !== "VarDecl" || !s.sym?.isGlobal || !needsRuntimeZero(s.sym.type)) continue;
    storeVar(g, s.sym, zeroValue(g, s.sym.type));
  }
}

const needsRuntimeZero = (t: Type): boolean => t.k === "array" || t.k === "map";

/** The LLVM name of a module's top-level code: `tul_fn_module.<file name>` (traces without DWARF show `module.<name>`). */
function moduleSymbol(file: SourceFile): string {
  return `tul_fn_module.${path.basename(file.path, ".tul").replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** For each module, the imports whose module it runs (the first import of each module, depth-first). */
function planModuleInits(byFile: Map<SourceFile, Stmt[]>, main: SourceFile): Map<SourceFile, Import[]> {
  const calls = new Map<SourceFile, Import[]>([[main, []]]);
  const started = new Set<SourceFile>([main]);
  // Depth-first with an explicit stack (import chains can be long): each entry is a module and the
  // index of its next statement.
  const stack: [SourceFile, number][] = [[main, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const s = byFile.get(top[0])?.[top[1]++];
    if (!s) stack.pop();
    else if (s.kind === "Import" && s.target && !started.has(s.target)) {
      started.add(s.target);
      calls.get(top[0])!.push(s);
      calls.set(s.target, []);
      stack.push([s.target, 0]);
    }
  }
  return calls;
}

function genModuleBody(g: Gen, fn: llvm.Function, name: string, file: SourceFile, body: Stmt[], imports: Import[], fns: Map<SourceFile, llvm.Function>, hasTry: boolean, zeroed: Stmt[], tests: FuncDecl[] | null): void {
  const block = beginFunction(g, fn, name, 1, T.void, hasTry, file.path);
  zeroGlobals(g, zeroed);
  const stmts = body.filter((s) => s.kind !== "FuncDecl" && s.kind !== "StructDecl" && s.kind !== "Import");
  if (imports.length || needsStackCheck(stmts)) g.call("tul__stack_check", []);
  for (const imp of imports) {
    g.loc(imp.span);
    g.builder.CreateCall(fns.get(imp.target!)!, []);
  }
  for (const s of stmts) genStmt(g, s);
  if (tests) genTestRun(g, tests);
  endFunction(g, block);
}

// ---------------------------------------------------------------- leaf detection

/** True when the code calls a user function or awaits (leaf functions skip the stack check). */
function needsStackCheck(body: Stmt[]): boolean {
  return someNode(body.filter((s) => s.kind !== "FuncDecl"), callsUserCode, (n) => n.kind !== "FuncDecl");
}
