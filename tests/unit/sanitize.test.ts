// `tulc build --sanitize=...`: option parsing, instrumented generated code, a program linked with the
// sanitized runtime (build/runtime-san) whose reports are fatal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { parseSanitizers } from "../../codegen/toolchain/sanitize.js";

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");
const dir = mkdtempSync(path.join(tmpdir(), "tulc-sanitize-"));
const env = { XDG_CACHE_HOME: path.join(dir, "cache") };
const tulc = (...args: string[]) => execa(TULC, args, { reject: false, env, all: true });

function source(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

test("the list of sanitizers: known names, deduplicated and sorted; thread not yet", () => {
  assert.deepEqual(parseSanitizers("undefined,address,address"), ["address", "undefined"]);
  assert.throws(() => parseSanitizers(""), /needs a list/);
  assert.throws(() => parseSanitizers("memory"), /unknown sanitizer 'memory'/);
  assert.throws(() => parseSanitizers("thread"), /not available yet/);
});

test("--sanitize mistakes are usage errors (status 2)", async () => {
  const file = source("ok.tul", "print(1);\n");
  for (const flag of ["--sanitize=bogus", "--sanitize=thread", "--sanitize="]) {
    const r = await tulc("build", file, flag);
    assert.equal(r.exitCode, 2, flag);
    assert.match(r.stderr, /^tulc: error: /);
  }
});

test("--sanitize=address instruments the generated functions", async () => {
  const file = source("ir.tul", "func f(int[] xs): int { return xs[0]; }\nprint(f([4]));\n");
  const ll = path.join(dir, "ir.ll");
  assert.equal((await tulc("build", file, "--sanitize=address", "--emit-llvm", "-o", ll)).exitCode, 0);
  assert.match(readFileSync(ll, "utf8"), /^attributes #\d+ = \{[^}]*sanitize_address/m);
  const plain = path.join(dir, "plain.ll");
  assert.equal((await tulc("build", file, "--emit-llvm", "-o", plain)).exitCode, 0);
  assert.doesNotMatch(readFileSync(plain, "utf8"), /sanitize_address/);
});

test("a sanitized program runs with ASan and UBSan in it (tulc build and tulc run)", async () => {
  const file = source("prog.tul", [
    "json j = fromJson(\"[1e300, 2.5, \\\"x\\\"]\");",
    "print(toJson(j), 1e100);",
    "try { print(fromJson(\"1e999\")); } catch (e) { print(e); }",
    "",
  ].join("\n"));
  const exe = path.join(dir, "prog");
  const b = await tulc("build", file, "--sanitize=address,undefined", "-O1", "-o", exe);
  assert.equal(b.exitCode, 0, b.all);
  const r = await execa(exe, [], { reject: false, env: { ASAN_OPTIONS: "help=1" } });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /Available flags for AddressSanitizer/); // the ASan runtime is linked
  assert.equal(r.stdout, "[1e+300,2.5,\"x\"] 1e+100\nValueError: invalid JSON: number out of range at position 0 ('1')");
  const run = await tulc("run", "--sanitize=undefined", file);
  assert.equal(run.exitCode, 0, run.all);
  assert.match(run.stdout, /^\[1e\+300,2\.5,"x"\] 1e\+100\n/);
});
