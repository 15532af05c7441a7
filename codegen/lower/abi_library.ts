// Runtime ABI entries of the library additions (tulrt.h from "formatting" on, docs/reference.md §19);
// spread into codegen/abi.ts's ABI table.
import type { AbiFunction, AbiType } from "./abi.js";

function f(name: string, ret: AbiType, params: AbiType[]): AbiFunction {
  return { name, ret, params, attrs: ["nounwind"] };
}

export const LIBRARY_ABI: AbiFunction[] = [
  // formatting (fmtspec.c)
  f("tul_format", "ptr", ["ptr", "ptr", "ptr"]),
  f("tul_format_int", "ptr", ["i64", "ptr"]),
  f("tul_format_float", "ptr", ["double", "ptr"]),
  f("tul_format_str", "ptr", ["ptr", "ptr"]),
  f("tul_pad_left", "ptr", ["ptr", "i64", "ptr"]),
  f("tul_pad_right", "ptr", ["ptr", "i64", "ptr"]),
  // I/O (io.c)
  f("tul_eprint", "void", ["ptr"]),
  f("tul_read_lines", "ptr", ["ptr"]),
  f("tul_file_delete", "void", ["ptr"]),
  f("tul_list_dir", "ptr", ["ptr"]),
  // code points (unicode.c)
  f("tul_str_ord", "i64", ["ptr"]),
  f("tul_str_chr", "ptr", ["i64"]),
  f("tul_str_is_letter", "i1", ["ptr"]),
  f("tul_str_is_digit", "i1", ["ptr"]),
  f("tul_str_is_space", "i1", ["ptr"]),
  f("tul_str_is_upper", "i1", ["ptr"]),
  f("tul_str_is_lower", "i1", ["ptr"]),
  // regular expressions (regex.c)
  f("tul_re_match", "ptr", ["ptr", "ptr"]),
  f("tul_re_find_all", "ptr", ["ptr", "ptr"]),
  f("tul_re_split", "ptr", ["ptr", "ptr"]),
  f("tul_re_replace", "ptr", ["ptr", "ptr", "ptr"]),
  // math (numbers.c)
  f("tul_random_seed", "void", ["i64"]),
  f("tul_mod_int", "i64", ["i64", "i64"]),
  f("tul_mod_float", "double", ["double", "double"]),
  // encodings and time (encoding.c, timefmt.c)
  f("tul_sha256", "ptr", ["ptr"]),
  f("tul_sha1", "ptr", ["ptr"]),
  f("tul_hmac_sha256", "ptr", ["ptr", "ptr"]),
  f("tul_base64_encode", "ptr", ["ptr"]),
  f("tul_base64_decode", "ptr", ["ptr"]),
  f("tul_url_encode", "ptr", ["ptr"]),
  f("tul_url_decode", "ptr", ["ptr"]),
  f("tul_format_time", "ptr", ["i64", "ptr"]),
  f("tul_parse_time", "i64", ["ptr", "ptr"]),
  // json objects (json.c)
  f("tul_json_has", "i1", ["ptr", "ptr"]),
  f("tul_json_delete", "i1", ["ptr", "ptr"]),
  f("tul_json_get_existing", "ptr", ["ptr", "ptr"]),
  // sorting (sort.c)
  f("tul_arr_sort_less", "ptr", ["ptr", "ptr"]),
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
