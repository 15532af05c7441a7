// Channel lowering (docs/reference.md §15): channel(n), send and recv as promises, the direct forms
// `await ch.send(v)` / `await ch.recv()`, which park the task in the channel's own queue without a
// promise (as `await sleep_async(ms)` parks it on a timer), and select.

import llvm from "llvm-bindings";
import type { Block, Call, Expr, Select, SelectCase } from "../../frontend/ast.js";
import { elemType } from "../../frontend/builtins.js";
import { CodegenError, type Gen } from "./context.js";
import { noValue, genExpr, tyOf } from "./expr.js";
import { fromMem, llvmType, memPtrType, memType, typeDesc } from "./types.js";
import { outSlot, storeSlot, storeVar, valueSlot } from "./vars.js";

/** The element type of the channel a call's first argument is. */
function chanElem(e: Call) {
  const t = tyOf(e.args[0]);
  if (t.k !== "channel") throw new CodegenError(`expected a channel, found ${t.k} (checker contract)`);
  return t.elem;
}

/** `channel(n)`: the element type is the call's own type's (the checker took it from the context). */
export function channelNew(g: Gen, e: Call): llvm.Value {
  const cap = e.args.length ? genExpr(g, e.args[0]) : g.i64(0);
  g.loc(e.span);
  return g.call("tul_chan_new", [typeDesc(g, elemType(tyOf(e))), cap]);
}

/** `ch.send(v)` as a value: a promise<void>. */
export function chanSend(g: Gen, e: Call): llvm.Value {
  const elem = chanElem(e);
  const ch = genExpr(g, e.args[0]), v = genExpr(g, e.args[1]);
  g.loc(e.span);
  return g.call("tul_chan_send", [ch, valueSlot(g, elem, v)]);
}

/** `ch.recv()` as a value: a promise<T>. */
export function chanRecv(g: Gen, e: Call): llvm.Value {
  const ch = genExpr(g, e.args[0]);
  g.loc(e.span);
  return g.call("tul_chan_recv", [ch]);
}

/** A call of the built-in send or recv (the operand of an await, or a select case), else null. */
export function channelOp(e: Expr): { op: "send" | "recv"; call: Call } | null {
  if (e.kind !== "Call" || e.target?.kind !== "builtin") return null;
  const name = e.target.name;
  return name === "send" || name === "recv" ? { op: name, call: e } : null;
}

/** `await ch.send(v)` / `await ch.recv()`: one runtime call, no promise; null for other operands. */
export function awaitChannelOp(g: Gen, operand: Expr): llvm.Value | null {
  const found = channelOp(operand);
  if (!found) return null;
  const { op, call } = found;
  const elem = chanElem(call);
  const ch = genExpr(g, call.args[0]);
  if (op === "send") {
    const v = genExpr(g, call.args[1]);
    g.loc(call.span);
    g.call("tul_chan_send_await", [ch, valueSlot(g, elem, v)]);
    return noValue(g);
  }
  g.loc(call.span);
  if (llvmType(g, elem) === g.types.void) throw new CodegenError("a channel of void (checker contract)");
  const [slot, read] = outSlot(g, elem);
  g.call("tul_chan_recv_await", [ch, slot]);
  return read();
}

// ---------------------------------------------------------------- select

const SEL = { recv: 0, send: 1, promise: 2, sleep: 3 } as const;

/**
 * `select`: fills an array of tul_select_case { i64 kind, i8* target, i64 value } on the stack with
 * every case's channel, promise or timer (evaluated once, in source order), calls tul_select and
 * branches to the chosen case (-1: default); a binding case first stores the value received.
 */
export function genSelect(g: Gen, s: Select, genBlock: (g: Gen, b: Block) => void): void {
  const n = s.cases.length;
  const caseTy = llvm.StructType.get(g.ctx, [g.types.i64, g.types.ptr, g.types.i64]);
  const arr = g.alloca(llvm.ArrayType.get(caseTy, Math.max(n, 1)), "select");
  const field = (i: number, f: number) => g.builder.CreateInBoundsGEP(llvm.ArrayType.get(caseTy, Math.max(n, 1)), arr, [g.i64(0), g.i64(i), llvm.ConstantInt.get(g.types.i32, f, false)]);
  s.cases.forEach((c, i) => fillCase(g, c, field(i, 0), field(i, 1), field(i, 2)));
  g.loc(s.span);
  const chosen = g.call("tul_select", [g.builder.CreateBitCast(arr, g.types.ptr), g.i64(n), g.bool(s.default !== null)]);
  const end = g.block("select.end");
  const dflt = g.block("select.default");
  const sw = g.builder.CreateSwitch(chosen, dflt, n);
  s.cases.forEach((c, i) => {
    const bb = g.block(`select.case${i}`);
    sw.addCase(llvm.ConstantInt.get(g.types.i64, i, true), bb);
    g.at(bb);
    if (c.value) {
      const t = c.value.type;
      storeVar(g, c.value, fromMem(g, t, g.builder.CreateLoad(memType(g, t), g.builder.CreateBitCast(field(i, 2), memPtrType(g, t)))));
    }
    genBlock(g, c.binding ? { kind: "Block", body: [c.binding, ...c.body.body], span: c.span } : c.body);
    g.br(end);
  });
  g.at(dflt);
  if (s.default) genBlock(g, s.default);
  g.br(end);
  g.at(end);
}

/** Stores one case's kind, target and value (a send's value, a timer's ms). */
function fillCase(g: Gen, c: SelectCase, kind: llvm.Value, target: llvm.Value, value: llvm.Value): void {
  const k = c.caseKind;
  if (!k) throw new CodegenError("select case without a kind (checker contract)");
  g.builder.CreateStore(g.i64(SEL[k]), kind);
  g.builder.CreateStore(g.i64(0), value);
  const call = c.op.kind === "Call" ? c.op : null;
  if (k === "promise") {
    g.builder.CreateStore(genExpr(g, c.op), target);
    return;
  }
  if (!call) throw new CodegenError("select case is not a call (checker contract)");
  if (k === "sleep") {
    g.builder.CreateStore(g.nullPtr(), target);
    g.builder.CreateStore(genExpr(g, call.args[0]), value);
    return;
  }
  g.builder.CreateStore(genExpr(g, call.args[0]), target);
  if (k === "send") {
    const elem = chanElem(call);
    storeSlot(g, g.builder.CreateBitCast(value, memPtrType(g, elem)), elem, genExpr(g, call.args[1]));
  }
}
