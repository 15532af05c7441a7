// Type-based alias info for array accesses, added to the IR text (the bindings cannot attach
// metadata): array header loads (`len`, `data`, only ever written by the runtime) and element
// accesses get distinct TBAA tags, so a store into a bool[] no longer forces LLVM to reload the
// header on every iteration. Instructions are recognised by their value names (tul.len, tul.data,
// tul.elem), which no Tulpar identifier can collide with.

export const LEN_NAME = "tul.len";
export const DATA_NAME = "tul.data";
export const ELEM_NAME = "tul.elem";

/** Element tags by memory type, as offsets from the metadata base (see metadata()). */
const ELEM_TAGS: Record<string, number> = { i8: 13, i64: 14, double: 15, "i8*": 16 };

/** The type tree and access tags, numbered from `base` (above every id the module already uses:
 *  a large program has more than 9,000 metadata nodes of its own). */
function metadata(base: number): string[] {
  const id = (k: number): string => `!${base + k}`;
  return [
    `${id(0)} = !{!"tulpar tbaa"}`,
    `${id(1)} = !{!"tul_arr.len", ${id(0)}, i64 0}`,
    `${id(2)} = !{!"tul_arr.data", ${id(0)}, i64 0}`,
    `${id(3)} = !{!"elem i8", ${id(0)}, i64 0}`,
    `${id(4)} = !{!"elem i64", ${id(0)}, i64 0}`,
    `${id(5)} = !{!"elem double", ${id(0)}, i64 0}`,
    `${id(6)} = !{!"elem ptr", ${id(0)}, i64 0}`,
    ...[1, 2, 3, 4, 5, 6].map((k) => `${id(k + 10)} = !{${id(k)}, ${id(k)}, i64 0}`),
  ];
}

/** Tag offset for a recognised load or store (11: len, 12: data, 13..16: elements). */
function tagFor(line: string): number | null {
  if (/^\s+%tul\.len\d* = load i64, /.test(line)) return 11;
  if (/^\s+%tul\.data\d* = load i8\*, /.test(line)) return 12;
  if (!/\* %tul\.elem\d*, align/.test(line)) return null;
  const m = /^\s+(?:%\S+ = load (\S+), |store (\S+) )/.exec(line);
  const ty = m ? m[1] ?? m[2] : null;
  return ty ? ELEM_TAGS[ty] ?? null : null;
}

/** One more than the largest metadata id the lines define (valid IR refers to no other; LLVM
 *  prints the definitions last, so the scan starts at the end). */
export function nextMetadataId(lines: string[]): number {
  let max = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line.startsWith("!")) {
      if (line.startsWith("define ") || line === "}") break; // past the metadata at the end
      continue;
    }
    const m = /^!(\d+) = /.exec(line);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

/** Adds `!tbaa` to the recognised loads and stores and appends the type tree. */
export function addTbaa(text: string): string {
  return addTbaaIn(text.split("\n")).join("\n");
}

/** addTbaa on the module's lines (a new array, or the same one when nothing is tagged). */
export function addTbaaIn(all: string[]): string[] {
  const base = nextMetadataId(all);
  const lines = all.map((line) => withTbaaTag(line, base));
  return appendTbaaTree(lines, base, lines.some((l, i) => l !== all[i])) ? lines : all;
}

/** A line with its `!tbaa` tag (numbered from `base`) when it is a recognised access; else the line. */
export function withTbaaTag(line: string, base: number): string {
  if (!line.includes("%tul.") || line.includes("!tbaa") || line.includes(" volatile ")) return line;
  const tag = tagFor(line);
  return tag === null ? line : `${line}, !tbaa !${base + tag}`;
}

/** Appends the type tree (numbered from `base`) when some line was `tagged`; returns `tagged`. */
export function appendTbaaTree(lines: string[], base: number, tagged: boolean): boolean {
  if (!tagged) return false;
  for (const m of metadata(base)) lines.push(m);
  lines.push("");
  return true;
}
