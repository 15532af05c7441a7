// The abstract syntax tree produced by the parser. Every node carries its span. Fields marked
// "checker:" are filled in by the type checker and consumed by codegen; the parser leaves them unset.

import type { Span } from "./source.js";
import type { Type } from "./types.js";
import type { Overload } from "./builtins.js";
import { assertNever } from "../common/assert.js";

// ---------- type annotations written in source ----------
export type TypeNode =
  | { kind: "NamedType"; name: string; span: Span } // int float bool str void json array, or a struct name
  | { kind: "ArrayType"; elem: TypeNode; span: Span } // T[]
  | { kind: "PromiseType"; inner: TypeNode; span: Span } // promise<T>
  | { kind: "MapType"; key: TypeNode; value: TypeNode; span: Span } // map<K, V>
  | { kind: "ChannelType"; elem: TypeNode; span: Span } // channel<T>
  | { kind: "FuncType"; params: TypeNode[]; result: TypeNode; span: Span }; // func(int, str): bool

// ---------- symbols (created by the checker) ----------
export interface VarSymbol {
  kind: "var";
  id: number; // unique per program
  name: string;
  type: Type;
  isConst: boolean;
  isGlobal: boolean; // top-level variable of a module: an LLVM global
  isParam: boolean;
  paramIndex?: number;
  captured: boolean; // referenced from a lambda or nested function (closures capture it by reference)
  decl: Node;
}
export interface FuncSymbol {
  kind: "func";
  name: string;
  decl: FuncDecl;
  type: Type & { k: "func" }; // parameter types and (possibly inferred) result type
}
export interface BuiltinSymbol {
  kind: "builtin";
  name: string;
}
export type SymbolRef = VarSymbol | FuncSymbol | BuiltinSymbol;

// ---------- expressions ----------
interface ExprBase {
  span: Span;
  ty?: Type; // checker: static type of this expression after implicit conversions were inserted
}
export interface IntLit extends ExprBase { kind: "IntLit"; value: bigint } // already wrapped to 64 bits
export interface FloatLit extends ExprBase { kind: "FloatLit"; value: number }
export interface BoolLit extends ExprBase { kind: "BoolLit"; value: boolean }
export interface NullLit extends ExprBase { kind: "NullLit" }
export interface StrLit extends ExprBase { kind: "StrLit"; value: string } // escapes decoded
/** t"..." : parts alternate literal text and embedded expressions. */
export interface TString extends ExprBase {
  kind: "TString";
  parts: (string | Expr)[];
  /** The format spec of the field at the same index (`{x:.2f}`), if it has one (docs/reference.md §19.9).
   *  checker: a field with a spec keeps its own type (it is formatted, not converted to its string form). */
  specs?: (TStringSpec | undefined)[];
}
export interface TStringSpec { text: string; span: Span }
export interface ArrayLit extends ExprBase { kind: "ArrayLit"; elems: Expr[] }
/** { key: value, "key": value } : a json object literal, or a struct or map literal when the context
 *  is a struct or map type. `intKey` is set for an int key (`{1: "a"}`), which only a map<int, V> takes. */
export interface ObjectLit extends ExprBase {
  kind: "ObjectLit";
  /** checker: `field` is the entry's field index when the literal is a struct. */
  entries: { key: string; intKey?: bigint; keySpan: Span; value: Expr; field?: number }[];
}
export interface Ident extends ExprBase {
  kind: "Ident";
  name: string;
  sym?: SymbolRef; // checker: what the name resolves to
}
export type UnaryOp = "!" | "-" | "+" | "~";
export interface Unary extends ExprBase { kind: "Unary"; op: UnaryOp; operand: Expr }
export type BinaryOp =
  | "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%"
  | "&" | "|" | "^" | "<<" | ">>"; // bitwise and shifts: int operands (docs/reference.md §19.8)
/**
 * checker: after checking, both operands of arithmetic/comparison have the same type (int, float,
 * str, bool, json, array...) except for `==`/`!=` against null; `+` with a str side has both sides str.
 */
export interface Binary extends ExprBase { kind: "Binary"; op: BinaryOp; left: Expr; right: Expr }
export interface Ternary extends ExprBase { kind: "Ternary"; cond: Expr; then: Expr; else: Expr }
export interface Call extends ExprBase {
  kind: "Call";
  callee: Expr;
  args: Expr[];
  /**
   * checker: the resolved call. "builtin": callee is a built-in (its canonical name and the overload
   * the checker chose from frontend/builtins.ts; args already converted to the overload's parameter
   * types). "func": a direct call to a top-level function; `args` then has one entry per parameter,
   * defaults filled in. "value": calling a function-typed value (closure). Method-call sugar
   * `x.f(a)` is rewritten to `f(x, a)` (`args` then includes the receiver).
   */
  target?: { kind: "builtin"; name: string; overload: Overload } | { kind: "func"; sym: FuncSymbol } | { kind: "value" };
}
export interface Index extends ExprBase { kind: "Index"; object: Expr; index: Expr }
/** `object.name`. checker: `field` is the field's index when the object is a struct. */
export interface Member extends ExprBase { kind: "Member"; object: Expr; name: string; nameSpan: Span; field?: number }
export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>=";
/** Statement-level: target is Ident, Index or Member. checker: value already converted to target type. */
export interface Assign extends ExprBase { kind: "Assign"; op: AssignOp; target: Expr; value: Expr }
export interface Update extends ExprBase { kind: "Update"; op: "++" | "--"; prefix: boolean; target: Expr }
export interface Await extends ExprBase { kind: "Await"; operand: Expr }
/**
 * `spawn f(args)` (docs/reference.md §16): runs the named plain function on a worker thread.
 * checker: `call` is then a Call whose target is { kind: "func" } (a top-level, non-async function),
 * its arguments converted to the parameter types; the Spawn's type is promise<result>.
 */
export interface Spawn extends ExprBase { kind: "Spawn"; call: Expr }
export interface Lambda extends ExprBase {
  kind: "Lambda";
  /** `async (int x) => ...`: a call starts a task; the value's type is func(int): promise<T>. */
  isAsync?: boolean;
  params: Param[];
  result: TypeNode | null;
  body: Expr | Block;
  /** checker: the locals of enclosing functions the body uses (its closure block's cells, in order). */
  captures?: VarSymbol[];
  /** checker: the body contains a try statement (codegen keeps its locals in memory). */
  hasTry?: boolean;
  /** checker: set when the lambda stands for a function declared in a block (check/nested.ts): the
   *  declaration and the local holding the closure. */
  nested?: { decl: FuncDecl; closure: VarSymbol };
  /** checker (check/isolation.ts): the RuntimeError text its code throws when it runs on a spawn
   *  worker, set when it does what a spawned function may not (global, await, task, ...). */
  workerGuard?: string;
}
export interface MatchArm {
  patterns: Pattern[]; // `1, 2 => ...` may list several; `_` is { kind: "Wildcard" }
  body: Expr | Block;
  span: Span;
}
export type Pattern =
  | { kind: "Wildcard"; span: Span }
  | { kind: "ValuePattern"; value: Expr; span: Span }
  | { kind: "RangePattern"; lo: Expr; hi: Expr; span: Span }; // inclusive `a .. b`
export interface Match extends ExprBase { kind: "Match"; subject: Expr; arms: MatchArm[] }
/**
 * checker-inserted implicit conversion (never produced by the parser): int→float promotion,
 * anything→json (boxing), json→static type (checked unboxing), anything→str (in `+` and t-strings),
 * never→anything.
 */
export interface Convert extends ExprBase {
  kind: "Convert";
  expr: Expr;
  to: Type;
  /** checker: true for the string-form conversion of `+` with a str side and t-strings (json -> str then
   * means "string form", not checked unboxing). */
  stringify?: boolean;
}

export type Expr =
  | IntLit | FloatLit | BoolLit | NullLit | StrLit | TString | ArrayLit | ObjectLit | Ident | Unary
  | Binary | Ternary | Call | Index | Member | Assign | Update | Await | Spawn | Lambda | Match | Convert;

// ---------- statements ----------
export interface Param {
  name: string;
  type: TypeNode | null; // null: untyped parameter, which is json
  default: Expr | null;
  span: Span;
  sym?: VarSymbol; // checker
}
export interface VarDecl {
  kind: "VarDecl";
  /** "typed": `int x = 1;` / `Point p;`, "var": `var x = e;`, "const": `const N = 10;` or `const int N = 10;` */
  mode: "typed" | "var" | "const";
  declType: TypeNode | null;
  name: string;
  nameSpan: Span;
  init: Expr | null;
  span: Span;
  sym?: VarSymbol; // checker
}
export interface ExprStmt { kind: "ExprStmt"; expr: Expr; span: Span }
export interface Block { kind: "Block"; body: Stmt[]; span: Span }
export interface If { kind: "If"; cond: Expr; then: Block; else: Block | If | null; span: Span }
export interface While { kind: "While"; cond: Expr; body: Block; span: Span }
/** for (init; cond; update) body — each part optional */
export interface For {
  kind: "For";
  init: VarDecl | ExprStmt | null;
  cond: Expr | null;
  update: Expr | null;
  body: Block;
  span: Span;
}
/** for (x in xs) / for (int x in xs) / for (var x in xs) */
export interface ForIn {
  kind: "ForIn";
  varName: string;
  varType: TypeNode | null;
  iterable: Expr;
  body: Block;
  span: Span;
  sym?: VarSymbol; // checker
}
export interface Break { kind: "Break"; span: Span }
export interface Continue { kind: "Continue"; span: Span }
export interface Return { kind: "Return"; value: Expr | null; span: Span }
export interface Throw { kind: "Throw"; value: Expr; span: Span }
export interface Try {
  kind: "Try";
  body: Block;
  catchName: string | null; // `catch (e)`; `catch` without a name is allowed
  catchBody: Block | null;
  finallyBody: Block | null;
  span: Span;
  catchSym?: VarSymbol; // checker: the json-typed catch variable
}
/**
 * `select { case [binding =] op: body ... default: body }` (docs/reference.md §15.4). `op` is
 * `ch.recv()`, `ch.send(v)`, a promise or `sleep_async(ms)`; the binding (`int v =`, `var v =`) gets
 * the received value or the promise's result.
 */
export interface SelectCase {
  op: Expr;
  /** Its `init` is set by the checker: an Ident of `value`, the hidden variable the value lands in. */
  binding: VarDecl | null;
  body: Block;
  span: Span;
  caseKind?: "recv" | "send" | "promise" | "sleep"; // checker
  value?: VarSymbol; // checker: holds the received value (recv and promise cases with a binding)
}
export interface Select { kind: "Select"; cases: SelectCase[]; default: Block | null; span: Span }
/** `scope { ... }` (docs/reference.md §14): the block is left only when every task created inside
 *  it has settled; the first error cancels the rest and is re-thrown. */
export interface Scope { kind: "Scope"; body: Block; span: Span }
/** `shield { ... }`: awaits inside do not throw CancelledError (clean-up after cancellation). */
export interface Shield { kind: "Shield"; body: Block; span: Span }
export interface FuncDecl {
  kind: "FuncDecl";
  name: string;
  nameSpan: Span;
  isAsync: boolean;
  params: Param[];
  result: TypeNode | null; // null: inferred
  body: Block;
  span: Span;
  sym?: FuncSymbol; // checker
  /** parser: declared the C way (`str kind(str s) {`); the checker reports it with the Tulpar spelling,
   *  so the program fails to build but its body is still checked. */
  cStyle?: { suggestion: string; span: Span };
  /** checker: true when no path can return normally (inferred result type is `never`). */
  neverReturns?: boolean;
  /** checker: true when the body contains a try statement (codegen keeps its locals in memory). */
  hasTry?: boolean;
  /** checker (check/spawn.ts): some `spawn` runs this function (codegen keeps it out of line). */
  spawned?: boolean;
  /** checker (check/isolation.ts): as Lambda.workerGuard, for the function used as a value. */
  workerGuard?: string;
  /** `test "name" { ... }` (docs/reference.md §17.5): the test's name. The parser makes a test an
   *  async function of no parameters returning void, named `test "name"` (no identifier can be);
   *  only `tulc test` generates code for it. */
  test?: string;
}
/** A field; `default` (a constant expression, checked) is stored into every new instance (docs/reference.md §19.11). */
export interface StructField { name: string; type: TypeNode; span: Span; default?: Expr }
export interface StructDecl {
  kind: "StructDecl"; name: string; nameSpan: Span; fields: StructField[]; span: Span;
  fieldTypes?: Type[]; // checker: the resolved type of each field, in order
}
export interface Import {
  kind: "Import"; path: string; alias: string | null; span: Span;
  target?: import("./source.js").SourceFile; // frontend/modules.ts: the imported module's file
}

export type Stmt =
  | VarDecl | ExprStmt | Block | If | While | For | ForIn | Break | Continue | Return | Throw | Try
  | Scope | Shield | FuncDecl | StructDecl | Import | Select;

export type Node = Stmt | Expr | Param;

export interface Program {
  kind: "Program";
  file: import("./source.js").SourceFile;
  /** Every source file the program was read from: the main file and each module it imports. */
  files: import("./source.js").SourceFile[];
  body: Stmt[];
  /** checker: the main program (its top-level statements that are not declarations) has a try. */
  hasTry?: boolean;
}

// ---------- traversal ----------
/** Every node with a kind that statements and expressions are made of. */
export type AstNode = Stmt | Expr;

/**
 * The statements and expressions directly inside `n`, in source order: sub-expressions, bodies,
 * parameter defaults, match patterns and arms, t-string parts (type annotations and names are not
 * nodes). Every traversal of the tree goes through here, so a new node kind is added in one place
 * (walk's `pushChildren` has a fast path for common kinds; a unit test keeps it in agreement).
 */
export function children(n: AstNode): AstNode[] {
  switch (n.kind) {
    case "IntLit": case "FloatLit": case "BoolLit": case "NullLit": case "StrLit": case "Ident":
      return [];
    case "TString": return n.parts.filter((p): p is Expr => typeof p !== "string");
    case "ArrayLit": return n.elems;
    case "ObjectLit": return n.entries.map((e) => e.value);
    case "Unary": return [n.operand];
    case "Binary": return [n.left, n.right];
    case "Ternary": return [n.cond, n.then, n.else];
    case "Call": return [n.callee, ...n.args];
    case "Index": return [n.object, n.index];
    case "Member": return [n.object];
    case "Assign": return [n.target, n.value];
    case "Update": return [n.target];
    case "Await": return [n.operand];
    case "Spawn": return [n.call];
    case "Lambda": return [...defaults(n.params), n.body];
    case "Match": return [n.subject, ...n.arms.flatMap((a) => [...a.patterns.flatMap(patternValues), a.body])];
    case "Convert": return [n.expr];
    case "VarDecl": return n.init ? [n.init] : [];
    case "ExprStmt": return [n.expr];
    case "Block": return n.body;
    case "If": return n.else ? [n.cond, n.then, n.else] : [n.cond, n.then];
    case "While": return [n.cond, n.body];
    case "For": return present<AstNode>([n.init, n.cond, n.update, n.body]);
    case "ForIn": return [n.iterable, n.body];
    case "Return": return n.value ? [n.value] : [];
    case "Throw": return [n.value];
    case "Try": return present([n.body, n.catchBody, n.finallyBody]);
    case "Scope": case "Shield": return [n.body];
    case "Select": return [...n.cases.flatMap((c) => [...present<AstNode>([c.binding]), c.op, c.body]), ...present([n.default])];
    case "FuncDecl": return [...defaults(n.params), n.body];
    case "Break": case "Continue": case "StructDecl": case "Import":
      return [];
    default:
      return assertNever(n);
  }
}

const present = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);
const defaults = (params: Param[]): Expr[] => params.flatMap((p) => (p.default ? [p.default] : []));

function patternValues(p: Pattern): Expr[] {
  switch (p.kind) {
    case "Wildcard": return [];
    case "ValuePattern": return [p.value];
    case "RangePattern": return [p.lo, p.hi];
    default: return assertNever(p);
  }
}

/**
 * Visits `roots` and every node below them, each before its children, in source order, with an
 * explicit work list (no recursion on the depth of the program). When `visit` returns false the
 * node's children are skipped.
 */
export function walk(roots: AstNode | readonly AstNode[], visit: (n: AstNode) => boolean | void): void {
  const todo: AstNode[] = Array.isArray(roots) ? [...roots].reverse() : [roots as AstNode];
  while (todo.length) {
    const n = todo.pop()!;
    if (visit(n) !== false) pushChildren(n, todo);
  }
}

/**
 * Pushes the children of `n` onto a work list, last first (so that they pop in source order). The
 * common kinds are pushed directly: building a `children` array for each node was most of a walk's
 * time (lowering walks every function twice, the chunk planner the whole program). Every other
 * kind goes through `children`, and a unit test checks that both agree for every kind.
 */
export function pushChildren(n: AstNode, todo: AstNode[]): void {
  switch (n.kind) {
    case "IntLit": case "FloatLit": case "BoolLit": case "NullLit": case "StrLit": case "Ident":
    case "Break": case "Continue": case "StructDecl": case "Import":
      return;
    case "Binary": todo.push(n.right, n.left); return;
    case "Unary": todo.push(n.operand); return;
    case "Convert": todo.push(n.expr); return;
    case "Member": todo.push(n.object); return;
    case "Index": todo.push(n.index, n.object); return;
    case "Assign": todo.push(n.value, n.target); return;
    case "Update": todo.push(n.target); return;
    case "Call":
      for (let i = n.args.length - 1; i >= 0; i--) todo.push(n.args[i]);
      todo.push(n.callee);
      return;
    case "ArrayLit":
      for (let i = n.elems.length - 1; i >= 0; i--) todo.push(n.elems[i]);
      return;
    case "Block":
      for (let i = n.body.length - 1; i >= 0; i--) todo.push(n.body[i]);
      return;
    case "ExprStmt": todo.push(n.expr); return;
    case "VarDecl": if (n.init) todo.push(n.init); return;
    case "Return": if (n.value) todo.push(n.value); return;
    case "If":
      if (n.else) todo.push(n.else);
      todo.push(n.then, n.cond);
      return;
    case "While": todo.push(n.body, n.cond); return;
    case "For":
      todo.push(n.body);
      if (n.update) todo.push(n.update);
      if (n.cond) todo.push(n.cond);
      if (n.init) todo.push(n.init);
      return;
    default: {
      const kids = children(n);
      for (let i = kids.length - 1; i >= 0; i--) todo.push(kids[i]);
    }
  }
}

/** Whether some node in `roots` (looking inside the nodes `enter` accepts, by default all) satisfies `test`. */
export function someNode(roots: AstNode | readonly AstNode[], test: (n: AstNode) => boolean, enter: (n: AstNode) => boolean = () => true): boolean {
  let found = false;
  walk(roots, (n) => {
    if (found) return false;
    if (test(n)) found = true;
    return !found && enter(n);
  });
  return found;
}

/** Whether a node is a statement (as opposed to an expression). */
export function isStmt(n: AstNode): n is Stmt {
  return Object.hasOwn(STMT_KINDS, n.kind);
}

/** Every statement kind (tsc requires each one here). */
const STMT_KINDS: Record<Stmt["kind"], true> = {
  VarDecl: true, ExprStmt: true, Block: true, If: true, While: true, For: true, ForIn: true, Break: true,
  Continue: true, Return: true, Throw: true, Try: true, Scope: true, Shield: true, FuncDecl: true, StructDecl: true,
  Import: true, Select: true,
};
