// Trains the translator from scratch in headless Chromium and reports how
// long training takes to reach 95% exact match on the test split.
//   npm run bench:translator                    (CPU, one thread)
//   npm run bench:translator -- --backend=webgpu
// Every 100 steps the first 200 test sentences are translated (not counted
// as training time); once they reach 95%, the whole test split is scored.
import { openCoursePage } from "../e2e/harness.mjs";

const backend = process.argv.find((a) => a.startsWith("--backend="))?.slice("--backend=".length) ?? "cpu";
const { page, browserVersion, close } = await openCoursePage(`/?backend=${backend}&threads=1`);
try {
  await page.waitForFunction(() => document.getElementById("cpu-kernels")?.textContent !== "…", null, { timeout: 60_000 });
  console.log(`browser: Chromium ${browserVersion}; backend ${backend}; ${new Date().toISOString().slice(0, 10)}`);
  page.on("console", (msg) => { if (msg.text().startsWith("bench:")) console.log(msg.text().slice(7)); });
  const result = await page.evaluate(async () => {
    const { getRuntime } = await import("./runtime.js");
    const rt = await getRuntime();
    const model = rt.seq2seq({});
    let trainMs = 0;
    for (let round = 1; round <= 30; round++) {
      const t0 = performance.now();
      const r = await model.train({ steps: 100 });
      trainMs += performance.now() - t0;
      const sample = await model.evaluate("test", { limit: 200 });
      console.log(`bench: step ${r.step}  training ${(trainMs / 1e3).toFixed(1)} s  loss ${r.loss.toFixed(3)}  ${r.tokensPerSecond.toFixed(0)} tokens/s  first 200 test: exact ${sample.exactMatch.toFixed(1)}%`);
      if (sample.exactMatch >= 95) {
        const full = await model.evaluate("test", {});
        const seed = await model.translate("The agreement on the European Economic Area was signed in August 1992.");
        return { step: r.step, seconds: trainMs / 1e3, ...full, seed: seed.text };
      }
    }
    return null;
  });
  if (!result) throw new Error("did not reach 95% on the first 200 test sentences within 3000 steps");
  console.log(`95% reached after ${result.step} steps, ${result.seconds.toFixed(1)} s of training.`);
  console.log(`whole test split (${result.sentences} sentences): exact match ${result.exactMatch.toFixed(1)}%, BLEU ${result.bleu.toFixed(1)}`);
  console.log(`the course's sentence: ${result.seed}`);
} finally {
  await close();
}
