// www/glassformer.d.ts describes the JS API and the custom elements for
// TypeScript. tests/types/example.ts calls every method and function with
// realistic options and reads every result, and has lines marked
// `@ts-expect-error` that the types must refuse; tsc --strict checks it
// against the declarations (no browser needed).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

test("glassformer.d.ts: an example using every call type-checks under tsc --strict", { timeout: 120_000 }, () => {
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tests/types/tsconfig.json", "--pretty", "false"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(tsc.error, undefined, `could not run tsc (npm install first?): ${tsc.error?.message}`);
  assert.equal(tsc.status, 0, `tsc -p tests/types/tsconfig.json failed:\n${tsc.stdout}${tsc.stderr}`);
});
