// JSON conformance runner: builds check.tul once with ./bin/tulc, runs it over valid/*.json (each must
// parse and round-trip: "ok") and invalid/*.json (each must throw ValueError); a crash is a failure.
// Prints "json-conformance: N passed, M failed" and exits 1 on any failure.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..", "..");
const tmp = mkdtempSync(path.join(tmpdir(), "json-conformance-"));
const bin = path.join(tmp, "check");
execFileSync(path.join(root, "bin", "tulc"), ["build", path.join(here, "check.tul"), "-O2", "-o", bin], { stdio: "inherit" });

// Runs the checker on one file (one process per file, so a crash is pinned to its document).
function check(file) {
  const r = spawnSync(bin, [file], { encoding: "utf8", timeout: 30000 });
  const line = (r.stdout ?? "").trim();
  const verdict = line.startsWith(file + " ") ? line.slice(file.length + 1) : line;
  return { status: r.status, signal: r.signal, verdict, stderr: r.stderr };
}

let passed = 0, failed = 0;
for (const kind of ["valid", "invalid"]) {
  const dir = path.join(here, kind);
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const r = check(path.join(dir, name));
    const good = r.status === 0 && (kind === "valid" ? r.verdict === "ok" : r.verdict.startsWith("error ValueError: "));
    if (good) passed++;
    else {
      failed++;
      const how = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
      console.log(`FAIL ${kind}/${name}: ${how}: ${r.verdict.slice(0, 200)} ${(r.stderr ?? "").slice(0, 200)}`);
    }
  }
}
rmSync(tmp, { recursive: true, force: true });
console.log(`json-conformance: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
