// The diagnostics catalogue: every error code and message template the compiler reports (lexer,
// parser, module loader, checker), in one table. A template's `{name}` placeholders (lower case)
// are filled by the reporter; tsc checks that every placeholder gets a value. docs/diagnostics.md
// lists each entry with an example program, and tests/unit/diagnostics.test.ts keeps the two in step.
// (Notes attached to an error, such as the chain of calls behind a spawn error, are free text.)

/** A reported message: its code and text. */
export interface Message {
  code: string;
  text: string;
}

/** The `{name}` placeholders of a template (lower-case names; `{XXXX}` stays literal text). */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? (P extends Lowercase<P> ? (P extends "" ? never : P) : never) | Placeholders<Rest>
  : never;

/** One catalogue entry: called with its placeholders' values, it gives the message. */
export type Template<S extends string = string> = ([Placeholders<S>] extends [never]
  ? () => Message
  : (args: Record<Placeholders<S>, string | number>) => Message) & { code: string; template: S };

function m<const S extends string>(code: string, template: S): Template<S> {
  const make = (args: Record<string, string | number> = {}): Message => ({
    code,
    text: template.replace(/\{([a-z]+)\}/g, (all, name: string) => (name in args ? String(args[name]) : all)),
  });
  return Object.assign(make, { code, template }) as unknown as Template<S>;
}

export const D = {
  // ---- lexer (E00xx)
  unexpectedChar: m("E0001", "unexpected character {char}"), // 'x', or U+0000 for a character that cannot be seen
  unterminatedString: m("E0002", "unterminated string literal"),
  newlineInString: m("E0002", "newline in string literal (use \\n)"),
  unterminatedTString: m("E0002", "unterminated t-string"),
  unmatchedBrace: m("E0003", "unmatched '}' in t-string (write \\} for a literal brace)"),
  nestedSpecField: m("E0003", "a format spec cannot contain '{' (nested fields are not supported: use format(v, spec))"),
  unterminatedSpec: m("E0002", "unterminated t-string field (expected '}' after the format spec)"),
  unknownEscape: m("E0003", "unknown escape sequence '\\{escape}'"),
  badUnicodeEscape: m("E0003", "invalid unicode escape (expected \\u{XXXX} with 1-6 hex digits naming a code point)"),
  intOutOfRange: m("E0004", "integer literal out of range"),
  floatOutOfRange: m("E0004", "float literal out of range"),
  unterminatedComment: m("E0005", "unterminated block comment"),
  badNumber: m("E0006", "invalid numeric literal '{text}'"),
  invalidUtf8: m("E0007", "the file is not valid UTF-8: invalid {what}"),

  // ---- parser (E01xx)
  expected: m("E0100", "expected {what}, found {found}"),
  missingSemicolon: m("E0100", "expected ';' {after}"),
  tooDeep: m("E0101", "nesting too deep (more than {max} levels)"),
  assignInExpr: m("E0102", "assignment is a statement and cannot be used inside an expression"),
  badUpdateTarget: m("E0103", "invalid target for {what}: expected a variable, element or field"),
  tryWithoutHandler: m("E0104", "expected 'catch' or 'finally' after the try block, found {found}"),
  spawnNeedsCall: m("E0105", "spawn needs a function call: spawn f(args)"),
  cStyleFunction: m("E0106", "functions are declared with 'func': write '{suggestion}'"),
  typedStructLit: m("E0107", "a struct value is written without its type name, which comes from where the value goes: '{type} v = {literal};'"),
  lambdaObjectBody: m("E0108", "a lambda body in braces is a block: to return an object, write {example}"),
  forInTwoNames: m("E0109", "a for-in loop takes one variable: write 'for (k in m)' and read m[k], or 'for (p in enumerate(xs))' for index and value"),
  pipeTarget: m("E0120", "the right side of '|>' must be a call or a function, as in 'xs |> map(f)' or 'x |> f'"),
  selectDefaultTwice: m("E0121", "a select has at most one 'default'"),
  parserInternal: m("E0199", "internal parser error: {why}"),

  // ---- modules (E03xx)
  missingModule: m("E0301", "cannot find module '{path}' (imported from {chain})"),
  unreadableModule: m("E0301", "{why} (imported from {chain})"),
  importCycle: m("E0302", "import cycle: {cycle}"),

  // ---- checker (E2xxx)
  unknownVar: m("E2001", "unknown variable '{name}'"),
  noModuleMember: m("E2001", "module '{alias}' has no function or variable '{name}'"),
  unknownFunc: m("E2002", "unknown function '{name}'"),
  unknownMethod: m("E2002", "unknown function '{name}' (no field or function of that name for {type})"),
  redeclared: m("E2003", "'{name}' is already declared in this scope"),
  fieldRedeclared: m("E2003", "field '{name}' is already declared in struct '{struct}'"),
  constAssign: m("E2004", "cannot assign to constant '{name}'"),
  mismatch: m("E2005", "type mismatch: expected {want}, found {found}"),
  ternaryBranches: m("E2005", "the branches of '?:' have different types {then} and {else}"),
  matchArms: m("E2005", "the arms of 'match' have different types: {types}"),
  returnsDiffer: m("E2005", "function '{name}' returns {type} here but {other} elsewhere: annotate its result type"),
  defaultType: m("E2005", "default value of '{name}' must be {want}, found {found}"),
  fieldValue: m("E2005", "field '{field}' of '{struct}' must be {want}, found {found}"),
  returnType: m("E2005", "function '{name}' must return {want}, found {found}"),
  lambdaReturnType: m("E2005", "lambda must return {want}, found {found}"),
  indexType: m("E2005", "index must be int, found {found}"),
  notOperand: m("E2005", "operator '!' requires bool, found {found}"),
  logicalOperand: m("E2005", "operator '{op}' requires bool operands, found {found}"),
  condition: m("E2006", "condition must be bool, found {found}"),
  arity: m("E2007", "'{name}' expects {expected}, got {count}"),
  valueArity: m("E2007", "this function value takes {want} argument(s), found {count}"),
  argType: m("E2008", "argument {index} of '{name}' must be {want}, found {found}"),
  argValue: m("E2005", "argument {index} of '{name}' must be {want}, found {found}"),
  breakOutside: m("E2009", "'break' outside of a loop"),
  continueOutside: m("E2010", "'continue' outside of a loop"),
  returnOutside: m("E2011", "'return' outside of a function"),
  mustReturn: m("E2012", "function '{name}' must return {type} on every path"),
  neverReturns: m("E2012", "function '{name}' is declared never but can return"),
  lambdaMustReturn: m("E2012", "lambda must return {type} on every path"),
  cannotInferResult: m("E2013", "cannot infer the result type of '{name}': annotate it"),
  cannotInferGlobal: m("E2013", "cannot infer the type of '{name}' here: annotate it"),
  cannotInferBefore: m("E2013", "cannot infer the result type of '{name}' before '{var}' is declared: annotate it"),
  channelElement: m("E2013", "cannot tell the element type of this channel: declare it, as in 'channel<int> ch = channel(8);'"),
  unaryOperand: m("E2014", "operator '{op}' requires a number, found {found}"),
  binaryOperands: m("E2014", "operator '{op}' cannot be applied to {left} and {right}"),
  cannotCompare: m("E2014", "cannot compare {left} and {right}"),
  updateOperand: m("E2014", "operator '{op}' requires int or float, found {found}"),
  bitwiseOperand: m("E2014", "operator '{op}' requires int operands, found {found}"),
  complementOperand: m("E2014", "operator '~' requires int, found {found}"),
  bitwiseBools: m("E2014", "operator '{op}' requires int operands, found bool (for bool, write '{op}{op}')"),
  bitwiseTarget: m("E2014", "operator '{op}' requires an int target, found {found}"),
  strCharAssign: m("E2015", "cannot assign to a character of a str (strings are immutable)"),
  functionAssign: m("E2015", "cannot assign to function '{name}'"),
  notAssignable: m("E2015", "this expression cannot be assigned to"),
  voidValue: m("E2016", "expression of type void has no value"),
  voidArgument: m("E2016", "argument {index} of '{name}' has no value (its type is void)"),
  returnWithoutValue: m("E2017", "'return' without a value in function '{name}' that returns {type}"),
  returnFromVoid: m("E2017", "cannot return a value from function '{name}', whose result is void"),
  notIterable: m("E2018", "cannot iterate over a value of type {type}"),
  unknownType: m("E2019", "unknown type '{name}'"),
  voidArray: m("E2019", "arrays of {type} are not allowed"),
  mapKey: m("E2019", "map keys must be int or str, found {type}"),
  mapValue: m("E2019", "maps of {type} values are not allowed"),
  voidChannel: m("E2019", "channels of {type} are not allowed"),
  voidField: m("E2019", "field '{name}' cannot have type {type}"),
  voidParam: m("E2019", "parameter '{name}' cannot have type {type}"),
  voidVariable: m("E2019", "variable '{name}' cannot have type {type}"),
  notCallable: m("E2020", "'{name}' is a variable of type {type}, not a function"),
  lambdaDefault: m("E2021", "lambda parameters cannot have default values"),
  missingDefault: m("E2021", "parameter '{name}' needs a default value: it follows a parameter that has one"),
  notIndexable: m("E2022", "cannot index a value of type {type}"),
  jsonIndex: m("E2022", "a json index must be int or str, found {found}"),
  mapIndex: m("E2022", "a map key must be {want}, found {found}"),
  mapLitKey: m("E2034", "this map's keys are {want}, found {found} key"),
  mapKeyTwice: m("E2034", "key {key} is given twice"),
  intKeyInObject: m("E2034", "json object keys are strings: an int key needs a map<int, V> (or write the key in quotes)"),
  noField: m("E2023", "type {type} has no field '{name}'"),
  loopVar: m("E2024", "loop variable '{name}' is declared {type} but the elements are {elem}"),
  fieldDefaultNotConstant: m("E2035", "the default of field '{name}' must be a constant: a literal, or an array or object literal of constants"),
  noStructField: m("E2025", "struct '{struct}' has no field '{name}'"),
  fieldTwice: m("E2025", "field '{name}' is given twice"),
  rangePattern: m("E2026", "a range pattern cannot match a value of type {type}"),
  patternType: m("E2026", "a pattern of type {type} cannot match a value of type {subject}"),
  useBeforeDecl: m("E2027", "'{name}' is used here before '{var}' is declared, and '{name}' uses '{var}'"),
  formatSpec: m("E2028", "{why}"),
  formatSpecOf: m("E2028", "format spec '{spec}': {why}"),
  spawnBuiltin: m("E2029", "spawn runs functions of the program, not built-ins such as '{name}': wrap it in a function"),
  spawnNotTopLevel: m("E2029", "spawn needs a top-level function: {why}"),
  spawnAsync: m("E2029", "'{name}' is an async function: call it without spawn (it runs as a task on the event loop); spawn is for plain functions"),
  spawnIsolation: m("E2030", "'{name}' cannot run on a worker thread: {who} {what}{why}"),
  spawnArgCopy: m("E2031", "argument {index} of '{name}' ({type}) cannot be copied to a worker thread: {why}"),
  spawnResultCopy: m("E2031", "the result of '{name}' ({type}) cannot be copied back from a worker thread: {why}"),
  testNotTop: m("E2032", "a test block goes at the top level of a file, not inside {where}"),
  duplicateTest: m("E2033", "a test named {name} is already declared"),
  selectEmpty: m("E2040", "a select needs at least one case"),
  selectCase: m("E2040", "a select case must be ch.recv(), ch.send(v), a promise or sleep_async(ms); found {found}"),
  selectNoValue: m("E2040", "this case has no value to bind to '{name}'"),
  exprTooDeep: m("E2099", "expression nested too deeply"),
  importNotTop: m("E9000", "import is only allowed at the top level"),
  unsupported: m("E9000", "{feature} is not supported yet"),
} as const;

/** Added to a type mismatch when the value is a promise of the wanted type. */
export const MISSING_AWAIT_HINT = " (missing 'await'?)";

/** Added to a type mismatch when an object literal is given where a promise is wanted: typically a
 *  plain function or lambda passed as an HTTP handler. */
export const MISSING_ASYNC_HINT = " (an object is never a promise: make the function async, as in `async (json req) => { ... }`)";

/** Every catalogue entry by its key. */
export const CATALOGUE: Readonly<Record<string, Template>> = D as unknown as Record<string, Template>;
