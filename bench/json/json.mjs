// JSON workload in Node: the same as json.tul (JSON.parse, then JSON.stringify) on argv[2], with the
// same modes in argv[3] ("read", "parse", "both").
import { readFileSync } from "node:fs";
const text = readFileSync(process.argv[2], "utf8");
const mode = process.argv[3];
if (mode !== "read") {
  const t0 = performance.now();
  const doc = JSON.parse(text);
  const t1 = performance.now();
  console.log("parse_ms", t1 - t0);
  console.log("records", doc.records.length);
  if (mode !== "parse") {
    const out = JSON.stringify(doc);
    const t2 = performance.now();
    console.log("serialise_ms", t2 - t1);
    console.log("bytes", out.length > 0);
  }
}
