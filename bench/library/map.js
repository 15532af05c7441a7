// map.js: Node's Map with the workload of map_table.c: N string keys "key0".. inserted, then looked
// up (and N int keys), wall ms per phase.
const n = Number(process.argv[2] ?? 1000000);
const keys = Array.from({ length: n }, (_, i) => "key" + i);
let t0 = performance.now();
const m = new Map();
for (let i = 0; i < n; i++) m.set(keys[i], i);
let t1 = performance.now();
let sum = 0;
for (let i = 0; i < n; i++) sum += m.get(keys[i]);
let t2 = performance.now();
console.log(`str insert_ms ${(t1 - t0).toFixed(1)} lookup_ms ${(t2 - t1).toFixed(1)} sum ${sum}`);
t0 = performance.now();
const mi = new Map();
for (let i = 0; i < n; i++) mi.set(i * 7919, i);
t1 = performance.now();
sum = 0;
for (let i = 0; i < n; i++) sum += mi.get(i * 7919);
t2 = performance.now();
console.log(`int insert_ms ${(t1 - t0).toFixed(1)} lookup_ms ${(t2 - t1).toFixed(1)} sum ${sum}`);
