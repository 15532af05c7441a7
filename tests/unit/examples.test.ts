// The programs in examples/ compile and print what the README and the comments in them promise
// (the fetcher runs against a loopback server started here).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");
const env = { XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), "tulc-examples-")) };
const example = (name: string) => path.join(TOOLCHAIN_ROOT, "examples", name);

test("hello.tul", async () => {
  const r = await execa(TULC, ["run", example("hello.tul")], { env, reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^Hello, world!\n/);
});

test("retry_test.tul: its tests pass under tulc test, in virtual time", async () => {
  const r = await execa(TULC, ["test", example("retry_test.tul")], { env, reject: false });
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ok succeeds on the fourth call after 7 s of backoff \(\d+ ms\)$/m);
  assert.match(r.stdout, /^ok an hour of retries, in no time \(\d+ ms\)$/m);
  assert.match(r.stdout, /\n4 passed, 0 failed$/);
});

test("async.tul follows the seed page", async () => {
  const r = await execa(TULC, ["run", example("async.tul")], { env, reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, "slow_double(21) = 42\nhello world\ndone\nuser-1 user-2 99\ncaught: boom-1"); // execa strips the final newline
});

test("fetch.tul fetches concurrently and reports failures without throwing", async () => {
  const server = createServer((req, res) => {
    if (req.url === "/missing") return void res.writeHead(404).end("no");
    res.writeHead(200, { "content-type": "text/plain" }).end("hello");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const r = await execa(TULC, ["run", example("fetch.tul"), "--", `${base}/a`, `${base}/missing`, "http://127.0.0.1:9/"], { env, reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], `${base}/a 200 5 bytes`);
    assert.equal(lines[1], `${base}/missing 404`);
    assert.match(lines[2], /^http:\/\/127\.0\.0\.1:9\/ failed: ConnectError: /);
    assert.match(lines[3], /^3 requests in \d+ ms$/);
  } finally {
    server.close();
  }
});

test("server.tul serves its JSON API and calls the other service concurrently (demo mode)", async () => {
  const r = await execa(TULC, ["run", example("server.tul"), "--", "0", "demo"], { env, reject: false, timeout: 60000 });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, [
    '201 /notes/1 {"id":1,"text":"buy milk"}',
    '{"error":"the body is not JSON"}',
    '[{"id":1,"text":"buy milk"},{"id":2,"text":"call Ada"}]',
    '{"id":2,"text":"call Ada"}',
    "204",
    '404 {"error":"no note 1"}',
    '{"notes":1,"weather":{"city":"istanbul","sky":"clear","celsius":21},"quote":"Simple is better than complex.","concurrent":true}',
    "405",
    "stopped",
  ].join("\n"));
});
