// `tulc build --sanitize=address,undefined`: which sanitizers exist, the runtime build each needs
// (build/runtime-san: the C runtime compiled with them, see CMakeLists.txt) and what the generated
// code gets (the function attribute LLVM's instrumentation pass looks for).

export interface Sanitizer {
  /** Folder of the runtime variant under build/ (or build-<triple>/). */
  runtime: string;
  /** Sanitizers that variant is compiled with: the program links all of their run-time libraries. */
  runtimeFlags: string[];
  /** Attribute that makes LLVM instrument a generated function (null: nothing to instrument). */
  attribute: string | null;
}

/**
 * The known sanitizers. `undefined` instruments the C runtime only: generated code has no
 * undefined behaviour to find (integer arithmetic wraps, divisions, shifts, indexes and float-to-int
 * conversions are checked where the language says so). `thread` will be a variant of its own
 * (runtime-tsan, attribute sanitize_thread) when programs have threads: TSan cannot be combined
 * with ASan.
 */
export const SANITIZERS: Record<string, Sanitizer | string> = {
  address: { runtime: "runtime-san", runtimeFlags: ["address", "undefined"], attribute: "sanitize_address" },
  undefined: { runtime: "runtime-san", runtimeFlags: ["address", "undefined"], attribute: null },
  thread: "ThreadSanitizer comes with threads (spawn); programs have one thread today",
};

export class SanitizeError extends Error {}

/** Parses `address,undefined` into a sorted list of known sanitizers sharing one runtime variant. */
export function parseSanitizers(text: string): string[] {
  const names = [...new Set(text.split(",").map((s) => s.trim()).filter(Boolean))].sort();
  if (!names.length) throw new SanitizeError("--sanitize needs a list: address, undefined");
  for (const n of names) {
    const s = SANITIZERS[n];
    if (s === undefined) throw new SanitizeError(`unknown sanitizer '${n}' (known: ${Object.keys(SANITIZERS).join(", ")})`);
    if (typeof s === "string") throw new SanitizeError(`--sanitize=${n} is not available yet: ${s}`);
  }
  const runtimes = new Set(names.map((n) => sanitizer(n).runtime));
  if (runtimes.size > 1) throw new SanitizeError(`sanitizers ${names.join(" and ")} cannot be combined`);
  return names;
}

function sanitizer(name: string): Sanitizer {
  return SANITIZERS[name] as Sanitizer;
}

/** The runtime folder for a list of sanitizers ("runtime" without any). */
export function sanitizedRuntime(names: readonly string[] | undefined): string {
  return names?.length ? sanitizer(names[0]).runtime : "runtime";
}

/** clang flags: instrument what was asked for, link every sanitizer the runtime variant uses. */
export function sanitizeCompileFlags(names: readonly string[] | undefined): string[] {
  return names?.length ? [`-fsanitize=${names.join(",")}`] : [];
}

export function sanitizeLinkFlags(names: readonly string[] | undefined): string[] {
  return names?.length ? [`-fsanitize=${sanitizer(names[0]).runtimeFlags.join(",")}`] : [];
}

/** LLVM function attributes for the generated functions. */
export function sanitizeAttributes(names: readonly string[] | undefined): string[] {
  return (names ?? []).map((n) => sanitizer(n).attribute).filter((a): a is string => !!a);
}
