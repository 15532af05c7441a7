// DWARF for generated code: a compile unit and file for the .tul source, one DISubprogram per
// function (named with its Tulpar name), and the module flags. The runtime's uncaught-exception
// traces are symbolized from these line tables.

import llvm from "llvm-bindings";
import path from "node:path";
import { typeToString, type Type } from "../../frontend/types.js";

export class Debug {
  private readonly dib: llvm.DIBuilder;
  readonly file: llvm.DIFile;
  private readonly fnType: llvm.DISubroutineType;

  constructor(mod: llvm.Module, sourcePath: string, private readonly optimized: boolean) {
    this.dib = new llvm.DIBuilder(mod);
    const abs = path.resolve(sourcePath);
    this.file = this.dib.createFile(path.basename(abs), path.dirname(abs));
    this.files.set(abs, this.file);
    // llvm-bindings exposes no emission-kind parameter: the unit is created FullDebug and module.ts
    // rewrites it to LineTablesOnly in the IR text when -g is not given.
    this.dib.createCompileUnit(llvm.dwarf.SourceLanguage.DW_LANG_C, this.file, "tulc", optimized, "", 0);
    this.fnType = this.dib.createSubroutineType(this.dib.getOrCreateTypeArray([]));
    mod.addModuleFlag(llvm.Module.ModFlagBehavior.Warning, "Debug Info Version", llvm.LLVMConstants.DEBUG_METADATA_VERSION);
    mod.addModuleFlag(llvm.Module.ModFlagBehavior.Warning, "Dwarf Version", 4);
  }

  private readonly files = new Map<string, llvm.DIFile>();
  /** The file of each subprogram (its variables are declared in the same file). */
  private readonly spFiles = new Map<llvm.DISubprogram, llvm.DIFile>();

  /** DIFiles by the path as given (resolving a path per function was 3% of lowering). */
  private readonly givenPaths = new Map<string, llvm.DIFile>();

  /** The DIFile of a source path (an imported module's functions live in its own file). */
  private fileOf(sourcePath: string | undefined): llvm.DIFile {
    if (!sourcePath) return this.file;
    const hit = this.givenPaths.get(sourcePath);
    if (hit) return hit;
    const abs = path.resolve(sourcePath);
    let f = this.files.get(abs);
    if (!f) this.files.set(abs, (f = this.dib.createFile(path.basename(abs), path.dirname(abs))));
    this.givenPaths.set(sourcePath, f);
    return f;
  }

  /** A DISubprogram named `name` (the Tulpar name) starting at `line` of `sourcePath` (default: the main file), attached to `fn`. */
  subprogram(fn: llvm.Function, name: string, line: number, sourcePath?: string): llvm.DISubprogram {
    const flags = llvm.DISubprogram.DISPFlags;
    const spFlags = flags.SPFlagDefinition | (this.optimized ? flags.SPFlagOptimized : 0);
    const file = this.fileOf(sourcePath);
    const sp = this.dib.createFunction(file, name, "", file, line, this.fnType, line, llvm.DINode.DIFlags.FlagPrototyped, spFlags);
    fn.setSubprogram(sp);
    this.spFiles.set(sp, file);
    return sp;
  }

  private readonly types = new Map<string, llvm.DIBasicType>();

  /** A basic DWARF type for a Tulpar type (references show as addresses). */
  private diType(t: Type): llvm.DIBasicType {
    const name = typeToString(t);
    let dt = this.types.get(name);
    if (dt) return dt;
    const kinds = llvm.dwarf.TypeKind;
    if (t.k === "int") dt = this.dib.createBasicType(name, 64, kinds.DW_ATE_signed);
    else if (t.k === "float") dt = this.dib.createBasicType(name, 64, kinds.DW_ATE_float);
    else if (t.k === "bool") dt = this.dib.createBasicType(name, 8, kinds.DW_ATE_boolean);
    else dt = this.dib.createBasicType(name, 64, kinds.DW_ATE_address);
    this.types.set(name, dt);
    return dt;
  }

  /** -g: describes a local (or parameter, argNo > 0) living in `storage`, declared at `line`. */
  declareVar(ctx: llvm.LLVMContext, sp: llvm.DISubprogram, storage: llvm.Value, name: string, argNo: number, line: number, t: Type, entry: llvm.BasicBlock): void {
    const file = this.spFiles.get(sp) ?? this.file;
    const v = argNo > 0
      ? this.dib.createParameterVariable(sp, name, argNo, file, line, this.diType(t), true)
      : this.dib.createAutoVariable(sp, name, file, line, this.diType(t), true);
    this.dib.insertDeclare(storage, v, this.dib.createExpression(), llvm.DILocation.get(ctx, line, 0, sp), entry);
  }

  finishSubprogram(sp: llvm.DISubprogram): void {
    this.dib.finalizeSubprogram(sp);
  }

  finalize(): void {
    this.dib.finalize();
  }
}
