// frontend/fmtspec.ts: literal format specs are checked by the runtime's own parser (tulfmtspec),
// in one batch, with the runtime's messages; good specs report nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FormatSpecChecks } from "../../frontend/fmtspec.js";

test("bad specs are reported with the runtime's message, good ones are not", () => {
  const checks = new FormatSpecChecks();
  const got: string[] = [];
  checks.add("float", ">8.2f", (m) => got.push(`a: ${m}`));
  checks.add("str", ".2f", (m) => got.push(`b: ${m}`));
  checks.add("int", "q", (m) => got.push(`c: ${m}`));
  checks.add("any", "08,.3%", (m) => got.push(`d: ${m}`));
  checks.add("int", ".2d", (m) => got.push(`e: ${m}`));
  checks.add("str", "→^9", (m) => got.push(`f: ${m}`));
  assert.deepEqual(got, []); // nothing is answered before flush
  checks.flush();
  assert.deepEqual(got, [
    "b: format type 'f' is not allowed with str",
    "c: unknown format type 'q' in format spec 'q'",
    "e: precision is not allowed with format type 'd' (int)",
  ]);
});

test("answers are cached: a known spec is reported at once", () => {
  const first = new FormatSpecChecks();
  first.add("bool", "+", () => {});
  first.flush();
  const got: string[] = [];
  new FormatSpecChecks().add("bool", "+", (m) => got.push(m));
  assert.deepEqual(got, ["a sign is not allowed with bool"]);
});
