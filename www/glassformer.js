// The one module a course author includes:
//
//   <script type="module" src=".../glassformer.js"></script>
//   <gf-attention-steps></gf-attention-steps>
//
// It registers every widget; they share one runtime (see runtime.js).

export { getRuntime, describeBackend, backendLabel, loadGlassformer, relaxedSimd, cpuThreads } from "./runtime.js";
import "./widgets/gf-attention-steps.js";
