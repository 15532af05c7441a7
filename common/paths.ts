// Where the toolchain lives on disk: the checkout (or install) root holding stdlib/, build/ and
// dist/. Defined once; every layer (frontend, codegen, driver, cli, tests) imports it from here.

import path from "node:path";
import { fileURLToPath } from "node:url";

/** dist/common/paths.js lives two levels below the root. */
export const TOOLCHAIN_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Standard modules (`import "name";`). */
export const STDLIB_DIR = path.join(TOOLCHAIN_ROOT, "stdlib");
