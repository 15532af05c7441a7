// The built-in functions' signatures: arity, argument type hints and overload rules that pick the
// exact parameter types (the checker converts every argument to them) and the result type.

import { T, typeEquals, type Type } from "./types.js";

/** The chosen overload: one parameter type per argument, and the result type. */
export interface BuiltinResolution {
  params: Type[];
  result: Type;
}
/** An argument that fits no overload: `want` describes what was expected, e.g. "int or float". */
export interface BuiltinMismatch {
  argIndex: number;
  want: string;
}
export interface BuiltinSpec {
  name: string; // canonical name (Call.target.name)
  min: number;
  max: number; // Infinity for variadic
  /** Type hint for argument i given the arguments before it (types `[]` literals and the like). */
  expected?: (i: number, before: Type[]) => Type | undefined;
  resolve: (args: Type[]) => BuiltinResolution | BuiltinMismatch;
}

const ALIASES = new Map<string, string>([["len", "length"]]);
const TABLE = new Map<string, BuiltinSpec>();

/** The spec of a built-in by the name written in source (aliases resolved), if any. */
export function lookupBuiltin(name: string): BuiltinSpec | undefined {
  return TABLE.get(ALIASES.get(name) ?? name);
}

/** Every canonical built-in name. */
export function builtinNames(): string[] {
  return [...TABLE.keys()];
}

function def(spec: BuiltinSpec): void {
  TABLE.set(spec.name, spec);
}

/** A built-in with one fixed signature; optional trailing parameters from index `min`. */
function fixed(name: string, params: Type[], result: Type, min = params.length): void {
  def({
    name,
    min,
    max: params.length,
    expected: (i) => params[i],
    resolve: (args) => ({ params: params.slice(0, args.length), result }),
  });
}

const k = (t: Type): string => t.k;
const isNum = (t: Type): boolean => t.k === "int" || t.k === "float";
const numOrJson = (t: Type): boolean => isNum(t) || t.k === "json" || t.k === "never";
const scalarOrJson = (t: Type): boolean => ["str", "int", "float", "bool", "json", "never"].includes(k(t));
const strArr = T.array(T.str);

/** One argument, taken as it is (any value). */
function anyValue(name: string, result: Type): void {
  def({ name, min: 1, max: 1, resolve: (args) => ({ params: args, result }) });
}

/** toInt/toFloat/toBool: str, int, float, bool or json. */
function scalarConversion(name: string, result: Type): void {
  def({
    name,
    min: 1,
    max: 1,
    resolve: (args) =>
      scalarOrJson(args[0]) ? { params: args, result } : { argIndex: 0, want: "str, int, float, bool or json" },
  });
}

/** sqrt sin cos log exp: a number, computed as float. */
function floatMath(name: string): void {
  def({
    name,
    min: 1,
    max: 1,
    expected: () => T.float,
    resolve: (args) => (numOrJson(args[0]) ? { params: [T.float], result: T.float } : { argIndex: 0, want: "int or float" }),
  });
}

/** floor ceil round: int stays int (identity), float (or json) -> int. */
function rounding(name: string): void {
  def({
    name,
    min: 1,
    max: 1,
    resolve: (args) => {
      if (args[0].k === "int") return { params: [T.int], result: T.int };
      return numOrJson(args[0]) ? { params: [T.float], result: T.int } : { argIndex: 0, want: "int or float" };
    },
  });
}

/** min max pow: int,int -> int; otherwise float,float -> float. */
function binaryMath(name: string): void {
  def({
    name,
    min: 2,
    max: 2,
    resolve: (args) => {
      const bad = args.findIndex((t) => !numOrJson(t));
      if (bad >= 0) return { argIndex: bad, want: "int or float" };
      if (args[0].k === "int" && args[1].k === "int") return { params: [T.int, T.int], result: T.int };
      return { params: [T.float, T.float], result: T.float };
    },
  });
}

/** contains/indexOf: (str, str), (T[], T) or (json, json). */
function search(name: string, result: Type): void {
  def({
    name,
    min: 2,
    max: 2,
    expected: (i, before) => (i === 1 ? hintForElement(before[0]) : undefined),
    resolve: (args) => {
      const [c] = args;
      if (c.k === "str") return { params: [T.str, T.str], result };
      if (c.k === "array") return { params: [c, c.elem], result };
      if (c.k === "json" || c.k === "never") return { params: [T.json, T.json], result };
      return { argIndex: 0, want: "a str, an array or json" };
    },
  });
}

function hintForElement(t: Type | undefined): Type | undefined {
  if (!t) return undefined;
  if (t.k === "array") return t.elem;
  if (t.k === "str") return T.str;
  return undefined;
}

/**
 * gather(a, b, ...): promise<T[]> when every argument is T or promise<T>, else promise<json[]>
 * (the language contract says json; the value is an array of json values either way, and json[]
 * indexes, prints and boxes exactly like a json array: docs/reference.md §9.5, docs/decisions.md).
 */
function gatherResult(args: Type[]): Type {
  // children that can only throw (never, promise<never>) fit any T
  const inner: Type[] = args.map((t) => (t.k === "promise" ? t.inner : t)).filter((t) => t.k !== "never");
  const first = inner[0];
  const same = first !== undefined && inner.every((t) => typeEquals(t, first));
  const usable = same && first.k !== "void";
  return T.promise(T.array(usable ? first : T.json));
}

/** Promise arguments are passed as they are; the others are converted to the element type. */
function gatherResolve(args: Type[]): BuiltinResolution {
  const result = gatherResult(args) as Type & { k: "promise" };
  const elem = (result.inner as Type & { k: "array" }).elem;
  return { params: args.map((t) => (t.k === "promise" || t.k === "never" ? t : elem)), result };
}

// ---------------------------------------------------------------- I/O and system
def({ name: "print", min: 0, max: Infinity, resolve: (args) => ({ params: args, result: T.void }) });
fixed("input", [], T.str);
fixed("args", [], strArr);
fixed("env", [T.str], T.str);
fixed("exit", [T.int], T.never);
fixed("file_read", [T.str], T.str);
fixed("file_write", [T.str, T.str], T.void);
fixed("file_append", [T.str, T.str], T.void);
fixed("file_exists", [T.str], T.bool);
fixed("clock_ms", [], T.float);
fixed("time_ms", [], T.int);
fixed("sleep", [T.int], T.void);
fixed("sleep_async", [T.int], T.promise(T.void));
def({ name: "gather", min: 0, max: Infinity, resolve: gatherResolve });
fixed("http_request", [T.str, T.str, T.str, T.json], T.json, 3);
fixed("http_request_async", [T.str, T.str, T.str, T.json], T.promise(T.json), 3);

// ---------------------------------------------------------------- conversions
anyValue("toString", T.str);
anyValue("toJson", T.str); // serialises any value to JSON text (the inverse of fromJson)
fixed("fromJson", [T.str], T.json);
scalarConversion("toInt", T.int);
scalarConversion("toFloat", T.float);
scalarConversion("toBool", T.bool);

// ---------------------------------------------------------------- collections
def({
  name: "length",
  min: 1,
  max: 1,
  resolve: (args) =>
    ["str", "array", "json", "never"].includes(args[0].k) ? { params: args, result: T.int } : { argIndex: 0, want: "a str, an array or json" },
});
def({
  name: "push",
  min: 2,
  max: 2,
  expected: (i, before) => (i === 1 ? (before[0]?.k === "array" ? before[0].elem : undefined) : undefined),
  resolve: (args) => {
    const xs = args[0];
    if (xs.k === "array") return { params: [xs, xs.elem], result: T.void };
    if (xs.k === "json" || xs.k === "never") return { params: [T.json, T.json], result: T.void };
    return { argIndex: 0, want: "an array" };
  },
});
def({
  name: "pop",
  min: 1,
  max: 1,
  resolve: (args) => {
    const xs = args[0];
    if (xs.k === "array") return { params: [xs], result: xs.elem };
    if (xs.k === "json" || xs.k === "never") return { params: [T.json], result: T.json };
    return { argIndex: 0, want: "an array" };
  },
});
fixed("range", [T.int, T.int], T.array(T.int), 1);
def({
  name: "slice",
  min: 2,
  max: 3,
  expected: (i) => (i > 0 ? T.int : undefined),
  resolve: (args) => {
    const [xs] = args;
    const ints = args.slice(1).map(() => T.int);
    if (xs.k === "array" || xs.k === "str") return { params: [xs, ...ints], result: xs };
    if (xs.k === "json" || xs.k === "never") return { params: [T.json, ...ints], result: T.json };
    return { argIndex: 0, want: "an array or a str" };
  },
});
def({
  name: "sort",
  min: 1,
  max: 1,
  resolve: (args) => {
    const xs = args[0];
    if (xs.k === "array" && ["int", "float", "str", "bool"].includes(xs.elem.k)) return { params: [xs], result: xs };
    return { argIndex: 0, want: "int[], float[], str[] or bool[]" };
  },
});
search("contains", T.bool);
search("indexOf", T.int);
fixed("keys", [T.json], strArr);

// ---------------------------------------------------------------- strings
fixed("substring", [T.str, T.int, T.int], T.str);
fixed("split", [T.str, T.str], strArr);
fixed("join", [strArr, T.str], T.str);
fixed("replace", [T.str, T.str, T.str], T.str);
fixed("upper", [T.str], T.str);
fixed("lower", [T.str], T.str);
fixed("trim", [T.str], T.str);
fixed("startsWith", [T.str, T.str], T.bool);
fixed("endsWith", [T.str, T.str], T.bool);
fixed("repeat", [T.str, T.int], T.str);

// ---------------------------------------------------------------- math
def({
  name: "abs",
  min: 1,
  max: 1,
  resolve: (args) => {
    if (args[0].k === "int") return { params: [T.int], result: T.int };
    return numOrJson(args[0]) ? { params: [T.float], result: T.float } : { argIndex: 0, want: "int or float" };
  },
});
binaryMath("min");
binaryMath("max");
binaryMath("pow");
rounding("floor");
rounding("ceil");
rounding("round");
for (const f of ["sqrt", "sin", "cos", "log", "exp"]) floatMath(f);
fixed("random", [], T.float);
fixed("randint", [T.int, T.int], T.int);
