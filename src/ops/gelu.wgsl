// gelu.wgsl — GELU (tanh form), elementwise; the same formulas as gelu.rs.
//
// Bindings:
//   0  p     uniform   n, x_off, out_off, dout_off
//   1  x     read      (N) the forward input
//   2  out   rw        (N) forward: y = GELU(x); backward: dx += dout·GELU'(x)
//   3  dout  read      (N) backward only
//
// WGSL's tanh overflows to NaN for large arguments on some drivers, so it is
// written here through exp of a clamped argument.

struct Params { n: u32, x_off: u32, out_off: u32, dout_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;

const SQRT_2_OVER_PI: f32 = 0.7978846;
const CUBIC: f32 = 0.044715;

fn index(id: vec3<u32>, groups: vec3<u32>) -> u32 { return id.x + id.y * groups.x * 256u; }

fn safe_tanh(u: f32) -> f32 {
    let e = exp(2.0 * clamp(u, -15.0, 15.0));
    return (e - 1.0) / (e + 1.0);
}

@compute @workgroup_size(256)
fn forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = index(id, groups);
    if (i >= p.n) { return; }
    let v = x[p.x_off + i];
    out[p.out_off + i] = 0.5 * v * (1.0 + safe_tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v)));
}

@compute @workgroup_size(256)
fn backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = index(id, groups);
    if (i >= p.n) { return; }
    let v = x[p.x_off + i];
    let th = safe_tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v));
    let slope = 0.5 * (1.0 + th) + 0.5 * v * (1.0 - th * th) * SQRT_2_OVER_PI * (1.0 + 3.0 * CUBIC * v * v);
    out[p.out_off + i] += dout[p.dout_off + i] * slope;
}
