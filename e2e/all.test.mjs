// Every end-to-end test file in one process, so that they share one server
// and one browser (see harness.mjs) instead of starting both per file.
// `node --test e2e/` runs this file; one file alone runs with
// `node --test e2e/<name>.e2e.mjs`.

import "./attention_steps.e2e.mjs";
import "./authoring_tools.e2e.mjs";
import "./bert_fill.e2e.mjs";
import "./causal_mask.e2e.mjs";
import "./course_page.e2e.mjs";
import "./firefox.e2e.mjs";
import "./gpt_sampler.e2e.mjs";
import "./hostile_attributes.e2e.mjs";
import "./internal_error.e2e.mjs";
import "./memory.e2e.mjs";
import "./positional_encoding.e2e.mjs";
import "./pretrained.e2e.mjs";
import "./seq2seq_trainer.e2e.mjs";
import "./share_runs.e2e.mjs";
import "./simd_builds.e2e.mjs";
import "./threads.e2e.mjs";
import "./types.e2e.mjs";
import "./widgets_page.e2e.mjs";
