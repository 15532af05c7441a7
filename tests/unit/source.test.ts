// Unit tests of frontend/source.ts: line and column of offsets (code points, surrogate pairs,
// lone surrogates) against a direct count, linear time on a long line, and UTF-8 decoding with
// the first invalid sequence located; plus how the CLI reports invalid UTF-8 and NUL bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { decodeSource, firstInvalidUtf8, SourceFile } from "../../frontend/source.js";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";

/** The definition: the line is the count of newlines before the offset, the column the code points since. */
function naive(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const start = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, col: [...before.slice(start)].length + 1 };
}

test("positions count code points: ASCII, accents, astral characters, lone surrogates, CRLF", () => {
  const pieces = ["a", "é", "😀", "\n", "\r\n", "\ud800", "\udc00", "ß", "𝔸x", " "];
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let round = 0; round < 30; round++) {
    let text = "";
    for (let i = 0; i < 60; i++) text += pieces[rand(pieces.length)];
    const file = new SourceFile("x.tul", text);
    for (let off = 0; off <= text.length; off++) assert.deepEqual(file.position(off), naive(text, off), `offset ${off} of ${JSON.stringify(text)}`);
  }
});

test("positions on a 2 MB single line take linear time (was quadratic)", () => {
  const text = "print(1); 😀 ".repeat(150_000);
  const file = new SourceFile("x.tul", text);
  const t0 = process.cpuUsage();
  let sum = 0;
  for (let off = 0; off < text.length; off += 7) sum += file.position(off).col;
  const ms = (process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1000;
  assert.ok(sum > 0);
  assert.deepEqual(file.position(text.length), naive(text, text.length));
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms of CPU for 300k positions`);
});

test("firstInvalidUtf8 finds overlongs, surrogates, stray continuations, truncation, values past U+10FFFF", () => {
  const at = (bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes));
  assert.equal(at([0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]), null);
  assert.deepEqual(at([0x61, 0xff]), { at: 1, length: 1 });
  assert.deepEqual(at([0xc0, 0xaf]), { at: 0, length: 1 }, "overlong 2-byte");
  assert.deepEqual(at([0xe0, 0x80, 0xaf]), { at: 0, length: 1 }, "overlong 3-byte");
  assert.deepEqual(at([0xed, 0xa0, 0x80]), { at: 0, length: 1 }, "UTF-16 surrogate");
  assert.deepEqual(at([0x61, 0x80]), { at: 1, length: 1 }, "stray continuation byte");
  assert.deepEqual(at([0xe2, 0x82]), { at: 0, length: 2 }, "truncated at the end");
  assert.deepEqual(at([0xe2, 0x82, 0x41]), { at: 0, length: 2 }, "truncated before ASCII");
  assert.deepEqual(at([0xf4, 0x90, 0x80, 0x80]), { at: 0, length: 1 }, "past U+10FFFF");
  for (let b = 0; b < 256; b++) {
    const ok = (() => { try { new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from([b, 0x80, 0x80, 0x80])); return true; } catch { return false; } })();
    assert.equal(at([b, 0x80, 0x80, 0x80]) === null, ok, `lead byte 0x${b.toString(16)}`);
  }
});

test("decodeSource locates the first invalid byte in the decoded text", () => {
  const bytes = Buffer.concat([Buffer.from("x = \"é😀\";\ny\n  \""), Buffer.from([0xfe, 0x41])]);
  const { file, invalid } = decodeSource("x.tul", bytes);
  assert.deepEqual(invalid?.bytes, [0xfe]);
  assert.deepEqual(file.position(invalid!.offset), { line: 3, col: 4 });
  assert.equal(file.text.slice(invalid!.offset), "\ufffdA");
});

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");
const dir = mkdtempSync(path.join(tmpdir(), "tulc-source-"));

test("tulc: invalid UTF-8 and NUL bytes are positioned diagnostics, never raw control bytes", async () => {
  const cases: [string, Buffer, RegExp][] = [
    ["bad.tul", Buffer.concat([Buffer.from('int x = 1;\nprint("ab'), Buffer.from([0xff]), Buffer.from('c");\n')]), /bad\.tul:2:10: error: the file is not valid UTF-8: invalid byte 0xff/],
    ["cut.tul", Buffer.concat([Buffer.from('print("'), Buffer.from([0xe2, 0x82])]), /cut\.tul:1:8: error: the file is not valid UTF-8: invalid sequence 0xe2 0x82/],
    ["nul.tul", Buffer.from("print(1);\n  print(\u0000);\n"), /nul\.tul:2:9: error: unexpected character U\+0000/],
    ["esc.tul", Buffer.from("print(1); \u001b[31m\n"), /esc\.tul:1:11: error: unexpected character U\+001B/],
  ];
  for (const [name, bytes, re] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    for (const cmd of ["check", "build"]) {
      const r = await execa(TULC, [cmd, file, "-o", path.join(dir, "out")].slice(0, cmd === "check" ? 2 : 4), { reject: false, env: { XDG_CACHE_HOME: path.join(dir, "cache") } });
      assert.equal(r.exitCode, 1, `${cmd} ${name}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /[\u0000-\u0008\u000b-\u001f]/, "no raw control characters on the terminal");
    }
  }
  const lib = path.join(dir, "lib.tul");
  writeFileSync(lib, Buffer.concat([Buffer.from("int y = 1;\n// "), Buffer.from([0xc0, 0x80]), Buffer.from("\n")]));
  writeFileSync(path.join(dir, "main.tul"), 'import "./lib.tul";\nprint(y);\n');
  const r = await execa(TULC, ["check", path.join(dir, "main.tul")], { reject: false });
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /lib\.tul:2:4: error: the file is not valid UTF-8: invalid byte 0xc0/);
});
