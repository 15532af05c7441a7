// Code generation state: the LLVM module and builder, cached LLVM types, runtime functions, and the
// per-function state (locals, loops, try/finally cleanups) shared by the lowering files.

import llvm from "llvm-bindings";
import type { Block, FuncDecl, StructDecl } from "../../frontend/ast.js";
import type { Span } from "../../frontend/source.js";
import type { Type } from "../../frontend/types.js";
import type { Debug } from "./debug.js";
import { Builder } from "./builder.js";

export class CodegenError extends Error {
  constructor(message: string) {
    super(`codegen: ${message}`);
  }
}

/** Something that must happen when control leaves a try body or catch early. */
export type Cleanup =
  | { kind: "handler"; handler: llvm.Value }
  | { kind: "finally"; body: Block }
  | { kind: "call"; fn: string; arg: llvm.Value }; // a runtime call on every way out (scope, shield)

export interface LoopTarget {
  breakBB: llvm.BasicBlock;
  continueBB: llvm.BasicBlock;
  cleanupDepth: number;
}

export interface FnState {
  fn: llvm.Function;
  result: Type; // Tulpar result type (void/never: LLVM void)
  allocas: llvm.IRBuilder;
  locals: Map<number, llvm.Value>; // VarSymbol.id -> alloca
  volatile: boolean; // locals accessed with volatile loads/stores (functions containing try)
  loops: LoopTarget[];
  cleanups: Cleanup[];
  scope: llvm.DISubprogram;
  /** VarSymbol.id -> i8 flag: the str local holds the only reference to its value (vars.ts). */
  owned?: Map<number, llvm.Value>;
  /** Type (typeToString) -> the reused slot for runtime calls that read a value (vars.ts, scratchSlot). */
  scratch?: Map<string, llvm.Value>;
}

export interface LlvmTypes {
  void: llvm.Type;
  i1: llvm.IntegerType;
  i8: llvm.IntegerType;
  i32: llvm.IntegerType;
  i64: llvm.IntegerType;
  f64: llvm.Type;
  ptr: llvm.PointerType; // i8*: every GC reference
  ptrPtr: llvm.PointerType;
  i64Ptr: llvm.PointerType;
  typeDesc: llvm.StructType; // literal { i64, i64, i8*, i8*, i64, i8*, i8* } == struct tul_type
}

/** The i64 constants made from a JS number (exactly representable, and cached by value). */
const MAX_EXACT = 2n ** 52n;
const MIN_EXACT = -MAX_EXACT;

export class Gen {
  readonly builder: Builder;
  readonly types: LlvmTypes;
  /** The function being generated (null between functions). */
  fnState: FnState | null = null;
  readonly strings = new Map<string, llvm.Constant>();
  readonly typeDescs = new Map<string, llvm.Constant>();
  readonly funcs = new Map<FuncDecl, llvm.Function>();
  readonly globals = new Map<number, llvm.GlobalVariable>();
  /** NUL-terminated C string constants by text (strings.ts cString). */
  readonly cStrings = new Map<string, llvm.Constant>();
  /** Constant closures of top-level functions used as values (closures.ts funcValue). */
  readonly funcValues = new Map<FuncDecl, llvm.Constant>();
  /** Struct init functions (structs.ts), and those declared whose bodies are still to be made. */
  readonly structInits = new Map<StructDecl, llvm.Function>();
  readonly pendingInits: (Type & { k: "struct" })[] = [];
  /** Task entries of top-level async functions (async.ts). */
  readonly taskEntries = new Map<FuncDecl, llvm.Function>();
  /** Entry thunks of spawned functions (spawn.ts). */
  readonly spawnEntries = new Map<FuncDecl, llvm.Function>();
  /** The code of each nested function, by its closure local's id, once emitted (closures.ts). */
  readonly nestedCode = new Map<number, llvm.Function>();
  /** map_concurrent's apply thunks, by function type (pipelines.ts applyThunk). */
  readonly applyThunks = new Map<string, llvm.Function>();
  /** Owned flags of global str variables, by symbol id (vars.ts ownedFlag). */
  readonly globalOwnedFlags = new Map<number, llvm.GlobalVariable>();
  /** Whether each declared function calls a user function or awaits: the others, leaves, get no
   *  stack check (module.ts; found by the walk that looks for recursion). */
  readonly stackChecks = new Map<FuncDecl, boolean>();
  /** LLVM names of functions that must not get tail-recursion elimination (module.ts). */
  readonly noTailCalls = new Set<string>();
  /** LLVM names of functions that must stay out of line (async bodies, module.ts). */
  readonly noInline = new Set<string>();
  /** Per struct declaration, a number that keeps same-named structs of different modules apart in
   *  type descriptors (types.ts). */
  readonly structIds = new Map<StructDecl, number>();
  /** -g: describe locals and parameters (DILocalVariable + dbg.declare). */
  debugVars = false;
  /** Globals get external linkage (when the program has a try, so that setjmp returns reload them). */
  externalGlobals = true;
  /** How many lambdas were emitted (their LLVM names count up). */
  lambdaCount = 0;
  private uniq = 0;

  constructor(
    readonly ctx: llvm.LLVMContext,
    readonly mod: llvm.Module,
    readonly di: Debug,
    readonly triple: string,
  ) {
    this.builder = new Builder(ctx, () => this.flushLoc());
    const i8 = llvm.Type.getInt8Ty(ctx);
    const i64 = llvm.Type.getInt64Ty(ctx);
    const ptr = llvm.PointerType.getUnqual(i8);
    this.types = {
      void: llvm.Type.getVoidTy(ctx),
      i1: llvm.Type.getInt1Ty(ctx),
      i8,
      i32: llvm.Type.getInt32Ty(ctx),
      i64,
      f64: llvm.Type.getDoubleTy(ctx),
      ptr,
      ptrPtr: llvm.PointerType.getUnqual(ptr),
      i64Ptr: llvm.PointerType.getUnqual(i64),
      typeDesc: llvm.StructType.get(ctx, [i64, i64, ptr, ptr, i64, ptr, ptr]),
    };
  }

  /** A fresh name suffix for module-level symbols. */
  /** A private constant global holding `init`, named `tul.<kind>.<n>` (string data, tables). */
  constGlobal(kind: string, init: llvm.Constant): llvm.GlobalVariable {
    return new llvm.GlobalVariable(this.mod, init.getType(), true, llvm.GlobalValue.LinkageTypes.PrivateLinkage, init, `tul.${kind}.${this.nextId()}`);
  }

  nextId(): number {
    return this.uniq++;
  }

  /** The function being generated. */
  get current(): FnState {
    if (!this.fnState) throw new CodegenError("no current function");
    return this.fnState;
  }

  /** Runtime and prelude functions looked up so far (a lookup is a native call with a string). */
  private readonly rtFns = new Map<string, llvm.Function>();

  /** A runtime or prelude function by name. */
  rt(name: string): llvm.Function {
    let fn = this.rtFns.get(name);
    if (fn) return fn;
    fn = this.mod.getFunction(name) ?? undefined;
    if (!fn) throw new CodegenError(`runtime function ${name} is not declared`);
    this.rtFns.set(name, fn);
    return fn;
  }

  /** Calls a runtime/prelude function (types come from its declaration). */
  call(name: string, args: llvm.Value[]): llvm.Value {
    return this.builder.CreateCall(this.rt(name), args);
  }

  /** Calls a noreturn runtime function and continues in a fresh unreachable block. */
  callNoReturn(name: string, args: llvm.Value[]): void {
    this.call(name, args);
    this.terminate(() => this.builder.CreateUnreachable());
  }

  /** A runtime global as i8* (made once per name). */
  runtimeGlobal(name: string): llvm.Constant {
    const hit = this.rtGlobals.get(name);
    if (hit) return hit;
    const g = this.mod.getGlobalVariable(name);
    if (!g) throw new CodegenError(`runtime global ${name} is not declared`);
    const c = llvm.ConstantExpr.getBitCast(g, this.types.ptr);
    this.rtGlobals.set(name, c);
    return c;
  }

  block(name: string): llvm.BasicBlock {
    return llvm.BasicBlock.Create(this.ctx, name, this.current.fn);
  }

  /** Emits a terminator, then moves to a new block with no predecessors (dead code lands there). */
  terminate(emit: () => void): void {
    emit();
    this.builder.SetInsertPoint(this.block("dead"));
  }

  br(target: llvm.BasicBlock): void {
    this.builder.CreateBr(target);
  }

  /**
   * Positions the builder at `bb`. Live blocks always end in an explicit branch before the builder
   * moves on, so an unterminated current block is a dead block (see terminate): seal it.
   */
  at(bb: llvm.BasicBlock): void {
    if (this.fnState && this.builder.inOpenBlock()) this.builder.CreateUnreachable();
    this.builder.SetInsertPoint(bb);
  }

  /** Sets the debug location of the instructions emitted next from a source span. */
  loc(span: Span): void {
    if (!this.fnState) return;
    const { line, col } = span.file.position(span.start);
    this.setDebugLoc(line, col, this.fnState.scope);
  }

  /**
   * Debug locations. Without -g only calls keep theirs (codegen/passes/locations.ts drops the
   * others' from the text), so a new location within the same function is passed to the builder
   * just before the next call (`flushLoc`, run by the Builder), not at once: the other
   * instructions carry a stale location of their own function, which the pass drops. That left
   * out two native calls (a DILocation and setting it) for most of the 33,000 location changes of
   * the 10k-line program. With -g, or when the function changes, the location is set at once.
   */
  private dlLine = 0; // wanted: set by the last setDebugLoc
  private dlCol = 0;
  private dlScope: llvm.DIScope | null = null;
  private setLine = 0; // the builder's
  private setCol = 0;
  private setScope: llvm.DIScope | null = null;
  /** DILocations made for `dlCacheScope`, by line * 4096 + column (a small integer key; a location is
   *  often set again a few expressions later); emptied when the scope changes, so it holds one
   *  function's at most. */
  private readonly dlCache = new Map<number, llvm.DILocation>();
  private dlCacheScope: llvm.DIScope | null = null;

  /** Sets the debug location of the instructions emitted next (see above for when the builder
   *  gets it); an unchanged one costs no call into LLVM. */
  setDebugLoc(line: number, col: number, scope: llvm.DIScope): void {
    if (this.dlLine === line && this.dlCol === col && this.dlScope === scope) return;
    this.dlLine = line;
    this.dlCol = col;
    this.dlScope = scope;
    if (this.debugVars || scope !== this.setScope) this.applyLoc();
  }

  /** Gives the builder the wanted debug location if it has another (before a call). */
  flushLoc(): void {
    if (this.setLine !== this.dlLine || this.setCol !== this.dlCol || this.setScope !== this.dlScope) this.applyLoc();
  }

  private applyLoc(): void {
    const scope = this.dlScope!;
    this.setLine = this.dlLine;
    this.setCol = this.dlCol;
    this.setScope = scope;
    this.builder.SetCurrentDebugLocation(this.diLocation(this.dlLine, this.dlCol, scope));
  }

  private diLocation(line: number, col: number, scope: llvm.DIScope): llvm.DILocation {
    if (line >= 2 ** 19 || col >= 4096) return llvm.DILocation.get(this.ctx, line, col, scope);
    if (this.dlCacheScope !== scope) {
      this.dlCache.clear();
      this.dlCacheScope = scope;
    }
    const key = line * 4096 + col;
    let loc = this.dlCache.get(key);
    if (!loc) this.dlCache.set(key, (loc = llvm.DILocation.get(this.ctx, line, col, scope)));
    return loc;
  }

  /** i64 constants made so far, by value (each is one native call to make). */
  private readonly ints = new Map<number, llvm.Value>();
  /** The value of each constant in `ints` (intDivRem skips its checks for a known divisor). */
  private readonly intValues = new WeakMap<llvm.Value, number>();

  /** An exact i64 constant (values beyond 2^53 are assembled from two 32-bit halves). */
  i64(v: number | bigint): llvm.Value {
    if (typeof v === "bigint" && v >= MIN_EXACT && v <= MAX_EXACT) v = Number(v);
    if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= 2 ** 52) {
      let c = this.ints.get(v);
      if (!c) {
        c = llvm.ConstantInt.get(this.types.i64, v, true);
        this.ints.set(v, c);
        this.intValues.set(c, v);
      }
      return c;
    }
    const big = BigInt.asIntN(64, BigInt(v));
    if (big >= MIN_EXACT && big <= MAX_EXACT) return llvm.ConstantInt.get(this.types.i64, Number(big), true);
    const u = BigInt.asUintN(64, big);
    const hi = llvm.ConstantInt.get(this.types.i64, Number(u >> 32n), false);
    const lo = llvm.ConstantInt.get(this.types.i64, Number(u & 0xffffffffn), false);
    return this.builder.CreateOr(this.builder.CreateShl(hi, llvm.ConstantInt.get(this.types.i64, 32, false)), lo);
  }

  /** The value of an i64 constant made by i64(), or undefined for any other value. */
  knownInt(v: llvm.Value): number | undefined {
    return this.intValues.get(v);
  }

  f64(v: number): llvm.Constant {
    return llvm.ConstantFP.get(this.types.f64, v);
  }

  // LLVM uniques constants: the wrappers of the common ones are made once (each native call makes
  // a new wrapper object, and lowering asked for these thousands of times).
  private trueC?: llvm.Constant;
  private falseC?: llvm.Constant;
  private nullC?: llvm.Constant;
  private readonly i8s: llvm.Constant[] = [];
  private readonly undefs = new Map<llvm.Type, llvm.Value>();
  private readonly memPtrs = new Map<llvm.Type, llvm.PointerType>();
  private readonly rtGlobals = new Map<string, llvm.Constant>();

  bool(v: boolean): llvm.Value {
    return v ? (this.trueC ??= llvm.ConstantInt.getTrue(this.ctx)) : (this.falseC ??= llvm.ConstantInt.getFalse(this.ctx));
  }

  nullPtr(): llvm.Constant {
    return (this.nullC ??= llvm.ConstantPointerNull.get(this.types.ptr));
  }

  /** The i8 constant 0 or 1 (owned flags, bool memory form). */
  i8(v: 0 | 1): llvm.Constant {
    return (this.i8s[v] ??= llvm.ConstantInt.get(this.types.i8, v, false));
  }

  /** The undef value of an LLVM type. */
  undef(t: llvm.Type): llvm.Value {
    let u = this.undefs.get(t);
    if (!u) this.undefs.set(t, (u = llvm.UndefValue.get(t)));
    return u;
  }

  /** A pointer type to `t` (for the memory types: few, each made once). */
  ptrTo(t: llvm.Type): llvm.PointerType {
    let p = this.memPtrs.get(t);
    if (!p) this.memPtrs.set(t, (p = llvm.PointerType.getUnqual(t)));
    return p;
  }

  /** An entry-block alloca of `type`. */
  alloca(type: llvm.Type, name = ""): llvm.AllocaInst {
    return this.current.allocas.CreateAlloca(type, null, name);
  }
}
