// Runtime ABI entries of the library additions (tulrt.h from "formatting" on, LANGUAGE.md §19);
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
];
