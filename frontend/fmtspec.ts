// Compile-time checks of literal format specs (`format(x, ".2f")`, t-string fields `{x:>8}`) with the
// runtime's own spec parser, run as build/runtime/tulfmtspec (runtime-c/tools/fmtspec_check.c), so
// tulc rejects exactly the specs the runtime would throw on. One process per compilation at most:
// checks are queued while checking and answered together by flush(); answers are cached per process.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { TOOLCHAIN_ROOT } from "../common/paths.js";

/** What the spec formats: the allowed types differ; `any` (json) checks only the syntax. */
export type SpecKind = "int" | "float" | "str" | "bool" | "any";

interface Pending {
  kind: SpecKind;
  spec: string;
  report: (message: string) => void;
}

const answers = new Map<string, string | null>();

function key(kind: SpecKind, spec: string): string {
  return `${kind} ${Buffer.from(spec, "utf8").toString("hex")}`;
}

/** The checker program; $TULPAR_RUNTIME_DIR (a runtime built elsewhere) is tried first. */
function toolPath(): string | undefined {
  const dirs = [process.env.TULPAR_RUNTIME_DIR, path.join(TOOLCHAIN_ROOT, "build", "runtime")];
  for (const d of dirs) if (d && existsSync(path.join(d, "tulfmtspec"))) return path.join(d, "tulfmtspec");
  return undefined;
}

/** Asks the runtime's parser about every request line at once; null means the spec is fine.
 *  Without the checker program (a runtime not built yet) nothing is reported: the program would
 *  not link anyway, and `tulc check` stays usable. */
function ask(requests: string[]): Map<string, string | null> | null {
  const out = new Map<string, string | null>();
  const tool = toolPath();
  if (!tool) return null;
  const r = spawnSync(tool, [], { input: requests.join("\n") + "\n", encoding: "utf8" });
  const lines = (r.stdout ?? "").split("\n");
  if (r.status !== 0 || lines.length < requests.length) return null;
  requests.forEach((req, i) => out.set(req, lines[i] === "ok" ? null : lines[i].replace(/^error /, "")));
  return out;
}

/** Queues spec checks while a program is checked; flush() reports the bad ones. */
export class FormatSpecChecks {
  private pending: Pending[] = [];

  add(kind: SpecKind, spec: string, report: (message: string) => void): void {
    const hit = answers.get(key(kind, spec));
    if (hit !== undefined) {
      if (hit !== null) report(hit);
      return;
    }
    this.pending.push({ kind, spec, report });
  }

  /** Runs the queued checks (one tulfmtspec process) and calls `report` for each bad spec. */
  flush(): void {
    if (this.pending.length === 0) return;
    const unknown = [...new Set(this.pending.map((p) => key(p.kind, p.spec)).filter((k) => !answers.has(k)))];
    if (unknown.length > 0) for (const [k, v] of ask(unknown) ?? []) answers.set(k, v);
    for (const p of this.pending) {
      const msg = answers.get(key(p.kind, p.spec));
      if (msg) p.report(msg);
    }
    this.pending = [];
  }
}
