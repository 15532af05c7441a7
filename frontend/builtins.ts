// The built-in registry: one row per built-in function with its overloads (parameter patterns,
// result), how each overload lowers (a runtime function, or an inline emitter of
// codegen/lower/builtins.ts) and a one-line doc. The checker picks an overload and records it on
// the Call node (Call.target.overload); codegen lowers exactly that overload and never looks at
// argument types again. docs/architecture.md "How to add a built-in" walks through adding a row.

import { T, typeEquals, typeToString, type Type } from "./types.js";
import { D, type Message } from "./messages.js";

// ---------------------------------------------------------------- the row format

/**
 * What an argument position accepts, and the type the argument is converted to:
 * - a Type: any argument, converted to that type (a mismatch is reported by the conversion);
 * - `kinds(...)`: selects the overload when the argument's kind is one of these ("int", "str",
 *   "array", "int[]" for an array of int, "any"); converted to `as`, or kept as it is;
 * - `elemOf(n)`: the element type of argument n (an array or a channel), converted to it;
 * - `fnOf(n, arity, result?)`: a function of `arity` parameters of that element type (a comparator,
 *   a key, map's function); see FnPattern.
 */
export type Pattern = Type | KindsPattern | ElemPattern | FnPattern;
export interface KindsPattern { p: "kinds"; kinds: readonly string[]; as?: Type }
export interface ElemPattern { p: "elem"; of: number }
/**
 * A function argument of `arity` parameters whose types follow from the other arguments (`params`:
 * the element type of an array argument, or reduce's accumulator). Its result is `result` when that
 * is a type (or a function computing it from the arguments); otherwise the function's own result,
 * restricted to the kinds `result` lists, or passed through `own` (map turns a void result into
 * json, so that the conversion reports it). Its hint types a lambda's untyped parameters and a fixed
 * result; an own result is left to inference (docs/reference.md §15.7).
 */
export interface FnPattern {
  p: "fn";
  arity: number;
  params: (args: Type[]) => Type[];
  result?: Type | readonly string[] | ((args: Type[]) => Type);
  own?: (own: Type) => Type;
}

/** A trailing parameter that may be left out; a runtime call passes `missing` in its place. */
export interface Optional { p: "optional"; pattern: Pattern; missing: bigint | null }

/**
 * How an overload lowers. `rt`: a call of a C runtime function with the arguments in order (left
 * out optional ones filled in); its C signature follows from the overload's Tulpar types (int ->
 * int64_t, float -> double, bool -> _Bool, void and never -> void, every other type a pointer;
 * never also makes it noreturn), codegen declares it from here (codegen/lower/abi.ts) and
 * tests/unit/abi.test.ts checks it against the C definition. `inline`: an emitter of
 * codegen/lower/builtins.ts (LLVM instructions, intrinsics or several runtime calls).
 */
export type Lowering = { rt: string } | { inline: InlineEmitter };

/**
 * The inline emitters codegen/lower/builtins.ts provides (its table is a Record over this type, so
 * tsc reports a name without an emitter, and a row naming an emitter that does not exist).
 */
export type InlineEmitter =
  | "print" | "gather" | "race" | "vote" | "toString" | "toJson" | "identity" | "toSelf" | "intToFloat" | "boolToFloat" | "boolToInt"
  | "intToBool" | "floatToBool" | "arrayLength" | "arrayPush" | "arrayPop" | "range" | "arrayContains"
  | "arrayIndexOf" | "absInt" | "absFloat" | "minInt" | "minFloat" | "maxInt" | "maxFloat" | "powFloat"
  | "floor" | "ceil" | "sqrt" | "sin" | "cos" | "log" | "exp" | "eprint" | "formatValue" | "sortBy"
  | "channelNew" | "chanSend" | "chanRecv" | "mapConcurrent"
  | "arrayMap" | "arrayFilter" | "arrayReduce" | "arraySum" | "arrayEach" | "arrayFlatMap" | "arrayChunks"
  | "arrayZip" | "arrayEnumerate";

export interface Overload {
  params: (Pattern | Optional)[];
  /** Any number of further arguments, each matching this pattern (print). */
  rest?: Pattern;
  /** The result type, or a function of the parameter types the arguments were converted to. */
  result: Type | ((params: Type[]) => Type);
  lower: Lowering;
  /** Resolution by code instead of patterns (gather, whose result depends on all its arguments;
   *  channel, whose element type comes from the type the context expects): the parameter and result
   *  types, or a diagnostic. */
  custom?: (args: Type[], expected?: Type) => { params: Type[]; result: Type } | { error: Message };
}

export interface BuiltinRow {
  name: string;
  /** Other names for the same built-in (`len` for `length`). */
  aliases?: string[];
  /** One line for the reference and `docs/builtins.md`. */
  doc: string;
  /** Tried in order; the first whose `kinds` patterns all accept the arguments wins. */
  overloads: Overload[];
  /** What an argument that no overload accepts should have been, e.g. "int or float"; a list says
   *  it per argument position (the last entry serves the positions after it). */
  want?: string | string[];
  /** The type hint for argument i given the arguments before it, when the derived one (see
   *  hintFor) is not what the built-in wants. */
  hint?: (i: number, before: Type[]) => Type | undefined;
  /** Argument `arg`, when a string literal, is a format spec for argument `of`: checked at compile
   *  time with the runtime's own spec parser (frontend/fmtspec.ts). */
  spec?: { arg: number; of: number };
  /** The order in which the checker types the arguments when it is not left to right (reduce types
   *  its initial value before the function, whose accumulator parameter it gives). Evaluation at
   *  run time stays left to right. */
  checkOrder?: number[];
}

/** The overload the checker chose for a call: the parameter type of each argument, the result. */
export interface BuiltinResolution {
  overload: Overload;
  params: Type[];
  result: Type;
}
/** An argument that fits no overload: `want` describes what was expected, e.g. "int or float". */
export interface BuiltinMismatch {
  argIndex: number;
  want: string;
}

// ---------------------------------------------------------------- helpers for rows

const kinds = (...ks: string[]): KindsPattern => ({ p: "kinds", kinds: ks });
const kindsAs = (as: Type, ...ks: string[]): KindsPattern => ({ p: "kinds", kinds: ks, as });
const elemOf = (of: number): ElemPattern => ({ p: "elem", of });
/** The element type of an array or channel type (json for anything else). */
export const elemType = (t: Type | undefined): Type => (t?.k === "array" || t?.k === "channel" ? t.elem : T.json);
const fnOf = (of: number, arity: number, result?: FnPattern["result"], own?: FnPattern["own"]): FnPattern =>
  ({ p: "fn", arity, params: (args) => Array.from({ length: arity }, () => elemType(args[of])), result, own });
const optional = (pattern: Pattern, missing: bigint | null): Optional => ({ p: "optional", pattern, missing });
const rt = (symbol: string): Lowering => ({ rt: symbol });
const inline = (emitter: InlineEmitter): Lowering => ({ inline: emitter });

const ANY = kinds("any");
const JSON_ARG = ["json", "never"]; // an argument that can only throw fits the json overload
const NUMBER = ["int", "float", ...JSON_ARG];
const INT64_MAX = (1n << 63n) - 1n;
const strArr = T.array(T.str);
const HANDLER = T.func([T.json], T.promise(T.json)); // an HTTP server's handler
const elemResult = (params: Type[]): Type => (params[0].k === "array" ? params[0].elem : T.json);
const sameAsFirst = (params: Type[]): Type => params[0];

/** A built-in with one signature lowered to a runtime function. */
function fixed(name: string, params: (Pattern | Optional)[], result: Type, symbol: string, doc: string): BuiltinRow {
  return { name, doc, overloads: [{ params, result, lower: rt(symbol) }] };
}

/** toInt/toFloat/toBool: one overload per scalar kind (and json). */
function conversion(name: string, result: Type, doc: string, by: Record<"int" | "float" | "bool" | "str" | "json", Lowering>): BuiltinRow {
  const overloads = (Object.keys(by) as (keyof typeof by)[]).map((k): Overload => ({
    params: [k === "json" ? kinds(...JSON_ARG) : kinds(k)],
    result,
    lower: by[k],
  }));
  return { name, doc, overloads, want: "str, int, float, bool or json" };
}

/** floor ceil round: int stays int, float (or json) -> int. */
function rounding(name: string, floatLowering: Lowering, doc: string): BuiltinRow {
  return {
    name, doc, want: "int or float",
    overloads: [
      { params: [kinds("int")], result: T.int, lower: inline("identity") },
      { params: [kindsAs(T.float, ...NUMBER)], result: T.int, lower: floatLowering },
    ],
  };
}

/** min max pow: int,int -> int; otherwise float,float -> float. */
function binaryMath(name: string, int: Lowering, float: Lowering, doc: string): BuiltinRow {
  return {
    name, doc, want: "int or float",
    overloads: [
      { params: [kinds("int"), kinds("int")], result: T.int, lower: int },
      { params: [kindsAs(T.float, ...NUMBER), kindsAs(T.float, ...NUMBER)], result: T.float, lower: float },
    ],
  };
}

/** sqrt sin cos log exp: a number, computed as float. */
function floatMath(name: InlineEmitter, doc: string): BuiltinRow {
  return { name, doc, want: "int or float", overloads: [{ params: [kindsAs(T.float, ...NUMBER)], result: T.float, lower: inline(name) }] };
}

/** contains/indexOf: (str, str), (T[], T) or (json, json). */
function search(name: string, result: Type, str: string, array: InlineEmitter, json: string, doc: string): BuiltinRow {
  return {
    name, doc, want: "a str, an array or json",
    overloads: [
      { params: [kinds("str"), T.str], result, lower: rt(str) },
      { params: [kinds("array"), elemOf(0)], result, lower: inline(array) },
      { params: [kinds(...JSON_ARG), T.json], result, lower: rt(json) },
    ],
    hint: (i, before) => (i !== 1 ? undefined : before[0]?.k === "array" ? before[0].elem : before[0]?.k === "str" ? T.str : undefined),
  };
}

/**
 * gather(a, b, ...): promise<T[]> when every argument is T or promise<T>, else promise<json[]>
 * (the language contract says json; the value is an array of json values either way, and json[]
 * indexes, prints and boxes exactly like a json array: docs/reference.md §9.5, docs/decisions.md).
 * Promise arguments are passed as they are; the others are converted to the element type.
 * One argument that is an array of promises gathers its elements (codegen: lowerGather).
 */
function gatherResolve(args: Type[]): { params: Type[]; result: Type } {
  if (isPromiseArray(args)) return { params: args, result: T.promise(T.array(valueElem(promisedElem(args[0])))) };
  // children that can only throw (never, promise<never>) fit any T
  const inner: Type[] = args.map((t) => (t.k === "promise" ? t.inner : t)).filter((t) => t.k !== "never");
  const first = inner[0];
  const same = first !== undefined && inner.every((t) => typeEquals(t, first));
  const elem = same && first.k !== "void" ? first : T.json;
  return { params: args.map((t) => (t.k === "promise" || t.k === "never" ? t : elem)), result: T.promise(T.array(elem)) };
}

/** `gather(ps)` with one promise<T>[] argument: the array form. */
export const isPromiseArray = (args: Type[]): boolean => args.length === 1 && args[0].k === "array" && args[0].elem.k === "promise";

/** The T of a promise<T>[] argument (the array kinds pattern "promise[]" guarantees the shape). */
const promisedElem = (t: Type | undefined): Type => (t?.k === "array" && t.elem.k === "promise" ? t.elem.inner : T.json);
/** An array element type for results: void and never results are gathered as json nulls. */
const valueElem = (t: Type): Type => (t.k === "void" || t.k === "never" ? T.json : t);

/**
 * race(p1, p2, ...): every argument must be a promise of the first one's type (a mismatch is
 * reported by the conversion to it); the result is that promise type.
 */
function raceResolve(args: Type[]): { params: Type[]; result: Type } {
  const first = args.find((t) => t.k === "promise") ?? T.promise(T.json);
  return { params: args.map(() => first), result: first };
}

/** channel(n): the element type comes from the expected channel<T> (docs/reference.md §15.1). */
function channelResolve(args: Type[], expected?: Type): { params: Type[]; result: Type } | BuiltinError {
  if (expected?.k === "channel") return { params: args.map(() => T.int), result: expected };
  return { error: D.channelElement() };
}

/** map's function must produce a value (void and never results would make no array). */
const valueResult = (own: Type): Type => (own.k === "void" || own.k === "never" ? T.json : own);
const arrayResult = (own: Type): Type => (own.k === "array" ? own : T.array(T.json));
const funcResult = (t: Type): Type => (t.k === "func" ? t.result : T.json);
/** A pair of zip or enumerate: T[] when both halves are T, else json[] (each half boxed). */
export const pairType = (a: Type, b: Type): Type => (typeEquals(a, b) ? T.array(a) : T.array(T.json));
/** reduce's function: (accumulator of init's type, element) -> accumulator. */
const reduceFn: FnPattern = {
  p: "fn", arity: 2,
  params: (a) => [a[2] ?? elemType(a[0]), elemType(a[0])],
  result: (a) => a[2] ?? elemType(a[0]),
};

/** map_concurrent(xs, f, n): promise<R[]> for f returning R or promise<R> (void: json[] of nulls). */
function mapConcurrentResult(p: Type[]): Type {
  let r = funcResult(p[1]);
  if (r.k === "promise") r = r.inner;
  return T.promise(T.array(valueElem(r)));
}

// ---------------------------------------------------------------- the registry

export const BUILTINS: BuiltinRow[] = [
  // ---- I/O and system
  { name: "print", doc: "Writes the string forms of its arguments, joined by one space, and a newline.",
    overloads: [{ params: [], rest: ANY, result: T.void, lower: inline("print") }] },
  fixed("input", [], T.str, "tul_input", "One line of standard input without its line ending (EOFError at end of input)."),
  { name: "eprint", doc: "Like print, but to standard error (standard output is flushed first).",
    overloads: [{ params: [], rest: ANY, result: T.void, lower: inline("eprint") }] },
  fixed("args", [], strArr, "tul_args", "The program's arguments, without the program name."),
  fixed("env", [T.str], T.str, "tul_env", "An environment variable; \"\" when unset."),
  fixed("exit", [T.int], T.never, "tul_exit", "Flushes standard output and ends the program with this status."),
  fixed("file_read", [T.str], T.str, "tul_file_read", "A whole file as a str (IOError on failure)."),
  fixed("file_write", [T.str, T.str], T.void, "tul_file_write", "Replaces a file's contents (IOError on failure)."),
  fixed("file_append", [T.str, T.str], T.void, "tul_file_append", "Appends to a file (IOError on failure)."),
  fixed("file_exists", [T.str], T.bool, "tul_file_exists", "Whether a file exists."),
  fixed("read_lines", [T.str], strArr, "tul_read_lines", "A file's lines without their line endings (IOError on failure)."),
  fixed("file_delete", [T.str], T.void, "tul_file_delete", "Deletes a file (IOError on failure)."),
  fixed("list_dir", [T.str], strArr, "tul_list_dir", "The names in a directory, sorted, without . and .. (IOError on failure)."),
  fixed("clock_ms", [], T.float, "tul_clock_ms", "Monotonic milliseconds (fractional), for measuring durations."),
  fixed("time_ms", [], T.int, "tul_time_ms", "Wall-clock milliseconds since the Unix epoch."),
  fixed("sleep", [T.int], T.void, "tul_sleep", "Blocks the thread for this many milliseconds."),
  fixed("format_time", [T.int, T.str], T.str, "tul_format_time", "Milliseconds since the epoch as UTC text: a strftime pattern or \"iso\"."),
  fixed("parse_time", [T.str, T.str], T.int, "tul_parse_time", "UTC text to milliseconds since the epoch: a strptime pattern or \"iso\"."),
  fixed("sleep_async", [T.int], T.promise(T.void), "tul_sleep_async", "A promise fulfilled after this many milliseconds."),
  { name: "gather", doc: "A promise of the results of all its arguments (promises or values), or of one array of promises, in order.",
    overloads: [{ params: [], rest: ANY, result: T.json, lower: inline("gather"), custom: gatherResolve }] },
  { name: "cancel", doc: "Cancels a promise: its task gets CancelledError at its await; timers and requests are released.",
    want: "a promise", overloads: [{ params: [kinds("promise")], result: T.void, lower: rt("tul_cancel") }] },
  { name: "timeout", doc: "Settles like the promise, or rejects with TimeoutError (and cancels it) after this many milliseconds.",
    want: "a promise", overloads: [{ params: [T.int, kinds("promise")], result: (ps) => ps[1], lower: rt("tul_timeout") }] },
  { name: "race", doc: "Settles like the first of its promises (or of one array of promises) to settle; the others are cancelled.",
    want: "promises or an array of promises",
    overloads: [
      { params: [kinds("promise[]")], result: (ps) => T.promise(promisedElem(ps[0])), lower: rt("tul_race_arr") },
      { params: [kinds("promise")], rest: kinds("promise"), result: T.json, lower: inline("race"), custom: raceResolve },
    ] },
  { name: "vote", doc: "The value most of an array of promises fulfil with (ties: the earliest); rejects only if all reject.",
    want: "an array of promises",
    overloads: [{ params: [kinds("promise[]")], result: (ps) => T.promise(promisedElem(ps[0])), lower: inline("vote") }] },
  fixed("http_request", [T.str, T.str, T.str, optional(T.json, null)], T.json, "tul_http_request",
    "An HTTP request (method, url, body[, opts]); the response envelope as json, never a throw."),
  fixed("http_request_async", [T.str, T.str, T.str, optional(T.json, null)], T.promise(T.json), "tul_http_request_async",
    "http_request on a worker thread: a promise of the response envelope."),
  fixed("http_server_listen", [T.str, T.int, HANDLER, optional(T.json, null)], T.promise(T.json), "tul_http_server_listen",
    "Serves a handler func(json): promise<json> on host:port (0: a free port): a promise of {port, host, id}."),
  fixed("http_server_stop", [T.json], T.promise(T.void), "tul_http_server_stop",
    "Stops a server from http_server_listen: a promise settled once requests in flight are answered."),
  fixed("http_server_until_signal", [T.json], T.promise(T.void), "tul_http_server_until_signal",
    "The server's stop promise; SIGINT or SIGTERM starts the stop."),

  // ---- conversions
  { name: "toString", doc: "The string form print would write.",
    overloads: [{ params: [ANY], result: T.str, lower: inline("toString") }] },
  { name: "toJson", doc: "Any value as compact JSON text (the inverse of fromJson).",
    overloads: [{ params: [ANY], result: T.str, lower: inline("toJson") }] },
  fixed("fromJson", [T.str], T.json, "tul_from_json", "Parses JSON text (strict RFC 8259) into a json value."),
  conversion("toInt", T.int, "An int from a str, float (truncated), bool or json.", {
    int: inline("toSelf"), float: rt("tul_float_to_int"), bool: inline("boolToInt"), str: rt("tul_str_to_int"), json: rt("tul_json_to_int"),
  }),
  conversion("toFloat", T.float, "A float from a str, int, bool or json.", {
    int: inline("intToFloat"), float: inline("toSelf"), bool: inline("boolToFloat"), str: rt("tul_str_to_float"), json: rt("tul_json_to_float"),
  }),
  conversion("toBool", T.bool, "A bool from a str (\"true\", \"false\", \"1\", \"0\"), a number (non-zero) or json.", {
    int: inline("intToBool"), float: inline("floatToBool"), bool: inline("toSelf"), str: rt("tul_str_to_bool"), json: rt("tul_json_to_bool"),
  }),

  // ---- collections
  { name: "length", aliases: ["len"], doc: "Code points of a str, elements of an array, entries of a json value, or values buffered in a channel.",
    want: "a str, an array, json or a channel",
    overloads: [
      { params: [kinds("str")], result: T.int, lower: rt("tul_str_len") },
      { params: [kinds("array")], result: T.int, lower: inline("arrayLength") },
      { params: [kinds("channel")], result: T.int, lower: rt("tul_chan_len") },
      { params: [kinds(...JSON_ARG)], result: T.int, lower: rt("tul_json_len") },
    ] },
  { name: "push", doc: "Appends an element to an array in place.", want: "an array",
    overloads: [
      { params: [kinds("array"), elemOf(0)], result: T.void, lower: inline("arrayPush") },
      { params: [kinds(...JSON_ARG), T.json], result: T.void, lower: rt("tul_json_push") },
    ],
    hint: (i, before) => (i === 1 && before[0]?.k === "array" ? before[0].elem : undefined) },
  { name: "pop", doc: "Removes and returns an array's last element (IndexError when empty).", want: "an array",
    overloads: [
      { params: [kinds("array")], result: elemResult, lower: inline("arrayPop") },
      { params: [kinds(...JSON_ARG)], result: T.json, lower: rt("tul_json_pop") },
    ] },
  { name: "range", doc: "The int[] a, a+1, ..., b-1 (range(n) starts at 0).",
    overloads: [{ params: [T.int, optional(T.int, 0n)], result: T.array(T.int), lower: inline("range") }] },
  { name: "slice", doc: "A new array or str from index a up to b (Python slice rules).", want: "an array or a str",
    overloads: [
      { params: [kinds("array"), T.int, optional(T.int, INT64_MAX)], result: sameAsFirst, lower: rt("tul_arr_slice") },
      { params: [kinds("str"), T.int, optional(T.int, INT64_MAX)], result: sameAsFirst, lower: rt("tul_str_slice") },
      { params: [kinds(...JSON_ARG), T.int, optional(T.int, INT64_MAX)], result: T.json, lower: rt("tul_json_slice") },
    ] },
  { name: "sort", doc: "A new array sorted ascending (strings by code point), or stably by a less function.",
    want: ["an array (int[], float[], str[] or bool[] without a less function)", "a less function func(T, T): bool for T[]"],
    overloads: [
      { params: [kinds("int[]", "float[]", "str[]", "bool[]")], result: sameAsFirst, lower: rt("tul_arr_sort") },
      { params: [kinds("array"), fnOf(0, 2, T.bool)], result: sameAsFirst, lower: rt("tul_arr_sort_less") },
    ] },
  { name: "sort_by", doc: "A new array sorted stably by a key function's int, float, str or bool result.",
    want: ["an array", "a key function func(T): int, float, str or bool for T[]"],
    overloads: [{ params: [kinds("array"), fnOf(0, 1, ["int", "float", "str", "bool"])], result: sameAsFirst, lower: inline("sortBy") }] },
  search("contains", T.bool, "tul_str_contains", "arrayContains", "tul_json_contains",
    "Whether a str contains a substring, an array an element (deep equality), or json an element or key."),
  search("indexOf", T.int, "tul_str_index_of", "arrayIndexOf", "tul_json_index_of",
    "The position of a substring or element, -1 when absent."),
  fixed("keys", [T.json], strArr, "tul_json_keys", "A json object's keys in insertion order."),
  { name: "has", doc: "Whether a json object has a key.", want: "a json object",
    overloads: [{ params: [kinds(...JSON_ARG), T.str], result: T.bool, lower: rt("tul_json_has") }] },
  { name: "delete", doc: "Removes a key from a json object; true when it was there.", want: "a json object",
    overloads: [{ params: [kinds(...JSON_ARG), T.str], result: T.bool, lower: rt("tul_json_delete") }] },

  // ---- strings
  fixed("substring", [T.str, T.int, T.int], T.str, "tul_str_substring", "Code points from start up to end (clamped)."),
  fixed("split", [T.str, T.str], strArr, "tul_str_split", "Splits at every separator; an empty separator splits code points."),
  fixed("join", [strArr, T.str], T.str, "tul_str_join", "Joins strings with a separator."),
  fixed("replace", [T.str, T.str, T.str], T.str, "tul_str_replace", "Replaces every occurrence of a substring."),
  fixed("upper", [T.str], T.str, "tul_str_upper", "Upper case (Unicode)."),
  fixed("lower", [T.str], T.str, "tul_str_lower", "Lower case (Unicode)."),
  fixed("trim", [T.str], T.str, "tul_str_trim", "Without leading and trailing whitespace."),
  fixed("startsWith", [T.str, T.str], T.bool, "tul_str_starts_with", "Whether a str starts with a prefix."),
  fixed("endsWith", [T.str, T.str], T.bool, "tul_str_ends_with", "Whether a str ends with a suffix."),
  fixed("repeat", [T.str, T.int], T.str, "tul_str_repeat", "A str repeated n times (ValueError when n < 0)."),
  fixed("ord", [T.str], T.int, "tul_str_ord", "The code point of a one-character str (ValueError otherwise)."),
  fixed("chr", [T.int], T.str, "tul_str_chr", "The one-character str of a code point (ValueError outside 0..0x10FFFF or for a surrogate)."),
  fixed("is_letter", [T.str], T.bool, "tul_str_is_letter", "Whether a str is non-empty and all letters (Unicode categories L*)."),
  fixed("is_digit", [T.str], T.bool, "tul_str_is_digit", "Whether a str is non-empty and all decimal digits (Unicode category Nd)."),
  fixed("is_space", [T.str], T.bool, "tul_str_is_space", "Whether a str is non-empty and all whitespace (Unicode White_Space)."),
  fixed("is_upper", [T.str], T.bool, "tul_str_is_upper", "Whether a str has cased letters and all of them are upper case."),
  fixed("is_lower", [T.str], T.bool, "tul_str_is_lower", "Whether a str has cased letters and all of them are lower case."),
  { name: "format", doc: "A value formatted by a Python format spec: fill, align, sign, width, grouping, precision, type.",
    want: ["any value", "a str"], spec: { arg: 1, of: 0 },
    overloads: [
      { params: [kinds("int"), T.str], result: T.str, lower: rt("tul_format_int") },
      { params: [kinds("float"), T.str], result: T.str, lower: rt("tul_format_float") },
      { params: [kinds("str"), T.str], result: T.str, lower: rt("tul_format_str") },
      { params: [kinds("bool", "json", "never", "array", "struct", "map", "func", "promise", "channel"), T.str], result: T.str, lower: inline("formatValue") },
    ] },
  fixed("pad_left", [T.str, T.int, optional(T.str, null)], T.str, "tul_pad_left", "Pads on the left to a width in code points, with spaces or one fill character."),
  fixed("pad_right", [T.str, T.int, optional(T.str, null)], T.str, "tul_pad_right", "Pads on the right to a width in code points, with spaces or one fill character."),
  fixed("re_match", [T.str, T.str], T.json, "tul_re_match", "The first match of a regex (pattern, s): null or {match, groups, start, end}."),
  fixed("re_find_all", [T.str, T.str], strArr, "tul_re_find_all", "Every match of a regex (pattern, s), whole."),
  fixed("re_split", [T.str, T.str], strArr, "tul_re_split", "The pieces of s between the matches of a regex (pattern, s)."),
  fixed("re_replace", [T.str, T.str, T.str], T.str, "tul_re_replace", "s with every match of a regex replaced (pattern, s, repl; $1, ${name} insert groups)."),
  fixed("sha256", [T.str], T.str, "tul_sha256", "The SHA-256 digest of a str's UTF-8 bytes, in hex."),
  fixed("sha1", [T.str], T.str, "tul_sha1", "The SHA-1 digest of a str's UTF-8 bytes, in hex."),
  fixed("hmac_sha256", [T.str, T.str], T.str, "tul_hmac_sha256", "The HMAC-SHA-256 of a message under a key (key, s), in hex."),
  fixed("base64_encode", [T.str], T.str, "tul_base64_encode", "Base64 (standard alphabet, padded)."),
  fixed("base64_decode", [T.str], T.str, "tul_base64_decode", "Decodes base64 (whitespace skipped, padding optional; ValueError when invalid)."),
  fixed("url_encode", [T.str], T.str, "tul_url_encode", "Percent-encodes every byte except A-Z a-z 0-9 - . _ ~."),
  fixed("url_decode", [T.str], T.str, "tul_url_decode", "Decodes %XX sequences."),

  // ---- math
  { name: "abs", doc: "The absolute value (int stays int).", want: "int or float",
    overloads: [
      { params: [kinds("int")], result: T.int, lower: inline("absInt") },
      { params: [kindsAs(T.float, ...NUMBER)], result: T.float, lower: inline("absFloat") },
    ] },
  binaryMath("min", inline("minInt"), inline("minFloat"), "The smaller of two numbers (int when both are int)."),
  binaryMath("max", inline("maxInt"), inline("maxFloat"), "The larger of two numbers (int when both are int)."),
  binaryMath("pow", rt("tul_pow_int"), inline("powFloat"), "a to the power b (int when both are int; ValueError for a negative int exponent)."),
  rounding("floor", inline("floor"), "Rounds down to an int."),
  rounding("ceil", inline("ceil"), "Rounds up to an int."),
  rounding("round", rt("tul_float_round"), "Rounds half away from zero to an int."),
  floatMath("sqrt", "Square root."),
  floatMath("sin", "Sine (radians)."),
  floatMath("cos", "Cosine (radians)."),
  floatMath("log", "Natural logarithm."),
  floatMath("exp", "e to the power x."),
  fixed("random", [], T.float, "tul_random", "A random float in [0, 1)."),
  fixed("randint", [T.int, T.int], T.int, "tul_randint", "A random int in [a, b] (ValueError when a > b)."),

  // ---- channels, bounded fan-out (docs/reference.md §15)
  { name: "channel", doc: "A new channel<T> buffering n values (none or 0: unbuffered); T comes from the type the context expects.",
    overloads: [{ params: [optional(T.int, 0n)], result: () => T.channel(T.json), lower: inline("channelNew"), custom: channelResolve }] },
  { name: "send", doc: "Sends a value on a channel: a promise settled once a receiver or the buffer took it.", want: ["a channel", "its element type"],
    overloads: [{ params: [kinds("channel"), elemOf(0)], result: T.promise(T.void), lower: inline("chanSend") }] },
  { name: "recv", doc: "Receives from a channel: a promise of the next value (ChannelClosedError once closed and drained).", want: "a channel",
    overloads: [{ params: [kinds("channel")], result: (p) => T.promise(elemType(p[0])), lower: inline("chanRecv") }] },
  { name: "close", doc: "Closes a channel: later sends throw ChannelClosedError; receivers drain what is buffered.", want: "a channel",
    overloads: [{ params: [kinds("channel")], result: T.void, lower: rt("tul_chan_close") }] },
  { name: "map_concurrent", doc: "A promise of f(x) for every element, at most `limit` calls unfinished at once, results in input order.",
    want: ["an array", "a function of one parameter of the array's element type", "an int"],
    overloads: [{ params: [kinds("array"), fnOf(0, 1), T.int], result: mapConcurrentResult, lower: inline("mapConcurrent") }] },

  // ---- arrays in pipelines (docs/reference.md §15)
  { name: "map", doc: "A new array of f(x) for every element x, in order.", want: ["an array", "a function of one parameter of the array's element type"],
    overloads: [{ params: [kinds("array"), fnOf(0, 1, undefined, valueResult)], result: (p) => T.array(funcResult(p[1])), lower: inline("arrayMap") }] },
  { name: "filter", doc: "A new array of the elements x for which f(x) is true, in order.", want: ["an array", "a function func(T): bool for T[]"],
    overloads: [{ params: [kinds("array"), fnOf(0, 1, T.bool)], result: sameAsFirst, lower: inline("arrayFilter") }] },
  { name: "reduce", doc: "Folds the elements from the left: f(f(init, x0), x1) ...; init when the array is empty.",
    want: ["an array", "a function func(A, T): A for T[] and an initial value of type A", "an initial value"], checkOrder: [0, 2],
    overloads: [{ params: [kinds("array"), reduceFn, ANY], result: (p) => p[2], lower: inline("arrayReduce") }] },
  { name: "sum", doc: "The sum of an int[] (int) or float[] (float); 0 when empty.", want: "int[] or float[]",
    overloads: [
      { params: [kinds("int[]")], result: T.int, lower: inline("arraySum") },
      { params: [kinds("float[]")], result: T.float, lower: inline("arraySum") },
    ] },
  { name: "each", doc: "Calls f(x) for every element x, in order.", want: ["an array", "a function of one parameter of the array's element type"],
    overloads: [{ params: [kinds("array"), fnOf(0, 1)], result: T.void, lower: inline("arrayEach") }] },
  { name: "flat_map", doc: "The arrays f(x) returns for every element x, concatenated in order.",
    want: ["an array", "a function of one parameter of the array's element type, returning an array"],
    overloads: [{ params: [kinds("array"), fnOf(0, 1, undefined, arrayResult)], result: (p) => funcResult(p[1]), lower: inline("arrayFlatMap") }] },
  { name: "chunks", doc: "The elements in consecutive arrays of n (the last one may be shorter); ValueError when n < 1.", want: ["an array", "an int"],
    overloads: [{ params: [kinds("array"), T.int], result: (p) => T.array(p[0]), lower: inline("arrayChunks") }] },
  { name: "zip", doc: "Pairs [a[i], b[i]] up to the shorter length: T[][] when both hold T, else json[][].", want: "an array",
    overloads: [{ params: [kinds("array"), kinds("array")], result: (p) => T.array(pairType(elemType(p[0]), elemType(p[1]))), lower: inline("arrayZip") }] },
  { name: "enumerate", doc: "Pairs [i, xs[i]]: int[][] for an int[], else json[][].", want: "an array",
    overloads: [{ params: [kinds("array")], result: (p) => T.array(pairType(T.int, elemType(p[0]))), lower: inline("arrayEnumerate") }] },
  fixed("random_seed", [T.int], T.void, "tul_random_seed", "Seeds random and randint: the same seed gives the same numbers."),
  binaryMath("mod", rt("tul_mod_int"), rt("tul_mod_float"), "The remainder with the sign of the divisor, as Python's % (ZeroDivisionError for int 0)."),
];

// ---------------------------------------------------------------- lookup and resolution

const BY_NAME = new Map<string, BuiltinRow>();
for (const row of BUILTINS) for (const n of [row.name, ...(row.aliases ?? [])]) BY_NAME.set(n, row);

/** The row of a built-in by the name written in source (aliases included), if any. */
export function lookupBuiltin(name: string): BuiltinRow | undefined {
  return BY_NAME.get(name);
}

const isOptional = (p: Pattern | Optional): p is Optional => "p" in p && p.p === "optional";
const patternOf = (p: Pattern | Optional): Pattern => (isOptional(p) ? p.pattern : p);
const isKinds = (p: Pattern): p is KindsPattern => "p" in p && p.p === "kinds";
const isElem = (p: Pattern): p is ElemPattern => "p" in p && p.p === "elem";
const isFn = (p: Pattern): p is FnPattern => "p" in p && p.p === "fn";

/** The fewest and most arguments a row takes. */
export function arity(row: BuiltinRow): { min: number; max: number } {
  let min = Infinity, max = 0;
  for (const o of row.overloads) {
    min = Math.min(min, o.params.filter((p) => !isOptional(p)).length);
    max = Math.max(max, o.rest ? Infinity : o.params.length);
  }
  return { min, max };
}

/** The pattern of argument i in an overload (undefined beyond its parameters). */
function patternAt(o: Overload, i: number): Pattern | undefined {
  return i < o.params.length ? patternOf(o.params[i]) : o.rest;
}

function kindMatches(t: Type, kind: string): boolean {
  if (kind === "any") return true;
  if (kind.endsWith("[]")) return t.k === "array" && t.elem.k === kind.slice(0, -2);
  return t.k === kind;
}

/** Whether argument type `t` selects pattern `p` (kinds and function patterns can refuse one). */
function accepts(p: Pattern | undefined, t: Type): boolean {
  if (p && isFn(p)) return t.k === "func" && t.params.length === p.arity && (!Array.isArray(p.result) || (p.result as readonly string[]).includes(t.result.k));
  return !p || !isKinds(p) || p.kinds.some((k) => kindMatches(t, k));
}

/** The function type a function pattern stands for, given the arguments (its result: fixed, or the
 *  argument's own, or void when that is not known yet, as for a hint: void leaves it to inference). */
function fnType(p: FnPattern, args: Type[], own: Type | undefined): Type {
  const r = p.result;
  let result: Type;
  if (typeof r === "function") result = r(args);
  else if (r && !Array.isArray(r)) result = r as Type;
  else if (own?.k !== "func") result = T.void;
  else result = p.own ? p.own(own.result) : own.result;
  return T.func(p.params(args), result);
}

/** Whether an overload takes this many arguments. */
function fitsArity(o: Overload, n: number): boolean {
  const required = o.params.filter((p) => !isOptional(p)).length;
  return n >= required && (o.rest !== undefined || n <= o.params.length);
}

/** The type an argument is converted to under pattern `p`, given the argument types. */
function paramType(p: Pattern, args: Type[], i: number): Type {
  if (isKinds(p)) return p.as ?? args[i];
  if (isElem(p)) return elemType(args[p.of]);
  if (isFn(p)) return fnType(p, args, args[i]);
  return p;
}

/** A diagnostic of a custom resolution (channel() without an expected channel type). */
export interface BuiltinError {
  error: Message;
}

/** Picks the overload for these argument types (arity already checked), or says which argument fits
 * none; `expected` is the type the context wants (for custom resolutions). */
export function resolveBuiltin(row: BuiltinRow, args: Type[], expected?: Type): BuiltinResolution | BuiltinMismatch | BuiltinError {
  for (const o of row.overloads) {
    if (!fitsArity(o, args.length)) continue;
    if (o.custom) {
      const r = o.custom(args, expected);
      return "error" in r ? r : { overload: o, ...r };
    }
    if (!args.every((t, i) => accepts(patternAt(o, i), t))) continue;
    const params = args.map((_, i) => paramType(patternAt(o, i)!, args, i));
    return { overload: o, params, result: typeof o.result === "function" ? o.result(params) : o.result };
  }
  const fitting = row.overloads.filter((o) => fitsArity(o, args.length));
  const bad = args.findIndex((t, i) => !fitting.some((o) => accepts(patternAt(o, i), t)));
  const at = Math.max(bad, 0);
  const want = Array.isArray(row.want) ? row.want[Math.min(at, row.want.length - 1)] : row.want;
  return { argIndex: at, want: want ?? "another type" };
}

/**
 * The type hint for argument i (types `[]` literals, lambdas and the like), given the types of the
 * arguments checked before it (a sparse array under checkOrder): the type every overload still
 * possible converts it to, if they agree.
 */
export function hintFor(row: BuiltinRow, i: number, before: Type[]): Type | undefined {
  if (row.hint) return row.hint(i, before);
  const possible = row.overloads.filter(
    (o) => !o.custom && patternAt(o, i) !== undefined && before.every((t, j) => accepts(patternAt(o, j), t)),
  );
  const hints = (possible.length ? possible : row.overloads).map((o) => {
    const p = patternAt(o, i);
    if (!p || o.custom) return undefined;
    if (isKinds(p)) return p.as;
    if (isFn(p)) return fnType(p, before, undefined);
    return isElem(p) ? (before[p.of]?.k === "array" || before[p.of]?.k === "channel" ? paramType(p, before, i) : undefined) : p;
  });
  const first = hints[0];
  return first && hints.every((h) => h && typeEquals(h, first)) ? first : undefined;
}

/** The value a runtime call passes for a left-out optional parameter i (undefined: not optional). */
export function missingArgument(o: Overload, i: number): { value: bigint | null } | undefined {
  const p = o.params[i];
  return p && isOptional(p) ? { value: p.missing } : undefined;
}

/** The declared parameter patterns of an overload as Tulpar types where they are fixed (for the
 *  runtime signature of `rt` lowerings): kinds patterns give their `as` or their single kind. */
export function fixedParamTypes(o: Overload): (Type | undefined)[] {
  return o.params.map((raw) => {
    const p = patternOf(raw);
    if (isFn(p)) return T.func([], T.void); // a closure pointer whatever its type
    if (!isKinds(p)) return isElem(p) ? undefined : p;
    if (p.as) return p.as;
    const named: Record<string, Type> = {
      int: T.int, float: T.float, bool: T.bool, str: T.str, json: T.json, promise: T.promise(T.json), channel: T.channel(T.json),
    };
    const k = p.kinds[0];
    return named[k] ?? (k === "array" || k.endsWith("[]") ? T.array(T.json) : undefined);
  });
}

/** A readable signature of an overload, e.g. `(str, int, int?) -> str`. */
export function signatureText(o: Overload): string {
  const show = (p: Pattern): string => {
    if (isKinds(p)) return p.kinds.filter((k) => k !== "never").join("|");
    if (isElem(p)) return `elem of #${p.of + 1}`;
    if (isFn(p)) {
      const r = p.result;
      const result = Array.isArray(r) ? (r as readonly string[]).join("|") : r && typeof r !== "function" ? typeToString(r as Type) : "R";
      return `func/${p.arity}: ${result}`;
    }
    return typeToString(p);
  };
  const params = o.params.map((p) => (isOptional(p) ? `${show(p.pattern)}?` : show(p)));
  if (o.rest) params.push(`${show(o.rest)}...`);
  const result = typeof o.result === "function" ? "(depends)" : typeToString(o.result);
  return `(${params.join(", ")}) -> ${result}`;
}
