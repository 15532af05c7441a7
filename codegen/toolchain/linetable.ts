// Call-site tables for runtimes without libdw (macOS; Linux with -DTULPAR_WITH_LIBDW=OFF): reads the
// compiled program object's calls (llvm-objdump) and their `.tul` frames (llvm-symbolizer, inlined calls
// expanded) and writes them as LLVM IR (compiled in the link command) whose constructor hands the table
// to the runtime (trace.c). See "Errors" in docs/decisions.md.
//
// Rows count from an anchor, a global function of the same section: user functions are internal, so
// the table cannot name them, but the linker keeps a section's code together; `checkLayout` verifies
// that on Mach-O executables. CLI (CMake's trace tests): node linetable.js <obj> <out.o> <clang> [args...]

import { spawnSync } from "node:child_process";
import { existsSync, realpathSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

export class LineTableError extends Error {}

interface Sym { name: string; section: string; addr: number; global: boolean; func: boolean }
interface Call { section: string; ret: number }
interface Frame { fn: string; file: string; line: number }
interface Row { ret: number; frames: Frame[] }
interface Table { section: string; anchor: Sym; rows: Row[] }
interface ObjectInfo { macho: boolean; syms: Sym[]; calls: Call[] }

/** The functions of a table's section as offsets from its anchor, for `checkLayout`. */
export interface Layout { anchor: string; offsets: Map<string, number> }

/** What `writeLineTable` reports: the layout the table assumes, and whether the object is Mach-O. */
export interface LineTable { layout: Layout[]; macho: boolean }

// ---- tools ----

/** The directory clang lives in after symlinks (Debian /usr/lib/llvm-14/bin, Homebrew's llvm@14 keg). */
function clangDir(clang: string): string | undefined {
  const dirs = clang.includes("/") ? [""] : (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  for (const d of dirs) {
    const p = d ? path.join(d, clang) : clang;
    if (existsSync(p)) return path.dirname(realpathSync(p));
  }
  return undefined;
}

/** An LLVM tool of clang's installation (`llvm-symbolizer` beside the real clang binary). */
export function llvmTool(clang: string, name: string): string {
  const dir = clangDir(clang);
  if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  const version = /-(\d+)$/.exec(path.basename(clang));
  return version ? `${name}-${version[1]}` : name;
}

function run(tool: string, args: string[], input?: string): string {
  const r = spawnSync(tool, args, { encoding: "utf8", input, maxBuffer: 1 << 28 });
  if (r.error) throw new LineTableError(`${tool} not found (needed for traces without libdw); run ./scripts/setup.sh`);
  if (r.status !== 0) throw new LineTableError(`${tool} failed: ${r.stderr}`);
  return r.stdout;
}

// ---- reading the object ----

const SYMBOL = /^([0-9a-f]+) (.{7}) (\S+)\s+(?:[0-9a-f]+\s+)?(\S+)$/;
const SECTION = /^Disassembly of section (.+):$/;
const INSN = /^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(\S+)/;
/** Call instructions: x86-64 call/callq, AArch64 bl/blr (and the arm64e variants). */
const CALL = /^(callq?|bl|blr|blraa|blrab|blraaz|blrabz)$/;

/** Symbols and call sites (their return addresses) of an object, from `llvm-objdump -t -d`. */
function readObject(clang: string, obj: string): ObjectInfo {
  const out = run(llvmTool(clang, "llvm-objdump"), ["-t", "-d", obj]);
  const info: ObjectInfo = { macho: /file format mach-o/.test(out), syms: [], calls: [] };
  let section = "";
  for (const line of out.split("\n")) {
    const s = SYMBOL.exec(line);
    if (s && s[3] !== "*UND*" && s[3] !== "*ABS*") {
      const flags = s[2];
      info.syms.push({ name: s[4], section: s[3], addr: parseInt(s[1], 16), global: flags[0] === "g", func: flags[6] === "F" });
      continue;
    }
    const sec = SECTION.exec(line);
    if (sec) { section = sec[1]; continue; }
    const insn = INSN.exec(line);
    if (insn && CALL.test(insn[3])) {
      const bytes = insn[2].trim().split(" ").length;
      info.calls.push({ section, ret: parseInt(insn[1], 16) + bytes });
    }
  }
  return info;
}

/** A section's anchor: tul_user_main, else its first global function. */
function anchorOf(info: ObjectInfo, section: string): Sym | undefined {
  const globals = info.syms.filter((s) => s.section === section && s.global && s.func);
  const plain = (s: Sym) => (info.macho ? s.name.replace(/^_/, "") : s.name);
  return globals.find((s) => plain(s) === "tul_user_main") ?? globals.sort((a, b) => a.addr - b.addr)[0];
}

// ---- symbolizing ----

/** A function's Tulpar name from its DWARF or symbol name (as trace.c's tulpar_name). */
function tulparName(sym: string): string {
  if (sym === "tul_user_main") return "<main>";
  return sym.startsWith("tul_fn_") ? sym.slice(7) : sym;
}

interface SymbolizerFrame { FunctionName?: string; FileName?: string; Line?: number }

/** llvm-symbolizer's inlined frames for each address (JSON lines), with DWARF's function names. */
function symbolize(clang: string, obj: string, addrs: number[]): SymbolizerFrame[][] {
  if (addrs.length === 0) return [];
  const input = addrs.map((a) => `0x${a.toString(16)}`).join("\n") + "\n";
  const out = run(llvmTool(clang, "llvm-symbolizer"), [`--obj=${obj}`, "--inlining", "--output-style=JSON", "--functions=short"], input);
  const lines = out.split("\n").filter((l) => l.trim());
  if (lines.length !== addrs.length) throw new LineTableError(`llvm-symbolizer answered ${lines.length} of ${addrs.length} addresses`);
  return lines.map((l) => (JSON.parse(l) as { Symbol?: SymbolizerFrame[] }).Symbol ?? []);
}

/** The function symbol holding `addr` in `section` (what libdw's dwfl_module_addrname gives). */
function symbolAt(info: ObjectInfo, section: string, addr: number): string | undefined {
  let best: Sym | undefined;
  for (const s of info.syms) {
    if (s.section === section && s.func && s.addr <= addr && (!best || s.addr > best.addr) && !/^l?tmp\d/.test(s.name)) best = s;
  }
  return best && (info.macho ? best.name.replace(/^_/, "") : best.name);
}

/** The `.tul` frames of each call, innermost first: DWARF names; the outermost (the function holding
 *  the call) from the symbol table when the DWARF has none (line tables only). */
function framesOf(clang: string, obj: string, info: ObjectInfo): Frame[][] {
  const addrs = info.calls.map((c) => c.ret - 1); // inside the call instruction
  return symbolize(clang, obj, addrs).map((frames, i) =>
    frames.flatMap((f, k): Frame[] => {
      let name = f.FunctionName && f.FunctionName !== "??" ? f.FunctionName : undefined;
      if (!name && k === frames.length - 1) name = symbolAt(info, info.calls[i].section, addrs[i]);
      return f.FileName?.endsWith(".tul") ? [{ fn: tulparName(name ?? "<unknown>"), file: f.FileName, line: f.Line ?? 0 }] : [];
    }),
  );
}

/** One table per code section holding calls into `.tul` frames. */
function buildTables(clang: string, obj: string, info: ObjectInfo): Table[] {
  const frames = framesOf(clang, obj, info);
  const tables = new Map<string, Table>();
  info.calls.forEach((c, i) => {
    if (frames[i].length === 0) return;
    let t = tables.get(c.section);
    if (!t) {
      const anchor = anchorOf(info, c.section);
      if (!anchor) throw new LineTableError(`section ${c.section} of ${obj} has no global function to count from`);
      t = { section: c.section, anchor, rows: [] };
      tables.set(c.section, t);
    }
    t.rows.push({ ret: c.ret, frames: frames[i] });
  });
  return [...tables.values()];
}

// ---- writing the table object (LLVM IR, compiled by clang) ----

class Strings {
  private readonly at = new Map<string, number>();
  private bytes: number[] = [];
  id(s: string): number {
    let i = this.at.get(s);
    if (i === undefined) {
      i = this.bytes.length;
      this.at.set(s, i);
      for (const b of Buffer.from(s, "utf8")) this.bytes.push(b);
      this.bytes.push(0);
    }
    return i;
  }
  ir(): string {
    const body = this.bytes.map((b) => (b >= 32 && b < 127 && b !== 34 && b !== 92 ? String.fromCharCode(b) : `\\${b.toString(16).padStart(2, "0")}`)).join("");
    return `[${this.bytes.length} x i8] c"${body}"`;
  }
}

function i32Array(values: number[]): string {
  return `[${values.length} x i32] [${values.map((v) => `i32 ${v}`).join(", ")}]`;
}

const gep = (ty: string, name: string) => `getelementptr (${ty}, ${ty}* @${name}, i64 0, i64 0)`;

/** LLVM IR for the tables and a constructor registering each with tul__trace_add_lines. */
function tablesIr(tables: Table[], macho: boolean): string {
  const strings = new Strings();
  const out: string[] = ["%tul.lines = type { i8*, i64, i32*, i32*, i8* }", "declare void @tul__trace_add_lines(%tul.lines*)"];
  const anchors = new Set<string>();
  tables.forEach((t, k) => {
    const anchor = JSON.stringify(macho ? t.anchor.name.replace(/^_/, "") : t.anchor.name);
    if (!anchors.has(anchor)) out.push(`declare void @${anchor}()`);
    anchors.add(anchor);
    const rows: number[] = [], frames: number[] = [];
    for (const r of [...t.rows].sort((a, b) => a.ret - b.ret)) {
      rows.push(r.ret - t.anchor.addr, frames.length / 3, r.frames.length);
      for (const f of r.frames) frames.push(strings.id(f.fn), strings.id(f.file), f.line);
    }
    const rowsTy = `[${rows.length} x i32]`, framesTy = `[${frames.length} x i32]`;
    out.push(`@tul.lines.rows.${k} = private constant ${i32Array(rows)}`);
    out.push(`@tul.lines.frames.${k} = private constant ${i32Array(frames)}`);
    out.push(`@tul.lines.${k} = private constant %tul.lines { i8* bitcast (void ()* @${anchor} to i8*), i64 ${rows.length / 3}, ` +
      `i32* ${gep(rowsTy, `tul.lines.rows.${k}`)}, i32* ${gep(framesTy, `tul.lines.frames.${k}`)}, i8* STRINGS }`);
  });
  const strTy = strings.ir().split(" c\"")[0];
  out.push(`@tul.lines.strings = private constant ${strings.ir()}`);
  const ir = out.map((l) => l.replace("STRINGS", gep(strTy, "tul.lines.strings")));
  ir.push("define internal void @tul.lines.init() {");
  tables.forEach((_, k) => ir.push(`  call void @tul__trace_add_lines(%tul.lines* @tul.lines.${k})`));
  ir.push("  ret void", "}");
  ir.push("@llvm.global_ctors = appending global [1 x { i32, void ()*, i8* }] [{ i32, void ()*, i8* } { i32 65535, void ()* @tul.lines.init, i8* null }]");
  return ir.join("\n") + "\n";
}

/** The layout the table assumes: each function of a table's section as an offset from its anchor. */
function layoutOf(info: ObjectInfo, tables: Table[]): Layout[] {
  return tables.map((t) => ({
    anchor: t.anchor.name,
    offsets: new Map(info.syms.filter((s) => s.section === t.section && s.func && !/^l?tmp\d/.test(s.name)).map((s) => [s.name, s.addr - t.anchor.addr])),
  }));
}

/** Writes `outLl`, the call-site table of `obj` as LLVM IR (clang compiles it, in the link command). */
export function writeLineTable(obj: string, outLl: string, clang: string): LineTable {
  const info = readObject(clang, obj);
  const tables = buildTables(clang, obj, info);
  writeFileSync(outLl, tablesIr(tables, info.macho));
  return { layout: layoutOf(info, tables), macho: info.macho };
}

/** Checks that the linker kept each table section's functions where the table counts them. ELF
 *  linkers never split an input section, so only Mach-O (ld64 places each function as an atom)
 *  is checked, with one `llvm-objdump -t` of the executable. */
export function checkLayout(exe: string, clang: string, table: LineTable): void {
  const layouts = table.layout;
  if (layouts.length === 0 || !table.macho) return;
  const addr = new Map<string, number | null>(); // null: a name several symbols share
  for (const line of run(llvmTool(clang, "llvm-objdump"), ["-t", exe]).split("\n")) {
    const s = SYMBOL.exec(line);
    if (s && s[3] !== "*UND*") addr.set(s[4], addr.has(s[4]) ? null : parseInt(s[1], 16));
  }
  for (const l of layouts) {
    const base = addr.get(l.anchor);
    for (const [name, off] of l.offsets) {
      const at = addr.get(name);
      if (base == null || (at != null && at - base !== off)) {
        throw new LineTableError(`the linker moved ${name} relative to ${l.anchor}: the call-site table would be wrong`);
      }
    }
  }
}

function main(argv: string[]): void {
  const [obj, out, clang, ...args] = argv;
  if (!obj || !out || !clang) {
    console.error("usage: node linetable.js <object> <out.o> <clang> [clang args...]");
    process.exitCode = 2;
    return;
  }
  try {
    const ll = out.replace(/\.o$/, "") + ".ll";
    writeLineTable(obj, ll, clang);
    const r = spawnSync(clang, [...args, "-Wno-override-module", "-c", ll, "-o", out], { encoding: "utf8" });
    if (r.error || r.status !== 0) throw new LineTableError(`compiling the call-site table failed: ${r.stderr ?? r.error}`);
  } catch (e) {
    console.error(`linetable: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
