// Runtime ABI entries of the library additions that codegen calls itself (inline emitters, maps;
// docs/reference.md §19); spread into codegen/lower/abi.ts's CORE list. Built-ins lowered to a
// runtime function are declared by their registry rows (frontend/builtins.ts), not here.
import type { AbiFunction, AbiType } from "./abi.js";

function f(name: string, ret: AbiType, params: AbiType[]): AbiFunction {
  return { name, ret, params, attrs: ["nounwind"] };
}

export const LIBRARY_ABI: AbiFunction[] = [
  // formatting (fmtspec.c)
  f("tul_format", "ptr", ["ptr", "ptr", "ptr"]),
  // I/O (io.c)
  f("tul_eprint", "void", ["ptr"]),
  // json objects (json.c)
  f("tul_json_get_existing", "ptr", ["ptr", "ptr"]),
  // sorting (sort.c)
  f("tul_arr_sort_by", "ptr", ["ptr", "ptr", "ptr"]),
  // maps (map.c)
  f("tul_map_new", "ptr", ["i64", "ptr"]),
  f("tul_map_len", "i64", ["ptr"]),
  f("tul_map_find_int", "ptr", ["ptr", "i64"]),
  f("tul_map_find_str", "ptr", ["ptr", "ptr"]),
  f("tul_map_at_int", "ptr", ["ptr", "i64"]),
  f("tul_map_at_str", "ptr", ["ptr", "ptr"]),
  f("tul_map_put_int", "ptr", ["ptr", "i64"]),
  f("tul_map_put_str", "ptr", ["ptr", "ptr"]),
  f("tul_map_delete_int", "i1", ["ptr", "i64"]),
  f("tul_map_delete_str", "i1", ["ptr", "ptr"]),
  f("tul_map_keys", "ptr", ["ptr"]),
  f("tul_map_values", "ptr", ["ptr"]),
  f("tul_map_version", "i64", ["ptr"]),
  f("tul_map_next", "i64", ["ptr", "i64", "i64"]),
  f("tul_map_key_int_at", "i64", ["ptr", "i64"]),
  f("tul_map_key_str_at", "ptr", ["ptr", "i64"]),
  f("tul_map_value_at", "ptr", ["ptr", "i64"]),
];
