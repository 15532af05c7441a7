// Node reference for async bench (a)/(c) and (b): MODE=yield for the yield workload.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function sleeper() { await sleep(10); return 1; }
async function yielder(times) { for (let i = 0; i < times; i++) await sleep(0); return times; }
const n = Number(process.env.TASKS ?? 100000);
const ps = process.env.MODE === "yield" ? Array.from({ length: 1000 }, () => yielder(1000)) : Array.from({ length: n }, sleeper);
Promise.all(ps).then((xs) => console.log(xs.reduce((a, b) => a + b, 0)));
