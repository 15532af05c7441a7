// The compile pipeline shared by `tulc build/run/check` and the tests:
// read source -> parse -> check -> (generate LLVM IR -> optimise and link: codegen/toolchain/link.ts).
// The `tulc run` cache is driver/run_cache.ts.

import { readFileSync, writeFileSync } from "node:fs";
import { SourceFile } from "../frontend/source.js";
import { DiagnosticBag, type Diagnostic } from "../frontend/diagnostics.js";
import { loadProgram } from "../frontend/modules.js";
import { checkProgram } from "../frontend/checker.js";
import type { Program } from "../frontend/ast.js";
import type { LinkOptions } from "../codegen/toolchain/link.js";

export interface BuildOptions extends LinkOptions {
  emitLlvm: boolean;
  /** `tulc test`: generate the main file's test blocks and run them after its top-level code. */
  tests?: boolean;
}

export type FrontendResult =
  | { ok: true; program: Program; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[]; fatal?: string };

/** Reads a source file as strict UTF-8; returns an error sentence instead of throwing. */
export function readSource(file: string): SourceFile | string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(code ?? e);
    return `cannot read '${file}': ${why}`;
  }
  try {
    return new SourceFile(file, new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return `'${file}' is not valid UTF-8`;
  }
}

/** Reads `file` and runs the frontend on it; `fatal` says why a file that cannot be read was not. */
export function checkFile(file: string): FrontendResult {
  const source = readSource(file);
  if (typeof source === "string") return { ok: false, diagnostics: [], fatal: source };
  return runFrontend(source);
}

/** Where `tulc build` writes without -o: the source path without .tul (or <file>.ll with --emit-llvm). */
export function defaultOutput(file: string, emitLlvm: boolean): string {
  const base = file.replace(/\.tul$/, "");
  return emitLlvm ? `${base}.ll` : base === file ? `${base}.out` : base;
}

/** Parses a source file and the modules it imports, and type-checks them. */
export function runFrontend(source: SourceFile): FrontendResult {
  const diags = new DiagnosticBag();
  const program = loadProgram(source, diags);
  if (!diags.hasErrors) checkProgram(program, diags);
  if (diags.hasErrors) return { ok: false, diagnostics: diags.items };
  return { ok: true, program, diagnostics: diags.items };
}

/** Generates code for a checked program and writes an executable (or LLVM text with emitLlvm). */
export async function buildProgram(program: Program, outPath: string, opts: BuildOptions): Promise<void> {
  // Loaded on first use: llvm-bindings (a ~100 ms native load) is not needed by `tulc check`. The
  // link starts first: clang loads while llvm-bindings does and reads the IR once it is generated.
  const { startLink } = await import("../codegen/toolchain/link.js");
  const link = opts.emitLlvm ? null : startLink(outPath, opts);
  try {
    const { generate } = await import("../codegen/lower/module.js");
    const module = generate(program, { optLevel: opts.optLevel, debug: opts.debug, targetTriple: opts.target, sanitize: opts.sanitize, tests: opts.tests });
    if (!link) return writeFileSync(outPath, module.text());
    await link.finish(module);
  } catch (e) {
    link?.abort();
    throw e;
  }
}
