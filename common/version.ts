// The toolchain's version (package.json), for `tulc --version` and the run cache's key.

import { readFileSync } from "node:fs";
import path from "node:path";
import { TOOLCHAIN_ROOT } from "./paths.js";

export const VERSION = JSON.parse(readFileSync(path.join(TOOLCHAIN_ROOT, "package.json"), "utf8")).version as string;
