// The golden programs and their directives (leading `//` comments, listed in run.ts), read once for
// the golden suite (run.ts) and the cross suite (tests/cross/run.mjs, through dist/).

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";

export const GOLDEN = path.join(TOOLCHAIN_ROOT, "tests", "golden");

export interface Case {
  file: string;
  name: string;
  status: number;
  stderr: RegExp[];
  compileError: boolean;
  args: string[];
  stdin: string;
  env: Record<string, string>;
  timeout: number;
  flags: string[];
  /** `// stdout: sorted`: the lines are compared in sorted order (threads print in any order). */
  sortedStdout?: boolean;
  crossSkip?: string; // `// cross: skip <why>`: tests/cross/run.mjs leaves the program out
  /** `// tulc-test: <options>`: run `tulc test <file> <options>` instead of building and running the
   *  program (stdout with each `(<n> ms)` written `(N ms)`). */
  tulcTest?: string[];
  /** Where the expected stdout is kept: `<name>.out` next to the program, except for the programs in
   *  examples/, whose expected output is tests/golden/examples/<name>.out. */
  outFile: string;
}

export function parseCase(file: string): Case {
  const c: Case = { file, name: path.relative(GOLDEN, file), status: 0, stderr: [], compileError: false, args: [], stdin: "", env: {}, timeout: 10000, flags: [], outFile: file.replace(/\.tul$/, ".out") };
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^\/\/\s*([a-z-]+)(?::\s?(.*))?$/.exec(line.trim());
    if (!m) { if (line.trim() && !line.trim().startsWith("//")) break; continue; }
    const [, key, value = ""] = m;
    if (key === "status") c.status = Number(value);
    else if (key === "stderr") c.stderr.push(new RegExp(value));
    else if (key === "compile-error") { c.compileError = true; c.status = 1; }
    else if (key === "args") c.args = value.split(/\s+/).filter(Boolean);
    else if (key === "stdin") c.stdin = value.replace(/\\n/g, "\n");
    else if (key === "env") { const i = value.indexOf("="); c.env[value.slice(0, i)] = value.slice(i + 1); }
    else if (key === "timeout") c.timeout = Number(value);
    else if (key === "flags") c.flags = value.split(/\s+/).filter(Boolean);
    else if (key === "stdout" && value.trim() === "sorted") c.sortedStdout = true;
    else if (key === "tulc-test") c.tulcTest = value.split(/\s+/).filter(Boolean);
    else if (key === "cross" && value.startsWith("skip")) c.crossSkip = value.slice(4).trim() || "marked // cross: skip";
  }
  return c;
}

export function findCases(filter: string[]): Case[] {
  const out: Case[] = [];
  for (const area of readdirSync(GOLDEN).sort()) {
    const dir = path.join(GOLDEN, area);
    if (area.startsWith(".") || !statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith(".tul")) continue;
      const full = path.join(dir, f);
      if (filter.length && !filter.some((x) => full.includes(x))) continue;
      out.push(parseCase(full));
    }
  }
  return out.concat(exampleCases(filter));
}

/** The programs in examples/ that have an expected output in tests/golden/examples/ (area
 *  `examples`): they run like any golden program, directives included. */
function exampleCases(filter: string[]): Case[] {
  const dir = path.join(TOOLCHAIN_ROOT, "examples");
  const out: Case[] = [];
  for (const f of readdirSync(dir).sort()) {
    const expected = path.join(GOLDEN, "examples", f.replace(/\.tul$/, ".out"));
    if (!f.endsWith(".tul") || !existsSync(expected)) continue;
    const full = path.join(dir, f);
    if (filter.length && !filter.some((x) => full.includes(x))) continue;
    out.push({ ...parseCase(full), name: path.join("examples", f), outFile: expected });
  }
  return out;
}
