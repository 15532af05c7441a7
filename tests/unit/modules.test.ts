// Unit tests of frontend/modules.ts: run order of merged module bodies, Import.target, load-once,
// and the missing-module / cycle diagnostics (with their chains), on temporary files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadProgram } from "../../frontend/modules.js";
import { DiagnosticBag } from "../../frontend/diagnostics.js";
import { SourceFile } from "../../frontend/source.js";
import { checkProgram } from "../../frontend/checker.js";

function withFiles(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), "tulc-modules-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function load(dir: string, main: string) {
  const file = path.join(dir, main);
  const diags = new DiagnosticBag();
  const program = loadProgram(new SourceFile(file, readFileSync(file, "utf8")), diags);
  return { program, diags };
}

test("modules: dependencies first, each once, in import order", () => {
  withFiles({
    "main.tul": 'import "./lib/a.tul";\nimport "./lib/b.tul";\nprint(1);\n',
    "lib/a.tul": 'print("a");\n',
    "lib/b.tul": 'import "./a.tul";\nprint("b");\n',
  }, (dir) => {
    const { program, diags } = load(dir, "main.tul");
    assert.equal(diags.items.length, 0);
    const files = program.body.filter((s) => s.kind !== "Import").map((s) => path.basename(s.span.file.path));
    assert.deepEqual(files, ["a.tul", "b.tul", "main.tul"]);
    for (const s of program.body) if (s.kind === "Import") assert.ok(s.target);
    checkProgram(program, diags);
    assert.equal(diags.items.length, 0);
  });
});

test("modules: a missing module names the import chain", () => {
  withFiles({ "main.tul": 'import "./lib/a.tul";\n', "lib/a.tul": 'import "./gone.tul";\n' }, (dir) => {
    const { diags } = load(dir, "main.tul");
    assert.deepEqual(diags.items.map((d) => d.message), ["cannot find module './gone.tul' (imported from main.tul -> lib/a.tul)"]);
    assert.equal(path.basename(diags.items[0].span.file.path), "a.tul");
  });
});

test("modules: a cycle names the chain", () => {
  withFiles({ "main.tul": 'import "./a.tul";\n', "a.tul": 'import "./b.tul";\n', "b.tul": 'import "./a.tul";\n' }, (dir) => {
    const { diags } = load(dir, "main.tul");
    assert.deepEqual(diags.items.map((d) => d.message), ["import cycle: a.tul -> b.tul -> a.tul"]);
  });
});
