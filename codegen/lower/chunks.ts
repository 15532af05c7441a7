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

/** Source lines per chunk, and below how many lines a program is one module as before: a chunk
 *  costs a clang start-up and a module's worth of declarations (docs/decisions.md "Chunked code
 *  generation"). $TULC_CHUNK_LINES overrides both (the tests chunk small programs with it). */
const CHUNK_LINES = 6000;
const MIN_LINES = 12000;

/**
 * The chunks of a program (null: one module). Functions go to chunks in source order by the size of
 * their source text, the main program counting as the text outside functions.
 */
export function planChunks(program: Program, lines: number, tests: boolean, perChunk = Number(process.env.TULC_CHUNK_LINES)): ChunkPlan | null {
  const forced = Number.isInteger(perChunk) && perChunk > 0;
  if (tests || (!forced && lines < MIN_LINES)) return null;
  const chunks = Math.ceil(lines / (forced ? perChunk : CHUNK_LINES));
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
