// The page loads the relaxed-SIMD build (fused multiply-add) where the browser
// has relaxed SIMD, as Chromium does, and the plain simd128 build when asked
// with ?simd=plain. Both builds must give the same attention output, through
// the full path (with the weight matrices) and the fused output-only one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BUILDS, openCoursePage } from "./harness.mjs";

for (const [path, kernels, skip] of [
  ["/?backend=cpu", /relaxed-SIMD fused multiply-add/, !BUILDS.relaxed && "no relaxed-SIMD build (a quick run)"],
  ["/?backend=cpu&simd=plain", /^WebAssembly SIMD \(simd128\)/, false],
]) {
  test(`${path} runs the ${kernels} CPU kernels, and their attention agrees with itself`, { timeout: 120_000, skip }, async () => {
    const { page, errors, close } = await openCoursePage(path);
    try {
      await page.waitForFunction(() => document.querySelector('[data-role="cpu-kernels"]')?.textContent !== "…", null, { timeout: 30_000 });
      assert.match(await page.textContent('[data-role="cpu-kernels"]'), kernels);
      const result = await page.evaluate(async () => {
        const { getRuntime } = await import("./runtime.js");
        const rt = await getRuntime();
        // B=2, T=S=19, C=12 in 3 heads, causal: awkward sizes on purpose.
        const n = 2 * 19 * 12;
        const values = (seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 1.5);
        const [q, k, v] = [values(1), values(2), values(3)];
        const options = { dModel: 12, heads: 3, batch: 2, causal: true };
        const full = await rt.attention(q, k, v, options);
        const fused = await rt.attention(q, k, v, { ...options, outputOnly: true });
        const worst = full.output.data.reduce((m, x, i) => Math.max(m, Math.abs(x - fused.output.data[i])), 0);
        return { keys: Object.keys(fused), shape: fused.output.shape, worst, backend: rt.backend };
      });
      assert.equal(result.backend, "cpu");
      assert.deepEqual(result.keys, ["output"]);
      assert.deepEqual(result.shape, [2, 19, 12]);
      assert.ok(result.worst < 1e-5, `fused and full outputs differ by ${result.worst}`);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
}
