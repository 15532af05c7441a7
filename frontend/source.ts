// Source files and spans: every AST node and diagnostic points into a SourceFile by offsets
// (UTF-16 indexes into the decoded text); line and column are computed on demand, in O(log n)
// from two tables built once per file (line starts, and the offsets of surrogate pairs).

export class SourceFile {
  private lineStarts: number[] | null = null;
  /** Offsets of the high halves of surrogate pairs (one code point, two UTF-16 units), ascending. */
  private pairs: number[] | null = null;
  constructor(public readonly path: string, public readonly text: string) {}

  private starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    const pairs: number[] = [];
    const text = this.text;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c >= 0xd800 && c <= 0xdbff) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) pairs.push(i++);
      }
    }
    this.pairs = pairs;
    return (this.lineStarts = starts);
  }

  /** 1-based line and column (column counted in code points) of an offset. */
  position(offset: number): { line: number; col: number } {
    const starts = this.starts();
    const line = lastAtMost(starts, offset);
    const start = starts[line];
    // Code points from the line start to the offset: UTF-16 units minus the pairs wholly before it.
    const pairs = this.pairs!;
    const inside = pairs.length ? firstAtLeast(pairs, offset - 1) - firstAtLeast(pairs, start) : 0;
    return { line: line + 1, col: offset - start - inside + 1 };
  }

  /** The text of a 1-based line, without its newline. */
  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1] ?? this.text.length;
    const end = line < starts.length ? starts[line] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, "");
  }
}

/** Index of the last element <= x in an ascending array whose first element is <= x. */
function lastAtMost(a: number[], x: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a[mid] <= x) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/** Index of the first element >= x in an ascending array (a.length when there is none). */
function firstAtLeast(a: number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export interface Span {
  file: SourceFile;
  start: number;
  end: number;
}


/** A decoded source file; `invalid` locates the first byte sequence that is not UTF-8 (the text
 *  then holds U+FFFD there, so the position can be shown like any other). */
export interface DecodedSource {
  file: SourceFile;
  invalid: { offset: number; bytes: number[] } | null;
}

/** Decodes source bytes as UTF-8 (a leading byte-order mark is dropped). */
export function decodeSource(path: string, bytes: Uint8Array): DecodedSource {
  const bad = firstInvalidUtf8(bytes);
  const text = new TextDecoder("utf-8").decode(bytes);
  if (bad === null) return { file: new SourceFile(path, text), invalid: null };
  const offset = new TextDecoder("utf-8").decode(bytes.subarray(0, bad.at)).length;
  return { file: new SourceFile(path, text), invalid: { offset, bytes: [...bytes.subarray(bad.at, bad.at + bad.length)] } };
}

/** The first ill-formed sequence (start and length, at least 1) in UTF-8 bytes, or null. */
export function firstInvalidUtf8(b: Uint8Array): { at: number; length: number } | null {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return { at: i, length: 1 };
    // The second byte's range excludes overlongs (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    let k = 1;
    for (; k <= n; k++) {
      const d = b[i + k];
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (d === undefined || d < min || d > max) return { at: i, length: k };
    }
    i += n + 1;
  }
  return null;
}
