// Which functions a program's code generation lowers, and for large programs in what chunks: each
// chunk is printed, freed and compiled by its own clang while the next is lowered (module.ts
// generateChunks, passes/chunks.ts), so that tulc never holds a whole large program's LLVM module
// and IR text. No LLVM here: the driver plans the chunks before llvm-bindings is loaded.

import { isStmt, walk, type FuncDecl, type Program, type Stmt } from "../../frontend/ast.js";

/** Every function declaration, top-level and nested (statements inside statements, in order); test
 *  blocks only where `keepTest` says (`tulc test`: those of the main file). */
export function collectFuncs(body: Stmt[], keepTest: (f: FuncDecl) => boolean): FuncDecl[] {
  const out: FuncDecl[] = [];
  walk(body, (n) => {
    if (n.kind === "FuncDecl" && n.test !== undefined && !keepTest(n)) return false;
    if (n.kind === "FuncDecl") out.push(n);
    return isStmt(n);
  });
  return out;
}

/** The functions of each chunk, in source order; the last chunk also holds the main program (the
 *  top-level statements, and each imported module's) and the struct init functions still due. */
export interface ChunkPlan {
  funcs: FuncDecl[][];
}

/**
 * When a program is chunked, by optimisation level (docs/decisions.md "Chunked code generation"):
 * below `minLines` source lines it is one module as before; otherwise it gets one chunk per
 * `chunkLines`, at most `maxChunks` (larger chunks beyond: each chunk costs a clang start-up and
 * reprints the module's declarations, which grow with the program). Optimised, a chunk border
 * stops inlining, so only large programs are chunked, by ~6,000 lines. At -O0 clang inlines
 * nothing, so a border costs the produced code nothing and chunking pays from ~4,000 lines (with
 * a free second core): clang compiles each chunk while tulc lowers the next, and only the last
 * chunk's compile is left after tulc. $TULC_CHUNK_LINES sets the chunk size and forces chunking
 * (the tests chunk small programs with it).
 */
const CHUNKING = {
  optimised: { minLines: 12000, chunkLines: 6000, maxChunks: Infinity },
  O0: { minLines: 4000, chunkLines: 2500, maxChunks: 16 },
};

export interface ChunkOptions {
  /** `tulc test` (its builds are never chunked). */
  tests: boolean;
  optLevel: number;
  /** Source lines per chunk, forcing chunking (default: $TULC_CHUNK_LINES). */
  perChunk?: number;
}

/**
 * The chunks of a program (null: one module). Functions go to chunks in source order by the size of
 * their source text, the main program counting as the text outside functions.
 */
export function planChunks(program: Program, lines: number, opts: ChunkOptions): ChunkPlan | null {
  const perChunk = opts.perChunk ?? Number(process.env.TULC_CHUNK_LINES);
  const forced = Number.isInteger(perChunk) && perChunk > 0;
  const level = opts.optLevel === 0 ? CHUNKING.O0 : CHUNKING.optimised;
  if (opts.tests || (!forced && lines < level.minLines)) return null;
  const chunks = forced ? Math.ceil(lines / perChunk) : Math.min(level.maxChunks, Math.ceil(lines / level.chunkLines));
  if (chunks < 2) return null;
  const funcs = collectFuncs(program.body, () => false);
  const total = program.files.reduce((n, f) => n + f.text.length, 0);
  const inFuncs = program.body.reduce((n, s) => n + (s.kind === "FuncDecl" ? s.span.end - s.span.start : 0), 0);
  const target = total / chunks;
  const out: FuncDecl[][] = [[]];
  let size = 0;
  for (const f of funcs) {
    if (size >= target) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(f);
    size += f.span.end - f.span.start; // a nested function counts twice: close enough
  }
  if (size > 0 && size + (total - inFuncs) > target * 1.5) out.push([]); // the main program on its own
  return out.length < 2 ? null : { funcs: out };
}
