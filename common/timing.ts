// Time per compiler phase, for `tulc build --time`: phases record wall-clock milliseconds into one
// process-wide table (a phase that runs twice adds up); report() formats it. Off by default, when
// timing a phase costs one branch. With TULC_TIME_CPU=1 each line also shows the process's CPU time
// in the phase (user + system, every thread of tulc, not its clang children): the number to compare
// on a loaded machine. With TULC_MEM=1 each phase's end also samples the process's memory (rss; the
// JS heap, used and reserved; V8's external buffers; rss outside the JS heap is mostly native memory
// such as LLVM's), listed after the times.

import { performance } from "node:perf_hooks";

const rows = new Map<string, number>();
const cpuRows = new Map<string, number>();
const memory: string[] = [];
let enabled = false;
const withCpu = !!process.env.TULC_TIME_CPU;

/** CPU milliseconds this process has used so far (0 unless TULC_TIME_CPU is set). */
export function cpuNow(): number {
  if (!withCpu) return 0;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function enableTiming(): void {
  enabled = true;
}

export function timingEnabled(): boolean {
  return enabled;
}

/** Runs `body` as (part of) phase `name`. */
export function phase<T>(name: string, body: () => T): T {
  if (!enabled) return body();
  const t0 = performance.now(), c0 = cpuNow();
  try {
    return body();
  } finally {
    record(name, performance.now() - t0, cpuNow() - c0);
  }
}

/** The asynchronous form of phase. */
export async function phaseAsync<T>(name: string, body: () => Promise<T>): Promise<T> {
  if (!enabled) return body();
  const t0 = performance.now(), c0 = cpuNow();
  try {
    return await body();
  } finally {
    record(name, performance.now() - t0, cpuNow() - c0);
  }
}

/** Adds `ms` (and `cpuMs` of this process's CPU time) to phase `name` (for phases measured
 *  elsewhere, e.g. by a child process). */
export function record(name: string, ms: number, cpuMs?: number): void {
  if (!enabled) return;
  rows.set(name, (rows.get(name) ?? 0) + ms);
  if (cpuMs !== undefined) cpuRows.set(name, (cpuRows.get(name) ?? 0) + cpuMs);
  if (process.env.TULC_MEM) sampleMemory(name);
}

/** Appends the process's memory after phase `name` to the --time report ($TULC_MEM). */
function sampleMemory(name: string): void {
  const m = process.memoryUsage();
  const mb = (n: number): string => `${(n / 2 ** 20).toFixed(0).padStart(5)} MB`;
  memory.push(`  after ${name}: rss ${mb(m.rss)}, heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)}\n`);
}

/** The table: one line per phase in first-recorded order, then the total since the process started. */
export function timingReport(): string {
  const total = performance.now();
  const width = Math.max(5, ...[...rows.keys()].map((k) => k.length));
  const line = (name: string, ms: number, cpu: number | undefined): string => {
    const cpuText = withCpu && cpu !== undefined ? `  (cpu ${cpu.toFixed(0).padStart(6)} ms)` : "";
    return `  ${name.padEnd(width)} ${ms.toFixed(0).padStart(7)} ms${cpuText}\n`;
  };
  let out = "tulc: time per phase (wall clock)\n";
  for (const [name, ms] of rows) out += line(name, ms, cpuRows.get(name));
  out += line("total", total, cpuNow());
  return memory.length ? `${out}tulc: memory at the end of each phase\n${memory.join("")}` : out;
}
