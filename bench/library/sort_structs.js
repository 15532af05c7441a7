// sort_structs.js: the workload of sort_structs.tul in Node: objects sorted by an int field with
// Array.prototype.sort and a comparator (stable, TimSort).
const n = Number(process.env.N);
const xs = [];
let x = 12345;
for (let i = 0; i < n; i++) {
  x = (x * 48271) % 2147483647;
  xs.push({ key: x % 1000000, id: i });
}
const t0 = performance.now();
xs.sort((a, b) => a.key - b.key);
const t1 = performance.now();
console.log("sort_ms", (t1 - t0).toFixed(3));
console.log("check", xs[0].key, xs[n >> 1].key, xs[n - 1].key);
