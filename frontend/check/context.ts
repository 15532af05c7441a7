// The checker's state: lexical scopes (Map per block), the function being checked, top-level
// functions and globals with their on-demand inference state, and reporting helpers.

import type { Call, Expr, FuncDecl, Stmt, FuncSymbol, Lambda, Program, Return, Spawn, SymbolRef, VarDecl, VarSymbol, Node, StructDecl } from "../ast.js";
import type { DiagnosticBag } from "../diagnostics.js";
import { SourceFile, type Span } from "../source.js";
import type { Type } from "../types.js";
import { FormatSpecChecks } from "../fmtspec.js";
import { D, type Message } from "../messages.js";

/** A lexical scope: names declared directly in one block (or parameter list). */
export class Scope {
  readonly names = new Map<string, SymbolRef>();
  constructor(readonly parent: Scope | null) {}
}

export interface LoopCtx {
  hasBreak: boolean;
}

/** What the checker knows about one named function (top-level or nested in a block). */
export interface FuncInfo {
  decl: FuncDecl;
  sym: FuncSymbol;
  /** The body's result as declared (for async: the T of promise<T>), or null when inferred. */
  declared: Type | null;
  state: "pending" | "checking" | "done";
  /** While checking an inferred function: the unified type of the value returns seen so far. */
  tentative: Type | null;
  /** A guess from the body's obviously typed returns (literals, parameters), for early recursion. */
  seed: Type | null;
  /** The tentative types recursive calls used (each must equal the final result). */
  tentativeUsed: Type[];
  /** Recursive calls typed before any return was seen (provisionally never); fixed when done. */
  provisional: Call[];
  defaults: "pending" | "checking" | "done";
  /** Set for a function declared inside a block (frontend/check/nested.ts). */
  nested?: NestedFn;
}

/**
 * A function declared inside a block: checked in its block's scope (names declared before its use),
 * compiled as the closure `lambda`, which the local `closure` holds (created at the block's start).
 */
export interface NestedFn {
  scope: Scope;
  topIndex: number;
  lambda: Lambda;
  closure: VarSymbol;
  closureDecl: VarDecl;
  /** The statements of the declaring block (names declared later in it, for diagnostics). */
  stmts: Stmt[];
  /** Whether checking has reached the declaration statement. */
  reached: boolean;
}

/** A nested function whose body is being checked early, for a use before its declaration. */
export interface EarlyCheck {
  decl: FuncDecl;
  use: Span;
  stmts: Stmt[];
  /** The use is inside a sibling function's body (it runs when that function is called). */
  fromSibling: boolean;
  reported: boolean;
}

/** A top-level variable: declared in order by the main program, visible in every function. */
export interface GlobalEntry {
  decl: VarDecl;
  index: number; // index of its statement in Program.body
  sym: VarSymbol | null;
  initChecked: boolean;
  inProgress: boolean;
}

/**
 * The top-level names one module declares, and the modules it imports: without an alias their own
 * names are visible to it (not transitively), with `as u` they are reachable as `u.name`.
 */
export class ModuleScope {
  readonly funcs = new Map<string, FuncInfo>();
  readonly globals = new Map<string, GlobalEntry>();
  readonly structs = new Map<string, StructDecl>();
  readonly imports: ModuleScope[] = [];
  readonly aliases = new Map<string, ModuleScope>();

  /** A name declared by this module, else by a module it imports without an alias. */
  find<K extends "funcs" | "globals" | "structs">(table: K, name: string): ModuleScope[K] extends Map<string, infer V> ? V | undefined : never {
    type V = ModuleScope[K] extends Map<string, infer X> ? X : never;
    const own = (this[table] as Map<string, V>).get(name);
    if (own !== undefined) return own as never;
    for (const m of this.imports) {
      const hit = (m[table] as Map<string, V>).get(name);
      if (hit !== undefined) return hit as never;
    }
    return undefined as never;
  }
}

/** The function (or main program, decl === null) whose body is being checked. */
export class FnCtx {
  loops: LoopCtx[] = [];
  valueReturns: Return[] = [];
  bareReturns: Return[] = [];
  hasTry = false;
  constructor(
    readonly decl: FuncDecl | null,
    readonly info: FuncInfo | null,
    public scope: Scope,
    /** Main program: index of the top-level statement being checked (globals declared before it are
     * visible). Functions and default arguments: Infinity (every global is visible). */
    public topIndex: number,
  ) {}
}

export class Checker {
  private nextId = 1;
  readonly globalScope = new Scope(null);
  readonly funcInfos = new Map<FuncDecl, FuncInfo>();
  /** Top-level names per module (source file); a node's module is its span's file. */
  private readonly modules = new Map<SourceFile, ModuleScope>();
  readonly structFields = new Map<StructDecl, Map<string, Type>>();
  /** Calls used directly as expression statements (their value is discarded). */
  readonly stmtCalls = new WeakSet<Expr>();
  /** Calls whose type is provisional (recursion before the result was known). */
  readonly provisional = new WeakSet<Expr>();
  fn: FnCtx;
  /** Nested functions being checked before their declaration was reached (innermost last). */
  readonly early: EarlyCheck[] = [];
  /** The statement being checked (for the position of a stack-exhaustion diagnostic). */
  currentStmt: Stmt | null = null;
  /** Literal format specs, checked together by the runtime's parser when checking ends. */
  readonly formatSpecs = new FormatSpecChecks();
  /** Every `spawn` checked, for the isolation check once every body is typed (check/isolation.ts). */
  readonly spawns: Spawn[] = [];

  constructor(
    readonly program: Program,
    readonly diags: DiagnosticBag,
  ) {
    this.fn = new FnCtx(null, null, this.globalScope, 0);
  }

  /** The module a node belongs to (by the file of its span). */
  mod(at: Span | SourceFile): ModuleScope {
    const file = at instanceof SourceFile ? at : at.file;
    let m = this.modules.get(file);
    if (!m) this.modules.set(file, (m = new ModuleScope()));
    return m;
  }

  /** Reports an error: a message of the catalogue (frontend/messages.ts) at a span. */
  error(message: Message, span: Span): void {
    this.diags.error(message, span);
  }

  unsupported(feature: string, span: Span): void {
    this.error(D.unsupported({ feature }), span);
  }

  newVar(name: string, type: Type, decl: Node, opts: Partial<VarSymbol> = {}): VarSymbol {
    return {
      kind: "var",
      id: this.nextId++,
      name,
      type,
      isConst: false,
      isGlobal: false,
      isParam: false,
      captured: false,
      decl,
      ...opts,
    };
  }

  /** Declares a local in the current scope; reports a redeclaration in the same scope. */
  declareLocal(sym: VarSymbol, span: Span): void {
    const names = this.fn.scope.names;
    if (names.has(sym.name)) {
      this.error(D.redeclared({ name: sym.name }), span);
      return;
    }
    names.set(sym.name, sym);
  }

  /** Runs `body` in a fresh block scope nested in the current one. */
  inScope<R>(body: () => R): R {
    const saved = this.fn.scope;
    this.fn.scope = new Scope(saved);
    try {
      return body();
    } finally {
      this.fn.scope = saved;
    }
  }

  /** Runs `body` with another function context (on-demand inference), restoring the current one. */
  inFunction<R>(ctx: FnCtx, body: () => R): R {
    const saved = this.fn;
    this.fn = ctx;
    try {
      return body();
    } finally {
      this.fn = saved;
    }
  }
}
