// The compile pipeline shared by `tulc build/run/check` and the tests:
// read source -> parse -> check -> (generate LLVM IR -> optimise and link: codegen/toolchain/link.ts).
// The `tulc run` cache is driver/run_cache.ts.

import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { SourceFile } from "../frontend/source.js";
import { DiagnosticBag, type Diagnostic } from "../frontend/diagnostics.js";
import { decodeSourceFile, loadProgram } from "../frontend/modules.js";
import { checkProgram } from "../frontend/checker.js";
import type { Program } from "../frontend/ast.js";
import type { LinkOptions } from "../codegen/toolchain/link.js";
import type { GeneratedModule } from "../codegen/lower/module.js";
import { phase, phaseAsync } from "../common/timing.js";
import { planChunks } from "../codegen/lower/chunks.js";

export interface BuildOptions extends LinkOptions {
  emitLlvm: boolean;
  /** `tulc test`: generate the main file's test blocks and run them after its top-level code. */
  tests?: boolean;
}

export type FrontendResult =
  | { ok: true; program: Program; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[]; fatal?: string };

/** A source file as read: its text, and a diagnostic when it is not valid UTF-8. */
export interface ReadSource {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

/** Reads a source file; an error sentence instead of throwing when it cannot be read. Invalid
 *  UTF-8 is a positioned diagnostic (decoded with U+FFFD, so the rest can still be shown). */
export function readSource(file: string): ReadSource | string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(code ?? e);
    return `cannot read '${file}': ${why}`;
  }
  const diags = new DiagnosticBag();
  const source = phase("read source", () => decodeSourceFile(file, bytes, diags));
  return { file: source, diagnostics: diags.items };
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
export function runFrontend(source: SourceFile | ReadSource): FrontendResult {
  const diags = new DiagnosticBag();
  if (!(source instanceof SourceFile)) {
    diags.items.push(...source.diagnostics);
    if (diags.hasErrors) return { ok: false, diagnostics: diags.items };
    source = source.file;
  }
  const program = phase("parse", () => loadProgram(source, diags));
  if (!diags.hasErrors) phase("check", () => checkProgram(program, diags));
  if (diags.hasErrors) return { ok: false, diagnostics: diags.items };
  return { ok: true, program, diagnostics: diags.items };
}

/** Source lines per parallel clang job: below this a second clang costs more than it saves (bench/compile.mjs). */
const LINES_PER_JOB = { optimised: 1000, O0: 4000 };

/**
 * How many clang jobs compile a program (decided before code generation, so that they start
 * early): one per core for large programs, by source lines; $TULC_JOBS overrides (tests use it).
 * A chunked build (`chunked`) may run one per core at any size: its chunks arrive one by one, and
 * those left when tulc ends (the last, or chunks waiting for recursion facts) get both cores.
 */
export function defaultJobs(program: Program, optLevel: number, chunked = false): number {
  const env = Number(process.env.TULC_JOBS);
  if (Number.isInteger(env) && env > 0) return env;
  if (chunked) return availableParallelism();
  const per = optLevel === 0 ? LINES_PER_JOB.O0 : LINES_PER_JOB.optimised;
  return Math.max(1, Math.min(availableParallelism(), Math.floor(sourceLines(program) / per)));
}

/**
 * How many parts a program's module is split into: one per job; $TULC_PARTS asks for more (each
 * clang then compiles a smaller part, `jobs` at a time). More parts by default lowered clang's
 * memory, but node's peak is far above clang's at every size and 8 parts made the 100k-line -O2
 * build 12% slower than 2 (docs/decisions.md "Clang parts").
 */
export function defaultParts(jobs: number): number {
  const env = Number(process.env.TULC_PARTS);
  if (Number.isInteger(env) && env > 0) return Math.max(jobs, env);
  return jobs;
}

function sourceLines(program: Program): number {
  let lines = 0;
  for (const f of program.files) for (let i = f.text.indexOf("\n"); i >= 0; i = f.text.indexOf("\n", i + 1)) lines++;
  return lines;
}

/** Generates code for a checked program and writes an executable (or LLVM text with emitLlvm). */
export async function buildProgram(program: Program, outPath: string, opts: BuildOptions): Promise<void> {
  // Loaded on first use: llvm-bindings (a ~100 ms native load) is not needed by `tulc check`. The
  // link starts first: clang loads while llvm-bindings does and reads the IR once it is generated.
  const { startLink } = await phaseAsync("load LLVM", () => import("../codegen/toolchain/link.js"));
  // A large program is generated and compiled in chunks (codegen/lower/chunks.ts): a part each.
  const plan = opts.emitLlvm ? null : planChunks(program, sourceLines(program), { tests: !!opts.tests, optLevel: opts.optLevel });
  const jobs = opts.jobs ?? defaultJobs(program, opts.optLevel, !!plan);
  const parts = plan ? plan.funcs.length : opts.parts ?? defaultParts(jobs);
  const link = opts.emitLlvm ? null : startLink(outPath, { ...opts, jobs, parts, streamed: !!plan });
  let module: GeneratedModule | undefined;
  try {
    const { generate, generateChunks } = await phaseAsync("load LLVM", () => import("../codegen/lower/module.js"));
    const genOpts = { optLevel: opts.optLevel, debug: opts.debug, targetTriple: opts.target, sanitize: opts.sanitize, tests: opts.tests };
    const stream = link?.stream;
    if (plan && stream) {
      await generateChunks(program, genOpts, plan, (ir) => stream.part(ir));
      return await stream.finish();
    }
    module = generate(program, genOpts);
    if (!link) return phase("write IR", () => writeFileSync(outPath, module!.text()));
    await link.finish(module);
  } catch (e) {
    await link?.abort(); // waits for clang to exit, then removes its directory; never rejects
    module?.verify(); // clang rejected invalid IR: report the internal error, not clang's crash
    throw e;
  }
}
