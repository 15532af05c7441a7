// The IR text passes of codegen/passes on small hand-written IR: function attributes, stack-check
// placement, TBAA tags, the shared scan and the pass pipeline (the recursion pass has its own
// recursion.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { addFunctionAttributes, lineTablesOnly } from "../../codegen/passes/attributes.js";
import { placeStackChecks } from "../../codegen/passes/stack_checks.js";
import { addTbaa } from "../../codegen/passes/tbaa.js";
import { runTextPasses } from "../../codegen/passes/pipeline.js";
import { callSiteLocations } from "../../codegen/passes/locations.js";
import { symbolRefs } from "../../codegen/passes/scan.js";

const CHECK = "  call void @tul__stack_check()";
const fn = (head: string, ...body: string[]) => [head, ...body, "}"].join("\n");
/** The body lines of the function `name` in `text`. */
function bodyOf(text: string, name: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("define") && l.includes(`@${name}(`));
  const end = lines.indexOf("}", start);
  return lines.slice(start + 1, end);
}
/** The label of the block a line is in (the first block has none: ""). */
function blockOf(body: string[], line: string): string {
  let label = "";
  for (const l of body) {
    const m = /^([-\w.]+):/.exec(l);
    if (m) label = m[1];
    if (l === line) return label;
  }
  return "<missing>";
}

// ---------------------------------------------------------------- attributes

test("attributes: every generated function gets a group by its tail-call and inlining needs", () => {
  const ir = [
    "define internal i64 @tul_fn_f(i64 %0) !dbg !5 {", "  ret i64 %0", "}",
    "define internal i64 @tul_fn_loop(i64 %0) !dbg !6 {", "  ret i64 %0", "}",
    "define internal void @tul_fn_body() {", "  ret void", "}",
    "define void @tul_user_main() !dbg !7 {", "  ret void", "}",
    "define internal i8 @tul__vload_i8(i8* %p) alwaysinline nounwind {", "  ret i8 0", "}",
  ].join("\n");
  const out = addFunctionAttributes(ir, new Set(["tul_fn_loop"]), new Set(["tul_fn_body"]), ["sanitize_address"]);
  assert.match(out, /^define internal i64 @tul_fn_f\(i64 %0\) #4000 !dbg !5 \{$/m);
  assert.match(out, /^define internal i64 @tul_fn_loop\(i64 %0\) #4001 !dbg !6 \{$/m);
  assert.match(out, /^define internal void @tul_fn_body\(\) #4002 \{$/m);
  assert.match(out, /^define void @tul_user_main\(\) #4000 !dbg !7 \{$/m);
  assert.match(out, /^define internal i8 @tul__vload_i8\(i8\* %p\) alwaysinline nounwind \{$/m, "runtime helpers keep their own attributes");
  assert.match(out, /^attributes #4001 = \{ uwtable sanitize_address "disable-tail-calls"="true" \}$/m);
  assert.match(out, /^attributes #4003 = \{ uwtable sanitize_address noinline "disable-tail-calls"="true" \}$/m);
});

test("attributes: without -g the compile unit is line tables only", () => {
  const unit = "!1 = distinct !DICompileUnit(language: DW_LANG_C, emissionKind: FullDebug)";
  assert.equal(lineTablesOnly(unit), "!1 = distinct !DICompileUnit(language: DW_LANG_C, emissionKind: LineTablesOnly)");
});

// ---------------------------------------------------------------- stack checks

test("stack checks: a leaf function loses its check", () => {
  const ir = fn("define internal i64 @tul_fn_leaf(i64 %0) {", "entry:", CHECK, "  %1 = add i64 %0, 1", "  ret i64 %1");
  assert.ok(!placeStackChecks(ir).includes("tul__stack_check"));
});

test("stack checks: the check moves to the branch that calls, so the base case skips it", () => {
  const ir = fn("define internal i64 @tul_fn_fib(i64 %0) {", "entry:", CHECK, "  %c = icmp slt i64 %0, 2",
    "  br i1 %c, label %base, label %rec", "base:", "  ret i64 %0",
    "rec:", "  %1 = call i64 @tul_fn_fib(i64 %0)", "  ret i64 %1");
  const body = bodyOf(placeStackChecks(ir), "tul_fn_fib");
  assert.equal(body.filter((l) => l === CHECK).length, 1);
  assert.equal(blockOf(body, CHECK), "rec");
});

test("stack checks: throws and intrinsics are not calls; a check dominating calls on both paths stays", () => {
  const throwsOnly = fn("define internal void @tul_fn_t(i64 %0) {", "entry:", CHECK,
    "  call void @tul_throw_zero_div()", "  call void @llvm.dbg.value(metadata i64 %0)", "  unreachable");
  assert.ok(!placeStackChecks(throwsOnly).includes("tul__stack_check"));
  const both = fn("define internal void @tul_fn_b(i1 %c) {", "entry:", CHECK, "  br i1 %c, label %a, label %b",
    "a:", "  call void @tul_fn_x()", "  ret void", "b:", "  call void @tul_fn_y()", "  ret void");
  assert.equal(placeStackChecks(both), both);
});

test("stack checks: lifted out of a loop, placed after phis", () => {
  const ir = fn("define internal void @tul_fn_l(i1 %c) {", "entry:", CHECK, "  br i1 %c, label %done, label %pre",
    "pre:", "  br label %loop",
    "loop:", "  %i = phi i64 [ 0, %pre ], [ %j, %loop ]", "  call void @tul_fn_x()", "  %j = add i64 %i, 1",
    "  %more = icmp slt i64 %j, 10", "  br i1 %more, label %loop, label %done", "done:", "  ret void");
  const body = bodyOf(placeStackChecks(ir), "tul_fn_l");
  assert.equal(blockOf(body, CHECK), "pre", "the loop's preheader dominates the call and is outside the cycle");
  const phiFn = fn("define internal void @tul_fn_p(i1 %c) {", "entry:", CHECK, "  br i1 %c, label %a, label %b",
    "a:", "  br label %join", "b:", "  br label %join",
    "join:", "  %v = phi i64 [ 1, %a ], [ 2, %b ]", "  call void @tul_fn_x()", "  ret void");
  const pb = bodyOf(placeStackChecks(phiFn), "tul_fn_p");
  assert.equal(pb[pb.indexOf("join:") + 1], "  %v = phi i64 [ 1, %a ], [ 2, %b ]");
  assert.equal(pb[pb.indexOf("join:") + 2], CHECK);
});

test("stack checks: unsure placements keep the function as it was", () => {
  const two = fn("define internal void @tul_fn_two() {", "entry:", CHECK, CHECK, "  call void @tul_fn_x()", "  ret void");
  assert.equal(placeStackChecks(two), two);
  const unknownTarget = fn("define internal void @tul_fn_u(i1 %c) {", "entry:", CHECK, "  br i1 %c, label %a, label %nowhere",
    "a:", "  call void @tul_fn_x()", "  ret void");
  assert.equal(placeStackChecks(unknownTarget), unknownTarget);
});

test("stack checks: several functions in one module, checks moved up and down in place, leaves dropped", () => {
  const ir = [
    fn("define internal void @tul_fn_up() {", "entry:", "  br label %body", "body:", "  %a = call i8* @tul_arr_new(i64 1)", CHECK, "  ret void"),
    fn("define internal i64 @tul_fn_leaf(i64 %0) {", "entry:", CHECK, "  ret i64 %0"),
    fn("define internal i64 @tul_fn_fib(i64 %0) {", "entry:", CHECK, "  %c = icmp slt i64 %0, 2",
      "  br i1 %c, label %base, label %rec", "base:", "  ret i64 %0",
      "rec:", "  %1 = call i64 @tul_fn_fib(i64 %0)", "  ret i64 %1"),
    "@g = global i64 0",
  ].join("\n");
  const out = placeStackChecks(ir);
  assert.deepEqual(bodyOf(out, "tul_fn_up"), ["entry:", "  br label %body", "body:", CHECK, "  %a = call i8* @tul_arr_new(i64 1)", "  ret void"]);
  assert.deepEqual(bodyOf(out, "tul_fn_leaf"), ["entry:", "  ret i64 %0"]);
  assert.deepEqual(bodyOf(out, "tul_fn_fib"), ["entry:", "  %c = icmp slt i64 %0, 2", "  br i1 %c, label %base, label %rec",
    "base:", "  ret i64 %0", "rec:", CHECK, "  %1 = call i64 @tul_fn_fib(i64 %0)", "  ret i64 %1"]);
  assert.equal(out.split("\n").length, ir.split("\n").length - 1);
  assert.ok(out.endsWith("@g = global i64 0"));
});

test("scan: symbol references found by hand are what the regular expressions find", () => {
  const plain = /@([-\w.$]+|"[^"]*")/g, escaped = /@([-\w.$]+|"(?:[^"\\]|\\.)*")/g;
  const lines = [
    '  %1 = call i64 @tul_fn_f(i8* bitcast ({ i64 }* @tul.str.3 to i8*), i64 ptrtoint (i8* @"quoted name" to i64))',
    '@tbl = private constant [2 x i8*] [i8* @a$b.c-d, i8* @"x\\"y"], align 8',
    '@s = private constant [6 x i8] c"a@b.c\\00", @ @"unterminated @after',
  ];
  for (const line of lines) {
    for (const [re, escapes] of [[plain, false], [escaped, true]] as const) {
      const found = new Set<string>();
      symbolRefs(line, -1, found, escapes);
      assert.deepEqual([...found], [...new Set([...line.matchAll(re)].map((m) => m[1]))], `${escapes} ${line}`);
    }
  }
  const several = ['  call void @"open', '  store i8* @"a\\', '  %x = call i64 @b(i8* @"c d")'].join("\n"); // as each line alone
  for (const escapes of [false, true]) {
    const found = new Set<string>();
    symbolRefs(several, -1, found, escapes);
    assert.deepEqual([...found], ["b", '"c d"'], `several lines, escapes ${escapes}`);
  }
  const calls = new Set<string>();
  symbolRefs(lines[0], lines[0].indexOf("@tul_fn_f"), calls);
  assert.deepEqual([...calls], ["tul.str.3", '"quoted name"']);
});

// ---------------------------------------------------------------- TBAA

test("tbaa: array header loads and element accesses get tags numbered above the module's metadata", () => {
  const ir = [
    "define internal i64 @tul_fn_sum(i8* %a) {",
    "  %tul.len = load i64, i64* %p, align 8, !dbg !40",
    "  %tul.data3 = load i8*, i8** %q, align 8",
    "  %x = load double, double* %tul.elem, align 8",
    "  store i8 1, i8* %tul.elem7, align 1",
    "  %v = load volatile i64, i64* %tul.elem, align 8",
    "  ret i64 0",
    "}",
    "!40 = !DILocation(line: 1, column: 1, scope: !3)",
  ].join("\n");
  const out = addTbaa(ir).split("\n");
  assert.equal(out[1], "  %tul.len = load i64, i64* %p, align 8, !dbg !40, !tbaa !52");
  assert.equal(out[2], "  %tul.data3 = load i8*, i8** %q, align 8, !tbaa !53");
  assert.equal(out[3], "  %x = load double, double* %tul.elem, align 8, !tbaa !56");
  assert.equal(out[4], "  store i8 1, i8* %tul.elem7, align 1, !tbaa !54");
  assert.equal(out[5], "  %v = load volatile i64, i64* %tul.elem, align 8", "volatile accesses keep no tag");
  assert.ok(out.includes('!41 = !{!"tulpar tbaa"}'));
  assert.ok(out.includes("!52 = !{!42, !42, i64 0}"));
});

test("tbaa: a module without array accesses is unchanged", () => {
  const ir = fn("define void @tul_user_main() {", "  ret void");
  assert.equal(addTbaa(ir), ir);
});

// ---------------------------------------------------------------- call-site locations

test("locations: calls keep !dbg, other instructions lose it, other metadata stays", () => {
  const ir = fn(
    "define internal i64 @tul_fn_f(i64 %0, i8* %1) !dbg !5 {",
    "entry:",
    "  %2 = add i64 %0, 1, !dbg !7",
    "  %tul.len = load i64, i64* %p, align 8, !dbg !12, !tbaa !40",
    "  %3 = call i64 @tul_fn_g(i64 %2), !dbg !8",
    "  call void @tul_throw_index(i64 %2, i64 %3), !dbg !9",
    "  %callee = tail call i8* @tul_str_concat(i8* %1, i8* %1), !dbg !10",
    "  %x = invoke i64 @h() to label %a unwind label %b, !dbg !11",
    "  br label %next, !dbg !13",
    "next:",
    "  ret i64 %3, !dbg !14",
  ) + "\n!7 = !DILocation(line: 2, column: 1, scope: !5)";
  assert.deepEqual(bodyOf(callSiteLocations(ir), "tul_fn_f"), [
    "entry:",
    "  %2 = add i64 %0, 1",
    "  %tul.len = load i64, i64* %p, align 8, !tbaa !40",
    "  %3 = call i64 @tul_fn_g(i64 %2), !dbg !8",
    "  call void @tul_throw_index(i64 %2, i64 %3), !dbg !9",
    "  %callee = tail call i8* @tul_str_concat(i8* %1, i8* %1), !dbg !10",
    "  %x = invoke i64 @h() to label %a unwind label %b, !dbg !11",
    "  br label %next",
    "next:",
    "  ret i64 %3",
  ]);
  assert.match(callSiteLocations(ir), /^define internal i64 @tul_fn_f\(i64 %0, i8\* %1\) !dbg !5 \{$/m);
  assert.match(callSiteLocations(ir), /^!7 = !DILocation/m);
});

// ---------------------------------------------------------------- the pipeline

test("pipeline: recursion without a way out gets disable-tail-calls, checks move, line tables only", () => {
  const ir = [
    fn("define internal i64 @tul_fn_spin(i64 %0) !dbg !5 {", "entry:", CHECK, "  %1 = call i64 @tul_fn_spin(i64 %0)", "  ret i64 %1"),
    fn("define internal i64 @tul_fn_id(i64 %0) !dbg !6 {", "entry:", CHECK, "  ret i64 %0"),
    fn("define internal i64 @tul_fn_add(i64 %0) !dbg !7 {", "entry:", "  %1 = add i64 %0, 1, !dbg !8", "  ret i64 %1, !dbg !8"),
    "!1 = distinct !DICompileUnit(language: DW_LANG_C, emissionKind: FullDebug)",
  ].join("\n");
  const out = runTextPasses(ir, { noTailCalls: new Set(), noInline: new Set(), extraAttributes: [], debug: false });
  assert.match(out, /@tul_fn_spin\(i64 %0\) #4001 !dbg !5 \{/);
  assert.match(out, /@tul_fn_id\(i64 %0\) #4000 !dbg !6 \{/);
  assert.deepEqual(bodyOf(out, "tul_fn_id"), ["entry:", "  ret i64 %0"]);
  assert.match(out, /emissionKind: LineTablesOnly/);
  assert.deepEqual(bodyOf(out, "tul_fn_add"), ["entry:", "  %1 = add i64 %0, 1", "  ret i64 %1"]); // call sites only
  const debug = runTextPasses(ir, { noTailCalls: new Set(), noInline: new Set(), extraAttributes: [], debug: true });
  assert.match(debug, /emissionKind: FullDebug/);
  assert.deepEqual(bodyOf(debug, "tul_fn_add"), ["entry:", "  %1 = add i64 %0, 1, !dbg !8", "  ret i64 %1, !dbg !8"]); // -g: every location
});

test("pipeline: TBAA tags only when optimising (clang -O0 ignores them)", () => {
  const ir = [
    fn("define internal i64 @tul_fn_len(i8* %0) !dbg !5 {", "entry:", "  %tul.len = load i64, i64* %p, align 8", "  ret i64 %tul.len"),
    "!5 = distinct !DISubprogram(name: \"len\")",
  ].join("\n");
  const facts = { noTailCalls: new Set<string>(), noInline: new Set<string>(), extraAttributes: [], debug: true };
  for (const [optLevel, tagged] of [[0, false], [1, true], [2, true], [undefined, true]] as const) {
    const out = runTextPasses(ir, { ...facts, optLevel });
    assert.equal(/%tul\.len = load i64, i64\* %p, align 8, !tbaa !\d+$/m.test(out), tagged, String(optLevel));
    assert.equal(out.includes("tulpar tbaa"), tagged, String(optLevel));
  }
});
