// attention.wgsl — multi-head scaled dot-product attention, flash style:
// the (T × S) weight matrix is never stored for training. Each query keeps a
// running maximum m, a running sum l of exp(score − m) and a running weighted
// sum of values; when a larger score arrives, the old sums are rescaled by
// exp(m_old − m_new). At the end out = acc / l, and the log-sum-exp
// lse = m + log l is all backward needs to rebuild any weight as
// exp(score − lse).
//
// Shapes: q (B,T,C), k and v (B,S,C), heads side by side in C (HS = C/NH);
// lse and delta (B,NH,T); scores and weights (B,NH,T,S).
// Bindings:
//   0  p         uniform  sizes, mask flags, offsets, scale (see Params)
//   1  q         read     2  k  read     3  v  read
//   4  lengths   read     (B) u32 true key lengths, used when has_lengths = 1
//   forward (one invocation per (b, h, t)):         5 out rw (B,T,C)     6 lse rw
//   weights (one invocation per (b, h, t, s)):      7 lse_in read        8 scores rw   9 weights rw
//   delta   (one invocation per (b, h, t)):         10 dout read  11 out_in read  12 delta rw   (delta = dout·out)
//   backward_q (one invocation per (b, h, t)):      7, 10, 13 delta_in read, 14 dq rw
//   backward_kv (one invocation per (b, h, s)):     7, 10, 13, 15 dk rw, 16 dv rw
// Backward, with P = exp(score − lse) and dP = dout·v:
//   dS = P · (dP − delta)   dq += scale Σ_s dS·k   dk += scale Σ_t dS·q   dv += Σ_t P·dout
// Every sum is owned by one invocation: no atomics, deterministic results.
//
// Spans. An invocation walks its keys (or, in backward_kv, its queries) from
// span_begin to span_end, and the launcher dispatches the kernel once per
// span: Mesa's lavapipe stops a shader's loops after 65 535 iterations, and a
// whole row of 1024 keys with HS = 64 is 2 · 1024 · 64 of them. backward_q
// and backward_kv add into dq, dk, dv, so spans simply add up. The forward
// merges: a span's keys give their own normalised output o_span = acc / l
// and log-sum-exp lse_span = m + log l; with what earlier spans left in out
// and lse (o_before, lse_before),
//   lse = log(exp(lse_before) + exp(lse_span))
//   out = o_before · exp(lse_before − lse) + o_span · exp(lse_span − lse),
// each part weighted by its share of the total exp-sum. Between spans a row
// that has seen no visible key yet holds lse = NONE; the last span turns
// that into 0 (and out stays 0), as a single pass over all keys would.

struct Params {
    b: u32, t: u32, s: u32, c: u32, nh: u32, hs: u32, causal: u32, has_lengths: u32,
    q_off: u32, k_off: u32, v_off: u32, out_off: u32, dout_off: u32, dq_off: u32, dk_off: u32, dv_off: u32,
    scale: f32,
    span_begin: u32, span_end: u32, first_span: u32, last_span: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> lengths: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;
@group(0) @binding(7) var<storage, read> lse_in: array<f32>;
@group(0) @binding(8) var<storage, read_write> scores: array<f32>;
@group(0) @binding(9) var<storage, read_write> weights: array<f32>;
@group(0) @binding(10) var<storage, read> dout: array<f32>;
@group(0) @binding(11) var<storage, read> out_in: array<f32>;
@group(0) @binding(12) var<storage, read_write> delta: array<f32>;
@group(0) @binding(13) var<storage, read> delta_in: array<f32>;
@group(0) @binding(14) var<storage, read_write> dq: array<f32>;
@group(0) @binding(15) var<storage, read_write> dk: array<f32>;
@group(0) @binding(16) var<storage, read_write> dv: array<f32>;

const MAX_HS: u32 = 128u;
// The log-sum-exp of a row that has seen no visible key yet.
const NONE: f32 = -3.0e38;

fn linear_id(id: vec3<u32>, groups: vec3<u32>) -> u32 { return id.x + id.y * groups.x * 64u; }

fn visible(b: u32, t: u32, s: u32) -> bool {
    let causal_ok = p.causal == 0u || s <= t + (p.s - p.t);
    let padding_ok = p.has_lengths == 0u || s < lengths[b];
    return causal_ok && padding_ok;
}

// Where head h of query (b, t) and of key (b, s) start.
fn q_at(b: u32, t: u32, h: u32) -> u32 { return (b * p.t + t) * p.c + h * p.hs; }
fn kv_at(b: u32, s: u32, h: u32) -> u32 { return (b * p.s + s) * p.c + h * p.hs; }

fn score(b: u32, t: u32, s: u32, h: u32) -> f32 {
    var dot = 0.0;
    for (var i = 0u; i < p.hs; i++) { dot += q[p.q_off + q_at(b, t, h) + i] * k[p.k_off + kv_at(b, s, h) + i]; }
    return dot * p.scale;
}

// dout[t] · v[s] for head h.
fn dout_dot_v(b: u32, t: u32, s: u32, h: u32) -> f32 {
    var dot = 0.0;
    for (var i = 0u; i < p.hs; i++) { dot += dout[p.dout_off + q_at(b, t, h) + i] * v[p.v_off + kv_at(b, s, h) + i]; }
    return dot;
}

@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let row = linear_id(id, groups); // (b, h, t)
    if (row >= p.b * p.nh * p.t) { return; }
    let t = row % p.t;
    let h = (row / p.t) % p.nh;
    let b = row / (p.t * p.nh);
    var m = NONE;
    var l = 0.0;
    var acc: array<f32, MAX_HS>;
    for (var s = p.span_begin; s < p.span_end; s++) {
        if (!visible(b, t, s)) { continue; }
        let x = score(b, t, s, h);
        let m_new = max(m, x);
        let rescale = exp(m - m_new);
        let w = exp(x - m_new);
        l = l * rescale + w;
        for (var i = 0u; i < p.hs; i++) { acc[i] = acc[i] * rescale + w * v[p.v_off + kv_at(b, s, h) + i]; }
        m = m_new;
    }
    // Merge this span's keys with the earlier spans' (see the top of the file).
    let seen_here = l > 0.0;
    let seen_before = p.first_span == 0u && lse[row] > NONE;
    var lse_total = NONE;
    var w_before = 0.0;
    var w_here = 0.0;
    if (seen_here || seen_before) {
        let lse_here = select(NONE, m + log(l), seen_here);
        let lse_before = select(NONE, lse[row], seen_before);
        let top = max(lse_here, lse_before);
        lse_total = top + log(exp(lse_before - top) + exp(lse_here - top));
        w_here = select(0.0, exp(lse_here - lse_total) / l, seen_here);
        w_before = select(0.0, exp(lse_before - lse_total), seen_before);
    }
    for (var i = 0u; i < p.hs; i++) {
        let at = p.out_off + q_at(b, t, h) + i;
        let before = select(0.0, out[at], seen_before);
        out[at] = before * w_before + acc[i] * w_here;
    }
    // A row that sees no key at all (full padding) outputs zeros, lse 0.
    lse[row] = select(lse_total, 0.0, p.last_span == 1u && !(seen_here || seen_before));
}

@compute @workgroup_size(64)
fn weights_from_lse(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let cell = linear_id(id, groups); // (b, h, t, s)
    if (cell >= p.b * p.nh * p.t * p.s) { return; }
    let s = cell % p.s;
    let row = cell / p.s;
    let t = row % p.t;
    let h = (row / p.t) % p.nh;
    let b = row / (p.t * p.nh);
    let x = score(b, t, s, h);
    scores[cell] = x;
    weights[cell] = select(0.0, exp(x - lse_in[row]), visible(b, t, s));
}

@compute @workgroup_size(64)
fn delta_rows(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let row = linear_id(id, groups);
    if (row >= p.b * p.nh * p.t) { return; }
    let t = row % p.t;
    let h = (row / p.t) % p.nh;
    let b = row / (p.t * p.nh);
    var d = 0.0;
    for (var i = 0u; i < p.hs; i++) { d += dout[p.dout_off + q_at(b, t, h) + i] * out_in[p.out_off + q_at(b, t, h) + i]; }
    delta[row] = d;
}

@compute @workgroup_size(64)
fn backward_q(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let row = linear_id(id, groups);
    if (row >= p.b * p.nh * p.t) { return; }
    let t = row % p.t;
    let h = (row / p.t) % p.nh;
    let b = row / (p.t * p.nh);
    var acc: array<f32, MAX_HS>;
    for (var s = p.span_begin; s < p.span_end; s++) {
        if (!visible(b, t, s)) { continue; }
        let prob = exp(score(b, t, s, h) - lse_in[row]);
        let ds = prob * (dout_dot_v(b, t, s, h) - delta_in[row]);
        for (var i = 0u; i < p.hs; i++) { acc[i] += ds * k[p.k_off + kv_at(b, s, h) + i]; }
    }
    for (var i = 0u; i < p.hs; i++) { dq[p.dq_off + q_at(b, t, h) + i] += acc[i] * p.scale; }
}

@compute @workgroup_size(64)
fn backward_kv(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let col = linear_id(id, groups); // (b, h, s)
    if (col >= p.b * p.nh * p.s) { return; }
    let s = col % p.s;
    let h = (col / p.s) % p.nh;
    let b = col / (p.s * p.nh);
    var acc_k: array<f32, MAX_HS>;
    var acc_v: array<f32, MAX_HS>;
    for (var t = p.span_begin; t < p.span_end; t++) {
        if (!visible(b, t, s)) { continue; }
        let row = (b * p.nh + h) * p.t + t;
        let prob = exp(score(b, t, s, h) - lse_in[row]);
        let ds = prob * (dout_dot_v(b, t, s, h) - delta_in[row]);
        for (var i = 0u; i < p.hs; i++) {
            acc_k[i] += ds * q[p.q_off + q_at(b, t, h) + i];
            acc_v[i] += prob * dout[p.dout_off + q_at(b, t, h) + i];
        }
    }
    for (var i = 0u; i < p.hs; i++) {
        dk[p.dk_off + kv_at(b, s, h) + i] += acc_k[i] * p.scale;
        dv[p.dv_off + kv_at(b, s, h) + i] += acc_v[i];
    }
}
