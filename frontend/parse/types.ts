// Type annotations: `int`, `Point`, `u.Point`, `int[]`, `promise<T>`, `channel<T>`, `func(int, str): bool`,
// as an arcsecond rule, plus a side-effect-free scanner used to decide "is a declaration here?".

import type { TypeNode } from "../ast.js";
import { accept, enter, want, expected, failHere, lazy, nested, next, rule, type Ctx, type P } from "./core.js";

export const TYPE_KEYWORDS: ReadonlySet<string> = new Set(["int", "float", "bool", "str", "json", "array", "void"]);

// type = base-type { "[" "]" }     (each `[]` is a nesting level: the checker and codegen walk
//                                     types recursively, so `int[][]...` counts toward the limit)
export const typeNode: P<TypeNode> = lazy(() =>
  rule((run, c) => {
    const i0 = c.at;
    let t = run(baseType);
    let dims = 0;
    try {
      while (c.peek().kind === "[" && c.tok(c.at + 1).kind === "]") {
        run(enter);
        dims++;
        run(next);
        run(next);
        t = { kind: "ArrayType", elem: t, span: c.span(i0, c.at) };
      }
      return t;
    } finally {
      c.depth -= dims;
    }
  }),
);

// base-type = type-keyword | "func" "(" [ type { "," type } ] ")" [ ":" type ]
//           | "promise" "<" type ">" | "channel" "<" type ">" | "map" "<" type "," type ">"
//           | ident [ "." ident ]
const baseType: P<TypeNode> = rule((run, c) => {
  const i0 = c.at;
  const t = c.peek();
  if (TYPE_KEYWORDS.has(t.kind)) {
    run(next);
    return { kind: "NamedType", name: t.kind, span: c.span(i0, c.at) };
  }
  if (t.kind === "func") return run(nested(funcType));
  if (t.kind !== "ident") return run(failHere(expected("a type", "", t)));
  run(next);
  if (t.text === "promise" && run(accept("<"))) {
    const inner = run(nested(typeNode));
    want(run, c, ">", "to close 'promise<'");
    return { kind: "PromiseType", inner, span: c.span(i0, c.at) };
  }
  if (t.text === "channel" && run(accept("<"))) {
    const elem = run(nested(typeNode));
    want(run, c, ">", "to close 'channel<'");
    return { kind: "ChannelType", elem, span: c.span(i0, c.at) };
  }
  if (t.text === "map" && run(accept("<"))) {
    const key = run(nested(typeNode));
    want(run, c, ",", "after the key type of 'map<'");
    const value = run(nested(typeNode));
    want(run, c, ">", "to close 'map<'");
    return { kind: "MapType", key, value, span: c.span(i0, c.at) };
  }
  let name = t.text;
  if (c.peek().kind === "." && c.tok(c.at + 1).kind === "ident") {
    run(next);
    name += "." + run(next).text;
  }
  return { kind: "NamedType", name, span: c.span(i0, c.at) };
});

// func-type = "func" "(" [ type { "," type } ] ")" [ ":" type ]   (no result: void)
const funcType: P<TypeNode> = rule((run, c) => {
  const i0 = c.at;
  const kw = run(next);
  want(run, c, "(", "after 'func' in a function type");
  const params: TypeNode[] = [];
  while (c.peek().kind !== ")") {
    params.push(run(typeNode));
    if (!run(accept(","))) break;
  }
  want(run, c, ")", "to close the parameter types of a function type");
  const result: TypeNode = run(accept(":"))
    ? run(typeNode)
    : { kind: "NamedType", name: "void", span: { file: c.file, start: kw.start, end: kw.end } };
  return { kind: "FuncType", params, result, span: c.span(i0, c.at) };
});

/**
 * Scans a type starting at token i without building anything; returns the index after it, or -1.
 * Used as a bounded look-ahead (`Point p;` vs `p = 1;`, lambda result types).
 */
export function skipType(c: Ctx, i: number, depth = 0): number {
  if (depth > 256) return -1;
  const t = c.tok(i);
  if (TYPE_KEYWORDS.has(t.kind)) i++;
  else if (t.kind === "func") i = skipFuncType(c, i, depth);
  else if (t.kind !== "ident") return -1;
  else if ((t.text === "promise" || t.text === "channel") && c.tok(i + 1).kind === "<") {
    i = skipType(c, i + 2, depth + 1);
    if (i < 0 || c.tok(i).kind !== ">") return -1;
    i++;
  } else if (t.text === "map" && c.tok(i + 1).kind === "<") {
    i = skipType(c, i + 2, depth + 1);
    if (i < 0 || c.tok(i).kind !== ",") return -1;
    i = skipType(c, i + 1, depth + 1);
    if (i < 0 || c.tok(i).kind !== ">") return -1;
    i++;
  } else if (c.tok(i + 1).kind === "." && c.tok(i + 2).kind === "ident") i += 3;
  else i++;
  if (i < 0) return -1;
  while (c.tok(i).kind === "[" && c.tok(i + 1).kind === "]") i += 2;
  return i;
}

function skipFuncType(c: Ctx, i: number, depth: number): number {
  if (c.tok(i + 1).kind !== "(") return -1;
  i += 2;
  while (c.tok(i).kind !== ")") {
    i = skipType(c, i, depth + 1);
    if (i < 0) return -1;
    if (c.tok(i).kind !== ",") break;
    i++;
  }
  if (c.tok(i).kind !== ")") return -1;
  i++;
  return c.tok(i).kind === ":" ? skipType(c, i + 1, depth + 1) : i;
}
