// DWARF for generated code: a compile unit and file for the .tul source, one DISubprogram per
// function (named with its Tulpar name), and the module flags. The runtime's uncaught-exception
// traces are symbolized from these line tables.

import llvm from "llvm-bindings";
import path from "node:path";

export class Debug {
  private readonly dib: llvm.DIBuilder;
  readonly file: llvm.DIFile;
  private readonly fnType: llvm.DISubroutineType;

  constructor(mod: llvm.Module, sourcePath: string, private readonly optimized: boolean) {
    this.dib = new llvm.DIBuilder(mod);
    const abs = path.resolve(sourcePath);
    this.file = this.dib.createFile(path.basename(abs), path.dirname(abs));
    // llvm-bindings exposes no emission-kind parameter: the unit is created FullDebug and index.ts
    // rewrites it to LineTablesOnly in the IR text when -g is not given.
    this.dib.createCompileUnit(llvm.dwarf.SourceLanguage.DW_LANG_C, this.file, "tulc", optimized, "", 0);
    this.fnType = this.dib.createSubroutineType(this.dib.getOrCreateTypeArray([]));
    mod.addModuleFlag(llvm.Module.ModFlagBehavior.Warning, "Debug Info Version", llvm.LLVMConstants.DEBUG_METADATA_VERSION);
    mod.addModuleFlag(llvm.Module.ModFlagBehavior.Warning, "Dwarf Version", 4);
  }

  /** A DISubprogram named `name` (the Tulpar name) starting at `line`, attached to `fn`. */
  subprogram(fn: llvm.Function, name: string, line: number): llvm.DISubprogram {
    const flags = llvm.DISubprogram.DISPFlags;
    const spFlags = flags.SPFlagDefinition | (this.optimized ? flags.SPFlagOptimized : 0);
    const sp = this.dib.createFunction(this.file, name, "", this.file, line, this.fnType, line, llvm.DINode.DIFlags.FlagPrototyped, spFlags);
    fn.setSubprogram(sp);
    return sp;
  }

  finishSubprogram(sp: llvm.DISubprogram): void {
    this.dib.finalizeSubprogram(sp);
  }

  finalize(): void {
    this.dib.finalize();
  }
}
