// Loopback test servers for the HTTP client tests: plain HTTP and HTTPS (self-signed certificate made
// with the openssl CLI at start-up) sharing one route table, plus raw TCP servers for failures
// (garbage, a server that never answers, a closed port, a redirect loop that closes connections).
// Run alone (`node tests/http/server.mjs`) it prints the ports as JSON and serves until killed.

import http from "node:http";
import https from "node:https";
import net from "node:net";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MIB = 1024 * 1024;
const BIG = Buffer.alloc(MIB, "0123456789abcdef"); // 1 MiB, 16-byte pattern

/** Collects a request body as a string. */
function readBody(req) {
  return new Promise((resolve) => {
    const parts = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
  });
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** In-flight and peak counts of /slow requests per `key` (the pool test measures its waves with them). */
const concurrency = {};

/** The route table; every route answers whatever the method. */
const ROUTES = {
  "/echo": async (req, res, url) => send(res, 200, `${req.method} ${url.search} ${await readBody(req)}`),
  "/headers": async (req, res) => {
    await readBody(req);
    const got = `x-tulpar=${req.headers["x-tulpar"] ?? ""} content-type=${req.headers["content-type"] ?? ""}`;
    send(res, 200, got, { "X-Reply-Header": "Hello", "Set-Cookie": ["a=1", "b=2"] });
  },
  "/status/404": (req, res) => send(res, 404, "not found"),
  "/status/500": (req, res) => send(res, 500, "boom"),
  "/redirect": (req, res) => send(res, 302, "", { Location: "/redirect2" }),
  "/redirect2": (req, res) => send(res, 301, "", { Location: "/echo?from=redirect" }),
  "/chunked": (req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain" }); // no length: chunked
    let i = 0;
    const tick = () => (i < 5 ? (res.write(`chunk${i++};`), setTimeout(tick, 10)) : res.end("end"));
    tick();
  },
  "/big": (req, res) => send(res, 200, BIG),
  "/length": async (req, res) => send(res, 200, String(Buffer.byteLength(await readBody(req)))),
  "/slow": (req, res, url) => {
    const ms = Number(url.searchParams.get("ms") ?? 200), key = url.searchParams.get("key") ?? "";
    const c = (concurrency[key] ??= { now: 0, max: 0 });
    c.max = Math.max(c.max, ++c.now);
    setTimeout(() => { c.now--; send(res, 200, `slept ${ms}`); }, ms);
  },
  // the most /slow?key=K requests that were in flight at once (then forgets K)
  "/slow-max": (req, res, url) => {
    const key = url.searchParams.get("key") ?? "";
    send(res, 200, String(concurrency[key]?.max ?? 0));
    delete concurrency[key];
  },
  "/loop": (req, res) => send(res, 302, "", { Location: "/loop" }),
  "/huge-header": (req, res) => send(res, 200, "ok", { "X-Huge": "h".repeat(MIB) }), // one 1 MiB line
  "/many-headers": (req, res) => { // 400 KB of headers in 8 lines
    const hs = {};
    for (let i = 0; i < 8; i++) hs[`X-Many-${i}`] = "m".repeat(50000);
    send(res, 200, "ok", hs);
  },
  "/over-64-mib": (req, res) => { // 65 MiB, chunked, written as the client takes it
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.on("error", () => {});
    let left = 65;
    const more = () => { while (left > 0) { left--; if (!res.write(BIG)) return res.once("drain", more); } res.end(); };
    more();
  },
  "/close-mid-body": (req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": "100000" });
    res.write("only the start");
    setTimeout(() => req.socket.destroy(), 20);
  },
};

function handle(req, res) {
  const url = new URL(req.url, "http://localhost");
  const route = ROUTES[url.pathname];
  if (!route) return send(res, 404, "no route");
  Promise.resolve(route(req, res, url)).catch((e) => send(res, 500, String(e)));
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
}

/** A self-signed certificate for 127.0.0.1/localhost, made by the openssl CLI in a temporary directory. */
function makeCertificate(dir) {
  const key = path.join(dir, "key.pem"), cert = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  return { key: readFileSync(key), cert: readFileSync(cert), certFile: cert };
}

/** Starts every server; returns the ports, the CA file for SSL_CERT_FILE, and close(). */
export async function startServers() {
  const dir = mkdtempSync(path.join(tmpdir(), "tulpar-http-"));
  const tls = makeCertificate(dir);
  const plain = http.createServer({ keepAliveTimeout: 5000 }, handle);
  const secure = https.createServer({ key: tls.key, cert: tls.cert }, handle);
  const sockets = new Set();
  const garbage = net.createServer((s) => { sockets.add(s); s.on("data", () => s.end("this is not HTTP at all\r\n\r\n")); });
  // answers every request with a redirect to itself and closes the connection (no keep-alive said)
  const closing = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
    s.on("data", () => s.end("HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n"));
  });
  const hang = net.createServer((s) => { sockets.add(s); s.on("error", () => {}); }); // accepts, never answers
  const dead = net.createServer();
  const ports = {
    PORT: await listen(plain), TLS_PORT: await listen(secure), GARBAGE_PORT: await listen(garbage),
    HANG_PORT: await listen(hang), DEAD_PORT: await listen(dead), CLOSING_PORT: await listen(closing),
  };
  await new Promise((r) => dead.close(r)); // nobody listens there any more: connections are refused
  const close = async () => {
    for (const s of sockets) s.destroy();
    for (const srv of [plain, secure]) srv.closeAllConnections();
    await Promise.all([plain, secure, garbage, hang, closing].map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  };
  return { ports, caFile: tls.certFile, close };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ports, caFile } = await startServers();
  console.log(JSON.stringify({ ...ports, SSL_CERT_FILE: caFile }));
}
