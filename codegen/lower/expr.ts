// Expression lowering: literals, variables, operators (inline zero-division and bounds checks),
// indexing, struct fields, assignment, ++/--, ternary, match and the checker's Convert nodes.

import llvm from "llvm-bindings";
import type {
  ArrayLit, Assign, Binary, Convert, Expr, Ident, Index, Match, Member, ObjectLit, Ternary, TString, Unary, Update, VarSymbol,
} from "../../frontend/ast.js";
import { typeToString, type Type } from "../../frontend/types.js";
import { CodegenError, type Gen } from "./context.js";
import { assertNever } from "../../common/assert.js";
import { strConst, cString } from "./strings.js";
import { llvmType, memPtrType, memType, structFieldTypes, toMem, typeDesc } from "./types.js";
import { appendable, loadSlot, loadVar, outSlot, ownedFlag, requireOwnLocal, storeSlot, storeVar, scratchSlot, valueSlot, varSlot } from "./vars.js";
import { genCall, genAwait, awaitRest, isSleepAsync } from "./calls.js";
import { channelOp } from "./channels.js";
import { genSpawn } from "./spawn.js";
import { genBlockValue } from "./stmt.js";
import { funcValue, genLambda } from "./closures.js";
import { jsonMemberOf, genJsonObjectLit, jsonArith, jsonIndexValue, jsonNeg, jsonOne, jsonOrder, jsonPlace } from "./json.js";
import { DATA_NAME, ELEM_NAME, LEN_NAME } from "../passes/tbaa.js";
import { genMapIndex, genMapLit, mapPlace, newMap } from "./maps.js";
import { newStruct } from "./structs.js";
import { boxedInOrder, copyTemplate, literalConstants } from "./literal_tables.js";

/**
 * Lowers an expression to its register-form value (noValue for void). Chains are as deep as they
 * are long (`a + b + c + ...`, `!!x`, `a.b.c`, `x[0][1]`, `c1 ? a : c2 ? b : ...`): their spine is
 * followed in a loop and each link finished, innermost first, from an explicit stack. The other
 * operands recurse, which the parser's nesting limit bounds.
 */
export function genExpr(g: Gen, e: Expr): llvm.Value {
  let link = spineLink(g, e);
  if (!link) return genNode(g, e); // most expressions: no stack to allocate
  const pending: ((v: llvm.Value) => llvm.Value)[] = [];
  for (; link; link = spineLink(g, e)) {
    pending.push(link.finish);
    e = link.child;
  }
  let v = genNode(g, e);
  for (let finish = pending.pop(); finish; finish = pending.pop()) v = finish(v);
  return v;
}

/** A link of a chain: the operand lowered first, and the rest of the node once its value is known. */
interface Link {
  child: Expr;
  finish(v: llvm.Value): llvm.Value;
}

/** The chain link of `e` (a ternary's condition and then-branch are lowered here), or null. */
function spineLink(g: Gen, e: Expr): Link | null {
  switch (e.kind) {
    case "Binary": return { child: e.left, finish: (a) => (e.op === "&&" || e.op === "||" ? logicalRest(g, e, a) : binaryRest(g, e, a)) };
    case "Unary": return { child: e.operand, finish: (v) => unaryRest(g, e, v) };
    case "Convert": return { child: e.expr, finish: (v) => convertRest(g, e, v) };
    case "Index": return { child: e.object, finish: (obj) => indexRest(g, e, obj) };
    case "Member": return { child: e.object, finish: (obj) => memberRest(g, e, obj) };
    case "Await": return isSleepAsync(e.operand) || channelOp(e.operand) ? null : { child: e.operand, finish: (v) => awaitRest(g, e, v) };
    case "Ternary": return ternaryLink(g, e);
    default: return null;
  }
}

/** One node, its operands lowered by genExpr. */
function genNode(g: Gen, e: Expr): llvm.Value {
  switch (e.kind) {
    case "IntLit": return g.i64(e.value);
    case "FloatLit": return g.f64(e.value);
    case "BoolLit": return g.bool(e.value);
    case "NullLit": return g.nullPtr();
    case "StrLit": return strConst(g, e.value);
    case "TString": return genTString(g, e);
    case "ArrayLit": return genArrayLit(g, e);
    case "ObjectLit": return genObjectLit(g, e);
    case "Ident": return genIdent(g, e);
    case "Call": return genCall(g, e);
    case "Assign": genAssign(g, e); return noValue(g);
    case "Update": return genUpdate(g, e);
    case "Await": return genAwait(g, e); // `await sleep_async(ms)` or a channel op (other awaits are chain links)
    case "Unary": case "Binary": case "Ternary": case "Index": case "Member": case "Convert":
      throw new CodegenError(`${e.kind} is a chain link (genExpr lowers it)`);
    case "Spawn": return genSpawn(g, e);
    case "Match": return genMatch(g, e);
    case "Lambda": return genLambda(g, e);
    default: return assertNever(e);
  }
}

/** The value of an expression that has none (void): an undef i1 nothing reads. */
export function noValue(g: Gen): llvm.Value {
  return g.undef(g.types.i1);
}

export function tyOf(e: Expr): Type {
  if (!e.ty) throw new CodegenError(`expression ${e.kind} has no type (checker contract)`);
  return e.ty;
}

/** An undefined value of a Tulpar type, for code after a noreturn call. */
export function undefOf(g: Gen, t: Type): llvm.Value {
  const lt = llvmType(g, t);
  return lt === g.types.void ? noValue(g) : g.undef(lt);
}

// ---------------------------------------------------------------- literals

function genTString(g: Gen, e: TString): llvm.Value {
  let acc: llvm.Value | null = null;
  e.parts.forEach((part, i) => {
    const spec = e.specs?.[i];
    let v: llvm.Value;
    if (typeof part === "string") v = strConst(g, part);
    else if (spec) v = formatted(g, genExpr(g, part), tyOf(part), strConst(g, spec.text));
    else v = toStr(g, genExpr(g, part), tyOf(part));
    acc = acc ? g.call("tul_str_concat", [acc, v]) : v;
  });
  return acc ?? strConst(g, "");
}

/** `format(v, spec)` of a value of static type t, as a t-string field `{v:spec}` formats it. */
export function formatted(g: Gen, v: llvm.Value, t: Type, spec: llvm.Value): llvm.Value {
  switch (t.k) {
    case "int": return g.call("tul_format_int", [v, spec]);
    case "float": return g.call("tul_format_float", [v, spec]);
    case "str": return g.call("tul_format_str", [v, spec]);
    default: return g.call("tul_format", [scratchSlot(g, t, v), typeDesc(g, t), spec]);
  }
}

/**
 * tul_arr_new(elem, n), then the elements: literal constants (numbers, booleans, strings, null) are
 * copied from a private constant global in one memcpy, the others stored one by one in order
 * (constants have no effects, so copying them first changes nothing); runs of literals boxed to
 * json go through a table loop (literal_tables.ts).
 */
function genArrayLit(g: Gen, e: ArrayLit): llvm.Value {
  const t = tyOf(e);
  const elem = t.k === "array" ? t.elem : ({ k: "json" } as Type);
  g.loc(e.span);
  const arr = g.call("tul_arr_new", [typeDesc(g, elem), g.i64(e.elems.length)]);
  if (e.elems.length === 0) return arr;
  const data = g.builder.CreateBitCast(arrayData(g, arr), memPtrType(g, elem));
  const store = (i: llvm.Value, v: llvm.Value): void => {
    g.builder.CreateStore(toMem(g, elem, v), g.builder.CreateInBoundsGEP(memType(g, elem), data, [i]));
  };
  if (elem.k === "json") {
    boxedInOrder(g, e.elems, null, (i) => store(g.i64(i), genExpr(g, e.elems[i])), (boxed, i) => store(i, boxed));
    return arr;
  }
  const constants = literalConstants(g, e.elems, elem);
  if (constants) copyTemplate(g, data, elem, e.elems.length, constants);
  e.elems.forEach((x, i) => {
    if (!constants?.has(i)) store(g.i64(i), genExpr(g, x));
  });
  return arr;
}

/** A struct literal: a new instance (with the defaults), then the given fields. */
function genObjectLit(g: Gen, e: ObjectLit): llvm.Value {
  const t = tyOf(e);
  if (t.k === "map") return genMapLit(g, e);
  if (t.k !== "struct") return genJsonObjectLit(g, e);
  const obj = newStruct(g, t);
  for (const entry of e.entries) {
    const i = fieldSlot(entry.field, entry.key);
    const ft = structFieldTypes(t)[i];
    storeSlot(g, fieldPtr(g, obj, i, ft), ft, genExpr(g, entry.value));
  }
  return obj;
}

/** The zero value of a type (declarations without initializer). */
export function zeroValue(g: Gen, t: Type): llvm.Value {
  switch (t.k) {
    case "int": return g.i64(0);
    case "float": return g.f64(0);
    case "bool": return g.bool(false);
    case "str": return g.runtimeGlobal("tul_empty_str");
    case "array": return g.call("tul_arr_new", [typeDesc(g, t.elem), g.i64(0)]);
    case "map": return newMap(g, t);
    case "struct": return newStruct(g, t);
    default: return g.nullPtr();
  }
}

// ---------------------------------------------------------------- names

function genIdent(g: Gen, e: Ident): llvm.Value {
  const sym = e.sym;
  if (!sym) throw new CodegenError(`unresolved name ${e.name}`);
  if (sym.kind === "var") return loadVar(g, sym);
  if (sym.kind === "func") return funcValue(g, sym.decl);
  throw new CodegenError(`function values are not supported yet ('${e.name}')`);
}

// ---------------------------------------------------------------- operators

function unaryRest(g: Gen, e: Unary, v: llvm.Value): llvm.Value {
  if (e.op === "+") return v;
  if (e.op === "!") return g.builder.CreateXor(v, g.bool(true));
  if (e.op === "~") return g.builder.CreateXor(v, g.i64(-1));
  if (tyOf(e.operand).k === "json") return jsonNeg(g, v);
  return tyOf(e.operand).k === "float" ? g.builder.CreateFNeg(v) : g.builder.CreateSub(g.i64(0), v);
}

/** A binary operator once its left operand is lowered to `a`. */
function binaryRest(g: Gen, e: Binary, a: llvm.Value): llvm.Value {
  const lt = tyOf(e.left), rt = tyOf(e.right);
  const b = genExpr(g, e.right);
  g.loc(e.span);
  switch (e.op) {
    case "+": case "-": case "*": case "/": case "%":
      return arith(g, e.op, lt, a, b);
    case "==": case "!=":
      return equality(g, e.op, lt, rt, a, b);
    case "<": case "<=": case ">": case ">=":
      return ordering(g, e.op, lt, a, b);
    case "&&": case "||":
      throw new CodegenError("a logical operator reached binaryRest (logicalRest lowers it)");
    case "&": case "|": case "^": case "<<": case ">>":
      return bitwise(g, e.op, a, b);
    default:
      return assertNever(e.op, "operator");
  }
}

/** && and || once the left side is `a`: the right side only runs when needed. */
function logicalRest(g: Gen, e: Binary, a: llvm.Value): llvm.Value {
  const fromA = g.builder.GetInsertBlock()!;
  const rhs = g.block(e.op === "&&" ? "and.rhs" : "or.rhs");
  const end = g.block(e.op === "&&" ? "and.end" : "or.end");
  if (e.op === "&&") g.builder.CreateCondBr(a, rhs, end);
  else g.builder.CreateCondBr(a, end, rhs);
  g.at(rhs);
  const b = genExpr(g, e.right);
  const fromB = g.builder.GetInsertBlock()!;
  g.br(end);
  g.at(end);
  const phi = g.builder.CreatePHI(g.types.i1, 2);
  phi.addIncoming(g.bool(e.op === "||"), fromA);
  phi.addIncoming(b, fromB);
  return phi;
}

export type ArithOp = "+" | "-" | "*" | "/" | "%";
export type OrderOp = "<" | "<=" | ">" | ">=";

/** Arithmetic on two values of the same type: int wraps, float IEEE, str concatenates. */
export function arith(g: Gen, op: ArithOp, t: Type, a: llvm.Value, b: llvm.Value): llvm.Value {
  if (t.k === "str") return g.call("tul_str_concat", [a, b]);
  if (t.k === "json") return jsonArith(g, op, a, b);
  if (t.k === "float") {
    switch (op) {
      case "+": return g.builder.CreateFAdd(a, b);
      case "-": return g.builder.CreateFSub(a, b);
      case "*": return g.builder.CreateFMul(a, b);
      case "/": return g.builder.CreateFDiv(a, b);
      case "%": return g.builder.CreateFRem(a, b);
    }
  }
  switch (op) {
    case "+": return g.builder.CreateAdd(a, b);
    case "-": return g.builder.CreateSub(a, b);
    case "*": return g.builder.CreateMul(a, b);
    default: return intDivRem(g, op, a, b);
  }
}

/** sdiv/srem behind an inline zero check; a divisor of -1 never traps (INT64_MIN / -1 wraps). A
 *  constant divisor other than 0 and -1 needs neither check (`i % 3`: one instruction, not three
 *  blocks that LLVM would fold away at -O2 and keep at -O0). */
function intDivRem(g: Gen, op: "/" | "%", a: llvm.Value, b: llvm.Value): llvm.Value {
  const known = g.knownInt(b);
  if (known !== undefined && known !== 0 && known !== -1) return op === "/" ? g.builder.CreateSDiv(a, b) : g.builder.CreateSRem(a, b);
  const bad = g.block("div.zero");
  const ok = g.block("div.ok");
  g.builder.CreateCondBr(g.builder.CreateICmpEQ(b, g.i64(0)), bad, ok);
  g.at(bad);
  g.call(op === "/" ? "tul_throw_zero_div" : "tul_throw_zero_mod", []);
  g.builder.CreateUnreachable();
  g.at(ok);
  const minusOne = g.builder.CreateICmpEQ(b, g.i64(-1));
  const safe = g.builder.CreateSelect(minusOne, g.i64(1), b);
  if (op === "/") return g.builder.CreateSelect(minusOne, g.builder.CreateSub(g.i64(0), a), g.builder.CreateSDiv(a, safe));
  return g.builder.CreateSelect(minusOne, g.i64(0), g.builder.CreateSRem(a, safe));
}

export type BitwiseOp = "&" | "|" | "^" | "<<" | ">>";

/** Bitwise operators on two ints; a shift count outside 0..63 throws ValueError (LLVM folds the
 *  check away for a constant count). `>>` is arithmetic (the sign is kept, as in Python). */
export function bitwise(g: Gen, op: BitwiseOp, a: llvm.Value, b: llvm.Value): llvm.Value {
  switch (op) {
    case "&": return g.builder.CreateAnd(a, b);
    case "|": return g.builder.CreateOr(a, b);
    case "^": return g.builder.CreateXor(a, b);
  }
  const bad = g.block("shift.bad"), ok = g.block("shift.ok");
  g.builder.CreateCondBr(g.builder.CreateICmpUGT(b, g.i64(63)), bad, ok);
  g.at(bad);
  g.call("tul_throw_shift", [b]);
  g.builder.CreateUnreachable();
  g.at(ok);
  return op === "<<" ? g.builder.CreateShl(a, b) : g.builder.CreateAShr(a, b);
}

function equality(g: Gen, op: "==" | "!=", lt: Type, rt: Type, a: llvm.Value, b: llvm.Value): llvm.Value {
  const eq = equalValues(g, lt, rt, a, b);
  if (lt.k === "float" && rt.k === "float") return op === "==" ? eq : g.builder.CreateFCmpUNE(a, b);
  return op === "==" ? eq : g.builder.CreateXor(eq, g.bool(true));
}

/** Value equality: strings by content, arrays and json deeply, structs and promises by identity. */
export function equalValues(g: Gen, lt: Type, rt: Type, a: llvm.Value, b: llvm.Value): llvm.Value {
  if (lt.k !== rt.k) return g.builder.CreateICmpEQ(a, b); // a reference against null
  switch (lt.k) {
    case "int": case "bool": return g.builder.CreateICmpEQ(a, b);
    case "float": return g.builder.CreateFCmpOEQ(a, b);
    case "str": return g.call("tul_str_eq", [a, b]);
    case "json": return g.call("tul_json_eq", [a, b]);
    case "array": return g.call("tul_arr_eq", [a, b]);
    case "map": return g.call("tul_value_eq", [valueSlot(g, lt, a), valueSlot(g, lt, b), typeDesc(g, lt)]);
    default: return g.builder.CreateICmpEQ(a, b);
  }
}

function ordering(g: Gen, op: OrderOp, t: Type, a: llvm.Value, b: llvm.Value): llvm.Value {
  if (t.k === "json") return jsonOrder(g, op, a, b);
  if (t.k === "float") {
    if (op === "<") return g.builder.CreateFCmpOLT(a, b);
    if (op === "<=") return g.builder.CreateFCmpOLE(a, b);
    if (op === ">") return g.builder.CreateFCmpOGT(a, b);
    return g.builder.CreateFCmpOGE(a, b);
  }
  if (t.k === "str") {
    a = g.call("tul_str_cmp", [a, b]);
    b = g.i64(0);
  }
  if (op === "<") return g.builder.CreateICmpSLT(a, b);
  if (op === "<=") return g.builder.CreateICmpSLE(a, b);
  if (op === ">") return g.builder.CreateICmpSGT(a, b);
  return g.builder.CreateICmpSGE(a, b);
}

/** Lowers the condition and the then-branch, and leaves the builder in the else-branch (the link's child). */
function ternaryLink(g: Gen, e: Ternary): Link {
  const t = tyOf(e);
  const c = genExpr(g, e.cond);
  const thenBB = g.block("tern.then"), elseBB = g.block("tern.else"), end = g.block("tern.end");
  g.builder.CreateCondBr(c, thenBB, elseBB);
  g.at(thenBB);
  const arms: [llvm.Value, llvm.BasicBlock][] = [[genExpr(g, e.then), g.builder.GetInsertBlock()!]];
  g.br(end);
  g.at(elseBB);
  const finish = (v: llvm.Value): llvm.Value => {
    arms.push([v, g.builder.GetInsertBlock()!]);
    g.br(end);
    g.at(end);
    if (llvmType(g, t) === g.types.void) return noValue(g);
    const phi = g.builder.CreatePHI(llvmType(g, t), 2);
    for (const [value, bb] of arms) phi.addIncoming(value, bb);
    return phi;
  };
  return { child: e.else, finish };
}

// ---------------------------------------------------------------- arrays, strings, fields

/** The `data` pointer of a tul_arr (offset 16) as i8*. */
export function arrayData(g: Gen, arr: llvm.Value): llvm.Value {
  const p = g.builder.CreateInBoundsGEP(g.types.i8, arr, [g.i64(16)]);
  return g.builder.CreateLoad(g.types.ptr, g.builder.CreateBitCast(p, g.types.ptrPtr), DATA_NAME);
}

/** The `len` of a tul_arr (offset 0). */
export function arrayLen(g: Gen, arr: llvm.Value): llvm.Value {
  return g.builder.CreateLoad(g.types.i64, g.builder.CreateBitCast(arr, g.types.i64Ptr), LEN_NAME);
}

/** Pointer to element `i` after the inline bounds check (negative or >= len throws IndexError). */
export function elemPtr(g: Gen, arr: llvm.Value, i: llvm.Value, elem: Type): llvm.Value {
  const len = arrayLen(g, arr);
  // `data` is loaded before the check, with `len`: executed on every path, LICM can hoist both out
  // of loops (after the check it was reloaded on every iteration).
  const raw = arrayData(g, arr);
  const bad = g.block("idx.bad"), ok = g.block("idx.ok");
  g.builder.CreateCondBr(g.builder.CreateICmpULT(i, len), ok, bad);
  g.at(bad);
  g.call("tul_throw_index", [i, len]);
  g.builder.CreateUnreachable();
  g.at(ok);
  const data = g.builder.CreateBitCast(raw, memPtrType(g, elem));
  return g.builder.CreateInBoundsGEP(memType(g, elem), data, [i], ELEM_NAME);
}

/** `obj[i]` once the object is lowered. */
function indexRest(g: Gen, e: Index, obj: llvm.Value): llvm.Value {
  const ot = tyOf(e.object);
  const i = genExpr(g, e.index);
  g.loc(e.span);
  if (ot.k === "str") return g.call("tul_str_index", [obj, i]);
  if (ot.k === "json") return jsonIndexValue(g, obj, i, tyOf(e.index));
  if (ot.k === "map") return genMapIndex(g, e, obj, i);
  if (ot.k !== "array") throw new CodegenError(`indexing ${typeToString(ot)} is not supported yet`);
  return loadSlot(g, elemPtr(g, obj, i, ot.elem), ot.elem);
}

/** The field index the checker recorded on a member access or struct literal entry. */
function fieldSlot(field: number | undefined, name: string): number {
  if (field === undefined || field < 0) throw new CodegenError(`field ${name} has no index (checker contract)`);
  return field;
}

/** Pointer to field `i` (8-byte slots) of a struct instance. */
export function fieldPtr(g: Gen, obj: llvm.Value, i: number, ft: Type): llvm.Value {
  const p = g.builder.CreateInBoundsGEP(g.types.i8, obj, [g.i64(i * 8)]);
  return g.builder.CreateBitCast(p, memPtrType(g, ft));
}

/** Field pointer of `obj.name` after a null check (TypeError: null reference); `obj` is the lowered object. */
function memberPtr(g: Gen, e: Member, obj: llvm.Value): { ptr: llvm.Value; type: Type } {
  const ot = tyOf(e.object);
  if (ot.k !== "struct") throw new CodegenError(`field access on ${typeToString(ot)} is not supported yet`);
  g.loc(e.span);
  const bad = g.block("null.bad"), ok = g.block("null.ok");
  g.builder.CreateCondBr(g.builder.CreateICmpEQ(obj, g.nullPtr()), bad, ok);
  g.at(bad);
  g.call("tul_throw_msg", [cString(g, "TypeError: null reference")]);
  g.builder.CreateUnreachable();
  g.at(ok);
  const i = fieldSlot(e.field, e.name);
  const ft = structFieldTypes(ot)[i];
  return { ptr: fieldPtr(g, obj, i, ft), type: ft };
}

/** `obj.name` (a json key or a struct field) once the object is lowered. */
function memberRest(g: Gen, e: Member, obj: llvm.Value): llvm.Value {
  if (tyOf(e.object).k === "json") return jsonMemberOf(g, e, obj);
  const { ptr, type } = memberPtr(g, e, obj);
  return loadSlot(g, ptr, type);
}

// ---------------------------------------------------------------- assignment

/** An assignable place: read and write in register form. */
interface Place {
  type: Type;
  load(): llvm.Value;
  store(v: llvm.Value): void;
}

function place(g: Gen, target: Expr): Place {
  if ((target.kind === "Index" || target.kind === "Member") && tyOf(target.object).k === "json") return jsonPlace(g, target);
  if (target.kind === "Ident" && target.sym?.kind === "var") {
    const sym: VarSymbol = target.sym;
    requireOwnLocal(g, sym);
    return { type: sym.type, load: () => loadVar(g, sym), store: (v) => storeVar(g, sym, v) };
  }
  if (target.kind === "Index" && tyOf(target.object).k === "map") return mapPlace(g, target);
  if (target.kind === "Index") {
    const ot = tyOf(target.object);
    if (ot.k !== "array") throw new CodegenError(`assigning into ${typeToString(ot)} is not supported yet`);
    const arr = genExpr(g, target.object);
    const i = genExpr(g, target.index);
    // The element address is taken at each access: evaluating the value may grow the array
    // (`xs[0] = f()` where f pushes to xs), which moves its elements to a new block.
    const at = (): llvm.Value => {
      g.loc(target.span);
      return elemPtr(g, arr, i, ot.elem);
    };
    return { type: ot.elem, load: () => loadSlot(g, at(), ot.elem), store: (v) => storeSlot(g, at(), ot.elem, v) };
  }
  if (target.kind === "Member") {
    const { ptr, type } = memberPtr(g, target, genExpr(g, target.object));
    return { type, load: () => loadSlot(g, ptr, type), store: (v) => storeSlot(g, ptr, type, v) };
  }
  throw new CodegenError(`cannot assign to ${target.kind}`);
}

function genAssign(g: Gen, e: Assign): void {
  const added = appendedValue(g, e);
  if (added) return genAppend(g, e.target as Ident, added);
  const p = place(g, e.target);
  if (e.op === "=") {
    p.store(genExpr(g, e.value));
    return;
  }
  const old = p.load();
  const v = genExpr(g, e.value);
  g.loc(e.span);
  const op = e.op.slice(0, -1);
  if (op.length === 1 && "+-*/%".includes(op)) return p.store(arith(g, op as ArithOp, p.type, old, v));
  // bitwise (checker: the value is an int; a json target is unboxed and boxed again)
  const isJson = p.type.k === "json";
  const r = bitwise(g, op as BitwiseOp, isJson ? unbox(g, old, { k: "int" }) : old, v);
  p.store(isJson ? box(g, r, { k: "int" }) : r);
}

/** `s += x` or `s = s + x` on an appendable str local: the appended expression, else null. */
function appendedValue(g: Gen, e: Assign): Expr | null {
  const t = e.target;
  if (t.kind !== "Ident" || t.sym?.kind !== "var" || !appendable(g, t.sym)) return null;
  if (e.op === "+=") return e.value;
  const v = e.value;
  if (e.op === "=" && v.kind === "Binary" && v.op === "+" && v.left.kind === "Ident" && v.left.sym === t.sym && tyOf(v.right).k === "str") return v.right;
  return null;
}

/** An append that grows the variable's string in place when the variable owns it (str.c). */
function genAppend(g: Gen, target: Ident, added: Expr): void {
  const sym = target.sym as VarSymbol;
  const rhs = genExpr(g, added); // may read the variable, which clears its owned flag
  g.loc(target.span);
  const slot = varSlot(g, sym);
  const flag = ownedFlag(g, sym);
  const owned = g.builder.CreateICmpNE(g.builder.CreateLoad(g.types.i8, flag), g.i8(0));
  const result = g.call("tul_str_append", [g.builder.CreateLoad(g.types.ptr, slot), rhs, owned]);
  g.builder.CreateStore(result, slot);
  g.builder.CreateStore(g.i8(1), flag);
}

function genUpdate(g: Gen, e: Update): llvm.Value {
  const p = place(g, e.target);
  const old = p.load();
  const one = p.type.k === "json" ? jsonOne(g) : p.type.k === "float" ? g.f64(1) : g.i64(1);
  const next = arith(g, e.op === "++" ? "+" : "-", p.type, old, one);
  p.store(next);
  return e.prefix ? next : old;
}

// ---------------------------------------------------------------- match

/** `match`: arms tested in order; no match and no `_` throws MatchError. */
function genMatch(g: Gen, e: Match): llvm.Value {
  const t = tyOf(e);
  const st = tyOf(e.subject);
  const subject = genExpr(g, e.subject);
  const end = g.block("match.end");
  const results: [llvm.Value, llvm.BasicBlock][] = [];
  for (const arm of e.arms) {
    const body = g.block("match.arm"), next = g.block("match.next");
    g.builder.CreateCondBr(armTest(g, arm.patterns, st, subject), body, next);
    g.at(body);
    // a block arm yields no value (checker): in a value match it cannot complete, so its result is undef
    const v = "kind" in arm.body && arm.body.kind === "Block" ? (genBlockValue(g, arm.body, { k: "void" }), undefOf(g, t)) : genExpr(g, arm.body as Expr);
    results.push([v, g.builder.GetInsertBlock()!]);
    g.br(end);
    g.at(next);
  }
  g.loc(e.span);
  g.call("tul_throw_msg", [cString(g, "MatchError: no arm matched")]);
  g.builder.CreateUnreachable();
  g.at(end);
  if (llvmType(g, t) === g.types.void) return noValue(g);
  const phi = g.builder.CreatePHI(llvmType(g, t), Math.max(1, results.length));
  for (const [v, bb] of results) phi.addIncoming(v, bb);
  return phi;
}

function armTest(g: Gen, patterns: Match["arms"][number]["patterns"], st: Type, subject: llvm.Value): llvm.Value {
  let acc: llvm.Value = g.bool(false);
  for (const p of patterns) {
    let test: llvm.Value;
    if (p.kind === "Wildcard") test = g.bool(true);
    else if (p.kind === "ValuePattern") test = equalValues(g, st, tyOf(p.value), subject, genExpr(g, p.value));
    else test = g.builder.CreateAnd(ordering(g, ">=", st, subject, genExpr(g, p.lo)), ordering(g, "<=", st, subject, genExpr(g, p.hi)));
    acc = g.builder.CreateOr(acc, test);
  }
  return acc;
}

// ---------------------------------------------------------------- conversions

function convertRest(g: Gen, e: Convert, v: llvm.Value): llvm.Value {
  const from = tyOf(e.expr), to = e.to;
  if (from.k === "never") return undefOf(g, to);
  g.loc(e.span);
  // json -> str is a checked unboxing (TypeError unless a string) except where the checker marks
  // a string-form conversion (`+` with a str side, t-strings).
  if (from.k === "json" && to.k === "str" && !e.stringify) return unbox(g, v, to);
  return convertValue(g, v, from, to);
}

export function convertValue(g: Gen, v: llvm.Value, from: Type, to: Type): llvm.Value {
  // T[] -> json[] (docs/reference.md §19.13): a new array of the boxed elements
  if (from.k === "array" && to.k === "array" && from.elem.k !== "json") return unbox(g, box(g, v, from), to);
  if (from.k === to.k && from.k !== "json" && to.k !== "str") return v;
  if (from.k === "int" && to.k === "float") return g.builder.CreateSIToFP(v, g.types.f64);
  if (to.k === "json") return from.k === "json" ? v : box(g, v, from);
  if (to.k === "str") return toStr(g, v, from);
  if (from.k === "json") return unbox(g, v, to);
  return v;
}

/** Any static value -> json. */
export function box(g: Gen, v: llvm.Value, t: Type): llvm.Value {
  return g.call("tul_json_box", [scratchSlot(g, t, v), typeDesc(g, t)]);
}

/** json -> a static type (TypeError on mismatch). */
export function unbox(g: Gen, j: llvm.Value, t: Type): llvm.Value {
  const [slot, read] = outSlot(g, t);
  g.call("tul_json_unbox", [j, typeDesc(g, t), slot]);
  return read();
}

/** The string form `print` writes. */
export function toStr(g: Gen, v: llvm.Value, t: Type): llvm.Value {
  switch (t.k) {
    case "str": return v;
    case "int": return g.call("tul_str_from_int", [v]);
    case "float": return g.call("tul_str_from_float", [v]);
    case "bool": return g.call("tul_str_from_bool", [v]);
    case "json": return g.call("tul_json_to_str", [v]);
    default: return g.call("tul_to_str", [scratchSlot(g, t, v), typeDesc(g, t)]);
  }
}

