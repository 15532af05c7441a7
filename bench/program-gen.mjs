// The generated programs that measure compiler speed: a Tulpar program of N lines (shared by
// bench/compile.mjs, the checker unit test and the build-scaling test, so all measure the same
// code) and its Go twin (the same functions and output, for `go build` side by side).

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

/** The Go twin of generateProgram(lines): the same functions (the default tag passed explicitly,
 *  length() as a code-point count) and the same output, printed from main. */
export function generateGoProgram(lines) {
  const funcs = [];
  const prints = [];
  for (let i = 0; funcs.length * 10 < lines; i++) {
    funcs.push(
      [
        `func f${i}(n int, tag string) int {`,
        `\tacc := ${i}`,
        `\txs := []int{n, n + 1, n * 2}`,
        `\tfor j := 0; j < n; j++ {`,
        `\t\tif j%3 == 0 && acc > -1000000 {`,
        `\t\t\tacc += xs[j%3]*2 - j/2`,
        `\t\t} else {`,
        `\t\t\tacc -= 1`,
        `\t\t}`,
        `\t}`,
        `\ts := tag + ":" + strconv.Itoa(acc) + strings.ToUpper("x")`,
        `\treturn acc + utf8.RuneCountInString(s)${i > 0 ? ` + f${i - 1}(n-1, "t${i - 1}")` : ""}`,
        `}`,
      ].join("\n"),
    );
    prints.push(`\tfmt.Println(f${i}(3, "t${i}"))`);
  }
  const head = `package main\n\nimport (\n\t"fmt"\n\t"strconv"\n\t"strings"\n\t"unicode/utf8"\n)\n`;
  return `${head}\n${funcs.join("\n\n")}\n\nfunc main() {\n${prints.join("\n")}\n}\n`;
}
