// Unit tests of codegen/passes/split.ts: a module's IR split into parts for parallel clang jobs.
// Every definition lands in exactly one part (copies aside), cross-part symbols become hidden
// definitions plus declarations, each part carries the metadata it refers to and compiles on its
// own. End to end, `tests/golden/run.js --jobs 3` builds golden programs split in three.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { splitModule } from "../../codegen/passes/split.js";
import { clangPath } from "../../codegen/toolchain/link.js";

const MODULE = `; ModuleID = 'm.tul'
source_filename = "m.tul"
target triple = "x86_64-pc-linux-gnu"

%T = type { i64, i8* }

@tul_stack_limit = external global i64
@tul.str.0 = private constant { i64, i64, [3 x i8] } { i64 2, i64 2, [3 x i8] c"hi\\00" }
@tul.type.1 = private constant %T { i64 6, i8* bitcast ({ i64, i64, [3 x i8] }* @tul.str.0 to i8*) }
@tulg.x.1 = internal global i64 0
@llvm.global_ctors = appending global [1 x { i32, void ()*, i8* }] [{ i32, void ()*, i8* } { i32 65535, void ()* @tul_fn_f3, i8* null }]

declare void @tul_print(i8*) #0

define internal void @tul__stack_check() #0 {
  %l = load i64, i64* @tul_stack_limit, align 8
  ret void
}

define internal i64 @tul_fn_f0(i64 %0) #4000 !dbg !10 {
entry:
  call void @tul__stack_check(), !dbg !11
  store i64 %0, i64* @tulg.x.1, align 8, !dbg !11
  ret i64 %0, !dbg !11
}

define internal i64 @tul_fn_f1(i64 %0) #4000 !dbg !12 {
entry:
  %r = call i64 @tul_fn_f0(i64 %0), !dbg !13
  call void @tul_print(i8* bitcast ({ i64, i64, [3 x i8] }* @tul.str.0 to i8*)), !dbg !13
  ret i64 %r, !dbg !13
}

define internal i64 @tul_fn_f2(i64 %0) #4000 !dbg !14 {
entry:
  call void @tul__stack_check(), !dbg !15
  %r = call i64 @tul_fn_f1(i64 %0), !dbg !15
  ret i64 %r, !dbg !15
}

define internal void @tul_fn_f3() #4000 !dbg !16 {
entry:
  %x = load i64, i64* @tulg.x.1, align 8, !dbg !17
  call void @tul_print(i8* bitcast (%T* @tul.type.1 to i8*)), !dbg !17
  ret void, !dbg !17
}

define void @tul_user_main() #4000 !dbg !18 {
entry:
  %r = call i64 @tul_fn_f2(i64 1), !dbg !19
  ret void, !dbg !19
}

attributes #0 = { nounwind }
attributes #4000 = { uwtable }

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2, !3}

!0 = distinct !DICompileUnit(language: DW_LANG_C, file: !1, producer: "tulc", isOptimized: false, runtimeVersion: 0, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "m.tul", directory: "/tmp")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !{i32 2, !"Dwarf Version", i32 4}
!4 = !DISubroutineType(types: !5)
!5 = !{}
!10 = distinct !DISubprogram(name: "f0", scope: !1, file: !1, line: 1, type: !4, scopeLine: 1, spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !5)
!11 = !DILocation(line: 1, column: 1, scope: !10)
!12 = distinct !DISubprogram(name: "f1", scope: !1, file: !1, line: 2, type: !4, scopeLine: 2, spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !5)
!13 = !DILocation(line: 2, column: 1, scope: !12)
!14 = distinct !DISubprogram(name: "f2", scope: !1, file: !1, line: 3, type: !4, scopeLine: 3, spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !5)
!15 = !DILocation(line: 3, column: 1, scope: !14)
!16 = distinct !DISubprogram(name: "f3", scope: !1, file: !1, line: 4, type: !4, scopeLine: 4, spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !5)
!17 = !DILocation(line: 4, column: 1, scope: !16)
!18 = distinct !DISubprogram(name: "<main>", scope: !1, file: !1, line: 5, type: !4, scopeLine: 5, spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !5)
!19 = !DILocation(line: 5, column: 1, scope: !18)
`;

/** Compiles one part to an object; returns clang's complaint or "". */
function compiles(ir: string): string {
  const r = spawnSync(clangPath(), ["-O1", "-c", "-x", "ir", "-", "-o", "/dev/null", "-Wno-override-module"], { input: ir, encoding: "utf8" });
  return r.status === 0 ? "" : r.stderr;
}

const defines = (ir: string, name: string): boolean => new RegExp(`^define [^@]*@${name.replace(/\./g, "\\.")}\\(`, "m").test(ir) || new RegExp(`^@${name.replace(/\./g, "\\.")} = (?!external)`, "m").test(ir);

test("the module compiles whole, and in 2 and 3 parts each of which compiles alone", () => {
  assert.equal(compiles(MODULE), "");
  for (const n of [2, 3]) {
    const parts = splitModule(MODULE, n);
    assert.equal(parts.length, n);
    parts.forEach((p, i) => assert.equal(compiles(p), "", `part ${i} of ${n}:\n${p}`));
  }
});

test("each definition lives in one part; helpers and strings are copied where used", () => {
  const parts = splitModule(MODULE, 2);
  for (const name of ["tul_fn_f0", "tul_fn_f1", "tul_fn_f2", "tul_fn_f3", "tul_user_main", "tul.type.1", "tulg.x.1", "llvm.global_ctors"]) {
    assert.equal(parts.filter((p) => defines(p, name)).length, 1, name);
  }
  for (const p of parts) {
    assert.equal(defines(p, "tul__stack_check"), /call void @tul__stack_check\(\)/.test(p), "the helper is copied into the parts that call it");
    if (/call void @tul_print\(i8\* bitcast \(\{ i64, i64, \[3 x i8\] \}\* @tul\.str\.0/.test(p)) assert.ok(defines(p, "tul.str.0"));
  }
  // By size in lines, f0..f2 go to the first part and f3, main to the second: main -> f2 crosses.
  const [a, b] = parts;
  assert.ok(defines(a, "tul_fn_f2") && defines(b, "tul_fn_f3"));
  assert.match(a, /^define hidden i64 @tul_fn_f2\(i64 %0\) #4000 !dbg !14 \{$/m, "a callee used from another part is hidden, not internal");
  assert.match(b, /^declare hidden i64 @tul_fn_f2\(i64 %0\) #4000$/m);
  assert.match(a, /^define internal i64 @tul_fn_f0\(/m, "a function used only in its own part stays internal");
  assert.match(b, /^@tulg\.x\.1 = external hidden global i64$/m, "a global defined in the other part is declared");
  assert.match(a, /^@tulg\.x\.1 = hidden global i64 0$/m, "a global lives with its first user");
  assert.match(b, /^@tul\.type\.1 = private constant/m, "a global used in one part stays private");
});

test("each part carries the metadata of its own functions and the compile unit", () => {
  const [a, b] = splitModule(MODULE, 2);
  assert.match(a, /^!10 = distinct !DISubprogram\(name: "f0"/m);
  assert.doesNotMatch(b, /^!10 = /m);
  assert.match(b, /^!16 = distinct !DISubprogram\(name: "f3"/m);
  for (const p of [a, b]) assert.match(p, /^!0 = distinct !DICompileUnit/m);
});

test("one part, one function, or a line the splitter does not know: the module stays whole", () => {
  assert.deepEqual(splitModule(MODULE, 1), [MODULE]);
  const lone = 'source_filename = "x"\ndefine void @tul_user_main() {\n  ret void\n}\n';
  assert.deepEqual(splitModule(lone, 4), [lone]);
  const odd = MODULE.replace("@tulg.x.1 = internal global i64 0", "@tulg.x.1 = internal global i64 0\n@ = weird");
  assert.deepEqual(splitModule(odd, 2), [odd]);
});
