// Debug locations of a build without -g: its line tables serve the runtime's traces, which
// symbolize return addresses, that is call sites (every throw, the stack check and every user
// call is a call). This pass keeps `!dbg` on calls and drops it from every other instruction, which
// makes clang's -O0 code generation a third faster (fewer line-table rows to emit) and -O2 a little.

import { CALL, isIndented, mayCall } from "./scan.js";

const DBG = ", !dbg !";

/** Drops the `!dbg` attachment of every instruction but calls, in place (with -g, skip this pass:
 *  a debugger steps by these locations). */
export function callSiteLocationsIn(lines: string[]): string[] {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!isIndented(line)) continue; // labels, definitions, metadata
    const at = line.indexOf(DBG);
    if (at < 0 || (mayCall(line) && CALL.test(line))) continue;
    let end = at + DBG.length;
    while (end < line.length && line.charCodeAt(end) >= 48 && line.charCodeAt(end) <= 57) end++;
    lines[i] = line.slice(0, at) + line.slice(end);
  }
  return lines;
}

/** callSiteLocationsIn on IR text. */
export function callSiteLocations(text: string): string {
  return callSiteLocationsIn(text.split("\n")).join("\n");
}
