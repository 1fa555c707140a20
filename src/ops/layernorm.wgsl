// layernorm.wgsl — layer norm forward and backward; the formulas of layernorm.rs.
//
// Bindings:
//   0  p       uniform   n, c, x_off, out_off, gamma_off, beta_off, stats_off, dout_off, dx_off, dgamma_off, dbeta_off,
//                        eps (the f32's bits; forward only)
//   1  x       read      (N, C)
//   2  params  read      γ (C) at gamma_off and β (C) at beta_off (the flat parameter buffer)
//   forward (one workgroup per row):
//     3  out   rw    (N, C)
//     4  mean  rw    (N)   at stats_off
//     5  rstd  rw    (N)   at stats_off
//   backward_input (one workgroup per row): dx += r·(g − mean(g) − x̂·mean(g·x̂)), g = dout·γ
//     6  mean_in  read (N)    7  rstd_in  read (N)    8  dout  read (N, C)    9  dx  rw (N, C)
//   backward_params (one invocation per channel, summing over rows: no atomics):
//     6, 7, 8 as above, 10 grads rw: dγ at dgamma_off, dβ at dbeta_off (the flat gradient buffer)
// Uses reduce_sum / reduce_max from reduce.wgsl, prepended when the pipeline is built.

struct Params {
    n: u32, c: u32, x_off: u32, out_off: u32, gamma_off: u32, beta_off: u32,
    stats_off: u32, dout_off: u32, dx_off: u32, dgamma_off: u32, dbeta_off: u32, eps_bits: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(6) var<storage, read> mean_in: array<f32>;
@group(0) @binding(7) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(8) var<storage, read> dout: array<f32>;
@group(0) @binding(9) var<storage, read_write> dx: array<f32>;
@group(0) @binding(10) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
           @builtin(local_invocation_index) me: u32) {
    let row = group.x + group.y * groups.x;
    if (row >= p.n) { return; }
    let xs = p.x_off + row * p.c;
    var s = 0.0;
    for (var j = me; j < p.c; j += WG) { s += x[xs + j]; }
    let mu = reduce_sum(s, me) / f32(p.c);
    var v = 0.0;
    for (var j = me; j < p.c; j += WG) { let d = x[xs + j] - mu; v += d * d; }
    let r = 1.0 / sqrt(reduce_sum(v, me) / f32(p.c) + bitcast<f32>(p.eps_bits));
    for (var j = me; j < p.c; j += WG) {
        out[p.out_off + row * p.c + j] = params[p.gamma_off + j] * (x[xs + j] - mu) * r + params[p.beta_off + j];
    }
    if (me == 0u) {
        mean[p.stats_off + row] = mu;
        rstd[p.stats_off + row] = r;
    }
}

@compute @workgroup_size(256)
fn backward_input(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                  @builtin(local_invocation_index) me: u32) {
    let row = group.x + group.y * groups.x;
    if (row >= p.n) { return; }
    let xs = p.x_off + row * p.c;
    let gs = p.dout_off + row * p.c;
    let mu = mean_in[p.stats_off + row];
    let r = rstd_in[p.stats_off + row];
    var sum_g = 0.0;
    var sum_g_xhat = 0.0;
    for (var j = me; j < p.c; j += WG) {
        let g = dout[gs + j] * params[p.gamma_off + j];
        sum_g += g;
        sum_g_xhat += g * (x[xs + j] - mu) * r;
    }
    let mean_g = reduce_sum(sum_g, me) / f32(p.c);
    let mean_g_xhat = reduce_sum(sum_g_xhat, me) / f32(p.c);
    for (var j = me; j < p.c; j += WG) {
        let x_hat = (x[xs + j] - mu) * r;
        let g = dout[gs + j] * params[p.gamma_off + j];
        dx[p.dx_off + row * p.c + j] += r * (g - mean_g - x_hat * mean_g_xhat);
    }
}

@compute @workgroup_size(256)
fn backward_params(@builtin(global_invocation_id) id: vec3<u32>) {
    let j = id.x;
    if (j >= p.c) { return; }
    var dgamma = 0.0;
    var dbeta = 0.0;
    for (var row = 0u; row < p.n; row++) {
        let g = dout[p.dout_off + row * p.c + j];
        let x_hat = (x[p.x_off + row * p.c + j] - mean_in[p.stats_off + row]) * rstd_in[p.stats_off + row];
        dgamma += g * x_hat;
        dbeta += g;
    }
    grads[p.dgamma_off + j] += dgamma;
    grads[p.dbeta_off + j] += dbeta;
}
