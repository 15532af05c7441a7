// Codegen's type-descriptor kind numbers (codegen/lower/types.ts) against the runtime's
// `enum tul_kind` (runtime-c/include/tulrt.h): a new runtime type must get the same number in both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { runtimeKinds } from "../../codegen/lower/types.js";

function runtimeEnum(): Map<string, number> {
  const header = readFileSync(path.join(TOOLCHAIN_ROOT, "runtime-c", "include", "tulrt.h"), "utf8");
  const body = /enum tul_kind \{([^}]*)\}/.exec(header)?.[1] ?? "";
  return new Map([...body.matchAll(/TUL_K_(\w+)\s*=\s*(\d+)/g)].map((m) => [m[1].toLowerCase(), Number(m[2])]));
}

test("kinds: every descriptor kind codegen emits is the runtime's number for it", () => {
  const c = runtimeEnum();
  assert.ok(c.size >= 10, "enum tul_kind was found in tulrt.h");
  for (const [name, n] of Object.entries(runtimeKinds())) {
    assert.equal(c.get(name), n, `TUL_K_${name.toUpperCase()}`);
  }
});
