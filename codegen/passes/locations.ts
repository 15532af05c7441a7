// Debug locations of a build without -g: its line tables serve the runtime's traces, which
// symbolize return addresses, that is call sites (every throw, the stack check and every user
// call is a call). This pass keeps `!dbg` on calls and drops it from every other instruction, which
// makes clang's -O0 code generation a third faster (fewer line-table rows to emit) and -O2 a little.

import { CALL, DBG, isIndented, mayCall, withoutLocation } from "./scan.js";

/** Drops the `!dbg` attachment of every instruction but calls, in place (with -g, skip this pass:
 *  a debugger steps by these locations). The pass pipeline does the same inside its scan (scan.ts). */
export function callSiteLocationsIn(lines: string[]): string[] {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!isIndented(line)) continue; // labels, definitions, metadata
    if (line.includes(DBG) && !(mayCall(line) && CALL.test(line))) lines[i] = withoutLocation(line);
  }
  return lines;
}

/** callSiteLocationsIn on IR text. */
export function callSiteLocations(text: string): string {
  return callSiteLocationsIn(text.split("\n")).join("\n");
}
