// Time per compiler phase, for `tulc build --time`: phases record wall-clock milliseconds into one
// process-wide table (a phase that runs twice adds up); report() formats it. Off by default, when
// timing a phase costs one branch. With TULC_TIME_CPU=1 each line also shows the process's CPU time
// in the phase (user + system, every thread of tulc, not its clang children): the number to compare
// on a loaded machine.

import { performance } from "node:perf_hooks";

const rows = new Map<string, number>();
const cpuRows = new Map<string, number>();
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
  return out + line("total", total, cpuNow());
}
