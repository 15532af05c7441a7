// Checks that codegen/lower/abi.ts and the runtime agree: every ABI entry (the core list and the
// built-in registry's runtime functions) is declared in a header (tulrt.h, tulrt_async.h) or, for a
// built-in's function, defined in a runtime source file, with the same arity and compatible types;
// every public tul_ function of the headers has an ABI entry; a function both lists name agrees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { ABI, overloadAbi, type AbiType } from "../../codegen/lower/abi.js";
import { BUILTINS } from "../../frontend/builtins.js";

interface CDecl {
  name: string;
  ret: string;
  params: string[];
}

const HEADERS = ["tulrt.h", "tulrt_async.h"].map((h) => path.join(TOOLCHAIN_ROOT, "runtime-c", "include", h));

const withoutComments = (text: string): string =>
  text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/.*$/gm, " ").replace(/^\s*#.*$/gm, " ");

/** Function declarations `ret name(params);` of a header (comments removed, one per statement). */
function parseHeader(text: string): CDecl[] {
  const code = withoutComments(text);
  const re = /(?<=^|[;{}])\s*((?:TUL_NORETURN\s+)?(?:const\s+)?[A-Za-z_][\w ]*?[\s*]+)(tul_\w+)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*;/g;
  return collect(code, re);
}

/** Definitions `ret name(params) {` starting a line of a runtime source (not static). */
function parseDefinitions(text: string): CDecl[] {
  const re = /^((?:TUL_NORETURN\s+)?(?:const\s+)?[A-Za-z_][\w ]*?[\s*]+)(tul_\w+)\s*\(([^()]*)\)\s*\{/gm;
  return collect(withoutComments(text), re).filter((d) => !/\bstatic\b/.test(d.ret));
}

function collect(code: string, re: RegExp): CDecl[] {
  const decls: CDecl[] = [];
  for (let m; (m = re.exec(code)); ) {
    const ret = m[1].replace("TUL_NORETURN", "").trim();
    if (/typedef|struct\s*$/.test(ret)) continue;
    const raw = m[3].trim();
    const params = raw === "void" || raw === "" ? [] : splitParams(raw);
    decls.push({ name: m[2], ret, params });
  }
  return decls;
}

function splitParams(raw: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = "";
  for (const ch of raw) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** The LLVM kind a C type travels as. */
function cToAbi(c: string): AbiType {
  if (c.includes("*") || c.includes("(")) return "ptr";
  if (/\btul_task_entry\b/.test(c)) return "ptr";
  const base = c.replace(/\bconst\b/g, "").replace(/\b\w+$/, (w) => (/^(int64_t|double|_Bool|void|int|uintptr_t)$/.test(w) ? w : "")).trim();
  if (/\bint64_t\b|\buintptr_t\b/.test(base)) return "i64";
  if (/\bdouble\b/.test(base)) return "double";
  if (/\b_Bool\b/.test(base)) return "i1";
  if (/\bint\b/.test(base)) return "i32";
  if (/^void$/.test(base)) return "void";
  throw new Error(`unknown C type '${c}'`);
}

const decls = new Map(HEADERS.flatMap((h) => parseHeader(readFileSync(h, "utf8"))).map((d) => [d.name, d]));

const SOURCES = path.join(TOOLCHAIN_ROOT, "runtime-c", "src");
const definitions = new Map(
  (readdirSync(SOURCES, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".c"))
    .flatMap((f) => parseDefinitions(readFileSync(path.join(SOURCES, f), "utf8")))
    .map((d) => [d.name, d]),
);

/** The runtime functions built-in registry rows call (each may be declared by its row alone). */
const registryFunctions = BUILTINS.flatMap((row) => row.overloads.map(overloadAbi)).filter((f) => f !== null);

test("the header parser finds the runtime's declarations", () => {
  assert.ok(decls.has("tul_str_concat"));
  assert.ok(decls.has("tul_gather"));
  assert.deepEqual(decls.get("tul_throw_index")?.params.length, 2);
});

test("the definition parser finds the runtime's functions", () => {
  assert.ok(definitions.has("tul_str_upper"));
  assert.deepEqual(definitions.get("tul_str_substring")?.params.length, 3);
  assert.ok(!definitions.has("tul__stack_check"));
});

test("every ABI function is declared in the headers (or, for a built-in, defined) with the same arity and types", () => {
  const builtin = new Set(registryFunctions.map((f) => f.name));
  for (const fn of ABI) {
    const d = decls.get(fn.name) ?? (builtin.has(fn.name) ? definitions.get(fn.name) : undefined);
    assert.ok(d, `${fn.name} is missing from tulrt.h / tulrt_async.h${builtin.has(fn.name) ? " and from runtime-c/src" : ""}`);
    assert.equal(d.params.length, fn.params.length, `${fn.name}: arity`);
    assert.equal(cToAbi(d.ret), fn.ret, `${fn.name}: result type ${d.ret}`);
    d.params.forEach((p, i) => assert.equal(cToAbi(p), fn.params[i], `${fn.name}: parameter ${i + 1} (${p})`));
  }
});

test("every public tul_ function of the headers is in the ABI table", () => {
  const known = new Set(ABI.map((f) => f.name));
  const generated = new Set(["tul_user_main"]);
  for (const name of decls.keys()) {
    if (name.startsWith("tul__") || generated.has(name)) continue;
    assert.ok(known.has(name), `${name} is declared in the headers but missing from codegen/lower/abi.ts`);
  }
});

test("a runtime function the registry and the core list both name has one signature", () => {
  for (const fn of registryFunctions) {
    assert.deepEqual(ABI.find((a) => a.name === fn.name), fn, `${fn.name}: the registry row and codegen/lower/abi.ts disagree`);
  }
});

test("noreturn functions are marked noreturn", () => {
  for (const h of HEADERS) {
    const text = readFileSync(h, "utf8");
    for (const m of text.matchAll(/TUL_NORETURN\s+void\s+(tul_\w+)/g)) {
      const fn = ABI.find((f) => f.name === m[1]);
      assert.ok(fn?.attrs.includes("noreturn"), `${m[1]} must be noreturn in abi.ts`);
    }
  }
});
