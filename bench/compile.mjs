// Compiler speed: wall time of `tulc build` for hello world (best of 5) and of type-checking a
// generated 10,000-line program (through `tulc check`, so Node start-up is included).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateProgram } from "./program-gen.mjs";

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

const hello = path.join(dir, "hello.tul");
writeFileSync(hello, 'print("Hello, world!");\n');
const big = path.join(dir, "big.tul");
writeFileSync(big, generateProgram(10000));
console.log(`tulc build hello.tul:        ${best(["build", hello, "-o", path.join(dir, "hello")]).toFixed(0)} ms (best of 5)`);
console.log(`tulc check (10,000 lines):   ${best(["check", big]).toFixed(0)} ms (best of 5)`);
rmSync(dir, { recursive: true, force: true });
