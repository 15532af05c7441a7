// The built-in registry (frontend/builtins.ts): a generated program calls every overload of every
// row (with and without its optional arguments), the checker must pick exactly that overload, and
// the program must compile, link against the runtime and start, so no row can exist without a
// lowering or without its C function. Also: row names, docs and the rt overloads' signatures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { BUILTINS, lookupBuiltin, resolveBuiltin, type BuiltinRow, type Overload, type Pattern } from "../../frontend/builtins.js";
import { T, typeToString, type Type } from "../../frontend/types.js";
import { SourceFile } from "../../frontend/source.js";
import { runFrontend } from "../../driver/pipeline.js";
import type { Call, ExprStmt, If } from "../../frontend/ast.js";
import { overloadAbi } from "../../codegen/lower/abi.js";

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");

/** Variables of every type the generated calls need, declared once each. */
class Samples {
  readonly decls: string[] = [];
  private readonly names = new Map<string, string>();

  of(t: Type): string {
    const key = typeToString(t);
    let name = this.names.get(key);
    if (!name) {
      name = `v${this.names.size}`;
      this.names.set(key, name);
      // function values: declared without a value (`= null` would be a checked conversion that throws)
      this.decls.push(t.k === "func" ? `${key} ${name};` : `${key} ${name} = ${this.init(t)};`);
    }
    return name;
  }

  private init(t: Type): string {
    switch (t.k) {
      case "int": return "1";
      case "float": return "1.5";
      case "bool": return "true";
      case "str": return '"a"';
      case "array": return `[${this.of(t.elem)}]`;
      case "promise": return `(async () => ${this.of(t.inner)})()`;
      case "func": return `(${t.params.map((p, i) => `${typeToString(p)} a${i}`).join(", ")}) => ${this.of(t.result)}`;
      default: return "null";
    }
  }
}

const KIND_TYPES: Record<string, Type> = {
  int: T.int, float: T.float, bool: T.bool, str: T.str, json: T.json, array: T.array(T.int), any: T.int, promise: T.promise(T.int),
  channel: T.channel(T.int),
};

/** The types pattern `p` accepts, given the argument types before it. */
function sampleTypes(p: Pattern, before: Type[]): Type[] {
  if (!("p" in p)) return [p];
  if (p.p === "elem") {
    const of = before[p.of];
    return [of.k === "array" || of.k === "channel" ? of.elem : T.json];
  }
  if (p.p === "fn") {
    const r = p.result;
    const result = Array.isArray(r) ? KIND_TYPES[(r as readonly string[])[0]] : typeof r === "function" ? r(before) : r ? (r as Type) : p.own ? p.own(T.int) : T.int;
    return [T.func(p.params(before), result)];
  }
  return p.kinds.filter((k) => k !== "never").map((k) => (k.endsWith("[]") ? T.array(KIND_TYPES[k.slice(0, -2)]) : KIND_TYPES[k]));
}

/** Argument types for a call of `o` with `count` arguments that the checker resolves to `o`. */
function argTypes(row: BuiltinRow, o: Overload, count: number): Type[] {
  const patternAt = (i: number): Pattern => {
    const raw = i < o.params.length ? o.params[i] : o.rest!;
    return "p" in raw && raw.p === "optional" ? raw.pattern : raw;
  };
  const search = (before: Type[]): Type[] | null => {
    if (before.length === count) {
      const r = resolveBuiltin(row, before, row.name === "channel" ? T.channel(T.int) : undefined);
      return "overload" in r && r.overload === o ? before : null;
    }
    for (const t of sampleTypes(patternAt(before.length), before)) {
      const found = search([...before, t]);
      if (found) return found;
    }
    return null;
  };
  const types = search([]);
  assert.ok(types, `${row.name}: no arguments select overload #${row.overloads.indexOf(o) + 1}`);
  return types;
}

/** Every argument count worth calling an overload with: required only, and all (plus two rest arguments). */
function argCounts(o: Overload): number[] {
  const required = o.params.filter((p) => !("p" in p && p.p === "optional")).length;
  const all = o.params.length + (o.rest ? 2 : 0);
  return required === all ? [all] : [required, all];
}

interface Generated { text: string; expected: { row: string; overload: Overload }[] }

/** One `if` per call, behind a condition no run meets (the program only has to link and start). */
function generate(): Generated {
  const samples = new Samples();
  const calls: string[] = [];
  const expected: Generated["expected"] = [];
  for (const row of BUILTINS) {
    for (const o of row.overloads) {
      for (const n of argCounts(o)) {
        const call = `${row.name}(${argTypes(row, o, n).map((t) => samples.of(t)).join(", ")})`;
        // channel() takes its element type from the context
        calls.push(`if (never) { ${row.name === "channel" ? `channel<int> c${calls.length} = ${call};` : `${call};`} }`);
        expected.push({ row: row.name, overload: o });
      }
    }
  }
  const text = ["bool never = length(env(\"TULPAR_NEVER_SET\")) == 12345;", ...samples.decls, ...calls, 'print("ok");', ""].join("\n");
  return { text, expected };
}

test("every registry overload is chosen for its own arguments", () => {
  const { text, expected } = generate();
  const r = runFrontend(new SourceFile("registry.tul", text));
  assert.deepEqual(r.diagnostics.map((d) => d.message), []);
  assert.ok(r.ok);
  const ifs = r.program.body.filter((s): s is If => s.kind === "If");
  assert.equal(ifs.length, expected.length);
  ifs.forEach((s, i) => {
    const first = s.then.body[0];
    const call = (first.kind === "VarDecl" ? first.init : (first as ExprStmt).expr) as Call;
    assert.equal(call.target?.kind, "builtin");
    const chosen = call.target.kind === "builtin" ? call.target.overload : undefined;
    const want = expected[i];
    assert.ok(chosen === want.overload, `${want.row}: call ${i + 1} chose overload ${want.row}#${lookupBuiltin(want.row)!.overloads.indexOf(chosen!)}`);
  });
});

test("a program calling every built-in overload compiles, links and runs", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tulc-registry-"));
  try {
    const file = path.join(dir, "registry.tul");
    writeFileSync(file, generate().text);
    const exe = path.join(dir, "registry");
    const env = { XDG_CACHE_HOME: path.join(dir, "cache") };
    const build = await execa(TULC, ["build", file, "-O0", "-o", exe], { reject: false, all: true, env });
    assert.equal(build.exitCode, 0, build.all);
    const run = await execa(exe, [], { reject: false });
    assert.equal(run.stdout, "ok", run.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rows: unique names, a one-line doc each, runtime signatures that follow from the types", () => {
  const names = new Set<string>();
  for (const row of BUILTINS) {
    for (const n of [row.name, ...(row.aliases ?? [])]) {
      assert.ok(!names.has(n), `built-in '${n}' is defined twice`);
      names.add(n);
    }
    assert.ok(row.doc.length > 0 && !row.doc.includes("\n"), `${row.name}: the doc is one line`);
    assert.ok(row.overloads.length > 0, `${row.name}: no overloads`);
    if (row.overloads.length > 1) assert.ok(row.want, `${row.name}: an overloaded row says what its arguments may be (want)`);
    for (const o of row.overloads) assert.doesNotThrow(() => overloadAbi(o), `${row.name}`);
  }
});
