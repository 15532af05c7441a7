// Deterministic mode end to end: the same seed gives the same output run after run, different
// seeds give different interleavings, and virtual time makes an hour of backoff take no real time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { TOOLCHAIN_ROOT } from "../../common/paths.js";

const TULC = path.join(TOOLCHAIN_ROOT, "bin", "tulc");
const dir = mkdtempSync(path.join(tmpdir(), "tulc-det-"));

async function build(name: string, text: string): Promise<string> {
  const file = path.join(dir, `${name}.tul`);
  writeFileSync(file, text);
  const exe = path.join(dir, name);
  const r = await execa(TULC, ["build", file, "-o", exe], { reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  return exe;
}

async function run(exe: string, seed: number): Promise<string> {
  const r = await execa(exe, [], { env: { TULPAR_DETERMINISTIC: String(seed) }, reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  return r.stdout;
}

// 20 tasks interleave through yields, random sleeps, a racy read-await-write counter and a
// channel of results; the log records the order things happened in.
const INTERLEAVING = `
str[] log = [];
int counter = 0;
async func worker(int id) {
    for (int i = 0; i < 5; i++) {
        int seen = counter;
        await sleep_async(randint(0, 3));
        counter = seen + 1;
        push(log, t"{id}:{i}");
        if (random() < 0.3) await sleep_async(0);
    }
}
promise<void>[] ps = [];
for (int i = 0; i < 20; i++) push(ps, worker(i));
await gather(ps);
print(join(log, " "));
print("counter", counter, "at", clock_ms());
`;

test("deterministic mode: every run of a seed prints the same; seeds differ", async () => {
  const exe = await build("interleave", INTERLEAVING);
  const bySeed = new Map<number, string>();
  for (const seed of [0, 1, 2, 3, 42]) {
    const outs = await Promise.all(Array.from({ length: 10 }, () => run(exe, seed)));
    for (const o of outs) assert.equal(o, outs[0], `seed ${seed}: a run printed something else`);
    assert.match(outs[0], /^(\d+:\d )+/);
    bySeed.set(seed, outs[0]);
  }
  const distinct = new Set(bySeed.values());
  assert.ok(distinct.size >= 2, "at least two seeds give different interleavings");
});

test("deterministic mode: an hour of backoff takes well under a second of real time", async () => {
  const exe = await build("backoff", `
int delay = 1000;
var t0 = clock_ms();
for (int i = 0; i < 12; i++) {
    await sleep_async(delay);
    delay = min(delay * 2, 600_000);
}
print(clock_ms() - t0);
`);
  const t0 = performance.now();
  const out = await run(exe, 0);
  const ms = performance.now() - t0;
  assert.equal(out, "2223000.0"); // 1+2+...+512 s, then 600 s twice
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
});
