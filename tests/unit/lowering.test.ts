// Lowering without -g hands debug locations to the builder only before calls (codegen/lower/context.ts
// setDebugLoc): every call must still get the location it gets with -g, where each location is set at
// once, whatever other instructions and functions (a lambda, a struct init) are lowered in between.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generate } from "../../codegen/lower/module.js";
import { runFrontend } from "../../driver/pipeline.js";
import { SourceFile } from "../../frontend/source.js";

const PROGRAM = `struct P { int x = 1; str s = "a"; int[] xs = [1, 2]; }
func f(int n, str tag = "t"): int {
    int acc = n * 2 + 1;
    int[] xs = [n, n + 1, acc % 7];
    func(int): int twice = (int k) => k * 2 + length(toString(k));
    for (int j = 0; j < n; j++) {
        if (j % 3 == 0 && acc > -1000) { acc += xs[j % 3] * 2 - twice(j) / 2; } else { acc -= length(tag + "!"); }
    }
    P p = {};
    str s = tag + ":" + toString(acc) + upper("x") + p.s;
    return acc + length(s);
}
print(f(3));
int y = f(2) + 1;
print(toString(y) + "?");
`;

/** The calls of the IR handed to clang, each with its function and its location's line, column and
 *  subprogram (metadata numbers resolved), in order; llvm.dbg.* calls (-g only) left out. */
function callSites(debug: boolean): string[] {
  const r = runFrontend(new SourceFile("/tmp/call_sites.tul", PROGRAM));
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  const lines = generate(r.program, { optLevel: 0, debug }).rawText().split("\n");
  const meta = new Map<string, string>();
  for (const l of lines) {
    const m = /^(!\d+) = (.*)$/.exec(l);
    if (m) meta.set(m[1], m[2]);
  }
  const where = (id: string): string => {
    const loc = /line: (\d+), column: (\d+), scope: (!\d+)/.exec(meta.get(id) ?? "");
    assert.ok(loc, `location ${id}: ${meta.get(id)}`);
    const sp = /name: "([^"]*)"/.exec(meta.get(loc[3]) ?? "");
    return `${loc[1]}:${loc[2]} in ${sp?.[1]}`;
  };
  const out: string[] = [];
  let fn = "";
  for (const l of lines) {
    const d = /^define [^@]*@([\w.]+)\(/.exec(l);
    if (d) fn = d[1];
    const c = /^\s+(?:%\S+ = )?(?:tail )?call [^@%]*[@%]([\w.]+)\(.*, !dbg (!\d+)/.exec(l);
    if (c && !c[1].startsWith("llvm.dbg.")) out.push(`${fn}: ${c[1]} at ${where(c[2])}`);
  }
  return out;
}

test("without -g every call keeps the debug location it has with -g", () => {
  const plain = callSites(false), full = callSites(true);
  assert.ok(plain.length > 20, plain.join("\n"));
  assert.deepEqual(plain, full);
  // spot checks: calls in the loop (the lambda's through its closure), and in the lambda itself
  assert.ok(plain.some((c) => /^tul_fn_f: tul_str_len at 7:\d+ in f$/.test(c)), plain.join("\n"));
  assert.ok(plain.some((c) => /^tul_fn_f: \d+ at 7:\d+ in f$/.test(c)), plain.join("\n"));
  assert.ok(plain.some((c) => /^tul_lambda\.\S*: tul_str_from_int at 5:\d+ in /.test(c)), plain.join("\n"));
});
