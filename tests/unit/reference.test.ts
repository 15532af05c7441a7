// Keeps docs/reference.md and its citations in step: sections are numbered in order, each with its
// anchor; every `docs/reference.md §n` cited in a source comment and every `reference.md#sn` link
// in the docs names a section that exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";

const REFERENCE = path.join(TOOLCHAIN_ROOT, "docs", "reference.md");
const SKIP_DIRS = new Set(["node_modules", "dist", ".git", ".github"]);
const SOURCE_EXT = /\.(ts|mjs|js|c|h|tul|sh|cmake|txt|md)$/;

interface Section {
  number: string;
  line: number;
}

/** The numbered headings (`## 9. Async`, `### 9.3 await`) of the reference, with their lines. */
function sections(text: string): Section[] {
  const out: Section[] = [];
  text.split("\n").forEach((l, i) => {
    const m = /^#{2,3} (\d+(?:\.\d+)?)\.? /.exec(l);
    if (m) out.push({ number: m[1], line: i });
  });
  return out;
}

/** Files under the repository that may cite the reference (build output and dependencies skipped). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith("build")) out.push(...sourceFiles(path.join(dir, e.name)));
    } else if (SOURCE_EXT.test(e.name)) out.push(path.join(dir, e.name));
  }
  return out;
}

/** Section numbers cited as `docs/reference.md §n`, `§n.m` or a range `§a-b`, with where they occur. */
function citations(file: string): { number: string; where: string }[] {
  const text = readFileSync(file, "utf8");
  const out: { number: string; where: string }[] = [];
  const re = /docs\/reference\.md §(\d+(?:\.\d+)?)(?:[-–](\d+(?:\.\d+)?))?/g;
  for (let m; (m = re.exec(text)); ) {
    const where = `${path.relative(TOOLCHAIN_ROOT, file)}:${text.slice(0, m.index).split("\n").length}`;
    out.push({ number: m[1], where });
    if (m[2]) out.push({ number: m[2], where });
  }
  return out;
}

const refText = readFileSync(REFERENCE, "utf8");
const numbered = sections(refText);
const known = new Set(numbered.map((s) => s.number));

test("reference: sections 1 to 19 exist, numbered in order, each with its anchor", () => {
  const lines = refText.split("\n");
  let top = 0, sub = 0;
  for (const s of numbered) {
    const [major, minor] = s.number.split(".").map(Number);
    if (minor === undefined) {
      assert.equal(major, top + 1, `section ${s.number} follows section ${top}`);
      top = major;
      sub = 0;
    } else {
      assert.ok(major === top && minor === sub + 1, `subsection ${s.number} follows ${top}.${sub}`);
      sub = minor;
    }
    assert.equal(lines[s.line - 1], `<a id="s${s.number}"></a>`, `the line before section ${s.number} is its anchor`);
  }
  for (let n = 1; n <= 19; n++) assert.ok(known.has(String(n)), `section ${n} exists`);
});

test("reference: every docs/reference.md § cited in the sources exists", () => {
  const cited = sourceFiles(TOOLCHAIN_ROOT).flatMap(citations);
  assert.ok(cited.length >= 10, `found ${cited.length} citations: the scan must see the source comments`);
  const missing = cited.filter((c) => !known.has(c.number)).map((c) => `§${c.number} at ${c.where}`);
  assert.deepEqual(missing, [], "cited sections that docs/reference.md does not have");
});

test("reference: every link to a reference anchor resolves", () => {
  const anchors = new Set([...refText.matchAll(/<a id="(s[\d.]+)"><\/a>/g)].map((m) => m[1]));
  const docs = [path.join(TOOLCHAIN_ROOT, "README.md"), ...sourceFiles(path.join(TOOLCHAIN_ROOT, "docs"))];
  const broken: string[] = [];
  for (const file of docs) {
    const text = readFileSync(file, "utf8");
    const own = file === REFERENCE ? /\]\(#(s[\d.]+)\)/g : /reference\.md#(s[\d.]+)/g;
    for (const m of text.matchAll(own)) if (!anchors.has(m[1])) broken.push(`${path.basename(file)}: #${m[1]}`);
  }
  assert.deepEqual(broken, []);
});
