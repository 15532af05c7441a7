// Compiler speed: wall time of `tulc build` for hello world (best of 5) and of type-checking a
// generated 10,000-line program (through `tulc check`, so Node start-up is included).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const tulc = path.join(root, "bin", "tulc");
const dir = mkdtempSync(path.join(tmpdir(), "tulc-bench-"));

function best(args, runs = 5) {
  let ms = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(tulc, args, { stdio: "inherit" });
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ms;
}

/** A program of about `lines` lines: functions with loops, conditionals, arrays and strings. */
export function generateProgram(lines) {
  const out = [];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `func f${i}(int n, str tag = "t${i}"): int {`,
      `    int acc = ${i};`,
      `    int[] xs = [n, n + 1, n * 2];`,
      `    for (int j = 0; j < n; j++) {`,
      `        if (j % 3 == 0 && acc > -1000000) { acc += xs[j % 3] * 2 - j / 2; } else { acc -= 1; }`,
      `    }`,
      `    str s = tag + ":" + toString(acc) + upper("x");`,
      `    return acc + length(s)${i > 0 ? ` + f${i - 1}(n - 1)` : ""};`,
      `}`,
      `print(f${i}(3));`,
    );
  }
  return out.join("\n") + "\n";
}

const hello = path.join(dir, "hello.tul");
writeFileSync(hello, 'print("Hello, world!");\n');
const big = path.join(dir, "big.tul");
writeFileSync(big, generateProgram(10000));
console.log(`tulc build hello.tul:        ${best(["build", hello, "-o", path.join(dir, "hello")]).toFixed(0)} ms (best of 5)`);
console.log(`tulc check (10,000 lines):   ${best(["check", big]).toFixed(0)} ms (best of 5)`);
