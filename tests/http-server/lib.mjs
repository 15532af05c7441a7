// Helpers of the HTTP server suite (run.mjs) and its fuzz test (fuzz.mjs): building and starting
// tests/http-server/app.tul, raw-socket exchanges, a response parser, node:http requests.

import { execFile, spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "..", "..");

/** Builds app.tul once per process; returns the executable's path. TULPAR_TEST_SERVER_APP names a
 * prebuilt one instead (e.g. linked with the AddressSanitizer runtime). */
let built = process.env.TULPAR_TEST_SERVER_APP || null;
export async function buildApp() {
  if (built) return built;
  const dir = mkdtempSync(path.join(tmpdir(), "tulpar-http-server-"));
  const exe = path.join(dir, "app");
  await promisify(execFile)(path.join(ROOT, "bin", "tulc"), ["build", path.join(HERE, "app.tul"), "-o", exe], { cwd: ROOT });
  built = exe;
  return exe;
}

/** A running app: its port, its stderr so far, and a promise of its exit. */
export class App {
  static async start(exe, options = null) {
    const app = new App();
    app.proc = spawn(exe, options ? [JSON.stringify(options)] : [], { stdio: ["ignore", "pipe", "pipe"] });
    app.stdout = "";
    app.stderr = "";
    app.exited = new Promise((resolve) => app.proc.on("exit", (code, signal) => resolve({ code, signal })));
    app.proc.stderr.on("data", (d) => (app.stderr += d));
    app.port = await new Promise((resolve, reject) => {
      app.proc.stdout.on("data", (d) => {
        app.stdout += d;
        const m = /^(\d+)\n/.exec(app.stdout);
        if (m) resolve(Number(m[1]));
      });
      app.exited.then((e) => reject(new Error(`app exited before listening: ${JSON.stringify(e)} ${app.stderr}`)));
    });
    return app;
  }

  /** SIGTERM, then the exit status (SIGKILL after `ms`). */
  async stop(ms = 5000) {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.exited;
    this.proc.kill("SIGTERM");
    const t = setTimeout(() => this.proc.kill("SIGKILL"), ms);
    const e = await this.exited;
    clearTimeout(t);
    return e;
  }

  alive() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }
}

/**
 * Sends `chunks` (strings or Buffers; numbers are pauses in ms) on a fresh connection and collects
 * what comes back until the server closes, `until(text)` is true, or `timeoutMs` passes.
 * `end`: half-close after the last chunk.
 */
export function raw(port, chunks, { timeoutMs = 3000, until = null, end = false } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    let data = Buffer.alloc(0), done = false, closed = false, reset = false;
    const started = Date.now();
    const finish = (timedOut) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ text: data.toString("latin1"), bytes: data, closed, reset, timedOut, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    sock.on("data", (d) => {
      data = Buffer.concat([data, d]);
      if (until && until(data.toString("latin1"))) finish(false);
    });
    sock.on("end", () => { closed = true; finish(false); });
    sock.on("close", () => { closed = true; finish(false); });
    sock.on("error", (e) => { reset = e.code === "ECONNRESET"; closed = true; finish(false); });
    sock.on("connect", async () => {
      for (const c of chunks) {
        if (typeof c === "number") await new Promise((r) => setTimeout(r, c));
        else if (!sock.destroyed) sock.write(c);
      }
      if (end && !sock.destroyed) sock.end();
    });
  });
}

/** Parses consecutive HTTP/1.1 responses (Content-Length framed) from `text`; stops at the first
 * incomplete one. Each: {status, reason, headers (lower-case names), body}. */
export function parseResponses(text) {
  const out = [];
  let i = 0;
  while (i < text.length) {
    const end = text.indexOf("\r\n\r\n", i);
    if (end < 0) break;
    const lines = text.slice(i, end).split("\r\n");
    const m = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(lines[0]);
    if (!m) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`);
    const headers = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(":");
      headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
    }
    const status = Number(m[1]);
    const len = status < 200 || status === 204 || status === 304 ? 0 : Number(headers["content-length"] ?? 0);
    if (end + 4 + len > text.length) break;
    out.push({ status, reason: m[2], headers, body: text.slice(end + 4, end + 4 + len) });
    i = end + 4 + len;
  }
  return out;
}

/** Counts complete responses in `text` (for `until`). */
export const responses = (n) => (text) => {
  try {
    return parseResponses(text).length >= n;
  } catch {
    return true;
  }
};

/** One request with node:http. Resolves {status, headers, body, socket}. */
export function request(port, { method = "GET", path: p = "/", headers = {}, body = null, agent = false, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: p, headers, agent }, (res) => {
      const parts = [];
      res.on("data", (d) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString("utf8"), socket: req.socket }));
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out: ${method} ${p}`)));
    req.on("error", reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A request text. */
export function req(method, target, headers = {}, body = "") {
  const lines = [`${method} ${target} HTTP/1.1`, "Host: test"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body && !Object.keys(headers).some((k) => /^(content-length|transfer-encoding)$/i.test(k)))
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return lines.join("\r\n") + "\r\n\r\n" + body;
}
