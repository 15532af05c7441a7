// The HTTP client suite: starts the loopback servers (server.mjs), builds every tests/http/*.tul with
// ./bin/tulc build, runs each against the servers (ports in env vars) and compares stdout with <name>.out.
// A file <name>.<variant>.out runs the same program again with that variant's environment (VARIANTS).
// A leading `// with-stdlib: NAME` comment prepends stdlib/NAME.tul to the program (imports are not
// implemented yet; once they are, such tests should `import "NAME";` instead).
// Usage: node tests/http/run.mjs [name-filter]

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServers } from "./server.mjs";

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const TULC = path.join(ROOT, "bin", "tulc");

/** Extra environment per output variant; the plain <name>.out runs with TULPAR_HTTP_POOL unset. */
const VARIANTS = { pool8: { TULPAR_HTTP_POOL: "8" } };

/** Every (program, expected output, environment) triple. */
function cases(filter) {
  const out = [];
  for (const f of readdirSync(HERE).filter((f) => f.endsWith(".tul")).sort()) {
    const name = f.slice(0, -4);
    if (filter && !name.includes(filter)) continue;
    out.push({ name, src: path.join(HERE, f), expected: path.join(HERE, `${name}.out`), env: {} });
    for (const [variant, env] of Object.entries(VARIANTS)) {
      const expected = path.join(HERE, `${name}.${variant}.out`);
      if (existsSync(expected)) out.push({ name: `${name} (${variant})`, src: path.join(HERE, f), expected, env });
    }
  }
  return out;
}

/** The source to compile: `src` itself, or a copy with the stdlib modules it names prepended. */
function withStdlib(src, exe) {
  const text = readFileSync(src, "utf8");
  const mods = [...text.matchAll(/^\/\/\s*with-stdlib:\s*(\S+)/gm)].map((m) => m[1]);
  if (!mods.length) return src;
  const parts = mods.map((m) => readFileSync(path.join(ROOT, "stdlib", `${m}.tul`), "utf8"));
  const combined = `${exe}.tul`;
  writeFileSync(combined, [...parts, text].join("\n"));
  return combined;
}

async function build(src, exe) {
  try {
    await run(TULC, ["build", withStdlib(src, exe), "-o", exe], { cwd: ROOT });
    return null;
  } catch (e) {
    return `build failed:\n${e.stderr || e.stdout || e.message}`;
  }
}

/** Runs one case asynchronously (the servers live in this process); returns an error text or null. */
async function runCase(c, exe, baseEnv) {
  const env = { ...process.env, ...baseEnv, ...c.env };
  if (!("TULPAR_HTTP_POOL" in c.env)) delete env.TULPAR_HTTP_POOL;
  for (const v of ["http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"]) delete env[v]; // libcurl honours them
  let stdout, stderr, status = 0;
  try {
    ({ stdout, stderr } = await run(exe, [], { env, timeout: 30000, maxBuffer: 64 << 20 }));
  } catch (e) {
    ({ stdout = "", stderr = "" } = e);
    status = e.code ?? e.signal;
  }
  const expected = readFileSync(c.expected, "utf8");
  if (status === 0 && stdout === expected) return null;
  return `exit status ${status}\n--- expected\n${expected}--- got\n${stdout}--- stderr\n${stderr}`;
}

async function main() {
  const { ports, caFile, close } = await startServers();
  const baseEnv = { ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), SSL_CERT_FILE: caFile };
  const work = mkdtempSync(path.join(tmpdir(), "tulpar-http-bin-"));
  let failed = 0, total = 0;
  try {
    const built = new Map();
    for (const c of cases(process.argv[2])) {
      total++;
      const exe = path.join(work, path.basename(c.src, ".tul"));
      if (!built.has(c.src)) built.set(c.src, await build(c.src, exe));
      const t0 = Date.now();
      const err = built.get(c.src) ?? (await runCase(c, exe, baseEnv));
      console.log(`${err ? "FAIL" : "ok  "} ${c.name} (${Date.now() - t0} ms)`);
      if (err) {
        failed++;
        console.log(err.replace(/^/gm, "    "));
      }
    }
  } finally {
    await close();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`http: ${total - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
