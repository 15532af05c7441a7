// Type-based alias info for array accesses, added to the IR text (the bindings cannot attach
// metadata): array header loads (`len`, `data`, only ever written by the runtime) and element
// accesses get distinct TBAA tags, so a store into a bool[] no longer forces LLVM to reload the
// header on every iteration. Instructions are recognised by their value names (tul.len, tul.data,
// tul.elem), which no Tulpar identifier can collide with.

export const LEN_NAME = "tul.len";
export const DATA_NAME = "tul.data";
export const ELEM_NAME = "tul.elem";

const ELEM_TAGS: Record<string, number> = { i8: 9013, i64: 9014, double: 9015, "i8*": 9016 };

const METADATA = [
  '!9000 = !{!"tulpar tbaa"}',
  '!9001 = !{!"tul_arr.len", !9000, i64 0}',
  '!9002 = !{!"tul_arr.data", !9000, i64 0}',
  '!9003 = !{!"elem i8", !9000, i64 0}',
  '!9004 = !{!"elem i64", !9000, i64 0}',
  '!9005 = !{!"elem double", !9000, i64 0}',
  '!9006 = !{!"elem ptr", !9000, i64 0}',
  "!9011 = !{!9001, !9001, i64 0}",
  "!9012 = !{!9002, !9002, i64 0}",
  "!9013 = !{!9003, !9003, i64 0}",
  "!9014 = !{!9004, !9004, i64 0}",
  "!9015 = !{!9005, !9005, i64 0}",
  "!9016 = !{!9006, !9006, i64 0}",
];

function tagFor(line: string): number | null {
  if (/^\s+%tul\.len\d* = load i64, /.test(line)) return 9011;
  if (/^\s+%tul\.data\d* = load i8\*, /.test(line)) return 9012;
  if (!/\* %tul\.elem\d*, align/.test(line)) return null;
  const m = /^\s+(?:%\S+ = load (\S+), |store (\S+) )/.exec(line);
  const ty = m ? m[1] ?? m[2] : null;
  return ty ? ELEM_TAGS[ty] ?? null : null;
}

/** Adds `!tbaa` to the recognised loads and stores and appends the type tree. */
export function addTbaa(text: string): string {
  let used = false;
  const lines = text.split("\n").map((line) => {
    if (line.includes("!tbaa") || line.includes(" volatile ")) return line;
    const tag = tagFor(line);
    if (tag === null) return line;
    used = true;
    return `${line}, !tbaa !${tag}`;
  });
  return used ? [...lines, ...METADATA, ""].join("\n") : text;
}
