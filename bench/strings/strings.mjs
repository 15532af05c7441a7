// String workload in Node: the same as strings.tul. `s += "x"` builds a rope in V8, so the result is
// flattened (charCodeAt) inside the timed section to pay for the copy a real use would need.
const n = Number(process.argv[2]), np = Number(process.argv[3]), m = Number(process.argv[4]);
const t0 = performance.now();
let s = "";
for (let i = 0; i < n; i++) s = s + "x";
s.charCodeAt(s.length - 1);
const t1 = performance.now();
const parts = [];
for (let i = 0; i < np; i++) parts.push("x");
const joined = parts.join("");
joined.charCodeAt(joined.length - 1);
const t2 = performance.now();
const big = "alpha,beta,gamma,delta,".repeat(m);
big.charCodeAt(0);
const t3 = performance.now();
const fields = big.split(",");
const back = fields.join(";");
back.charCodeAt(back.length - 1);
const t4 = performance.now();
console.log("append_ms", t1 - t0);
console.log("pushjoin_ms", t2 - t1);
console.log("splitjoin_ms", t4 - t3);
console.log("sizes", s.length, joined.length, fields.length, back.length);
