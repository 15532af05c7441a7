// Exhaustiveness for switches over a union's kinds: a case left out makes the call below fail to
// type-check (its argument is then not `never`), and reaching it at run time is an internal error.

export function assertNever(x: never, what = "kind"): never {
  const kind = (x as { kind?: unknown; k?: unknown } | null)?.kind ?? (x as { k?: unknown } | null)?.k;
  throw new Error(`internal error: unhandled ${what} ${String(kind ?? x)}`);
}
