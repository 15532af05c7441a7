// The IR prelude parsed into every module before codegen starts: runtime declarations with their
// attributes (noreturn, returns_twice, zeroext...), volatile load/store helpers and the stack check,
// which llvm-bindings' IRBuilder cannot express (no volatile, no attributes, no branch weights).

import { abiDeclarations } from "./abi.js";

/** Memory types that locals can have; each gets a volatile load/store helper pair. */
export const VOLATILE_TYPES = ["i8", "i64", "double", "i8*"] as const;
export type VolatileType = (typeof VOLATILE_TYPES)[number];

export function volatileName(kind: "load" | "store", t: VolatileType): string {
  const suffix = t === "i8*" ? "ptr" : t;
  return `tul__v${kind}_${suffix}`;
}

function volatileHelpers(): string {
  return VOLATILE_TYPES.map((t) => {
    const align = t === "i8" ? 1 : 8;
    return [
      `define internal ${t} @${volatileName("load", t)}(${t}* %p) alwaysinline nounwind {`,
      `  %v = load volatile ${t}, ${t}* %p, align ${align}`,
      `  ret ${t} %v`,
      `}`,
      `define internal void @${volatileName("store", t)}(${t} %v, ${t}* %p) alwaysinline nounwind {`,
      `  store volatile ${t} %v, ${t}* %p, align ${align}`,
      `  ret void`,
      `}`,
    ].join("\n");
  }).join("\n");
}

/** The memcpy intrinsic, declared in every module. */
export const MEMCPY = "llvm.memcpy.p0i8.p0i8.i64";

/** Reads the stack pointer: a register read on x86-64 (no frame pointer needed), else frameaddress. */
function stackPointer(triple: string): string[] {
  if (/^x86_64/.test(triple)) {
    return ["  %sp = call i64 @llvm.read_register.i64(metadata !1)"];
  }
  return ["  %fa = call i8* @llvm.frameaddress.p0i8(i32 0)", "  %sp = ptrtoint i8* %fa to i64"];
}

/** `if (sp < tul_stack_limit) tul_stack_overflow();` with the overflow branch marked very unlikely.
 *  Emitted at the top of a function body, then moved to where the function's calls start
 *  (placeStackChecks in codegen/passes/stack_checks.ts, which also says why that is still safe). */
function stackCheck(triple: string): string {
  return [
    "declare i64 @llvm.read_register.i64(metadata) nounwind readonly",
    "declare i8* @llvm.frameaddress.p0i8(i32 immarg) nounwind readnone",
    // array literals copy their constant elements from a private global (lower/expr.ts, genArrayLit)
    `declare void @${MEMCPY}(i8* noalias nocapture writeonly, i8* noalias nocapture readonly, i64, i1 immarg) nounwind`,
    "define internal void @tul__stack_check() alwaysinline nounwind {",
    "entry:",
    ...stackPointer(triple),
    "  %lim = load i64, i64* @tul_stack_limit, align 8",
    "  %over = icmp ult i64 %sp, %lim",
    "  br i1 %over, label %bad, label %ok, !prof !0",
    "bad:",
    "  call void @tul_stack_overflow()",
    "  unreachable",
    "ok:",
    "  ret void",
    "}",
    '!0 = !{!"branch_weights", i32 1, i32 1048575}',
    '!1 = !{!"rsp"}',
  ].join("\n");
}

/** The complete prelude text for a target triple. */
export function preludeText(triple: string): string {
  return [
    "%tul_str0 = type { i64, i64, [0 x i8] }",
    "%tul_type = type { i64, i64, i8*, i8*, i64, i8*, i8* }",
    abiDeclarations(),
    volatileHelpers(),
    stackCheck(triple),
    "",
  ].join("\n");
}
