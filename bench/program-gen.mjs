// The generated program that measures type-checking speed: shared by bench/compile.mjs and the
// checker unit test, so both measure the same code.

/** A program of about `lines` lines: functions with loops, conditionals, arrays and strings. */
export function generateProgram(lines) {
  const out = [];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `func f${i}(int n, str tag = "t${i}"): int {`,
      `    int acc = ${i};`,
      `    int[] xs = [n, n + 1, n * 2];`,
      `    for (int j = 0; j < n; j++) {`,
      `        if (j % 3 == 0 && acc > -1000000) { acc += xs[j % 3] * 2 - j / 2; } else { acc -= 1; }`,
      `    }`,
      `    str s = tag + ":" + toString(acc) + upper("x");`,
      `    return acc + length(s)${i > 0 ? ` + f${i - 1}(n - 1)` : ""};`,
      `}`,
      `print(f${i}(3));`,
    );
  }
  return out.join("\n") + "\n";
}
