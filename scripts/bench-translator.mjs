// Trains the translator from scratch in headless Chromium and reports how
// long training takes to reach 95% exact match on the test split.
//   npm run bench:translator                    (CPU, one thread)
//   npm run bench:translator -- --backend=webgpu
//   npm run bench:translator -- --backend=webgpu --steps=5   (only the time per step)
// Every 100 steps the first 200 test sentences are translated (not counted
// as training time); once they reach 95%, the whole test split is scored.
// With --steps=N it only times N training steps after a 2-step warm-up: the
// figure for an adapter too slow to train to 95% in a sitting (SwiftShader).
import { closeShared, openCoursePage } from "../e2e/harness.mjs";

const flag = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const backend = flag("backend") ?? "cpu";
const timedSteps = flag("steps") === undefined ? null : Number(flag("steps"));
const { page, browserVersion, close } = await openCoursePage(`/?backend=${backend}&threads=1`);
try {
  await page.waitForFunction(() => document.getElementById("cpu-kernels")?.textContent !== "…", null, { timeout: 60_000 });
  console.log(`browser: Chromium ${browserVersion}; backend ${backend}; ${new Date().toISOString().slice(0, 10)}`);
  if (timedSteps !== null) {
    const r = await page.evaluate(async (steps) => {
      const { getRuntime } = await import("./runtime.js");
      const rt = await getRuntime();
      const model = await rt.seq2seq({});
      let t0 = performance.now();
      await model.train({ steps: 2 });
      const warmUp = performance.now() - t0;
      t0 = performance.now();
      const result = await model.train({ steps });
      return { adapter: rt.adapter ?? rt.cpuKernels, warmUp, perStep: (performance.now() - t0) / steps, tokensPerSecond: result.tokensPerSecond };
    }, timedSteps);
    console.log(`${r.adapter}: warm-up (2 steps) ${(r.warmUp / 1e3).toFixed(1)} s; then ${r.perStep.toFixed(1)} ms per step, ${r.tokensPerSecond.toFixed(0)} tokens/s over ${timedSteps} steps`);
  } else {
    await trainTo95(page);
  }
} finally {
  await close();
  await closeShared(); // the browser and server, so that the script ends
}

/** Train from scratch until the first 200 test sentences reach 95% exact match; report the whole split. */
async function trainTo95(page) {
  page.on("console", (msg) => { if (msg.text().startsWith("bench:")) console.log(msg.text().slice(7)); });
  const result = await page.evaluate(async () => {
    const { getRuntime } = await import("./runtime.js");
    const rt = await getRuntime();
    const model = await rt.seq2seq({});
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
}
