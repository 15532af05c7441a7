// The runtime ABI as codegen sees it: every runtime function generated code calls, with LLVM types
// and attributes, rendered into the IR prelude text. Most are declared in runtime-c/include/tulrt.h
// and tulrt_async.h; a built-in's runtime function is declared by its registry row
// (frontend/builtins.ts) and may be defined in a runtime source file without a header line.

import { BUILTINS, fixedParamTypes, type Overload } from "../../frontend/builtins.js";
import type { Type } from "../../frontend/types.js";
import { LIBRARY_ABI } from "./abi_library.js";

/** LLVM-level parameter/result kinds: `ptr` is i8* (typed-pointer mode), `i1` is C `_Bool`. */
export type AbiType = "void" | "i1" | "i32" | "i64" | "double" | "ptr";

export interface AbiFunction {
  name: string;
  ret: AbiType;
  params: AbiType[];
  /** function attributes (LLVM keywords) */
  attrs: string[];
}

/** Attributes of the functions that throw (nomerge: each throw site keeps its own line for traces). */
const THROWS = ["noreturn", "nounwind", "cold", "nomerge"];
const NOUNWIND = ["nounwind"];

function f(name: string, ret: AbiType, params: AbiType[], attrs: string[] = NOUNWIND): AbiFunction {
  return { name, ret, params, attrs };
}

/**
 * The runtime functions generated code calls on its own (operators, strings, arrays, json access,
 * exceptions, async) and those inline built-in emitters call. Built-ins lowered to a runtime
 * function declare it through their registry row instead (builtinAbi below).
 */
const CORE: AbiFunction[] = [
  // memory
  f("tul_alloc", "ptr", ["i64"]),
  f("tul_alloc_atomic", "ptr", ["i64"]),
  // exceptions
  f("tul_try_push", "void", ["ptr"]),
  f("tul_try_pop", "void", ["ptr"]),
  f("tul_caught", "ptr", []),
  f("tul_throw", "void", ["ptr"], THROWS),
  f("tul_rethrow", "void", [], THROWS),
  f("tul_throw_index", "void", ["i64", "i64"], THROWS),
  f("tul_throw_zero_div", "void", [], THROWS),
  f("tul_throw_zero_mod", "void", [], THROWS),
  f("tul_throw_shift", "void", ["i64"], THROWS),
  f("tul_throw_msg", "void", ["ptr"], THROWS),
  f("tul_stack_overflow", "void", [], THROWS),
  // strings
  f("tul_str_concat", "ptr", ["ptr", "ptr"]),
  f("tul_str_append", "ptr", ["ptr", "ptr", "i1"]),
  f("tul_str_len", "i64", ["ptr"]),
  f("tul_str_index", "ptr", ["ptr", "i64"]),
  f("tul_str_eq", "i1", ["ptr", "ptr"]),
  f("tul_str_cmp", "i64", ["ptr", "ptr"]),
  f("tul_str_from_int", "ptr", ["i64"]),
  f("tul_str_from_float", "ptr", ["double"]),
  f("tul_str_from_bool", "ptr", ["i1"]),
  f("tul_to_str", "ptr", ["ptr", "ptr"]),
  // conversions
  f("tul_float_to_int", "i64", ["double"]),
  // arrays
  f("tul_arr_new", "ptr", ["ptr", "i64"]),
  f("tul_arr_push_slot", "ptr", ["ptr"]),
  f("tul_arr_pop_slot", "ptr", ["ptr"]),
  f("tul_arr_index_of", "i64", ["ptr", "ptr"]),
  f("tul_arr_eq", "i1", ["ptr", "ptr"]),
  f("tul_range", "ptr", ["i64", "i64"]),
  f("tul_value_eq", "i1", ["ptr", "ptr", "ptr"]),
  // json
  f("tul_json_box", "ptr", ["ptr", "ptr"]),
  f("tul_json_unbox", "void", ["ptr", "ptr", "ptr"]),
  f("tul_json_eq", "i1", ["ptr", "ptr"]),
  f("tul_json_to_str", "ptr", ["ptr"]),
  // I/O
  f("tul_print", "void", ["ptr"]),
  // async (tulrt_async.h)
  f("tul_task_spawn", "ptr", ["ptr", "i64", "ptr", "ptr"]),
  f("tul_await", "void", ["ptr", "ptr"]),
  f("tul_sleep_await", "void", ["i64"]),
  f("tul_gather", "ptr", ["i64", "ptr", "ptr", "ptr"]),
  f("tul_gather_arr", "ptr", ["ptr", "ptr"]),
  f("tul_scope_enter", "ptr", []),
  f("tul_scope_fail", "void", ["ptr"]),
  f("tul_scope_exit", "void", ["ptr"]),
  f("tul_shield_enter", "ptr", []),
  f("tul_shield_exit", "void", ["ptr"]),
  f("tul_race", "ptr", ["i64", "ptr"]),
  f("tul_vote", "ptr", ["ptr", "ptr"]),
  f("tul_spawn", "ptr", ["ptr", "i64", "ptr", "ptr", "ptr"]),
  f("tul_promise_state", "i64", ["ptr"]),
  f("tul_promise_describe", "ptr", ["ptr"]),
  // channels and select (tulrt_async.h, channel.c, select.c)
  f("tul_chan_new", "ptr", ["ptr", "i64"]),
  f("tul_chan_send_await", "void", ["ptr", "ptr"]),
  f("tul_chan_recv_await", "void", ["ptr", "ptr"]),
  f("tul_chan_send", "ptr", ["ptr", "ptr"]),
  f("tul_chan_recv", "ptr", ["ptr"]),
  f("tul_chan_recv_next", "i1", ["ptr", "ptr"]),
  f("tul_chan_close", "void", ["ptr"]),
  f("tul_chan_len", "i64", ["ptr"]),
  f("tul_chan_cap", "i64", ["ptr"]),
  f("tul_chan_closed", "i1", ["ptr"]),
  f("tul_select", "i64", ["ptr", "i64", "i1"]),
  f("tul_map_concurrent", "ptr", ["ptr", "ptr", "ptr", "i64", "ptr", "i1"]),
  f("tul_arr_extend", "void", ["ptr", "ptr"]),
  f("tul_arr_chunks", "ptr", ["ptr", "i64", "ptr"]),
  f("tul_arr_zip", "ptr", ["ptr", "ptr", "ptr"]),
  f("tul_arr_enumerate", "ptr", ["ptr", "ptr"]),
  // json access, JSON text and json operators
  f("tul_json_new_object", "ptr", []),
  f("tul_json_get", "ptr", ["ptr", "ptr"]),
  f("tul_json_at", "ptr", ["ptr", "i64"]),
  f("tul_json_index", "ptr", ["ptr", "ptr"]),
  f("tul_json_set", "void", ["ptr", "ptr", "ptr"]),
  f("tul_json_set_at", "void", ["ptr", "i64", "ptr"]),
  f("tul_json_set_index", "void", ["ptr", "ptr", "ptr"]),
  f("tul_json_len", "i64", ["ptr"]),
  f("tul_json_iter_at", "ptr", ["ptr", "i64"]),
  f("tul_to_json", "ptr", ["ptr", "ptr"]),
  f("tul_json_arith", "ptr", ["i64", "ptr", "ptr"]),
  f("tul_json_neg", "ptr", ["ptr"]),
  f("tul_json_cmp", "i64", ["ptr", "ptr"]),
  ...LIBRARY_ABI,
];

/** The LLVM kind a Tulpar value travels as between generated code and the runtime. */
function abiTypeOf(t: Type): AbiType {
  switch (t.k) {
    case "int": return "i64";
    case "float": return "double";
    case "bool": return "i1";
    case "void": case "never": return "void";
    default: return "ptr";
  }
}

/** The runtime function an `rt` overload calls, with the signature its Tulpar types give. */
export function overloadAbi(o: Overload): AbiFunction | null {
  if (!("rt" in o.lower)) return null;
  const params = fixedParamTypes(o);
  if (params.some((p) => !p)) throw new Error(`built-in runtime function ${o.lower.rt}: a parameter type is not fixed`);
  const result = typeof o.result === "function" ? o.result(params as Type[]) : o.result;
  const attrs = result.k === "never" ? ["noreturn", "nounwind"] : NOUNWIND;
  return f(o.lower.rt, abiTypeOf(result), (params as Type[]).map(abiTypeOf), attrs);
}

/** The runtime functions of the built-in registry not already in CORE (once each). */
function builtinAbi(): AbiFunction[] {
  const out = new Map<string, AbiFunction>();
  for (const row of BUILTINS) {
    for (const o of row.overloads) {
      const fn = overloadAbi(o);
      if (fn && !CORE.some((c) => c.name === fn.name) && !out.has(fn.name)) out.set(fn.name, fn);
    }
  }
  return [...out.values()];
}

/** Every runtime function codegen may call (tests/unit/abi.test.ts checks these against the runtime). */
export const ABI: AbiFunction[] = [...CORE, ...builtinAbi()];

/** Runtime data symbols codegen references (name -> LLVM value type in the prelude). */
export const ABI_GLOBALS: { name: string; type: string; tls?: boolean }[] = [
  { name: "tul_stack_limit", type: "i64", tls: true },
  { name: "tul_on_worker", type: "i8", tls: true },
  { name: "tul_empty_str", type: "%tul_str0" },
  { name: "tul_type_int", type: "%tul_type" },
  { name: "tul_type_float", type: "%tul_type" },
  { name: "tul_type_bool", type: "%tul_type" },
  { name: "tul_type_str", type: "%tul_type" },
  { name: "tul_type_json", type: "%tul_type" },
];

export const abiByName = new Map(ABI.map((fn) => [fn.name, fn]));

function irType(t: AbiType): string {
  return t === "ptr" ? "i8*" : t;
}

/** `declare` line for one function; `_Bool` travels as zero-extended i1 like clang does it. */
export function declareLine(fn: AbiFunction): string {
  const ret = fn.ret === "i1" ? "zeroext i1" : irType(fn.ret);
  const params = fn.params.map((p) => (p === "i1" ? "i1 zeroext" : irType(p))).join(", ");
  return `declare dso_local ${ret} @${fn.name}(${params}) ${fn.attrs.join(" ")}`;
}

/**
 * The declarations part of the IR prelude. The runtime is linked statically into every program, so
 * its symbols are dso_local: direct calls and RIP-relative data access instead of PLT and GOT.
 * Per-thread runtime data (the stack limit: spawn workers have stacks of their own) is local-exec
 * TLS, valid because the runtime always sits in the executable itself: the stack check is then
 * still one instruction with no register, `cmp %fs:tul_stack_limit@tpoff, %rsp`.
 */
export function abiDeclarations(): string {
  const lines = ABI.map(declareLine);
  for (const g of ABI_GLOBALS) {
    const tls = g.tls ? "thread_local(localexec) " : "";
    lines.push(`@${g.name} = external dso_local ${tls}global ${g.type}`);
  }
  lines.push("declare i32 @_setjmp(i8*) returns_twice nounwind");
  return lines.join("\n");
}
