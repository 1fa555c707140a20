// cross_entropy.wgsl — softmax cross-entropy with an ignore index and label smoothing ε.
//
// Bindings:
//   0  p        uniform   n, v, logits_off, ignore_index (i32 bits), scale = 1/count (f32 bits), smoothing ε (f32 bits)
//   1  logits   read      (N, V)
//   2  targets  read      (N) i32
//   forward (one workgroup per row):  3 probs rw (N, V)   4 losses rw (N), 0 on ignored rows
//   mean (one workgroup):             5 losses_in read (N)   6 loss rw (1): Σ losses · scale
//   backward (one invocation per (row, j)):  7 probs_in read (N, V)   8 dlogits rw (N, V)
//     dlogits += (p − q) · scale on rows that are not ignored, q = (1 − ε)·onehot(target) + ε/V
// Uses reduce_sum / reduce_max from reduce.wgsl, prepended when the pipeline is built.

struct Params { n: u32, v: u32, logits_off: u32, ignore_index: i32, scale: f32, smoothing: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read_write> probs: array<f32>;
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;
@group(0) @binding(5) var<storage, read> losses_in: array<f32>;
@group(0) @binding(6) var<storage, read_write> loss: array<f32>;
@group(0) @binding(7) var<storage, read> probs_in: array<f32>;
@group(0) @binding(8) var<storage, read_write> dlogits: array<f32>;

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
           @builtin(local_invocation_index) me: u32) {
    let row = group.x + group.y * groups.x;
    if (row >= p.n) { return; }
    let zs = p.logits_off + row * p.v;
    var m = -3.0e38;
    for (var j = me; j < p.v; j += WG) { m = max(m, logits[zs + j]); }
    m = reduce_max(m, me);
    var s = 0.0;
    var shifted = 0.0; // Σ (z − m), for the smoothing term
    for (var j = me; j < p.v; j += WG) { s += exp(logits[zs + j] - m); shifted += logits[zs + j] - m; }
    s = reduce_sum(s, me);
    shifted = reduce_sum(shifted, me);
    for (var j = me; j < p.v; j += WG) { probs[row * p.v + j] = exp(logits[zs + j] - m) / s; }
    if (me == 0u) {
        let y = targets[row];
        if (y == p.ignore_index) { losses[row] = 0.0; }
        else {
            // (1 − ε)(−log p_y) + ε·mean(−log p), with −log p_j = log s − (z_j − m)
            let nll_target = log(s) - (logits[zs + u32(y)] - m);
            let nll_mean = log(s) - shifted / f32(p.v);
            losses[row] = (1.0 - p.smoothing) * nll_target + p.smoothing * nll_mean;
        }
    }
}

@compute @workgroup_size(256)
fn mean(@builtin(local_invocation_index) me: u32) {
    var s = 0.0;
    for (var i = me; i < p.n; i += WG) { s += losses_in[i]; }
    s = reduce_sum(s, me);
    if (me == 0u) { loss[0] = s * p.scale; }
}

@compute @workgroup_size(256)
fn backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.x + id.y * groups.x * 256u;
    if (i >= p.n * p.v) { return; }
    let row = i / p.v;
    let y = targets[row];
    if (y == p.ignore_index) { return; }
    var q = p.smoothing / f32(p.v);
    if (u32(y) == i % p.v) { q += 1.0 - p.smoothing; }
    dlogits[i] += (probs_in[i] - q) * p.scale;
}
