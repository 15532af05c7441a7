// The semantic type model shared by the checker and codegen, with equality and printing.

import type { StructDecl } from "./ast.js";

export type Type =
  | { k: "int" }
  | { k: "float" }
  | { k: "bool" }
  | { k: "str" }
  | { k: "void" }
  | { k: "json" } // dynamic value; `null` literals have this type
  | { k: "never" } // result of functions whose every path throws; converts to every type
  | { k: "array"; elem: Type }
  | { k: "promise"; inner: Type }
  | { k: "channel"; elem: Type } // docs/reference.md §15
  | { k: "func"; params: Type[]; result: Type }
  | { k: "struct"; name: string; decl: StructDecl };

export const T = {
  int: { k: "int" } as Type,
  float: { k: "float" } as Type,
  bool: { k: "bool" } as Type,
  str: { k: "str" } as Type,
  void: { k: "void" } as Type,
  json: { k: "json" } as Type,
  never: { k: "never" } as Type,
  array: (elem: Type): Type => ({ k: "array", elem }),
  promise: (inner: Type): Type => ({ k: "promise", inner }),
  channel: (elem: Type): Type => ({ k: "channel", elem }),
  func: (params: Type[], result: Type): Type => ({ k: "func", params, result }),
};

export function typeEquals(a: Type, b: Type): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "array":
      return typeEquals(a.elem, (b as typeof a).elem);
    case "promise":
      return typeEquals(a.inner, (b as typeof a).inner);
    case "channel":
      return typeEquals(a.elem, (b as typeof a).elem);
    case "func": {
      const bf = b as typeof a;
      return a.params.length === bf.params.length && a.params.every((p, i) => typeEquals(p, bf.params[i])) && typeEquals(a.result, bf.result);
    }
    case "struct":
      return a.decl === (b as typeof a).decl;
    default:
      return true;
  }
}

export function typeToString(t: Type): string {
  switch (t.k) {
    case "array":
      return `${typeToString(t.elem)}[]`;
    case "promise":
      return `promise<${typeToString(t.inner)}>`;
    case "channel":
      return `channel<${typeToString(t.elem)}>`;
    case "func":
      return `func(${t.params.map(typeToString).join(", ")}): ${typeToString(t.result)}`;
    case "struct":
      return t.name;
    default:
      return t.k;
  }
}

export const isNumeric = (t: Type): boolean => t.k === "int" || t.k === "float";
/** Types represented as GC pointers at run time (null-able references). */
export const isReference = (t: Type): boolean => !["int", "float", "bool", "void", "never"].includes(t.k);
