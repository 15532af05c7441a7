// Mutation fuzz of the whole command line: deletes, duplicates, swaps lines and drops tokens of the
// golden programs (deterministic seed), builds each mutant with `tulc build`, and fails if any
// output shows an internal compiler error or a JavaScript stack trace instead of diagnostics.
// Usage: node tests/fuzz/mutations.mjs [count] (SEED=n for another sequence)
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const GOLDEN = path.join(ROOT, "tests", "golden");
const TULC = path.join(ROOT, "bin", "tulc");
const COUNT = Number(process.argv[2] ?? 40);
let seed = Number(process.env.SEED ?? 12345);
const rnd = (n) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);

function goldenFiles() {
  const out = [];
  for (const area of readdirSync(GOLDEN).sort()) {
    if (area.startsWith(".")) continue;
    try {
      for (const f of readdirSync(path.join(GOLDEN, area)).sort()) if (f.endsWith(".tul")) out.push(path.join(GOLDEN, area, f));
    } catch {}
  }
  return out;
}

function mutate(lines) {
  const i = rnd(lines.length), j = rnd(lines.length);
  switch (rnd(4)) {
    case 0: lines.splice(i, 1); break;
    case 1: lines.splice(i, 0, lines[j]); break;
    case 2: { const t = lines[i].split(/(\s+|[(){};,])/); t.splice(rnd(t.length + 1), 1); lines[i] = t.join(""); break; }
    default: [lines[i], lines[j]] = [lines[j], lines[i]];
  }
  return lines.join("\n");
}

const INTERNAL = /internal compiler error|internal error|\n\s+at .*\.js:\d+|RangeError|Cannot read properties/;
const files = goldenFiles();
const dir = mkdtempSync(path.join(tmpdir(), "tulc-fuzz-"));
let bad = 0;
for (let k = 0; k < COUNT; k++) {
  const src = files[rnd(files.length)];
  // Mutants live in a temporary folder (relative imports then fail with a diagnostic, which is fine).
  const file = path.join(dir, `mutant-${k}.tul`);
  writeFileSync(file, mutate(readFileSync(src, "utf8").split("\n")));
  const r = spawnSync(TULC, ["build", file, "-o", path.join(dir, "out")], { encoding: "utf8" });
  const out = `${r.stdout}${r.stderr}`;
  if (INTERNAL.test(out) || (r.status !== 0 && r.status !== 1)) {
    bad++;
    console.log(`FAIL mutant ${k} of ${path.relative(ROOT, src)} (status ${r.status}):\n${out.slice(0, 800)}`);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`fuzz: ${COUNT - bad} passed, ${bad} failed`);
process.exitCode = bad ? 1 : 0;
