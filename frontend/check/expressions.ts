// Expression typing: literals, names, t-strings, operators (docs/reference.md §3), indexing,
// members, assignment targets, await (spawn: check/spawn.ts). Sets `ty` on every expression and inserts Convert nodes.

import type { TString, ArrayLit, Assign, Binary, Expr, Ident, Index, Member, ObjectLit, Ternary, Unary, Update } from "../ast.js";
import { T, isNumeric, isReference, typeEquals, type Type } from "../types.js";
import type { Checker, ModuleScope } from "./context.js";
import { D } from "../messages.js";
import type { SpecKind } from "../fmtspec.js";
import { assertNever } from "../../common/assert.js";
import { coerce, show, stringify, unify } from "./conversions.js";
import { aliasModule, lookupName, lookupQualified } from "./names.js";
import { checkCall } from "./calls.js";
import { checkMatch } from "./match.js";
import { checkStructLit, memberField } from "./structs.js";
import { checkLambda, funcValueType } from "./closures.js";
import { nestedClosure, reportEarlyUse } from "./nested.js";
import { checkSpawn } from "./spawn.js";
import { visibleNames, withSuggestion } from "./suggest.js";

/**
 * Checks an expression (with an optional type the context wants), sets and returns its type.
 * Chains are as deep as they are long (`a + b + c + ...`, `!!x`, `a.b.c`, `x[0][1]`,
 * `c1 ? a : c2 ? b : ...`): their spine is followed in a loop and each link finished, innermost
 * first, from an explicit stack. The other operands recurse, which the parser's nesting limit bounds.
 */
export function checkExpr(cx: Checker, e: Expr, expected?: Type): Type {
  const pending: Link[] = [];
  for (let link = spineLink(cx, e, expected); link; link = spineLink(cx, e, expected)) {
    pending.push(link);
    e = link.child;
    expected = link.expected;
  }
  let t = (e.ty = exprType(cx, e, expected));
  for (let link = pending.pop(); link; link = pending.pop()) {
    if (link.value) t = voidAsJson(cx, link.child, t);
    t = link.node.ty = link.finish(t);
  }
  return t;
}

/** Checks an expression that must produce a value; void is reported and read as json. */
export function checkValue(cx: Checker, e: Expr, expected?: Type): Type {
  return voidAsJson(cx, e, checkExpr(cx, e, expected));
}

function voidAsJson(cx: Checker, e: Expr, t: Type): Type {
  if (t.k !== "void") return t;
  cx.error(D.voidValue(), e.span);
  return (e.ty = T.json);
}

/** A link of a chain: the operand checked first (as a value or not, with an expected type) and the
 *  rest of the node, given that operand's type. */
interface Link {
  node: Expr;
  child: Expr;
  expected?: Type;
  value: boolean;
  finish(t: Type): Type;
}

/** The chain link of `e` (a ternary's condition and then-branch are checked here), or null. */
function spineLink(cx: Checker, e: Expr, expected: Type | undefined): Link | null {
  switch (e.kind) {
    case "Binary":
      // `[..] == x` types the literal from the other side, which is checked first: no chain there
      if ((e.op === "==" || e.op === "!=") && e.left.kind === "ArrayLit" && e.right.kind !== "ArrayLit") return null;
      return { node: e, child: e.left, value: true, finish: () => checkBinary(cx, e, true) };
    case "Unary":
      return { node: e, child: e.operand, value: true, finish: (t) => unaryRest(cx, e, t) };
    case "Index":
      return { node: e, child: e.object, value: true, finish: (t) => indexRest(cx, e, t, false) };
    case "Member":
      return aliasModule(cx, e.object) ? null : { node: e, child: e.object, value: true, finish: (t) => memberRest(cx, e, t) };
    case "Await":
      return { node: e, child: e.operand, expected: expected?.k === "promise" ? expected : undefined, value: false, finish: awaitRest };
    case "Ternary":
      return ternaryLink(cx, e, expected);
    default:
      return null;
  }
}

function exprType(cx: Checker, e: Expr, expected: Type | undefined): Type {
  switch (e.kind) {
    case "IntLit":
      return T.int;
    case "FloatLit":
      return T.float;
    case "BoolLit":
      return T.bool;
    case "NullLit":
      return T.json;
    case "StrLit":
      return T.str;
    case "TString":
      return checkTString(cx, e);
    case "ArrayLit":
      return checkArrayLit(cx, e, expected);
    case "ObjectLit":
      return checkObjectLit(cx, e, expected);
    case "Ident":
      return checkIdent(cx, e);
    case "Binary":
      return checkBinary(cx, e, false);
    case "Call":
      return checkCall(cx, e, expected);
    case "Member":
      return checkMember(cx, e);
    case "Assign":
      return checkAssign(cx, e);
    case "Update":
      return checkUpdate(cx, e);
    case "Unary":
    case "Ternary":
    case "Index":
    case "Await":
      throw new Error(`internal error: ${e.kind} is a chain link (checkExpr checks it)`);
    case "Spawn":
      return checkSpawn(cx, e);
    case "Lambda":
      return checkLambda(cx, e, expected);
    case "Match":
      return checkMatch(cx, e, expected);
    case "Convert":
      return e.to;
    default:
      return assertNever(e);
  }
}

// ---------------------------------------------------------------- names and literals

/** A variable read. Functions as values (closures) are not supported yet. */
function checkIdent(cx: Checker, e: Ident): Type {
  const sym = lookupName(cx, e.name, e.span);
  if (!sym) {
    if (!reportEarlyUse(cx, e.name, e.span)) cx.error(withSuggestion(D.unknownVar({ name: e.name }), e.name, visibleNames(cx, e.span)), e.span);
    return T.json;
  }
  e.sym = sym;
  if (sym.kind === "var") return sym.type;
  if (sym.kind === "func") {
    const t = funcValueType(cx, sym, e.span);
    e.sym = nestedClosure(cx, sym) ?? sym; // a nested function's value is its closure local
    return t;
  }
  cx.unsupported("using a function as a value", e.span);
  return T.json;
}

/**
 * `[a, b]`: with an expected `T[]` every element converts to T; otherwise the elements' common type
 * (int+float -> float), json[] when they have none; `[]` alone is json[].
 */
function checkArrayLit(cx: Checker, e: ArrayLit, expected: Type | undefined): Type {
  if (expected?.k === "array") {
    for (let i = 0; i < e.elems.length; i++) {
      checkValue(cx, e.elems[i], expected.elem);
      e.elems[i] = coerce(cx, e.elems[i], expected.elem);
    }
    return expected;
  }
  const types = e.elems.map((el) => checkValue(cx, el));
  let elem: Type | null = types.length ? types[0] : T.json;
  for (const t of types) elem = elem && unify(elem, t);
  if (!elem || elem.k === "never") elem = T.json;
  for (let i = 0; i < e.elems.length; i++) e.elems[i] = coerce(cx, e.elems[i], elem);
  return T.array(elem);
}

/** `{k: v}`: a struct literal where a struct is expected, else a json object (values boxed). */
function checkObjectLit(cx: Checker, e: ObjectLit, expected: Type | undefined): Type {
  if (expected?.k === "struct") return checkStructLit(cx, e, expected);
  if (expected?.k === "map") return checkMapLit(cx, e, expected);
  for (const entry of e.entries) {
    if (entry.intKey !== undefined) cx.error(D.intKeyInObject(), entry.keySpan);
    checkValue(cx, entry.value);
    entry.value = coerce(cx, entry.value, T.json);
  }
  return T.json;
}

/**
 * `{}` or `{"a": 1, b: 2}` where a map<K, V> is expected (docs/reference.md §19.10): str keys (names or
 * strings) for map<str, V>, int keys for map<int, V>; each value converted to V.
 */
function checkMapLit(cx: Checker, e: ObjectLit, t: Type & { k: "map" }): Type {
  const seen = new Set<string>();
  for (const entry of e.entries) {
    const isInt = entry.intKey !== undefined;
    if (isInt !== (t.key.k === "int")) cx.error(D.mapLitKey({ want: show(t.key), found: isInt ? "an int" : "a str" }), entry.keySpan);
    else if (seen.has(entry.key)) cx.error(D.mapKeyTwice({ key: isInt ? entry.key : JSON.stringify(entry.key) }), entry.keySpan);
    seen.add(entry.key);
    checkValue(cx, entry.value, t.value);
    entry.value = coerce(cx, entry.value, t.value);
  }
  return t;
}

// ---------------------------------------------------------------- operators

/** A unary operator whose operand has type `t`. */
function unaryRest(cx: Checker, e: Unary, t: Type): Type {
  if (e.op === "!") {
    e.operand = coerce(cx, e.operand, T.bool, (found) => D.notOperand({ found }));
    return T.bool;
  }
  if (e.op === "~") {
    e.operand = coerce(cx, e.operand, T.int, (found) => D.complementOperand({ found }));
    return T.int;
  }
  if (isNumeric(t) || t.k === "json") return t;
  if (t.k === "never") return T.never;
  cx.error(D.unaryOperand({ op: e.op, found: show(t) }), e.operand.span);
  return T.json;
}

const ARITH = new Set(["+", "-", "*", "/", "%"]);
/** Bitwise and shift operators: int operands (a json one is unboxed), an int result. */
export const BITWISE: ReadonlySet<string> = new Set(["&", "|", "^", "<<", ">>"]);
const ORDER = new Set(["<", "<=", ">", ">="]);

/** `leftDone`: the left operand was already checked (it is the previous node of the spine). */
function checkBinary(cx: Checker, e: Binary, leftDone: boolean): Type {
  if (e.op === "&&" || e.op === "||") return checkLogical(cx, e, leftDone);
  if (e.op === "==" || e.op === "!=") return checkEquality(cx, e, leftDone);
  if (BITWISE.has(e.op)) return checkBitwise(cx, e, leftDone);
  const lt = leftDone ? e.left.ty! : checkValue(cx, e.left);
  const rt = checkValue(cx, e.right);
  if (e.op === "+" && (lt.k === "str" || rt.k === "str")) {
    e.left = stringify(cx, e.left);
    e.right = stringify(cx, e.right);
    return T.str;
  }
  const operand = operandType(lt, rt, ORDER.has(e.op));
  if (!operand) {
    cx.error(D.binaryOperands({ op: e.op, left: show(lt), right: show(rt) }), e.span);
    return ARITH.has(e.op) ? T.json : T.bool;
  }
  e.left = coerce(cx, e.left, operand);
  e.right = coerce(cx, e.right, operand);
  return ARITH.has(e.op) ? operand : T.bool;
}

/**
 * The common operand type of arithmetic (or ordering) operands: int, float (promotion), json when
 * a json side meets a number or json (dynamic), str for ordering of strings; null when invalid.
 */
function operandType(lt: Type, rt: Type, ordering: boolean): Type | null {
  const l = lt.k === "never" ? rt : lt;
  const r = rt.k === "never" ? lt : rt;
  if (l.k === "never") return T.int;
  if (isNumeric(l) && isNumeric(r)) return unify(l, r);
  const dyn = (t: Type) => isNumeric(t) || t.k === "json" || (ordering && t.k === "str");
  if ((l.k === "json" || r.k === "json") && dyn(l) && dyn(r)) return T.json;
  if (ordering && l.k === "str" && r.k === "str") return T.str;
  return null;
}

/**
 * `a & b`, `a << n`, ...: both operands int (json unboxed at run time). A wrong operand is one error
 * at that operand and the result is still int, so nothing downstream reports again.
 */
function checkBitwise(cx: Checker, e: Binary, leftDone: boolean): Type {
  const msg = (found: string) => D.bitwiseOperand({ op: e.op, found });
  const lt = leftDone ? e.left.ty! : checkValue(cx, e.left);
  const rt = checkValue(cx, e.right);
  if (lt.k === "bool" && rt.k === "bool" && (e.op === "&" || e.op === "|")) {
    cx.error(D.bitwiseBools({ op: e.op }), e.span);
    return T.bool;
  }
  e.left = coerce(cx, e.left, T.int, msg);
  e.right = coerce(cx, e.right, T.int, msg);
  return T.int;
}

function checkLogical(cx: Checker, e: Binary, leftDone: boolean): Type {
  const msg = (found: string) => D.logicalOperand({ op: e.op, found });
  if (!leftDone) checkValue(cx, e.left);
  e.left = coerce(cx, e.left, T.bool, msg);
  checkValue(cx, e.right);
  e.right = coerce(cx, e.right, T.bool, msg);
  return T.bool;
}

/**
 * `==`/`!=`: same types (after int->float promotion), json against anything (the other side boxed),
 * null against a reference type (left as is). An array literal side is typed from the other side.
 */
function checkEquality(cx: Checker, e: Binary, leftDone: boolean): Type {
  let lt: Type, rt: Type;
  if (leftDone) {
    lt = e.left.ty!;
    rt = checkValue(cx, e.right, e.right.kind === "ArrayLit" ? lt : undefined);
  } else if (e.left.kind === "ArrayLit" && e.right.kind !== "ArrayLit") {
    rt = checkValue(cx, e.right);
    lt = checkValue(cx, e.left, rt);
  } else {
    lt = checkValue(cx, e.left);
    rt = checkValue(cx, e.right, e.right.kind === "ArrayLit" ? lt : undefined);
  }
  if (typeEquals(lt, rt)) return T.bool;
  if ((e.left.kind === "NullLit" && isReference(rt)) || (e.right.kind === "NullLit" && isReference(lt))) return T.bool;
  const common = unify(lt, rt) ?? (lt.k === "json" || rt.k === "json" ? T.json : null);
  if (!common) {
    cx.error(D.cannotCompare({ left: show(lt), right: show(rt) }), e.span);
    return T.bool;
  }
  e.left = coerce(cx, e.left, common);
  e.right = coerce(cx, e.right, common);
  return T.bool;
}

/** `c ? a : b`: bool condition; branches converted to the expected type, or to their common type. */
/** Checks the condition and the then-branch; the else-branch is the link's child. */
function ternaryLink(cx: Checker, e: Ternary, expected: Type | undefined): Link {
  checkValue(cx, e.cond);
  e.cond = coerce(cx, e.cond, T.bool, (found) => D.condition({ found }));
  const want = expected && expected.k !== "void" && expected.k !== "never" ? expected : undefined;
  const a = checkValue(cx, e.then, want);
  return { node: e, child: e.else, expected: want, value: true, finish: (b) => ternaryType(cx, e, want, a, b) };
}

function ternaryType(cx: Checker, e: Ternary, want: Type | undefined, a: Type, b: Type): Type {
  let t = want ?? unify(a, b) ?? (a.k === "json" || b.k === "json" ? T.json : null);
  if (!t) {
    cx.error(D.ternaryBranches({ then: show(a), else: show(b) }), e.span);
    t = T.json;
  }
  e.then = coerce(cx, e.then, t);
  e.else = coerce(cx, e.else, t);
  return t;
}

function awaitRest(t: Type): Type {
  return t.k === "promise" ? t.inner : t;
}

// ---------------------------------------------------------------- indexing and members

/** `a[i]`: T[] -> T, str -> str (int index); json -> json (int, str or json index). */
export function checkIndex(cx: Checker, e: Index, forWrite: boolean): Type {
  return indexRest(cx, e, checkValue(cx, e.object), forWrite);
}

/** `a[i]` where `a` has type `ot`. */
function indexRest(cx: Checker, e: Index, ot: Type, forWrite: boolean): Type {
  if (ot.k === "json" || ot.k === "never") return checkJsonIndex(cx, e);
  if (ot.k === "map") {
    checkValue(cx, e.index, ot.key);
    e.index = coerce(cx, e.index, ot.key, (found, want) => D.mapIndex({ want, found }));
    return ot.value;
  }
  if (ot.k !== "array" && ot.k !== "str") {
    cx.error(D.notIndexable({ type: show(ot) }), e.object.span);
    checkValue(cx, e.index);
    return T.json;
  }
  checkValue(cx, e.index);
  e.index = coerce(cx, e.index, T.int, (found) => D.indexType({ found }));
  if (ot.k === "array") return ot.elem;
  if (forWrite) cx.error(D.strCharAssign(), e.span);
  return T.str;
}

function checkJsonIndex(cx: Checker, e: Index): Type {
  const it = checkValue(cx, e.index);
  if (it.k !== "int" && it.k !== "str" && it.k !== "json" && it.k !== "never") {
    cx.error(D.jsonIndex({ found: show(it) }), e.index.span);
  }
  return T.json;
}

/** `a.b`: a json key read (json), or a struct field. */
function checkMember(cx: Checker, e: Member): Type {
  const mod = aliasModule(cx, e.object);
  if (mod) return checkQualifiedName(cx, e, mod);
  return memberRest(cx, e, checkValue(cx, e.object));
}

/** `a.b` where `a` (not a module alias) has type `ot`. */
function memberRest(cx: Checker, e: Member, ot: Type): Type {
  if (ot.k === "json" || ot.k === "never") return T.json;
  const ft = ot.k === "struct" ? memberField(cx, e, ot) : undefined;
  if (ft) return ft;
  const fields = ot.k === "struct" ? cx.structFields.get(ot.decl)?.keys() ?? [] : [];
  cx.error(withSuggestion(D.noField({ type: show(ot), name: e.name }), e.name, fields), e.nameSpan);
  return T.json;
}

/**
 * `u.x` where `u` is an import alias: the node becomes an Ident resolved to that module's global
 * (or function value), so codegen sees an ordinary name.
 */
function checkQualifiedName(cx: Checker, e: Member, mod: ModuleScope): Type {
  const sym = lookupQualified(cx, mod, (e.object as Ident).name, e.name, e.nameSpan);
  const name = e.name;
  const rest = e as Partial<Member>;
  delete rest.object;
  delete rest.nameSpan;
  const id = Object.assign(e as unknown as Ident, { kind: "Ident", name, sym });
  if (!sym) return T.json;
  if (sym.kind === "var") return sym.type;
  if (sym.kind === "func") return funcValueType(cx, sym, id.span);
  return T.json;
}

// ---------------------------------------------------------------- assignment

/** The type of an assignment target (variable, element, field); reports constants and non-targets. */
function checkTarget(cx: Checker, e: Expr): Type {
  if (e.kind === "Index") return (e.ty = checkIndex(cx, e, true));
  if (e.kind === "Member") {
    const t = checkExpr(cx, e);
    if ((e as Expr).kind !== "Ident") return t;
    const sym = (e as unknown as Ident).sym;
    if (sym?.kind === "var" && sym.isConst) cx.error(D.constAssign({ name: sym.name }), e.span);
    else if (sym && sym.kind !== "var") cx.error(D.functionAssign({ name: sym.name }), e.span);
    return (e.ty = t);
  }
  if (e.kind !== "Ident") {
    cx.error(D.notAssignable(), e.span);
    return checkExpr(cx, e);
  }
  const sym = lookupName(cx, e.name, e.span);
  if (!sym) {
    if (!reportEarlyUse(cx, e.name, e.span)) cx.error(withSuggestion(D.unknownVar({ name: e.name }), e.name, visibleNames(cx, e.span)), e.span);
    return (e.ty = T.json);
  }
  e.sym = sym;
  if (sym.kind !== "var") {
    cx.error(D.functionAssign({ name: e.name }), e.span);
    return (e.ty = T.json);
  }
  if (sym.isConst) cx.error(D.constAssign({ name: e.name }), e.span);
  return (e.ty = sym.type);
}

/**
 * `t = v` converts v to t's type. `t op= v`: the value is converted to t's type (int, float, json;
 * for `+=` on a str, to its string form), so codegen computes `t = t op v` in t's type.
 */
function checkAssign(cx: Checker, e: Assign): Type {
  const tt = checkTarget(cx, e.target);
  if (e.op === "=") {
    checkValue(cx, e.value, tt);
    e.value = coerce(cx, e.value, tt);
    return tt;
  }
  const vt = checkValue(cx, e.value);
  if (BITWISE.has(e.op.slice(0, -1))) {
    if (tt.k !== "int" && tt.k !== "json") cx.error(D.bitwiseTarget({ op: e.op, found: show(tt) }), e.target.span);
    e.value = coerce(cx, e.value, T.int, (found) => D.bitwiseOperand({ op: e.op, found }));
    return tt;
  }
  if (tt.k === "str" && e.op === "+=") {
    e.value = stringify(cx, e.value);
    return tt;
  }
  if (isNumeric(tt) || tt.k === "json") {
    const fits = tt.k === "json" || vt.k === "json" || vt.k === "never" || (isNumeric(vt) && (vt.k === "int" || tt.k === "float"));
    if (fits) {
      e.value = coerce(cx, e.value, tt);
      return tt;
    }
  }
  cx.error(D.binaryOperands({ op: e.op, left: show(tt), right: show(vt) }), e.span);
  return tt;
}

/** `x++`, `--x`: int, float or json targets; the expression has the target's type. */
function checkUpdate(cx: Checker, e: Update): Type {
  const tt = checkTarget(cx, e.target);
  if (isNumeric(tt) || tt.k === "json") return tt;
  cx.error(D.updateOperand({ op: e.op, found: show(tt) }), e.span);
  return T.json;
}


// ---------------------------------------------------------------- t-strings

/**
 * `t"{a} b"`: every embedded expression is converted to its string form (Convert stringify); one
 * with a format spec (`{x:.2f}`) keeps its type, and a literal spec is checked for it now.
 */
export function checkTString(cx: Checker, e: TString): Type {
  for (let i = 0; i < e.parts.length; i++) {
    const part = e.parts[i];
    if (typeof part === "string") continue;
    const t = checkValue(cx, part);
    const spec = e.specs?.[i];
    if (!spec) {
      e.parts[i] = stringify(cx, part);
      continue;
    }
    if (t.k === "never") e.parts[i] = coerce(cx, part, T.json);
    cx.formatSpecs.add(specKind(t), spec.text, (why) => {
      cx.error(why.includes(`'${spec.text}'`) ? D.formatSpec({ why }) : D.formatSpecOf({ spec: spec.text, why }), spec.span);
    });
  }
  return T.str;
}

/** What a format spec formats, for its compile-time check: json checks only the syntax, bools and
 *  other values format through their string form. */
export function specKind(t: Type): SpecKind {
  if (t.k === "int" || t.k === "float" || t.k === "str" || t.k === "bool") return t.k;
  return t.k === "json" || t.k === "never" ? "any" : "str";
}
