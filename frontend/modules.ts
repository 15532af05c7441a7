// Module loading (docs/reference.md §8): resolves `import` statements recursively, parses every module once
// and merges them into one Program whose body lists each module's statements in run order.

import { readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import type { Import, Program, Stmt } from "./ast.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { parseProgram } from "./parser.js";
import { decodeSource, type SourceFile } from "./source.js";
import { D } from "./messages.js";

import { STDLIB_DIR } from "../common/paths.js";
export { STDLIB_DIR };


interface Loading {
  key: string; // real path
  file: SourceFile;
  body: Stmt[];
  next: number; // index of the next statement to look at for imports
}

class Loader {
  private readonly done = new Map<string, SourceFile>();
  /** The modules being loaded, the main file first (an explicit stack: import chains can be long). */
  private readonly stack: Loading[] = [];
  readonly body: Stmt[] = [];

  constructor(private readonly diags: DiagnosticBag, private readonly mainDir: string) {}

  /** Every file loaded so far (each module once, dependencies before their importers). */
  files(): SourceFile[] {
    return [...this.done.values()];
  }

  /** Loads `file` and its imports (dependencies first, depth-first in import order), appending
   *  each module's statements to `body` once all of its imports are loaded. */
  visit(file: SourceFile, key: string): void {
    this.open(file, key);
    while (this.stack.length) {
      const top = this.stack[this.stack.length - 1];
      const s = top.body[top.next++];
      if (s === undefined) this.close();
      else if (s.kind === "Import") this.resolveImport(s, top.file);
    }
  }

  private open(file: SourceFile, key: string): void {
    this.stack.push({ key, file, body: parseProgram(file, this.diags).body, next: 0 });
  }

  private close(): void {
    const { key, file, body } = this.stack.pop()!;
    this.done.set(key, file);
    for (const s of body) this.body.push(s);
  }

  /** Resolves an import: sets its target, and opens the module when it is not loaded yet. */
  private resolveImport(imp: Import, from: SourceFile): void {
    const target = modulePath(imp.path, from);
    const key = realPath(target);
    if (key === null) {
      this.diags.error(D.missingModule({ path: imp.path, chain: this.chain() }), imp.span);
      return;
    }
    const loaded = this.done.get(key);
    if (loaded) {
      imp.target = loaded;
      return;
    }
    const open = this.stack.findIndex((l) => l.key === key);
    if (open >= 0) {
      const names = [...this.stack.slice(open).map((l) => this.display(l.file)), this.display(this.stack[open].file)];
      this.diags.error(D.importCycle({ cycle: names.join(" -> ") }), imp.span);
      return;
    }
    const source = readModule(target, this.diags);
    if (source === null) return;
    if (typeof source === "string") {
      this.diags.error(D.unreadableModule({ why: source, chain: this.chain() }), imp.span);
      return;
    }
    imp.target = source;
    this.open(source, key);
  }

  /** The import chain from the main file to the module being loaded, e.g. `main.tul -> lib/a.tul`. */
  private chain(): string {
    return this.stack.map((l) => this.display(l.file)).join(" -> ");
  }

  /** A module's name in messages: its path relative to the main file's directory (stdlib: stdlib/x.tul). */
  private display(file: SourceFile): string {
    const abs = path.resolve(file.path);
    if (abs.startsWith(STDLIB_DIR + path.sep)) return path.join("stdlib", path.relative(STDLIB_DIR, abs));
    return path.relative(this.mainDir, abs);
  }
}

/** `"name"` is stdlib/name.tul; `"./x.tul"` and `"../x.tul"` are relative to the importing file. */
function modulePath(spec: string, from: SourceFile): string {
  if (spec.startsWith("./") || spec.startsWith("../")) return path.normalize(path.join(path.dirname(from.path), spec));
  return path.join(STDLIB_DIR, `${spec}.tul`);
}

function realPath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** Reads a module; an error sentence instead of throwing when it cannot be read, null when it is
 *  not valid UTF-8 (reported at the bad bytes; the module is then not parsed). */
function readModule(file: string, diags: DiagnosticBag): SourceFile | string | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return `cannot read module '${file}': ${code === "EISDIR" ? "is a directory" : String(code ?? e)}`;
  }
  const errors = diags.items.length;
  const source = decodeSourceFile(file, bytes, diags);
  return diags.items.length === errors ? source : null;
}

/** Decodes source bytes; the first byte sequence that is not UTF-8 gets a positioned error (E0007). */
export function decodeSourceFile(file: string, bytes: Uint8Array, diags: DiagnosticBag): SourceFile {
  const { file: source, invalid } = decodeSource(file, bytes);
  if (invalid) {
    const shown = invalid.bytes.map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ");
    const what = invalid.bytes.length === 1 ? `byte ${shown}` : `sequence ${shown} (incomplete)`;
    diags.error(D.invalidUtf8({ what }), { file: source, start: invalid.offset, end: invalid.offset + 1 });
  }
  return source;
}

/**
 * Parses the main file and every module it imports (each once, by real path) into one Program:
 * the body holds every module's statements, dependencies before their importers (depth-first, in
 * import order), so top-level code runs in that order. Each Import gets `target` (the module's file).
 */
export function loadProgram(mainFile: SourceFile, diags: DiagnosticBag): Program {
  const mainDir = path.dirname(path.resolve(mainFile.path));
  const loader = new Loader(diags, mainDir);
  loader.visit(mainFile, realPath(mainFile.path) ?? path.resolve(mainFile.path));
  return { kind: "Program", file: mainFile, files: loader.files(), body: loader.body };
}
