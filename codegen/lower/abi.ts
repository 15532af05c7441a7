// The runtime ABI as codegen sees it: every function of runtime-c/include/tulrt.h and tulrt_async.h
// that generated code calls, with LLVM types and attributes, rendered into the IR prelude text.

import { JSON_ABI } from "./abi_json.js";

/** LLVM-level parameter/result kinds: `ptr` is i8* (typed-pointer mode), `i1` is C `_Bool`. */
export type AbiType = "void" | "i1" | "i32" | "i64" | "double" | "ptr";

export interface AbiFunction {
  name: string;
  ret: AbiType;
  params: AbiType[];
  /** function attributes (LLVM keywords) */
  attrs: string[];
}

const NR = ["noreturn", "nounwind", "cold", "nomerge"]; // nomerge: each throw site keeps its own line for traces
const NU = ["nounwind"];

function f(name: string, ret: AbiType, params: AbiType[], attrs: string[] = NU): AbiFunction {
  return { name, ret, params, attrs };
}

/** Every runtime function codegen may call (tests/unit/abi.test.ts checks these against the headers). */
export const ABI: AbiFunction[] = [
  // memory
  f("tul_alloc", "ptr", ["i64"]),
  f("tul_alloc_atomic", "ptr", ["i64"]),
  // exceptions
  f("tul_try_push", "void", ["ptr"]),
  f("tul_try_pop", "void", ["ptr"]),
  f("tul_caught", "ptr", []),
  f("tul_throw", "void", ["ptr"], NR),
  f("tul_rethrow", "void", [], NR),
  f("tul_throw_index", "void", ["i64", "i64"], NR),
  f("tul_throw_zero_div", "void", [], NR),
  f("tul_throw_zero_mod", "void", [], NR),
  f("tul_throw_msg", "void", ["ptr"], NR),
  f("tul_stack_overflow", "void", [], NR),
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
  f("tul_str_upper", "ptr", ["ptr"]),
  f("tul_str_lower", "ptr", ["ptr"]),
  f("tul_str_trim", "ptr", ["ptr"]),
  f("tul_str_split", "ptr", ["ptr", "ptr"]),
  f("tul_str_join", "ptr", ["ptr", "ptr"]),
  f("tul_str_replace", "ptr", ["ptr", "ptr", "ptr"]),
  f("tul_str_substring", "ptr", ["ptr", "i64", "i64"]),
  f("tul_str_starts_with", "i1", ["ptr", "ptr"]),
  f("tul_str_ends_with", "i1", ["ptr", "ptr"]),
  f("tul_str_index_of", "i64", ["ptr", "ptr"]),
  f("tul_str_contains", "i1", ["ptr", "ptr"]),
  f("tul_str_repeat", "ptr", ["ptr", "i64"]),
  f("tul_str_slice", "ptr", ["ptr", "i64", "i64"]),
  // conversions
  f("tul_str_to_int", "i64", ["ptr"]),
  f("tul_str_to_float", "double", ["ptr"]),
  f("tul_str_to_bool", "i1", ["ptr"]),
  f("tul_float_to_int", "i64", ["double"]),
  // arrays
  f("tul_arr_new", "ptr", ["ptr", "i64"]),
  f("tul_arr_push_slot", "ptr", ["ptr"]),
  f("tul_arr_pop_slot", "ptr", ["ptr"]),
  f("tul_arr_slice", "ptr", ["ptr", "i64", "i64"]),
  f("tul_arr_sort", "ptr", ["ptr"]),
  f("tul_arr_index_of", "i64", ["ptr", "ptr"]),
  f("tul_arr_eq", "i1", ["ptr", "ptr"]),
  f("tul_range", "ptr", ["i64", "i64"]),
  f("tul_value_eq", "i1", ["ptr", "ptr", "ptr"]),
  // json
  f("tul_json_box", "ptr", ["ptr", "ptr"]),
  f("tul_json_unbox", "void", ["ptr", "ptr", "ptr"]),
  f("tul_json_eq", "i1", ["ptr", "ptr"]),
  f("tul_json_to_str", "ptr", ["ptr"]),
  // I/O and system
  f("tul_print", "void", ["ptr"]),
  f("tul_input", "ptr", []),
  f("tul_args", "ptr", []),
  f("tul_env", "ptr", ["ptr"]),
  f("tul_exit", "void", ["i64"], ["noreturn", "nounwind"]),
  f("tul_file_read", "ptr", ["ptr"]),
  f("tul_file_write", "void", ["ptr", "ptr"]),
  f("tul_file_append", "void", ["ptr", "ptr"]),
  f("tul_file_exists", "i1", ["ptr"]),
  f("tul_clock_ms", "double", []),
  f("tul_time_ms", "i64", []),
  f("tul_sleep", "void", ["i64"]),
  // math
  f("tul_pow_int", "i64", ["i64", "i64"]),
  f("tul_random", "double", []),
  f("tul_randint", "i64", ["i64", "i64"]),
  f("tul_float_round", "i64", ["double"]),
  // async (tulrt_async.h)
  f("tul_task_spawn", "ptr", ["ptr", "i64", "ptr", "ptr"]),
  f("tul_await", "void", ["ptr", "ptr"]),
  f("tul_sleep_async", "ptr", ["i64"]),
  f("tul_sleep_await", "void", ["i64"]),
  f("tul_gather", "ptr", ["i64", "ptr", "ptr", "ptr"]),
  f("tul_gather_arr", "ptr", ["ptr", "ptr"]),
  f("tul_cancel", "void", ["ptr"]),
  f("tul_scope_enter", "ptr", []),
  f("tul_scope_fail", "void", ["ptr", "ptr"]),
  f("tul_scope_exit", "void", ["ptr"]),
  f("tul_shield_enter", "ptr", []),
  f("tul_shield_exit", "void", ["ptr"]),
  f("tul_timeout", "ptr", ["i64", "ptr"]),
  f("tul_race", "ptr", ["i64", "ptr"]),
  f("tul_race_arr", "ptr", ["ptr"]),
  f("tul_vote", "ptr", ["ptr", "ptr"]),
  f("tul_promise_state", "i64", ["ptr"]),
  f("tul_promise_describe", "ptr", ["ptr"]),
  // HTTP client (tulrt.h, http.c)
  f("tul_http_request", "ptr", ["ptr", "ptr", "ptr", "ptr"]),
  f("tul_http_request_async", "ptr", ["ptr", "ptr", "ptr", "ptr"]),
  ...JSON_ABI,
];

/** Runtime data symbols codegen references (name -> LLVM value type in the prelude). */
export const ABI_GLOBALS: { name: string; type: string }[] = [
  { name: "tul_stack_limit", type: "i64" },
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
 * its symbols are dso_local: direct calls and RIP-relative data access instead of PLT and GOT
 * (the stack check then needs no register: `cmp tul_stack_limit(%rip), %rsp`).
 */
export function abiDeclarations(): string {
  const lines = ABI.map(declareLine);
  for (const g of ABI_GLOBALS) lines.push(`@${g.name} = external dso_local global ${g.type}`);
  lines.push("declare i32 @_setjmp(i8*) returns_twice nounwind");
  return lines.join("\n");
}
