// Keeps docs/diagnostics.md and the diagnostics catalogue (frontend/messages.ts) in step: the page
// lists every entry (code and template) and nothing else, and each example program on it, checked
// by the frontend, reports that entry (same code, a message the template produces).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";
import { CATALOGUE, MISSING_ASYNC_HINT, MISSING_AWAIT_HINT } from "../../frontend/messages.js";
import { checkFile } from "../../driver/pipeline.js";

interface DocEntry {
  code: string;
  template: string;
  example: string | null;
  noExample: string | null;
}

/** `### E2001 `template`` headings, each followed by a ```tul example or a "No example: why." line. */
function parseDoc(text: string): DocEntry[] {
  const entries: DocEntry[] = [];
  const sections = text.split(/^### /m).slice(1);
  for (const section of sections) {
    const head = /^(E\d{4}) `(.+)`\s*$/m.exec(section.split("\n")[0]);
    assert.ok(head, `a heading reads '### Ennnn \`template\`': ${section.split("\n")[0]}`);
    const example = /```tul\n([\s\S]*?)```/.exec(section);
    const none = /^No example: (.+)$/m.exec(section);
    entries.push({ code: head[1], template: head[2], example: example ? example[1] : null, noExample: none ? none[1] : null });
  }
  return entries;
}

const doc = parseDoc(readFileSync(path.join(TOOLCHAIN_ROOT, "docs", "diagnostics.md"), "utf8"));
const catalogue = Object.values(CATALOGUE).map((t) => ({ code: t.code, template: t.template as string }));
const key = (e: { code: string; template: string }) => `${e.code} ${e.template}`;

test("docs/diagnostics.md lists every catalogue entry, once, and nothing else", () => {
  const documented = doc.map(key);
  assert.equal(new Set(documented).size, documented.length, "an entry is documented twice");
  assert.deepEqual([...documented].sort(), catalogue.map(key).sort());
});

/** A regular expression matching every message a template can produce. */
function templateRegex(template: string): RegExp {
  const parts = template.split(/\{[a-z]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const hints = [MISSING_AWAIT_HINT, MISSING_ASYNC_HINT].map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*?")}(?:${hints.join("|")})?$`);
}

test("each example reports its entry", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tulc-diagnostics-"));
  try {
    for (const entry of doc) {
      if (entry.example === null) {
        assert.ok(entry.noExample, `${key(entry)}: an example, or 'No example: <why>'`);
        continue;
      }
      const file = path.join(dir, "main.tul");
      writeFileSync(file, entry.example.replace(/\n$/, "")); // a fence ends with a line break; some examples end without one
      const r = checkFile(file);
      const re = templateRegex(entry.template);
      const found = r.diagnostics.some((d) => d.code === entry.code && re.test(d.message));
      assert.ok(found, `${key(entry)}: the example reports ${JSON.stringify(r.diagnostics.map((d) => `${d.code} ${d.message}`))}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("entries without an example are few and say why", () => {
  const without = doc.filter((e) => e.example === null);
  assert.ok(without.length <= 6, `${without.length} entries have no example`);
});
