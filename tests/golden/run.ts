// The golden suite: compiles and runs every tests/golden/<area>/*.tul, compares full stdout with
// <name>.out, stderr with the file's `// stderr:` patterns, and the exit status. `--update` rewrites
// .out files from actual output (review the diff!); `--flags="-O0 --sanitize=address"` adds tulc
// options to every build (executables then go to .out/<flags>/). Directives, in leading `//` comments:
//   // status: N            expected exit status (default 0)
//   // stderr: <regex>      must match somewhere in stderr (repeatable); without any, stderr must be empty
//   // compile-error        the build must fail; stderr patterns apply to the diagnostics
//   // args: a b c          program arguments        // stdin: text (\n escapes)
//   // env: NAME=value      environment (repeatable) // timeout: ms (default 10000)
//   // flags: -O0 -g        tulc build options  // cross: skip <why>   left out of the cross suite
//   // stdout: sorted       stdout's lines compared (and written by --update) in sorted order
//   // tulc-test: --seed 3   runs `tulc test <file> <options>` (tests/golden/tulc-test); each `(12 ms)`
//                           of its stdout reads `(N ms)`

import { readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { cpus } from "node:os";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { GOLDEN, findCases, type Case } from "./cases.js";

interface Outcome { c: Case; problems: string[]; stdout: string }

const OUT_DIR = path.join(GOLDEN, ".out");
const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");

let extraFlags: string[] = [];
let outDir = OUT_DIR;

async function runCase(c: Case): Promise<Outcome> {
  if (c.tulcTest) return runTulcTest(c);
  const exe = path.join(outDir, c.name.replace(/[\/\\]/g, "__").replace(/\.tul$/, ""));
  const build = await execa(TULC, ["build", c.file, "-o", exe, ...c.flags, ...extraFlags], { reject: false, all: true });
  if (c.compileError) return { c, problems: checkCompileError(c, build.exitCode ?? -1, build.stderr), stdout: "" };
  if (build.exitCode !== 0) return { c, problems: [`build failed (status ${build.exitCode}):\n${build.all}`], stdout: "" };
  const run = await execa(exe, c.args, { reject: false, input: c.stdin, env: c.env, timeout: c.timeout, stripFinalNewline: false });
  const stdout = c.sortedStdout ? sortLines(run.stdout) : run.stdout;
  return { c, problems: checkRun(c, { ...run, stdout }), stdout };
}

/** A `// tulc-test:` case: `tulc test` builds and runs the file's tests itself. */
async function runTulcTest(c: Case): Promise<Outcome> {
  const run = await execa(TULC, ["test", c.file, ...c.tulcTest!, ...extraFlags], { reject: false, input: c.stdin, env: c.env, timeout: c.timeout, stripFinalNewline: false });
  const stdout = run.stdout.replace(/\((\d+) ms\)/g, "(N ms)").replaceAll(path.dirname(c.file) + path.sep, "");
  return { c, problems: checkRun(c, { ...run, stdout }), stdout };
}

function checkCompileError(c: Case, status: number, stderr: string): string[] {
  const problems: string[] = [];
  if (status !== 1) problems.push(`expected the build to fail with status 1, got ${status}\n${stderr}`);
  for (const re of c.stderr) if (!re.test(stderr)) problems.push(`diagnostics do not match /${re.source}/:\n${stderr}`);
  if (/\n\s+at .*\.js:\d+/.test(stderr)) problems.push(`tulc printed an internal stack trace:\n${stderr}`);
  return problems;
}

function checkRun(c: Case, run: { exitCode?: number; stdout: string; stderr: string; timedOut: boolean; signal?: string }): string[] {
  const problems: string[] = [];
  if (run.timedOut) problems.push(`timed out after ${c.timeout} ms`);
  const status = run.exitCode ?? (run.signal ? `signal ${run.signal}` : "none");
  if (status !== c.status) problems.push(`expected exit status ${c.status}, got ${status}`);
  const expected = expectedStdout(c);
  if (expected !== null && expected !== run.stdout) problems.push(`stdout differs:\n${diff(expected, run.stdout)}`);
  if (c.stderr.length === 0 && run.stderr !== "") problems.push(`unexpected stderr:\n${run.stderr}`);
  for (const re of c.stderr) if (!re.test(run.stderr)) problems.push(`stderr does not match /${re.source}/:\n${run.stderr}`);
  return problems;
}

/** Lines in sorted order (the final newline kept last). */
function sortLines(s: string): string {
  const lines = s.split("\n");
  const last = lines.pop();
  return [...lines.sort(), last].join("\n");
}

function outFile(c: Case): string {
  return c.outFile;
}

function expectedStdout(c: Case): string | null {
  return existsSync(outFile(c)) ? readFileSync(outFile(c), "utf8") : "";
}

/** A small line diff: expected lines with `-`, actual with `+`, around the first difference. */
function diff(expected: string, actual: string): string {
  const a = expected.split("\n"), b = actual.split("\n");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const lines = [`  (first difference at line ${i + 1})`];
  for (let k = Math.max(0, i - 2); k < i; k++) lines.push(`  ${a[k]}`);
  for (let k = i; k < Math.min(a.length, i + 8); k++) lines.push(`- ${JSON.stringify(a[k])}`);
  for (let k = i; k < Math.min(b.length, i + 8); k++) lines.push(`+ ${JSON.stringify(b[k])}`);
  return lines.join("\n");
}

async function pool<T, R>(items: T[], width: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; results[i] = await f(items[i]); } };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

async function main(argv: string[]): Promise<number> {
  const update = argv.includes("--update");
  const flags = argv.find((a) => a.startsWith("--flags="));
  if (flags) {
    extraFlags = flags.slice("--flags=".length).split(/\s+/).filter(Boolean);
    outDir = path.join(OUT_DIR, extraFlags.join("_").replace(/[^-\w=,.]/g, "_"));
  }
  const cases = findCases(argv.filter((a) => !a.startsWith("--")));
  mkdirSync(outDir, { recursive: true });
  const outcomes = await pool(cases, Math.max(2, cpus().length + 1), runCase);
  let failed = 0;
  for (const o of outcomes) {
    if (update && !o.c.compileError && o.problems.every((p) => p.startsWith("stdout differs"))) {
      writeFileSync(outFile(o.c), o.stdout);
      if (o.problems.length) console.log(`updated ${o.c.name}`);
      continue;
    }
    if (o.problems.length === 0) continue;
    failed++;
    console.log(`FAIL ${o.c.name}\n${o.problems.map((p) => "  " + p.replace(/\n/g, "\n  ")).join("\n")}\n`);
  }
  console.log(`golden: ${cases.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
