// Node fetch side of the HTTP bench: N small GETs to URL with CONCURRENCY requests in flight at
// once (workers pulling from a shared counter). Prints "<ok count> <ms>" like client.tul.
const n = Number(process.env.N ?? 2000), url = process.env.URL, conc = Number(process.env.CONCURRENCY ?? 4);
let next = 0, ok = 0;
async function worker() {
  while (next < n) {
    next++;
    const r = await fetch(url);
    await r.text();
    if (r.status === 200) ok++;
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: conc }, worker));
console.log(ok, performance.now() - t0);
