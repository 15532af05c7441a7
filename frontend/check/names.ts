// Name resolution: block scopes, then top-level functions and globals (a global is visible to the
// main program after its declaration and to every function), then built-ins. Globals declared with
// `var`/`const` get their type on demand when a function uses them before the main program has.

import type { BuiltinSymbol, Expr, SymbolRef, VarDecl, VarSymbol } from "../ast.js";
import { lookupBuiltin } from "../builtins.js";
import { T } from "../types.js";
import type { Span } from "../source.js";
import { FnCtx, type Checker, type GlobalEntry, type ModuleScope, type Scope } from "./context.js";
import { D } from "../messages.js";
import { resolveType } from "./conversions.js";
import { checkVarInit } from "./statements.js";
import { withSuggestion } from "./suggest.js";

/** Resolves a name used as a value or a callee. */
export function lookupName(cx: Checker, name: string, span: Span): SymbolRef | undefined {
  for (let s: Scope | null = cx.fn.scope; s && s !== cx.globalScope; s = s.parent) {
    const sym = s.names.get(name);
    if (sym) return sym;
  }
  return lookupTopLevel(cx, name, span);
}

/** Top-level functions, visible globals, then built-ins. */
function lookupTopLevel(cx: Checker, name: string, span: Span): SymbolRef | undefined {
  return lookupInModule(cx, cx.mod(span), name, span, true) ?? builtinSymbol(name);
}

/** A module's function or visible global (own names; with `imports`, also its unaliased imports'). */
function lookupInModule(cx: Checker, m: ModuleScope, name: string, span: Span, imports: boolean): SymbolRef | undefined {
  const f = imports ? m.find("funcs", name) : m.funcs.get(name);
  if (f) return f.sym;
  const g = imports ? m.find("globals", name) : m.globals.get(name);
  if (g && g.index < cx.fn.topIndex) return ensureGlobalSym(cx, g, span);
  return undefined;
}

/** A function for method-call sugar `x.f(a)`: a nested, top-level or built-in function, never a variable. */
export function lookupFunction(cx: Checker, name: string, span: Span): SymbolRef | undefined {
  for (let s: Scope | null = cx.fn.scope; s && s !== cx.globalScope; s = s.parent) {
    const sym = s.names.get(name);
    if (sym?.kind === "func") return sym;
  }
  return cx.mod(span).find("funcs", name)?.sym ?? builtinSymbol(name);
}

/**
 * `u.name` where `u` is an import alias of the current module (and not a local variable): the module
 * imported as `u`, or undefined.
 */
export function aliasModule(cx: Checker, e: Expr): ModuleScope | undefined {
  if (e.kind !== "Ident") return undefined;
  for (let s: Scope | null = cx.fn.scope; s && s !== cx.globalScope; s = s.parent) if (s.names.has(e.name)) return undefined;
  const m = cx.mod(e.span);
  if (m.find("funcs", e.name) || m.find("globals", e.name)) return undefined;
  return m.aliases.get(e.name);
}

/** `u.name`: a function or global of the module imported as `u`; reports an unknown name. */
export function lookupQualified(cx: Checker, m: ModuleScope, alias: string, name: string, span: Span): SymbolRef | undefined {
  const sym = lookupInModule(cx, m, name, span, false);
  if (!sym) cx.error(withSuggestion(D.noModuleMember({ alias, name }), name, [...m.funcs.keys(), ...m.globals.keys()]), span);
  return sym;
}

function builtinSymbol(name: string): BuiltinSymbol | undefined {
  const row = lookupBuiltin(name);
  return row ? { kind: "builtin", name: row.name } : undefined;
}

/**
 * The symbol of a global, creating it on first use: typed declarations resolve their annotation,
 * `var`/`const` ones check their initializer now (in the main program's scope at that point).
 */
export function ensureGlobalSym(cx: Checker, g: GlobalEntry, span: Span): VarSymbol {
  if (g.sym) return g.sym;
  const d = g.decl;
  if (d.declType) return (g.sym = makeGlobal(cx, d, resolveType(cx, d.declType)));
  if (g.inProgress) {
    cx.error(D.cannotInferGlobal({ name: d.name }), span);
    return cx.newVar(d.name, T.json, d, { isGlobal: true });
  }
  g.inProgress = true;
  const ctx = new FnCtx(null, null, cx.globalScope, g.index);
  const type = cx.inFunction(ctx, () => checkVarInit(cx, d, null).type);
  g.inProgress = false;
  g.initChecked = true;
  return (g.sym = makeGlobal(cx, d, type));
}

function makeGlobal(cx: Checker, d: VarDecl, type: VarSymbol["type"]): VarSymbol {
  return cx.newVar(d.name, type, d, { isGlobal: true, isConst: d.mode === "const" });
}
