// Runtime ABI entries for json access, JSON text and json operators (tulrt.h: "json access and JSON
// text", "json operators"); spread into codegen/abi.ts's ABI table.
import type { AbiFunction, AbiType } from "./abi.js";

function f(name: string, ret: AbiType, params: AbiType[]): AbiFunction {
  return { name, ret, params, attrs: ["nounwind"] };
}

export const JSON_ABI: AbiFunction[] = [
  f("tul_json_new_object", "ptr", []),
  f("tul_json_get", "ptr", ["ptr", "ptr"]),
  f("tul_json_at", "ptr", ["ptr", "i64"]),
  f("tul_json_index", "ptr", ["ptr", "ptr"]),
  f("tul_json_set", "void", ["ptr", "ptr", "ptr"]),
  f("tul_json_set_at", "void", ["ptr", "i64", "ptr"]),
  f("tul_json_set_index", "void", ["ptr", "ptr", "ptr"]),
  f("tul_json_len", "i64", ["ptr"]),
  f("tul_json_iter_at", "ptr", ["ptr", "i64"]),
  f("tul_json_keys", "ptr", ["ptr"]),
  f("tul_json_push", "void", ["ptr", "ptr"]),
  f("tul_json_pop", "ptr", ["ptr"]),
  f("tul_json_slice", "ptr", ["ptr", "i64", "i64"]),
  f("tul_json_index_of", "i64", ["ptr", "ptr"]),
  f("tul_json_contains", "i1", ["ptr", "ptr"]),
  f("tul_to_json", "ptr", ["ptr", "ptr"]),
  f("tul_from_json", "ptr", ["ptr"]),
  f("tul_json_arith", "ptr", ["i64", "ptr", "ptr"]),
  f("tul_json_neg", "ptr", ["ptr"]),
  f("tul_json_cmp", "i64", ["ptr", "ptr"]),
  f("tul_json_to_int", "i64", ["ptr"]),
  f("tul_json_to_float", "double", ["ptr"]),
  f("tul_json_to_bool", "i1", ["ptr"]),
];
