// adamw.wgsl — global gradient norm and the AdamW update; the formulas of adamw.rs.
//
// Bindings:
//   0  p         uniform   n, partials, clip (0/1), max_norm, lr, beta1, beta2, eps, weight_decay, bias1, bias2
//   norm_partial (one workgroup per 256·16 gradients):   1 grads read    2 partial rw (one Σg² per workgroup)
//   norm_total (one workgroup):                          3 partial_in read   4 norm_sq rw (1)
//   step (one invocation per parameter):                 1 grads, 5 norm_sq_in read, 6 params rw, 7 m rw, 8 v rw
// The norm is summed in two passes (per workgroup, then over workgroups) and
// never leaves the GPU: every invocation of `step` reads it and computes the
// clipping factor itself. WGSL has no f64, so the sum is f32, pairwise.
// Uses reduce_sum / reduce_max from reduce.wgsl, prepended when the pipeline is built.

struct Params {
    n: u32, partials: u32, clip: u32, max_norm: f32, lr: f32, beta1: f32, beta2: f32, eps: f32,
    weight_decay: f32, bias1: f32, bias2: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;
@group(0) @binding(3) var<storage, read> partial_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> norm_sq: array<f32>;
@group(0) @binding(5) var<storage, read> norm_sq_in: array<f32>;
@group(0) @binding(6) var<storage, read_write> params: array<f32>;
@group(0) @binding(7) var<storage, read_write> m: array<f32>;
@group(0) @binding(8) var<storage, read_write> v: array<f32>;

const PER_INVOCATION: u32 = 16u;

@compute @workgroup_size(256)
fn norm_partial(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_index) me: u32) {
    let g = group.x + group.y * groups.x;
    if (g >= p.partials) { return; }
    let start = g * WG * PER_INVOCATION;
    var s = 0.0;
    for (var i = 0u; i < PER_INVOCATION; i++) {
        let at = start + i * WG + me;
        if (at < p.n) { s += grads[at] * grads[at]; }
    }
    s = reduce_sum(s, me);
    if (me == 0u) { partial[g] = s; }
}

@compute @workgroup_size(256)
fn norm_total(@builtin(local_invocation_index) me: u32) {
    var s = 0.0;
    for (var i = me; i < p.partials; i += WG) { s += partial_in[i]; }
    s = reduce_sum(s, me);
    if (me == 0u) { norm_sq[0] = s; }
}

@compute @workgroup_size(256)
fn step(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.x + id.y * groups.x * 256u;
    if (i >= p.n) { return; }
    let norm = sqrt(norm_sq_in[0]);
    var scale = 1.0;
    if (p.clip != 0u && norm > p.max_norm) { scale = p.max_norm / norm; }
    let g = grads[i] * scale;
    m[i] = p.beta1 * m[i] + (1.0 - p.beta1) * g;
    v[i] = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
    let m_hat = m[i] / p.bias1;
    let v_hat = v[i] / p.bias2;
    params[i] -= p.lr * (m_hat / (sqrt(v_hat) + p.eps) + p.weight_decay * params[i]);
}
