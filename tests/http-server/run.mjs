// The HTTP server suite (docs/reference.md, HTTP server): builds tests/http-server/app.tul, starts
// it with the default limits and with small ones, and drives it from Node with raw sockets and
// node:http: routes, params, query, JSON, 404/405/500, keep-alive, pipelining, chunked bodies,
// Expect: 100-continue, Connection: close, 400/413/431, timeouts, max_connections, 1,000 concurrent
// slow requests, 10,000 requests over 100 connections, graceful stop. Prints "http-server: N passed,
// M failed". Usage: node tests/http-server/run.mjs [name-filter]

import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { readFileSync } from "node:fs";
import { App, buildApp, parseResponses, raw, req, request, responses, sleep } from "./lib.mjs";

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const SMALL = { max_header_bytes: 1024, max_body_bytes: 1000, header_timeout_ms: 300, idle_timeout_ms: 400, max_connections: 5 };
let app, small; // the default instance and the one with small limits

// ---------------------------------------------------------------- routing and requests

test("routes, :name params, trailing *, 404 and 405", async () => {
  let r = await request(app.port, { path: "/hello/ada" });
  assert.equal(r.status, 200);
  assert.equal(r.body, "hello ada");
  assert.equal(r.headers["content-type"], "text/plain; charset=utf-8");
  assert.equal(r.headers["content-length"], "9");
  assert.ok(r.headers.date);
  assert.equal((await request(app.port, { path: "/hello/ada/" })).body, "hello ada");
  r = await request(app.port, { path: "/hello/" });
  assert.equal(r.status, 404);
  r = await request(app.port, { path: "/nowhere" });
  assert.equal(r.status, 404);
  assert.equal(r.body, "Not Found\n");
  r = await request(app.port, { method: "DELETE", path: "/hello/ada" });
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, "GET");
  r = await request(app.port, { method: "DELETE", path: "/items/k" });
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, "PUT, GET");
  assert.equal((await request(app.port, { path: "/files/a/b/c.txt" })).body, "file a/b/c.txt");
  assert.equal((await request(app.port, { path: "/hello/J%C3%BCrgen%20K" })).body, "hello Jürgen K");
  assert.equal((await request(app.port, { path: "/files/a%2Fb/%zz" })).body, "file a/b/%zz");
  assert.equal((await request(app.port, { path: "/files/" })).body, "file ");
  r = await request(app.port, { method: "HEAD", path: "/hello/ada" });
  assert.equal(r.status, 200);
  assert.equal(r.headers["content-length"], "9");
  assert.equal(r.body, "");
});

test("the request json: method, path, query, headers, params, body", async () => {
  const r = await request(app.port, { method: "PATCH", path: "/echo?a=1&b=x+y&c=%41%42%zz&a=2&empty&d=", headers: { "X-Mixed-Case": "V" }, body: "payload" });
  assert.equal(r.status, 200);
  const j = JSON.parse(r.body);
  assert.equal(j.method, "PATCH");
  assert.equal(j.path, "/echo");
  assert.deepEqual(j.query, { a: "1", b: "x y", c: "AB%zz", empty: "", d: "" });
  assert.equal(j.headers["x-mixed-case"], "V");
  assert.equal(j.headers.host, `127.0.0.1:${app.port}`);
  assert.equal(j.body, "payload");
  assert.deepEqual(j.params, {});
  const p = JSON.parse((await request(app.port, { path: "/echo/one/two" })).body);
  assert.deepEqual(p.params, { a: "one", b: "two" });
  const rr = await raw(app.port, [req("GET", "/echo", { "X-Rep": "1", "x-rep": "2", Cookie: "a=1", cookie: "b=2" })], { until: responses(1) });
  const h = JSON.parse(parseResponses(rr.text)[0].body).headers;
  assert.equal(h["x-rep"], "1, 2");
  assert.equal(h.cookie, "a=1; b=2");
  const abs = await raw(app.port, [req("GET", "http://example.test/echo?q=1")], { until: responses(1) });
  const a = JSON.parse(parseResponses(abs.text)[0].body);
  assert.equal(a.path, "/echo");
  assert.deepEqual(a.query, { q: "1" });
});

test("JSON round trip", async () => {
  const doc = { n: [1, 2.5, "é", true, null], o: { k: { deep: [[]] } }, s: "quote \" and \\ and \u2028" };
  const r = await request(app.port, { method: "POST", path: "/json", headers: { "Content-Type": "application/json" }, body: JSON.stringify(doc) });
  assert.equal(r.status, 201);
  assert.equal(r.headers["content-type"], "application/json");
  assert.equal(r.headers["x-kind"], "roundtrip");
  assert.deepEqual(JSON.parse(r.body), { ...doc, seen: true });
  const bad = await request(app.port, { method: "POST", path: "/json", body: "{not json" });
  assert.equal(bad.status, 500);
});

test("a handler that throws gives 500 and its trace on stderr; the server keeps serving", async () => {
  const before = app.stderr.length;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let r = await request(app.port, { path: "/boom", agent });
  assert.equal(r.status, 500);
  assert.equal(r.body, "Internal Server Error\n");
  r = await request(app.port, { path: "/sync-boom", agent });
  assert.equal(r.status, 500);
  r = await request(app.port, { path: "/bad-response", agent });
  assert.equal(r.status, 500);
  r = await request(app.port, { path: "/hello/still", agent });
  assert.equal(r.body, "hello still");
  agent.destroy();
  await sleep(50);
  const err = app.stderr.slice(before);
  assert.match(err, /Exception in handler for GET \/boom: ValueError: boom in a handler\n\s+at boom \(.*app\.tul:\d+\)/);
  assert.match(err, /Exception in handler for GET \/sync-boom: KeyError: thrown before any await\n\s+at \w+ \(.*\.tul:\d+\)/);
  assert.match(err, /Invalid response from handler for GET \/bad-response: "status" is not an int/);
});

// ---------------------------------------------------------------- connections

test("keep-alive: sequential requests reuse one connection", async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ports = new Set();
  for (let i = 0; i < 20; i++) {
    const r = await request(app.port, { path: `/hello/${i}`, agent });
    assert.equal(r.body, `hello ${i}`);
    ports.add(r.socket.localPort);
  }
  agent.destroy();
  assert.equal(ports.size, 1);
});

test("pipelining: responses in request order, handlers concurrent", async () => {
  const t0 = Date.now();
  const r = await raw(app.port, [req("GET", "/slow?ms=150") + req("GET", "/hello/b") + req("GET", "/slow?ms=10")], { until: responses(3) });
  const rs = parseResponses(r.text);
  assert.deepEqual(rs.map((x) => x.body), ["slept 150", "hello b", "slept 10"]);
  assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
  const many = Array.from({ length: 200 }, (_, i) => req("GET", `/hello/p${i}`)).join("");
  const m = await raw(app.port, [many], { until: responses(200), timeoutMs: 5000 });
  assert.deepEqual(parseResponses(m.text).map((x) => x.body), Array.from({ length: 200 }, (_, i) => `hello p${i}`));
});

test("chunked request bodies", async () => {
  const r = await raw(app.port, [
    "POST /size HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n",
    "5\r\nhello\r\n", 20, "6;ext=1\r\n world\r\n", 20, "0\r\nTrailer: x\r\n\r\n",
  ], { until: responses(1) });
  const [res] = parseResponses(r.text);
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), { length: 11 });
  const body = "x".repeat(100000);
  const put = await request(app.port, { method: "PUT", path: "/items/big", headers: { "Transfer-Encoding": "chunked" }, body });
  assert.equal(put.status, 204);
  assert.equal(put.body, "");
  const get = await request(app.port, { path: "/items/big" });
  assert.equal(get.body, body);
  assert.equal(get.headers["content-type"], "application/octet-stream");
  assert.equal((await request(app.port, { path: "/items/none" })).status, 404);
});

test("Expect: 100-continue", async () => {
  const r = await raw(app.port, [
    "POST /size HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
    100, "12345",
  ], { until: responses(2) });
  assert.ok(r.text.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), r.text);
  const [c, res] = parseResponses(r.text);
  assert.equal(c.status, 100);
  assert.deepEqual(JSON.parse(res.body), { length: 5 });
  const big = await raw(small.port, ["POST /size HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n"], {});
  const [tooBig] = parseResponses(big.text);
  assert.equal(tooBig.status, 413);
  assert.ok(big.closed);
});

test("Connection: close, HTTP/1.0 and a handler's Connection: close", async () => {
  let r = await raw(app.port, [req("GET", "/hello/c", { Connection: "close" })], { timeoutMs: 2000 });
  assert.ok(r.closed && !r.timedOut);
  let [res] = parseResponses(r.text);
  assert.equal(res.headers.connection, "close");
  assert.equal(res.body, "hello c");
  r = await raw(app.port, ["GET /hello/old HTTP/1.0\r\n\r\n"], { timeoutMs: 2000 });
  assert.ok(r.closed && !r.timedOut);
  assert.equal(parseResponses(r.text)[0].body, "hello old");
  r = await raw(app.port, ["GET /hello/ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 50, "GET /hello/ka2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"], { until: responses(2) });
  const two = parseResponses(r.text);
  assert.equal(two[0].headers.connection, "keep-alive");
  assert.equal(two[1].body, "hello ka2");
  r = await raw(app.port, [req("GET", "/close") + req("GET", "/hello/after")], { timeoutMs: 2000 });
  assert.ok(r.closed && !r.timedOut);
  const rs = parseResponses(r.text);
  assert.equal(rs.length, 1);
  assert.equal(rs[0].headers.connection, "close");
});

test("malformed requests get 400 and the connection closes", async () => {
  for (const bad of ["GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "GET /\x01 HTTP/1.1\r\n\r\n",
    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]) {
    const r = await raw(app.port, [bad], { timeoutMs: 2000 });
    assert.ok(r.closed && !r.timedOut, JSON.stringify(bad));
    const [res] = parseResponses(r.text);
    assert.equal(res?.status, 400, JSON.stringify(bad));
    assert.equal(res.headers.connection, "close");
  }
  const r = await raw(app.port, [req("GET", "/slow?ms=50") + "NOT HTTP\r\n\r\n"], { timeoutMs: 2000 });
  assert.deepEqual(parseResponses(r.text).map((x) => x.status), [200, 400]);
  assert.ok(r.closed);
});

test("oversized headers get 431, oversized bodies 413", async () => {
  let r = await raw(small.port, [req("GET", "/hello/x", { "X-Big": "v".repeat(2000) })], { timeoutMs: 2000 });
  assert.equal(parseResponses(r.text)[0].status, 431);
  assert.ok(r.closed);
  r = await raw(small.port, [req("GET", "/hello/x", { "X-Ok": "v".repeat(800) })], { until: responses(1) });
  assert.equal(parseResponses(r.text)[0].status, 200);
  r = await raw(small.port, ["POST /size HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n"], { timeoutMs: 2000 });
  assert.equal(parseResponses(r.text)[0].status, 413);
  assert.ok(r.closed);
  r = await raw(small.port, ["POST /size HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", "400\r\n" + "y".repeat(1024) + "\r\n"], { timeoutMs: 2000 });
  assert.equal(parseResponses(r.text)[0].status, 413);
  r = await raw(small.port, [req("POST", "/size", {}, "z".repeat(1000))], { until: responses(1) });
  assert.deepEqual(JSON.parse(parseResponses(r.text)[0].body), { length: 1000 });
});

test("a client stalling mid-header is disconnected; others are unaffected", async () => {
  const stalled = raw(small.port, ["GET /hello/slow HTTP/1.1\r\nHo"], { timeoutMs: 3000 });
  await sleep(20);
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) assert.equal((await request(small.port, { path: `/hello/${i}` })).body, `hello ${i}`);
  assert.ok(Date.now() - t0 < 250, `others took ${Date.now() - t0} ms`);
  const s = await stalled;
  assert.ok(s.closed && !s.timedOut, "the stalled client was not disconnected");
  assert.ok(s.ms >= 250 && s.ms < 2000, `disconnected after ${s.ms} ms`);
  const silent = await raw(small.port, [], { timeoutMs: 3000 });
  assert.ok(silent.closed && !silent.timedOut && silent.ms >= 250, `silent connection: ${silent.ms} ms`);
});

test("idle keep-alive connections are closed after idle_timeout_ms", async () => {
  const r = await raw(small.port, [req("GET", "/hello/idle")], { timeoutMs: 3000 });
  assert.ok(r.closed && !r.timedOut);
  assert.equal(parseResponses(r.text)[0].body, "hello idle");
  assert.ok(r.ms >= 350 && r.ms < 2000, `closed after ${r.ms} ms`);
  const busy = await raw(small.port, [req("GET", "/slow?ms=600")], { until: responses(1) });
  assert.equal(parseResponses(busy.text)[0].body, "slept 600", "a handler running longer than the idle timeout");
});

test("max_connections: extra connections wait in the backlog, then are served", async () => {
  const t0 = Date.now();
  const all = await Promise.all(Array.from({ length: 8 }, () => raw(small.port, [req("GET", "/slow?ms=200", { Connection: "close" })], { timeoutMs: 4000 })));
  for (const r of all) assert.equal(parseResponses(r.text)[0]?.body, "slept 200");
  const times = all.map((r) => r.ms).sort((a, b) => a - b);
  assert.ok(times[7] >= 350, `the 8th finished after ${times[7]} ms: not held back`);
  assert.ok(Date.now() - t0 < 3000);
});

test("a client pipelining without reading: parsing pauses, memory stays bounded", async () => {
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.proc.pid}/status`, "utf8"))[1]) / 1024;
  const before = rss();
  const n = 2000, kb = 32; // 64 MiB of responses
  const sock = net.connect(app.port, "127.0.0.1");
  await new Promise((r) => sock.on("connect", r));
  sock.pause();
  sock.write(Array.from({ length: n }, () => req("GET", `/big?kb=${kb}`)).join(""));
  await sleep(1000);
  const grown = rss() - before;
  let bytes = 0, count = 0, pending = "";
  const want = n * (kb * 1024);
  await new Promise((resolve, reject) => {
    sock.on("data", (d) => {
      pending += d.toString("latin1");
      let i;
      while ((i = pending.indexOf("\r\n\r\n")) >= 0) {
        const len = Number(/content-length: (\d+)/i.exec(pending.slice(0, i))[1]);
        if (pending.length < i + 4 + len) break;
        bytes += len;
        count++;
        pending = pending.slice(i + 4 + len);
      }
      if (count === n) resolve();
    });
    sock.on("error", reject);
    sock.resume();
  });
  sock.destroy();
  assert.equal(bytes, want);
  assert.ok(grown < 40, `the server grew by ${grown.toFixed(1)} MiB while the client did not read`);
});

// ---------------------------------------------------------------- load

test("1,000 concurrent slow requests (200 ms each) finish together", async () => {
  const t0 = Date.now();
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const rs = await Promise.all(Array.from({ length: 1000 }, () => request(app.port, { path: "/slow?ms=200", agent, timeoutMs: 10000 })));
  const ms = Date.now() - t0;
  agent.destroy();
  assert.ok(rs.every((r) => r.status === 200 && r.body === "slept 200"));
  assert.ok(ms < 3000, `took ${ms} ms`);
});

test("10,000 requests over 100 connections, none lost", async () => {
  const perConn = 100, batch = 10;
  const one = (c) => new Promise((resolve, reject) => {
    const sock = net.connect(app.port, "127.0.0.1");
    let text = "", got = 0, sent = 0;
    const bodies = [];
    const send = () => {
      let s = "";
      for (let k = 0; k < batch && sent < perConn; k++, sent++) s += req("GET", `/hello/${c}-${sent}`);
      sock.write(s);
    };
    sock.on("connect", send);
    sock.on("data", (d) => {
      text += d.toString("latin1");
      const rs = parseResponses(text);
      if (rs.length === 0) return;
      let used = 0;
      for (const r of rs) used = text.indexOf("\r\n\r\n", used) + 4 + r.body.length;
      text = text.slice(used);
      for (const r of rs) bodies.push(r.body);
      got += rs.length;
      if (got === perConn) { sock.end(); resolve(bodies); }
      else if (got === sent) send();
    });
    sock.on("error", reject);
    sock.setTimeout(15000, () => reject(new Error(`connection ${c} stalled at ${got}`)));
  });
  const all = await Promise.all(Array.from({ length: 100 }, (_, c) => one(c)));
  let n = 0;
  all.forEach((bodies, c) => bodies.forEach((b, i) => { assert.equal(b, `hello ${c}-${i}`); n++; }));
  assert.equal(n, 10000);
});

test("a client that disconnects cancels its handler and the handler's tasks", async () => {
  const before = app.stderr.length;
  for (const [id, how, route] of [["reset", "destroy", "watch"], ["fin", "end", "watch"], ["plain", "end", "watch-plain"]]) {
    const sock = net.connect(app.port, "127.0.0.1");
    await new Promise((r) => sock.on("connect", r));
    sock.on("error", () => {});
    sock.write(req("GET", `/${route}?id=${id}`));
    await sleep(100);
    if (how === "destroy") sock.resetAndDestroy();
    else sock.end();
  }
  const t0 = Date.now();
  let seen = {};
  while (Date.now() - t0 < 3000 && Object.keys(seen).length < 5) {
    await sleep(50);
    seen = JSON.parse((await request(app.port, { path: "/seen" })).body);
  }
  assert.deepEqual(seen, {
    reset: "CancelledError: cancelled", "reset/child": "CancelledError: cancelled",
    fin: "CancelledError: cancelled", "fin/child": "CancelledError: cancelled",
    plain: "CancelledError: cancelled",
  });
  assert.ok(Date.now() - t0 < 2000, "cancelled late");
  await sleep(50);
  assert.doesNotMatch(app.stderr.slice(before), /Exception in handler/);
});

// ---------------------------------------------------------------- stopping

test("SIGTERM: stop accepting, finish the request in flight, exit", async () => {
  const exe = await buildApp();
  const a = await App.start(exe);
  const inflight = request(a.port, { path: "/slow?ms=300" });
  await sleep(100);
  a.proc.kill("SIGTERM");
  await sleep(50);
  const refused = await new Promise((resolve) => {
    const s = net.connect(a.port, "127.0.0.1");
    s.on("connect", () => { s.destroy(); resolve(false); });
    s.on("error", (e) => resolve(e.code === "ECONNREFUSED"));
  });
  assert.ok(refused, "a new connection was accepted after SIGTERM");
  const r = await inflight;
  assert.equal(r.body, "slept 300");
  const e = await a.exited;
  assert.deepEqual(e, { code: 0, signal: null });
  assert.equal(a.stdout, `${a.port}\nstopped\n`);
});

test("stop() from a handler: idle keep-alive connections close, the program ends", async () => {
  const exe = await buildApp();
  const a = await App.start(exe);
  const idle = raw(a.port, [req("GET", "/hello/idle")], { timeoutMs: 4000 });
  await sleep(50);
  const r = await request(a.port, { method: "POST", path: "/admin/stop" });
  assert.equal(r.body, "stopping");
  assert.equal(r.headers.connection, "close");
  const i = await idle;
  assert.ok(i.closed && !i.timedOut && i.ms < 2000, `idle connection closed after ${i.ms} ms`);
  assert.deepEqual(await a.exited, { code: 0, signal: null });
  assert.match(a.stdout, /stopped\n$/);
});

// ---------------------------------------------------------------- run

async function main() {
  const filter = process.argv[2];
  const exe = await buildApp();
  app = await App.start(exe);
  small = await App.start(exe, SMALL);
  let passed = 0, failed = 0;
  for (const t of tests) {
    if (filter && !t.name.includes(filter)) continue;
    const t0 = Date.now();
    try {
      await Promise.race([t.fn(), sleep(30000).then(() => { throw new Error("test timed out after 30 s"); })]);
      passed++;
      console.log(`ok - ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${t.name}\n  ${String(e.stack || e).split("\n").slice(0, 6).join("\n  ")}`);
    }
  }
  for (const [name, a] of [["default", app], ["small limits", small]]) {
    const alive = a.alive();
    const e = await a.stop();
    if (alive && e.code === 0) passed++;
    else {
      failed++;
      console.log(`not ok - the ${name} server ${alive ? `exited with ${JSON.stringify(e)}` : "died during the suite"}\n${a.stderr.slice(-2000)}`);
    }
  }
  console.log(`http-server: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.log(`http-server: 0 passed, 1 failed\n${e.stack || e}`);
  process.exitCode = 1;
});
