// Isolation of spawned functions (docs/reference.md §16): a function run by `spawn`, and every
// function it calls, may not read or write a global variable (a const of an immutable type is
// fine), await, start a task (async calls, spawn) or call a built-in that works on the event loop
// (one whose call yields a promise: sleep_async, gather, http_request_async, ...). Runs once every
// body is typed, only when the program spawns: each function body (top-level function or lambda,
// nested functions included) is a unit with its own violations and the units it calls directly;
// a reverse breadth-first walk gives every unit the nearest violation it can reach. A spawn of a
// unit with one is an error naming the violation and the chain of calls (file:line:col notes).
// Calls through function values cannot be followed: a unit with a violation that can become a
// function value gets a run-time guard instead (`workerGuard` on the node: its code throws
// RuntimeError when it runs on a worker, codegen/lower/spawn.ts).

import { walk, type AstNode, type Call, type Expr, type FuncDecl, type Ident, type Lambda, type Spawn, type VarDecl, type VarSymbol } from "../ast.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import type { Checker } from "./context.js";
import { D } from "../messages.js";

/** `what` reads as "<function> <what>"; `why` (optional) says why it is not allowed. */
interface Violation { what: string; why?: string; span: Span }
interface Edge { to: Unit; span: Span }
interface Unit {
  name: string;
  violations: Violation[];
  calls: Edge[];
  /** The nearest violation: here (next null) or through the call `via` to `next`. */
  reach?: { via: Edge | null; next: Unit | null; violation: Violation };
}

export function checkIsolation(cx: Checker): void {
  if (cx.spawns.length === 0) return;
  const units = new Units();
  for (const info of cx.funcInfos.values()) {
    if (info.nested) units.of(info.nested.lambda, info.decl.name);
    else units.of(info.decl, info.decl.name);
  }
  units.collectAll();
  units.propagate();
  for (const [node, u] of units.byNode) if (u.reach) node.workerGuard = runtimeMessage(u);
  for (const s of cx.spawns) reportSpawn(cx, s, units);
}

// ---------------------------------------------------------------- units

class Units {
  readonly byNode = new Map<FuncDecl | Lambda, Unit>();
  private readonly pending: [FuncDecl | Lambda, Unit][] = [];

  of(node: FuncDecl | Lambda, name: string): Unit {
    let u = this.byNode.get(node);
    if (!u) {
      u = { name, violations: [], calls: [] };
      this.byNode.set(node, u);
      this.pending.push([node, u]);
    }
    return u;
  }

  /** Walks every unit's body (walking may find more lambdas, which become units too). */
  collectAll(): void {
    for (let i = 0; i < this.pending.length; i++) {
      const [node, u] = this.pending[i];
      new BodyWalk(this, u).visit(node.body);
    }
  }

  /** Multi-source BFS over reversed call edges: each unit gets its nearest reachable violation. */
  propagate(): void {
    const callers = new Map<Unit, Edge[]>();
    const queue: Unit[] = [];
    for (const u of this.byNode.values()) {
      for (const e of u.calls) {
        const back = callers.get(e.to) ?? [];
        back.push({ to: u, span: e.span });
        callers.set(e.to, back);
      }
      if (u.violations.length) {
        u.reach = { via: null, next: null, violation: u.violations[0] };
        queue.push(u);
      }
    }
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i];
      for (const back of callers.get(u) ?? []) {
        const caller = back.to;
        if (caller.reach) continue;
        caller.reach = { via: { to: u, span: back.span }, next: u, violation: u.reach!.violation };
        queue.push(caller);
      }
    }
  }

  lambdaUnit(l: Lambda): Unit {
    const { line } = l.span.file.position(l.span.start);
    return this.of(l, `<lambda at ${baseName(l.span.file.path)}:${line}>`);
  }

  /** The unit a direct call reaches: a top-level function, or a nested one through its const closure. */
  callee(call: Call): Unit | null {
    const t = call.target;
    if (t?.kind === "func") return this.byNode.get(t.sym.decl) ?? this.of(t.sym.decl, t.sym.name);
    if (t?.kind !== "value" || call.callee.kind !== "Ident") return null;
    const sym = call.callee.sym;
    if (sym?.kind !== "var" || !sym.isConst) return null;
    const init = (sym.decl as VarDecl).init;
    return init?.kind === "Lambda" ? this.byNode.get(init) ?? this.lambdaUnit(init) : null;
  }
}

const baseName = (p: string): string => p.slice(p.lastIndexOf("/") + 1);

// ---------------------------------------------------------------- one body

/** Collects one unit's violations and direct calls; lambdas inside become units of their own. */
class BodyWalk {
  constructor(private readonly units: Units, private readonly u: Unit) {}

  visit(body: AstNode): void {
    walk(body, (n) => this.node(n));
  }

  /** Records what matters about one node; false when its children were handled here. */
  private node(n: AstNode): boolean {
    switch (n.kind) {
      case "Lambda":
        this.units.lambdaUnit(n);
        return false;
      case "FuncDecl": // nested ones were replaced by their closures; anything left is not this body
        return false;
      case "Ident":
        this.globalUse(n, "reads");
        return false;
      case "Assign":
        this.target(n.target);
        this.visit(n.value);
        return false;
      case "Update":
        this.target(n.target);
        return false;
      case "Await":
        this.add("awaits", n.span, "a worker has no event loop to wait on");
        return true;
      case "Spawn":
        this.add("spawns a function", n.span, "only the event loop thread starts work on the pool");
        return true;
      case "Call":
        this.call(n);
        return true;
      default:
        return true;
    }
  }

  private call(c: Call): void {
    if (c.target?.kind === "func" && c.target.sym.decl.isAsync) {
      this.add(`calls async function '${c.target.sym.name}'`, c.span, "that starts a task on the event loop");
      return;
    }
    if (c.target?.kind === "builtin" && loopBound(c.ty)) {
      this.add(`calls '${c.target.name}'`, c.span, "it works on the event loop");
      return;
    }
    const to = this.units.callee(c);
    if (to) this.u.calls.push({ to, span: c.callee.span });
  }

  /** An assignment or ++/-- target: a global written, or (element, field) the object read. */
  private target(t: Expr): void {
    if (t.kind === "Ident") this.globalUse(t, "writes");
    else this.visit(t);
  }

  private globalUse(id: Ident, verb: "reads" | "writes"): void {
    const sym = id.sym;
    if (sym?.kind !== "var" || !sym.isGlobal) return;
    if (verb === "reads" && sym.isConst && immutable(sym)) return;
    const why = verb === "reads" && sym.isConst ? `a const ${kindName(sym.type)} can still be changed in place` : "workers share no globals";
    this.add(`${verb} global variable '${sym.name}'`, id.span, `${why}: pass the value as an argument`);
  }

  private add(what: string, span: Span, why?: string): void {
    this.u.violations.push({ what, why, span });
  }
}

/** Values nobody can change in place: scalars, strings, function values (a call is checked itself). */
function immutable(sym: VarSymbol): boolean {
  return ["int", "float", "bool", "str", "func", "never"].includes(sym.type.k);
}

function kindName(t: Type): string {
  return t.k === "struct" ? "struct" : t.k === "array" ? "array" : t.k;
}

/** A call whose value is (or holds) a promise or a channel works on the event loop. */
function loopBound(t: Type | undefined): boolean {
  if (!t) return false;
  if (t.k === "promise" || (t.k as string) === "channel") return true;
  if (t.k === "array") return loopBound(t.elem);
  return false;
}

// ---------------------------------------------------------------- reporting

/** The calls from `u` to its nearest violation, then the violation. */
function chainOf(u: Unit): { units: Unit[]; edges: Edge[]; violation: Violation } {
  const units = [u], edges: Edge[] = [];
  let cur = u;
  while (cur.reach?.next) {
    edges.push(cur.reach.via!);
    cur = cur.reach.next;
    units.push(cur);
  }
  return { units, edges, violation: u.reach!.violation };
}

function reportSpawn(cx: Checker, s: Spawn, units: Units): void {
  const call = s.call as Call;
  if (call.target?.kind !== "func") return;
  const u = units.byNode.get(call.target.sym.decl);
  if (!u?.reach) return;
  const { units: path, edges, violation } = chainOf(u);
  const last = path[path.length - 1].name;
  const who = path.length > 1 ? `'${last}' (${path.map((p) => p.name).join(" -> ")})` : "it";
  const related = edges.map((e, i) => ({ message: `'${path[i].name}' calls '${path[i + 1].name}' here`, span: e.span }));
  related.push({ message: `'${last}' ${violation.what} here`, span: violation.span });
  const why = violation.why ? `; ${violation.why}` : "";
  cx.diags.error(D.spawnIsolation({ name: u.name, who, what: violation.what, why }), call.callee.span, related);
}

/** The RuntimeError a guarded function value throws on a worker. */
function runtimeMessage(u: Unit): string {
  const { units: path, violation } = chainOf(u);
  const chain = path.length > 1 ? `, through ${path.map((p) => p.name).join(" -> ")}` : "";
  return `RuntimeError: ${u.name} was called through a function value in a spawned function, and ${path.length > 1 ? path[path.length - 1].name : "it"} ${violation.what}${chain}`;
}
