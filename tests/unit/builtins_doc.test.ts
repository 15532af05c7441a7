// docs/builtins.md is generated from the built-in registry (frontend/builtins.ts): one row per built-in
// with every overload's signature and the row's doc line. This test renders the table and fails when
// the committed file differs; `TULPAR_UPDATE_DOCS=1 node --test dist/tests/unit/builtins_doc.test.js`
// rewrites it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { BUILTINS, signatureText } from "../../frontend/builtins.js";

const DOC = path.join(TOOLCHAIN_ROOT, "docs", "builtins.md");

const cell = (s: string): string => s.replace(/\|/g, "\\|");

/** The whole page: a header, then one table row per built-in in registry order. */
export function renderBuiltins(): string {
  const lines = [
    "# Built-in functions",
    "",
    "Generated from the built-in registry (`frontend/builtins.ts`) by `tests/unit/builtins_doc.test.ts`,",
    "which fails when this page and the registry disagree (regenerate with",
    "`TULPAR_UPDATE_DOCS=1 node --test dist/tests/unit/builtins_doc.test.js`). Every call form the",
    "compiler accepts is listed; `T?` is an optional argument, `a|b` an argument of either kind, `T...`",
    "any number of them. The rules in detail are in the [reference](reference.md) (§11 and §19) and",
    "the error texts in [decisions.md](decisions.md).",
    "",
    `${BUILTINS.length} built-ins.`,
    "",
    "| built-in | call forms | what it does |",
    "|---|---|---|",
  ];
  for (const row of BUILTINS) {
    const names = [row.name, ...(row.aliases ?? [])].map((n) => `\`${n}\``).join(", ");
    const forms = row.overloads.map((o) => `\`${cell(signatureText(o))}\``).join("<br>");
    lines.push(`| ${names} | ${forms} | ${cell(row.doc)} |`);
  }
  return lines.join("\n") + "\n";
}

test("docs/builtins.md is the registry's table", () => {
  const text = renderBuiltins();
  if (process.env.TULPAR_UPDATE_DOCS) writeFileSync(DOC, text);
  let committed = "";
  try {
    committed = readFileSync(DOC, "utf8");
  } catch {
    // missing: reported below
  }
  assert.equal(committed, text, "docs/builtins.md is out of date: regenerate it (see its header)");
});

test("every built-in is documented in the reference", () => {
  const reference = readFileSync(path.join(TOOLCHAIN_ROOT, "docs", "reference.md"), "utf8");
  const missing = BUILTINS.filter((row) => !reference.includes(`\`${row.name}(`) && !reference.includes(`\`${row.name}\``));
  assert.deepEqual(missing.map((r) => r.name), []);
});
