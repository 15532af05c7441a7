// A grammar-based generator of Tulpar programs for the differential fuzz (differential.mjs):
// seeded and deterministic, it writes well-typed programs (globals, functions with and without
// recursion, closures, structs, async functions, loops, arrays, strings, t-strings, match, try/catch
// around throwing operations) whose work is bounded, and, when asked, one type error at a known line.
// Usage: import { generate } from "./generate.mjs"; generate(seed, { broken }) -> { source, errorLine }

/** mulberry32: a small seeded PRNG with a good spread. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRS = ["", "a", "abc", "Tulpar", "çay", "日本", "😀!", "x y", "42", "-7", "3.5", "true", "a,b,c", "\\n", "\\t", "\\\\", "\\u{1F600}"];
const INTS = ["0", "1", "-1", "2", "3", "7", "10", "42", "-100", "255", "1000003", "9223372036854775807", "-9223372036854775807", "0xFF", "0b1011", "1_000"];
const FLOATS = ["0.0", "0.5", "1.5", "-2.25", "3.14159", "1e9", "2.5e-3", "100.0", "-0.0", "1e300"];

class Gen {
  constructor(seed) {
    this.r = prng(seed);
    this.lines = [];
    this.indent = 0;
    this.n = 0;       // fresh-name counter
    this.scopes = [[]]; // [{name, type, mutable}]
    this.funcs = [];  // {name, params: [types], ret}
    this.inFunc = false;
    this.loopDepth = 0;
  }
  int(n) { return Math.floor(this.r() * n); }
  chance(p) { return this.r() < p; }
  pick(xs) { return xs[this.int(xs.length)]; }
  fresh(p) { return `${p}${this.n++}`; }
  emit(s) { this.lines.push("    ".repeat(this.indent) + s); }
  vars(type, mutable = false) {
    return this.scopes.flat().filter((v) => v.type === type && (!mutable || v.mutable));
  }
  declare(name, type, mutable = true) { this.scopes[this.scopes.length - 1].push({ name, type, mutable }); }
  block(body) {
    this.scopes.push([]);
    this.indent++;
    body();
    this.indent--;
    this.scopes.pop();
  }

  // ---- expressions, by type; d bounds the depth
  expr(type, d = 0) {
    switch (type) {
      case "int": return this.intExpr(d);
      case "float": return this.floatExpr(d);
      case "str": return this.strExpr(d);
      case "bool": return this.boolExpr(d);
      case "int[]": return this.arrExpr(d);
    }
    throw new Error(`no expressions of type ${type}`);
  }
  leafOr(type, lits, d) {
    const vs = this.vars(type);
    if (vs.length && this.chance(0.5)) return this.pick(vs).name;
    return this.pick(lits);
  }
  intExpr(d) {
    if (d > 3 || this.chance(0.3)) return this.leafOr("int", INTS, d);
    const a = () => this.intExpr(d + 1);
    switch (this.int(12)) {
      case 0: case 1: return `(${a()} ${this.pick(["+", "-", "*"])} ${a()})`;
      case 2: { const x = a(); return `(${a()} ${this.pick(["/", "%"])} (${x} == 0 ? 1 : ${x}))`; }
      case 3: return `(${a()} ${this.pick(["&", "|", "^"])} ${a()})`;
      case 4: return `(${a()} ${this.pick(["<<", ">>"])} (${a()} & 15))`;
      case 5: return `len(${this.strExpr(d + 1)})`;
      case 6: return `(${this.boolExpr(d + 1)} ? ${a()} : ${a()})`;
      case 7: return `${this.pick(["abs", "-"])}(${a()})`;
      case 8: return `${this.pick(["min", "max"])}(${a()}, ${a()})`;
      case 9: {
        const fs = this.funcs.filter((f) => f.ret === "int");
        if (!fs.length) return a();
        const f = this.pick(fs);
        const args = f.params.map((t) => this.expr(t, d + 2));
        return f.bounded ? `${f.name}((${args[0]}) & 31)` : `${f.name}(${args.join(", ")})`;
      }
      case 10: return `${this.pick(["floor", "round", "ceil"])}(${this.floatExpr(d + 1)} / 1e3)`;
      default: { const arrs = this.vars("int[]"); return arrs.length ? `len(${this.pick(arrs).name})` : a(); }
    }
  }
  floatExpr(d) {
    if (d > 3 || this.chance(0.35)) return this.leafOr("float", FLOATS, d);
    const a = () => this.floatExpr(d + 1);
    switch (this.int(6)) {
      case 0: case 1: return `(${a()} ${this.pick(["+", "-", "*", "/"])} ${a()})`;
      case 2: return `(${this.intExpr(d + 1)} * ${a()})`;
      case 3: return `toFloat(${this.intExpr(d + 1)})`;
      case 4: return `sqrt(abs(${a()}))`;
      default: return `(${this.boolExpr(d + 1)} ? ${a()} : ${a()})`;
    }
  }
  strExpr(d) {
    if (d > 3 || this.chance(0.3)) return this.leafOr("str", STRS.map((s) => `"${s}"`), d);
    const a = () => this.strExpr(d + 1);
    switch (this.int(9)) {
      case 0: case 1: return `(${a()} + ${a()})`;
      case 2: return `(${a()} + ${this.pick([() => this.intExpr(d + 1), () => this.floatExpr(d + 1), () => this.boolExpr(d + 1)])()})`;
      case 3: return `t"<{${this.intExpr(d + 1)}}|{${a()}}>"`;
      case 4: return `${this.pick(["upper", "lower", "trim"])}(${a()})`;
      case 5: return `substring(${a()}, ${this.int(3)}, ${this.int(6)})`;
      case 6: return `repeat(${a()}, ${this.int(3)})`;
      case 7: return `toString(${this.intExpr(d + 1)})`;
      default: return `replace(${a()}, "a", ${a()})`;
    }
  }
  boolExpr(d) {
    if (d > 3 || this.chance(0.25)) return this.leafOr("bool", ["true", "false"], d);
    switch (this.int(6)) {
      case 0: return `(${this.intExpr(d + 1)} ${this.pick(["<", "<=", "==", "!=", ">", ">="])} ${this.intExpr(d + 1)})`;
      case 1: return `(${this.floatExpr(d + 1)} ${this.pick(["<", ">", "=="])} ${this.floatExpr(d + 1)})`;
      case 2: return `(${this.strExpr(d + 1)} ${this.pick(["==", "!=", "<"])} ${this.strExpr(d + 1)})`;
      case 3: return `(${this.boolExpr(d + 1)} ${this.pick(["&&", "||"])} ${this.boolExpr(d + 1)})`;
      case 4: return `!${this.boolExpr(d + 1)}`;
      default: return `contains(${this.strExpr(d + 1)}, ${this.pick(STRS.slice(1, 6).map((s) => `"${s}"`))})`;
    }
  }
  arrExpr(d) {
    const vs = this.vars("int[]");
    if (vs.length && this.chance(0.4)) return this.pick(vs).name;
    const n = this.int(5);
    return `[${Array.from({ length: n }, () => this.intExpr(d + 2)).join(", ")}]`;
  }
  anyExpr() { return this.expr(this.pick(["int", "int", "float", "str", "str", "bool", "int[]"])); }

  // ---- statements
  stmts(n, d) { for (let i = 0; i < n; i++) this.stmt(d); }
  stmt(d) {
    const k = this.int(d >= 2 ? 6 : 12);
    switch (k) {
      case 0: case 1: { const t = this.pick(["int", "float", "str", "bool", "int[]"]); const v = this.fresh("v"); this.emit(`${t} ${v} = ${this.expr(t)};`); this.declare(v, t); return; }
      case 2: { const vs = [...this.vars("int", true), ...this.vars("str", true)]; if (!vs.length) return this.stmt(d); const v = this.pick(vs); this.emit(`${v.name} ${this.pick(["=", "+="])} ${this.expr(v.type)};`); return; }
      case 3: case 4: this.emit(`print(${Array.from({ length: 1 + this.int(3) }, () => this.anyExpr()).join(", ")});`); return;
      case 5: { const as = this.vars("int[]"); if (!as.length) return this.stmt(d); this.emit(`push(${this.pick(as).name}, ${this.intExpr(1)});`); return; }
      case 6: this.emit(`if (${this.boolExpr(0)}) {`); this.block(() => this.stmts(1 + this.int(3), d + 1));
        if (this.chance(0.5)) { this.emit("} else {"); this.block(() => this.stmts(1 + this.int(2), d + 1)); }
        this.emit("}"); return;
      case 7: { if (this.inFunc) return this.stmt(d); const i = this.fresh("i"); this.emit(`for (int ${i} = 0; ${i} < ${1 + this.int(4)}; ${i}++) {`);
        this.loopDepth++; this.block(() => { this.declare(i, "int", false); this.stmts(1 + this.int(3), d + 1); if (this.chance(0.3)) this.emit(`if (${this.boolExpr(1)}) { break; }`); }); this.loopDepth--; this.emit("}"); return; }
      case 8: { if (this.inFunc) return this.stmt(d); const as = this.vars("int[]"); if (!as.length) return this.stmt(d); const x = this.fresh("x"), acc = this.fresh("s");
        this.emit(`int ${acc} = 0;`); this.emit(`for (${x} in ${this.pick(as).name}) {`); this.indent++; this.emit(`${acc} = ${acc} * 31 + ${x};`); this.indent--; this.emit("}"); this.emit(`print("sum", ${acc});`); return; }
      case 9: this.tryStmt(d); return;
      case 10: this.emit(`print(match (${this.intExpr(1)} % 4) { 0 => "zero", 1 .. 2 => "small", _ => "other" });`); return;
      default: { const v = this.fresh("w"); if (this.inFunc) return this.stmt(d); this.emit(`int ${v} = 0;`); this.emit(`while (${v} < ${1 + this.int(3)}) {`);
        this.loopDepth++; this.block(() => { this.emit(`${v}++;`); this.stmts(1 + this.int(2), d + 1); }); this.loopDepth--; this.emit("}"); return; }
    }
  }
  /** A try whose body may throw: a thrown value, a division by zero, an index, a conversion. */
  tryStmt(d) {
    this.emit("try {");
    this.block(() => {
      this.stmts(this.int(2), d + 1);
      const as = this.vars("int[]");
      switch (this.int(5)) {
        case 0: this.emit(`throw ${this.pick([() => this.intExpr(1), () => this.strExpr(1)])()};`); break;
        case 1: this.emit(`print(${this.intExpr(1)} / ${this.pick(["0", this.intExpr(2)])});`); break;
        case 2: this.emit(as.length ? `print(${this.pick(as).name}[${this.intExpr(2)} % 8]);` : `print(toInt(${this.strExpr(1)}));`); break;
        case 3: this.emit(`print(toInt(${this.strExpr(1)}));`); break;
        default: this.emit(`print(toFloat(${this.strExpr(1)}));`);
      }
    });
    this.emit("} catch (e) {");
    this.block(() => this.emit(`print("caught", e);`));
    if (this.chance(0.4)) { this.emit("} finally {"); this.block(() => this.emit(`print("finally");`)); }
    this.emit("}");
  }

  // ---- top level
  func() {
    const name = this.fresh("f"), ps = Array.from({ length: 1 + this.int(3) }, () => this.pick(["int", "str", "float"]));
    const params = ps.map((t, i) => ({ name: `p${i}`, type: t }));
    this.emit(`func ${name}(${params.map((p) => `${p.type} ${p.name}`).join(", ")}): int {`);
    this.inFunc = true;
    this.block(() => {
      for (const p of params) this.declare(p.name, p.type, false);
      this.stmts(this.int(3), 1);
      this.emit(`return ${this.intExpr(0)};`);
    });
    this.inFunc = false;
    this.emit("}");
    this.funcs.push({ name, params: ps, ret: "int" });
  }
  recursive() {
    const name = this.fresh("r"), op = this.pick(["+", "*", "^", "-"]);
    this.emit(`func ${name}(int n): int {`);
    this.indent++;
    this.emit(`if (n <= 0) { return ${this.pick(INTS.slice(0, 8))}; }`);
    this.emit(`return ${name}(n - 1) ${op} n;`);
    this.indent--;
    this.emit("}");
    this.funcs.push({ name, params: ["int"], ret: "int", bounded: true }); // calls pass n & 31
    this.emit(`print("${name}", ${name}(${this.int(50)}));`);
  }
  program() {
    this.emit(`// generated`);
    this.emit("struct Pt { int x; str s; }");
    for (let i = 0, n = this.int(3); i < n; i++) { const g = this.fresh("g"), t = this.pick(["int", "str", "float"]); this.emit(`${t} ${g} = ${this.expr(t)};`); this.declare(g, t); }
    for (let i = 0, n = this.int(4); i < n; i++) this.func();
    if (this.chance(0.5)) this.recursive();
    if (this.chance(0.5)) {
      const c = this.fresh("c"), k = this.intExpr(1);
      this.emit(`var ${c} = (int x) => x * 3 + ${k};`);
      this.emit(`print("${c}", ${c}(${this.intExpr(1)}), ${c}(${c}(2)));`);
    }
    if (this.chance(0.4)) {
      const p = this.fresh("pt");
      this.emit(`Pt ${p} = { x: ${this.intExpr(1)}, s: ${this.strExpr(1)} };`);
      this.emit(`${p}.x += 1;`);
      this.emit(`print(${p}, ${p}.x, ${p}.s);`);
    }
    if (this.chance(0.4)) {
      const a = this.fresh("a");
      this.emit(`async func ${a}(int n): int { await sleep_async(0); return n * 2 + 1; }`);
      this.emit(`print("${a}", await ${a}(${this.intExpr(1)}), await gather(${a}(1), ${a}(2)));`);
    }
    this.stmts(4 + this.int(8), 0);
    this.emit(`print("end");`);
  }
}

/** A program for `seed`; with broken, one statement with a type error, whose line is errorLine. */
export function generate(seed, { broken = false } = {}) {
  const g = new Gen(seed);
  g.program();
  let errorLine = 0;
  if (broken) {
    const at = 2 + g.int(g.lines.length - 2); // after the struct line; the statement goes at column 1
    const bad = g.pick([`int bad_ = "str";`, `str bad_ = 1 + true;`, `print(undefined_name_);`, `bool bad_ = 1.5;`, `Pt bad_ = 3;`]);
    g.lines.splice(at, 0, bad);
    errorLine = at + 1;
  }
  return { source: g.lines.join("\n") + "\n", errorLine };
}
