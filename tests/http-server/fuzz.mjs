// The HTTP server fuzz test: random, mutated and truncated byte streams sent to app.tul, each on
// its own connection that the client half-closes. Every connection must end (no hang) with nothing
// but well-formed HTTP/1.1 responses (a valid prefix may be answered before a 400/413/431), and
// the server must keep running and answering. Bounded and seeded: node tests/http-server/fuzz.mjs
// [inputs=1500] [seed]. Prints "http-server-fuzz: N passed, M failed".

import { App, buildApp, parseResponses, raw, req, request } from "./lib.mjs";

const inputs = Number(process.argv[2] ?? 1500);
let seed = Number(process.argv[3] ?? 20261201) >>> 0 || 1;

/** xorshift32: reproducible from the seed. */
function rand(n) {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
}
const pick = (xs) => xs[rand(xs.length)];

const CORPUS = [
  req("GET", "/hello/fuzz"),
  req("GET", "/echo?a=1&b=%20x+y", { Accept: "*/*", "X-A": "1" }),
  req("POST", "/size", { "Content-Type": "text/plain" }, "some body bytes"),
  "POST /size HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n",
  req("GET", "/hello/a") + req("GET", "/files/x/y"),
  "POST /size HTTP/1.1\r\nHost: f\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
  "GET /hello/old HTTP/1.0\r\n\r\n",
  req("PUT", "/items/k", {}, "value"),
  req("DELETE", "/hello/x"),
];
const JUNK = ["\r\n", "\n", "\r", ":", " ", "\0", "\x7f", "\xff", "%", "?", "/", "Content-Length: ", "Transfer-Encoding: chunked\r\n",
  "Content-Length: 99999999999999999999\r\n", "Content-Length: -1\r\n", "ffffffffffffffff\r\n", "0\r\n\r\n", "HTTP/1.1", "GET ", "\t"];

function mutate(s) {
  const b = Buffer.from(s, "latin1");
  const out = [...b];
  const steps = 1 + rand(4);
  for (let k = 0; k < steps; k++) {
    const at = rand(out.length + 1);
    switch (rand(6)) {
      case 0: out.splice(at, 1 + rand(8)); break;                                  // delete
      case 1: if (at < out.length) out[at] = rand(256); break;                     // flip a byte
      case 2: out.splice(at, 0, ...Buffer.from(pick(JUNK), "latin1")); break;       // insert a token
      case 3: out.splice(at, 0, ...Array.from({ length: 1 + rand(16) }, () => rand(256))); break; // noise
      case 4: out.splice(at, 0, ...out.slice(rand(out.length), rand(out.length) + 1)); break;   // duplicate a span
      default: out.length = at;                                                    // truncate
    }
  }
  return Buffer.from(out);
}

function generate() {
  switch (rand(8)) {
    case 0: return Buffer.from(Array.from({ length: rand(300) }, () => rand(256)));   // pure noise
    case 1: { const s = Buffer.from(pick(CORPUS), "latin1"); return s.subarray(0, rand(s.length + 1)); } // truncated
    case 2: return Buffer.from(req("GET", "/echo", { "X-Long": "a".repeat(rand(40000)) }), "latin1"); // header bombs
    case 3: return Buffer.from("GET /" + "x".repeat(rand(40000)) + " HTTP/1.1\r\n\r\n", "latin1");
    default: return mutate(pick(CORPUS));
  }
}

/** Checks one exchange; returns an error text or null. */
function check(input, r) {
  if (r.timedOut) return "the connection neither answered and closed nor closed in time";
  let rs;
  try {
    rs = parseResponses(r.text);
  } catch (e) {
    return `malformed response: ${e.message}`;
  }
  const parsedLength = rs.reduce((n, x) => n + x.body.length, 0);
  if (r.text.length && !rs.length) return `bytes that are not a response: ${JSON.stringify(r.text.slice(0, 80))}`;
  for (const x of rs) if (x.status < 100 || x.status > 599) return `status ${x.status}`;
  void parsedLength;
  return null;
}

async function main() {
  const exe = await buildApp();
  const app = await App.start(exe, { header_timeout_ms: 2000, max_body_bytes: 100000 });
  let passed = 0, failed = 0, answered = 0, errors = 0;
  const concurrency = 25;
  let next = 0;
  const worker = async () => {
    while (next < inputs) {
      const i = next++;
      const input = generate();
      const r = await raw(app.port, [input], { end: true, timeoutMs: 5000 });
      const err = check(input, r);
      if (err) {
        failed++;
        if (failed <= 10) console.log(`not ok - input ${i}: ${err}\n  input: ${JSON.stringify(input.toString("latin1").slice(0, 200))}`);
      } else {
        passed++;
        if (r.text) answered++;
        if (/^HTTP\/1\.1 4\d\d/m.test(r.text)) errors++;
      }
      if (i % 250 === 249 && !(await alive(app))) { failed++; console.log(`not ok - the server stopped answering after input ${i}`); next = inputs; }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (await alive(app)) passed++;
  else { failed++; console.log("not ok - the server is not answering after the fuzz"); }
  const e = await app.stop();
  if (e.code === 0) passed++;
  else { failed++; console.log(`not ok - the server exited with ${JSON.stringify(e)}\n${app.stderr.slice(-2000)}`); }
  console.log(`fuzz: ${inputs} inputs, ${answered} answered (${errors} with a 4xx), the rest closed without a response`);
  console.log(`http-server-fuzz: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

async function alive(app) {
  try {
    return app.alive() && (await request(app.port, { path: "/hello/alive", timeoutMs: 5000 })).body === "hello alive";
  } catch {
    return false;
  }
}

main().catch((e) => {
  console.log(`http-server-fuzz: 0 passed, 1 failed\n${e.stack || e}`);
  process.exitCode = 1;
});
