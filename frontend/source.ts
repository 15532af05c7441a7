// Source files and spans: every AST node and diagnostic points into a SourceFile by offsets
// (UTF-16 indexes into the decoded text); line and column are computed on demand.

export class SourceFile {
  private lineStarts: number[] | null = null;
  constructor(public readonly path: string, public readonly text: string) {}

  private starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
    return (this.lineStarts = starts);
  }

  /** 1-based line and column (column counted in code points) of an offset. */
  position(offset: number): { line: number; col: number } {
    const starts = this.starts();
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    const lineText = this.text.slice(starts[lo], offset);
    return { line: lo + 1, col: [...lineText].length + 1 };
  }

  /** The text of a 1-based line, without its newline. */
  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1] ?? this.text.length;
    const end = line < starts.length ? starts[line] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, "");
  }
}

export interface Span {
  file: SourceFile;
  start: number;
  end: number;
}
