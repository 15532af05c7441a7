// `tulc test` end to end, beyond the golden cases of tests/golden/tulc-test: a failing seed is
// reproduced by the rerun line the failure prints, runs of one seed agree, several files add up,
// a file whose top-level code fails or does not compile counts as a failure, and usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");
const dir = mkdtempSync(path.join(tmpdir(), "tulc-test-"));

function source(name: string, text: string): string {
  const file = path.join(dir, `${name}.tul`);
  writeFileSync(file, text);
  return file;
}

async function tulcTest(args: string[]) {
  const r = await execa(TULC, ["test", ...args], { reject: false, cwd: dir });
  return { status: r.exitCode, stdout: r.stdout.replace(/\(\d+ ms\)/g, "(N ms)"), stderr: r.stderr };
}

// A lost update that only some task orders produce: read, yield, write back.
const RACY = `
var counter = 0;
async func read_then_write() {
    var seen = counter;
    await sleep_async(0);
    counter = seen + 1;
}
async func increment() { counter += 1; }
test "calm" { assert(true); }
test "no lost update" {
    counter = 0;
    read_then_write();
    increment();
    await sleep_async(1);
    assert_eq(counter, 2);
}
`;

test("tulc test: a failing seed reproduces, and its rerun line runs just that test again", async () => {
  const file = source("racy", RACY);
  const outcomes = new Map<number, string>();
  for (let seed = 1; seed <= 12; seed++) outcomes.set(seed, (await tulcTest([file, "--seed", String(seed)])).stdout);
  const failing = [...outcomes].find(([, out]) => out.includes("FAIL no lost update"));
  const passing = [...outcomes].find(([, out]) => out.includes("ok no lost update"));
  assert.ok(failing && passing, "some seeds find the lost update and some do not");
  const [seed, out] = failing;
  assert.match(out, new RegExp(`^seed ${seed}\\n`));
  for (let i = 0; i < 3; i++) assert.equal((await tulcTest([file, "--seed", String(seed)])).stdout, out, "every run of a seed prints the same");
  const rerun = /^ {2}rerun: tulc test (.*)$/m.exec(out);
  assert.ok(rerun, out);
  assert.equal(rerun[1], `${file} --seed ${seed} --filter 'no lost update'`);
  const again = await tulcTest([file, "--seed", String(seed), "--filter", "no lost update"]);
  assert.equal(again.status, 1);
  const failure = (s: string) => s.split("\n").filter((l) => l.startsWith("FAIL") || l.includes("AssertionError"));
  assert.deepEqual(failure(again.stdout), failure(out), "the same failure, alone");
  assert.match(again.stdout, /^0 passed, 1 failed$/m);
});

test("tulc test: several files add up; the one whose top-level code throws counts as a failure", async () => {
  const a = source("a", `test "one" { assert_eq(1, 1); }\ntest "two" { assert_eq(2, 2); }\n`);
  const b = source("b", `test "three" { assert_eq(3, 4); }\n`);
  const broken = source("broken", `json j = null;\nprint(j["k"]);\ntest "never runs" { assert(true); }\n`);
  const r = await tulcTest([a, b, broken]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`^== ${a}\\nok one \\(N ms\\)\\nok two \\(N ms\\)\\n== ${b}\\nFAIL three\\n`));
  assert.match(r.stdout, /FAIL .*broken\.tul: the program ended with status 1 before its tests finished/);
  assert.match(r.stderr, /Uncaught Exception: TypeError/);
  assert.match(r.stdout, /\n2 passed, 2 failed$/);
  assert.doesNotMatch(r.stdout, /never runs/);
});

test("tulc test: a compile error is reported as by tulc build and fails the run", async () => {
  const bad = source("bad", `test "typo" { assert_eq(undefined_name, 1); }\n`);
  const r = await tulcTest([bad]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.tul:1:\d+: error: .*undefined_name/);
  assert.match(r.stdout, /^0 passed, 1 failed$/m);
});

test("tulc test: a file without tests passes; --seed random prints the seed it picked", async () => {
  const none = source("none", `print("just a program");\n`);
  const r = await tulcTest([none, "--seed", "random"]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^seed \d+\njust a program\n0 passed, 0 failed$/);
});

test("tulc test: usage errors are one line and status 2", async () => {
  const file = source("usage", `test "t" { assert(true); }\n`);
  for (const args of [[file, "--seed", "abc"], [file, "--seed", "1", "--real-time"], [file, "--filter"], [file, "--timeout", "-1"], [file, "--timeout=soon"], [file, "--timeout"], []]) {
    const r = await tulcTest(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^tulc: error: .*\nRun 'tulc --help' for usage\.\n?$/);
  }
});

test("a test block is checked everywhere but only tulc test runs it; tests stay at the top level", async () => {
  const file = source("checked", `test "t" { int x = "no"; }\n`);
  const build = await execa(TULC, ["check", file], { reject: false });
  assert.equal(build.exitCode, 1);
  assert.match(build.stderr, /checked\.tul:1:\d+: error/);
  const nested = source("nested", `func f() {\n    test "inner" { assert(true); }\n}\n`);
  const r = await execa(TULC, ["check", nested], { reject: false });
  assert.match(r.stderr, /nested\.tul:2:10: error: a test block goes at the top level of a file, not inside function 'f'/);
  const dup = source("dup", `test "same" { }\ntest "same" { }\n`);
  const d = await execa(TULC, ["check", dup], { reject: false });
  assert.match(d.stderr, /dup\.tul:2:6: error: a test named "same" is already declared/);
  const asName = source("asname", `var test = 3;\nfunc f(int test): int { return test + 1; }\nprint(f(test));\n`);
  const n = await execa(TULC, ["run", asName], { reject: false });
  assert.equal(n.stdout, "4", "`test` is still an ordinary name");
});
