// `npm test`: builds the compiler and runtime, then runs the unit tests (node:test), the golden
// suite, a CLI mutation fuzz (no internal errors), generated programs compared at -O0 and -O2, hostile
// source files, a golden slice under ASan+UBSan, the JSON conformance set, the HTTP client suite (loopback servers),
// the HTTP server suite and its fuzz test, the aarch64 cross suite (skips unless set up with
// `scripts/setup.sh --cross aarch64`) and the runtime C tests (ctest); prints one "N passed, N failed" line.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
// Every build in the suite runs LLVM's verifier on the lowered module before printing it (ordinary
// builds leave that to clang's IR parser: codegen/lower/module.ts, verifyEarly).
process.env.TULC_VERIFY ??= "1";
process.chdir(root);

function step(name, cmd, args, parse, env = {}) {
  const envText = Object.entries(env).map(([k, v]) => `${k}=${v} `).join("");
  console.log(`\n=== ${name}: ${envText}${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", env: { ...process.env, ...env } });
  process.stdout.write(r.stdout ?? "");
  const counts = parse(r.stdout ?? "");
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1; // a crash counts as a failure
  return counts;
}

const num = (re, s) => Number((re.exec(s) ?? [0, 0])[1]);

execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
execFileSync("cmake", ["--build", "build", "-j", "2"], { stdio: ["ignore", "ignore", "inherit"] });

const unitFiles = existsSync("dist/tests/unit")
  ? readdirSync("dist/tests/unit").filter((f) => f.endsWith(".test.js")).map((f) => `dist/tests/unit/${f}`)
  : [];
/** Golden areas run again under the sanitizers (text, json, errors and traces, recursion): bounded. */
const SANITIZED_SLICE = ["json", "strings", "errors"];

const results = [
  step("unit tests", "node", ["--test", ...unitFiles], (s) => ({ passed: num(/^# pass (\d+)/m, s), failed: num(/^# fail (\d+)/m, s) })),
  step("golden suite", "node", ["dist/tests/golden/run.js"], (s) => ({ passed: num(/golden: (\d+) passed/, s), failed: num(/golden: \d+ passed, (\d+) failed/, s) })),
  // The same programs split into 3 modules compiled by parallel clang jobs (codegen/passes/split.ts):
  // traces across parts, type descriptors, closures, module inits and task entries.
  step("golden suite, 3 clang jobs", "node", ["dist/tests/golden/run.js", "--flags=-j 3", "errors", "structs", "closures", "modules", "async/task_trace", "async/func_values", "async/many_params"], (s) => ({ passed: num(/golden: (\d+) passed/, s), failed: num(/golden: \d+ passed, (\d+) failed/, s) })),
  // The same programs generated one function per chunk, a clang job each (codegen/lower/chunks.ts):
  // cross-chunk calls, globals, closures, struct inits, task entries, module inits, recursion facts.
  step("golden suite, chunked", "node", ["dist/tests/golden/run.js", "recursion", "closures", "structs", "modules", "functions", "spawn", "async/task_trace", "async/func_values", "async/many_params"],
    (s) => ({ passed: num(/golden: (\d+) passed/, s), failed: num(/golden: \d+ passed, (\d+) failed/, s) }), { TULC_CHUNK_LINES: "1" }),
  step("CLI mutation fuzz", "node", ["tests/fuzz/mutations.mjs", "40"], (s) => ({ passed: num(/fuzz: (\d+) passed/, s), failed: num(/fuzz: \d+ passed, (\d+) failed/, s) })),
  // Generated programs (fixed seed and count): the same output at -O0 and -O2, or positioned diagnostics.
  step("program generator, -O0 vs -O2", "node", ["tests/fuzz/differential.mjs", "12"], (s) => ({ passed: num(/differential: (\d+) passed/, s), failed: num(/differential: \d+ passed, (\d+) failed/, s) })),
  step("hostile source files", "node", ["tests/fuzz/hostile.mjs"], (s) => ({ passed: num(/hostile: (\d+) passed/, s), failed: num(/hostile: \d+ passed, (\d+) failed/, s) })),
  // A slice of the golden programs built with ASan (generated code and runtime) and UBSan (runtime).
  step("golden slice, --sanitize=address,undefined", "node", ["dist/tests/golden/run.js", `--flags=--sanitize=address,undefined`, ...SANITIZED_SLICE],
    (s) => ({ passed: num(/golden: (\d+) passed/, s), failed: num(/golden: \d+ passed, (\d+) failed/, s) })),
  step("JSON conformance", "node", ["tests/json-conformance/run.mjs"], (s) => ({ passed: num(/json-conformance: (\d+) passed/, s), failed: num(/json-conformance: \d+ passed, (\d+) failed/, s) })),
  step("HTTP client suite", "node", ["tests/http/run.mjs"], (s) => ({ passed: num(/http: (\d+) passed/, s), failed: num(/http: \d+ passed, (\d+) failed/, s) })),
  step("HTTP server suite", "node", ["tests/http-server/run.mjs"], (s) => ({ passed: num(/http-server: (\d+) passed/, s), failed: num(/http-server: \d+ passed, (\d+) failed/, s) })),
  // Random, mutated and truncated byte streams into the server: a bounded, seeded run.
  step("HTTP server fuzz", "node", ["tests/http-server/fuzz.mjs", "3000"], (s) => ({ passed: num(/http-server-fuzz: (\d+) passed/, s), failed: num(/http-server-fuzz: \d+ passed, (\d+) failed/, s) })),
  // Cross-built programs under qemu-user: runs only after `scripts/setup.sh --cross aarch64`, else skips.
  step("cross (aarch64 under qemu)", "node", ["tests/cross/run.mjs"], (s) => ({ passed: num(/cross: (\d+) passed/, s), failed: num(/cross: \d+ passed, (\d+) failed/, s) })),
  step("runtime C tests", "ctest", ["--test-dir", "build", "--output-on-failure"], (s) => {
    const total = num(/out of (\d+)/, s), failedN = num(/(\d+) tests failed/, s);
    return { passed: total - failedN, failed: failedN };
  }),
];
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
