// The macOS host's link arguments (codegen/toolchain/darwin.ts), checked on any host: Homebrew's
// keg-only library directories that exist, the SDK from $SDKROOT, and no GNU-only linker flags.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { darwinLinkArgs, isDarwinHost } from "../../codegen/toolchain/darwin.js";

test("darwin: Homebrew's existing library directories, the SDK, the libraries without libdw", () => {
  const brew = mkdtempSync(path.join(tmpdir(), "tulc-brew-"));
  try {
    mkdirSync(path.join(brew, "opt", "curl", "lib"), { recursive: true });
    mkdirSync(path.join(brew, "lib"));
    process.env.HOMEBREW_PREFIX = brew;
    process.env.SDKROOT = "/sdk/MacOSX.sdk";
    const args = darwinLinkArgs();
    assert.deepEqual(args.slice(0, 4), ["-isysroot", "/sdk/MacOSX.sdk", `-L${path.join(brew, "opt", "curl", "lib")}`, `-L${path.join(brew, "lib")}`]);
    assert.ok(!args.some((a) => a.includes("openssl")), "a keg that is not installed is left out");
    assert.ok(args.includes("-lllhttp") && args.includes("-luv"));
    assert.ok(!args.includes("-ldw") && !args.some((a) => a.startsWith("-Wl,--as-needed")));
  } finally {
    rmSync(brew, { recursive: true, force: true });
  }
});

test("darwin: only a build for the host on macOS takes the macOS path", () => {
  assert.equal(isDarwinHost("aarch64-linux-gnu"), false);
  assert.equal(isDarwinHost(undefined), process.platform === "darwin");
});
