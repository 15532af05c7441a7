// Hostile source files: empty, binary, NUL bytes, invalid UTF-8, a byte-order mark, lone CRs,
// unterminated literals, megabyte lines and identifiers, nesting and operator chains far beyond any
// real program. Each must build (and its program then run cleanly, printing what is expected) or be
// refused with positioned diagnostics (file:line:col) and status 1: never an internal error, a
// JavaScript stack trace, a crash or a hang. The files are made here, deterministically.
// Usage: node tests/fuzz/hostile.mjs [name-filter]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const TULC = path.join(ROOT, "bin", "tulc");
const INTERNAL = /internal (compiler |parser )?error|\n\s+at .*\.js:\d+|LLVM ERROR|Assertion .* failed|Segmentation|AddressSanitizer/i;

const rep = (s, n) => s.repeat(n);
function bytes(seed, n) { // deterministic pseudo-random bytes
  const b = Buffer.alloc(n);
  for (let i = 0, x = seed; i < n; i++) { x = (x * 1103515245 + 12345) & 0x7fffffff; b[i] = x >> 16; }
  return b;
}

/** name, file contents, what must happen: "diag" (refused), "run" (built; stdout `out`) or "either";
 *  optionally the file's name. */
const CASES = [
  ["empty file", "", "run", ""],
  ["only a comment", "// nothing here", "run", ""],
  ["byte-order mark", "\uFEFFprint(\"bom\");\n", "either", "bom\n"],
  ["CRLF and lone CR line ends", "int x = 1;\r\nprint(x);\rprint(x + 1);\r\n", "run", "1\n2\n"],
  ["NUL bytes", Buffer.concat([Buffer.from("print(1);\n"), Buffer.alloc(16), Buffer.from("\nprint(2);\n")]), "diag"],
  ["NUL inside a string literal", Buffer.from("print(\"a\0b\");\n"), "either", "a\0b\n"],
  ["invalid UTF-8 in a string", Buffer.from([...Buffer.from("print(\""), 0xff, 0xfe, 0xc3, ...Buffer.from("\");\n")]), "diag"],
  ["invalid UTF-8 in code", Buffer.from([...Buffer.from("int "), 0xc3, 0x28, ...Buffer.from(" = 1;\n")]), "diag"],
  ["random binary", bytes(7, 4096), "diag"],
  ["random printable", bytes(11, 4096).map((b) => 32 + (b % 95)), "diag"],
  ["unterminated string", "print(\"never closed);\n", "diag"],
  ["unterminated block comment", "/* open\nprint(1);\n", "diag"],
  ["unterminated t-string field", "print(t\"{1 + \");\n", "diag"],
  ["surrogate escape", "print(\"\\u{D800}\");\n", "diag"],
  ["escape beyond Unicode", "print(\"\\u{110000}\");\n", "diag"],
  ["integer literal beyond 64 bits", "print(99999999999999999999999);\n", "diag"],
  ["float literal beyond double", "print(1e999);\n", "diag"],
  ["a 1 MB string literal", `print(len("${rep("x", 1 << 20)}"));\n`, "run", "1048576\n"],
  ["a 100,000-character identifier", `int ${rep("v", 100000)} = 5;\nprint(${rep("v", 100000)});\n`, "run", "5\n"],
  ["10,000 parentheses", `print(${rep("(", 10000)}1${rep(")", 10000)});\n`, "diag"],
  ["10,000 nested blocks", `${rep("{", 10000)}${rep("}", 10000)}\n`, "diag"],
  ["10,000 nested arrays", `var x = ${rep("[", 10000)}${rep("]", 10000)};\n`, "diag"],
  ["20,000 additions in a row", `print(${Array(20000).fill("1").join(" + ")});\n`, "diag"],
  ["20,000 string concatenations", `str s = "a";\nprint(len(${Array(20000).fill("s").join(" + ")}));\n`, "diag"],
  ["20,000 prefix minuses", `int x = 2;\nprint(${rep("- ", 20000)}x);\n`, "diag"],
  ["20,000 nots", `bool b = true;\nprint(${rep("!", 20000)}b);\n`, "diag"],
  ["12,000 else-ifs", `int x = 3;\n${Array.from({ length: 12000 }, (_, i) => `${i ? "else " : ""}if (x == ${i}) { print(${i}); }`).join("\n")}\n`, "diag"],
  ["900 additions in a row", `print(${Array(900).fill("1").join(" + ")});\n`, "run", "900\n"],
  ["500 else-ifs", `int x = 498;\n${Array.from({ length: 500 }, (_, i) => `${i ? "else " : ""}if (x == ${i}) { print(${i}); }`).join("\n")}\n`, "run", "498\n"],
  ["10,000 chained calls", `func f(int x): int { return x; }\nprint(${rep("f(", 10000)}1${rep(")", 10000)});\n`, "diag"],
  ["a long member chain", `json j = {"a": null};\nprint(j${rep(".a", 20000)});\n`, "diag"],
  ["a long index chain", `json j = [1];\nprint(j${rep("[0]", 20000)});\n`, "diag"],
  ["500 functions", `${Array.from({ length: 500 }, (_, i) => `func f${i}(): int { return ${i}; }`).join("\n")}\nprint(f499());\n`, "run", "499\n"],
  ["a 2,000-element array literal", `int[] xs = [${Array(2000).fill("7").join(", ")}];\nprint(len(xs));\n`, "run", "2000\n"],
  ["a keyword as a name", "int while = 3;\n", "diag"],
  ["an import of itself", "import \"./self.tul\";\nprint(1);\n", "either", "1\n", "self.tul"],
  ["a missing module", "import \"./no/such/module.tul\";\n", "diag"],
];

async function sh(cmd, args, opts = {}) {
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout: 120000, maxBuffer: 64 << 20, ...opts });
    return { status: 0, stdout, stderr };
  } catch (e) {
    return { status: e.code ?? e.signal ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function check(dir, i, [name, contents, expect, out, fileName]) {
  const file = path.join(dir, fileName ?? `h${i}.tul`);
  writeFileSync(file, contents);
  const exe = path.join(dir, `h${i}`);
  const b = await sh(TULC, ["build", file, "-o", exe]);
  if (INTERNAL.test(b.stderr)) return `${name}: internal error:\n${b.stderr.slice(0, 2000)}`;
  if (b.status !== 0) {
    if (expect === "run") return `${name}: expected it to build, got status ${b.status}:\n${b.stderr.slice(0, 2000)}`;
    if (b.status !== 1 || !/\.tul:\d+:\d+: error: /.test(b.stderr)) return `${name}: refused without a positioned diagnostic (status ${b.status}):\n${b.stderr.slice(0, 2000)}`;
    return null;
  }
  if (expect === "diag") return `${name}: expected a diagnostic, but it built`;
  const r = await sh(exe, [], { timeout: 20000 });
  if (r.status !== 0 || r.stdout !== out) return `${name}: the program ran with status ${r.status}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}:\n${r.stderr.slice(0, 2000)}`;
  return null;
}

async function main() {
  const filter = process.argv[2];
  const dir = mkdtempSync(path.join(tmpdir(), "tulpar-hostile-"));
  const cases = CASES.map((c, i) => [c, i]).filter(([c]) => !filter || c[0].includes(filter));
  let passed = 0, failed = 0, next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const [c, i] = cases[next++];
      const problem = await check(dir, i, c);
      if (problem) { failed++; console.log(`FAIL ${problem}\n`); } else passed++;
    }
  };
  await Promise.all([worker(), worker()]);
  rmSync(dir, { recursive: true, force: true });
  console.log(`hostile: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main();
