// gelu_exact.wgsl — GELU in its exact (erf) form, elementwise; the formulas
// of gelu_exact.rs, with erf from Abramowitz & Stegun 7.1.26.
//
// Bindings:
//   0  p     uniform   n, x_off, out_off, dout_off
//   1  x     read      (N) the forward input
//   2  out   rw        (N) forward: y = GELU(x); backward: dx += dout·GELU'(x)
//   3  dout  read      (N) backward only

struct Params { n: u32, x_off: u32, out_off: u32, dout_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;

const FRAC_1_SQRT_2: f32 = 0.70710678;
const FRAC_1_SQRT_2PI: f32 = 0.39894228;

fn index(id: vec3<u32>, groups: vec3<u32>) -> u32 { return id.x + id.y * groups.x * 256u; }

// erf(z) to within 1.5e-7: a polynomial in t = 1/(1 + p·|z|) times e^(−z²), odd in z.
fn erf(z: f32) -> f32 {
    let a = abs(z);
    let t = 1.0 / (1.0 + 0.3275911 * a);
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return sign(z) * (1.0 - poly * exp(-a * a));
}

@compute @workgroup_size(256)
fn forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = index(id, groups);
    if (i >= p.n) { return; }
    let v = x[p.x_off + i];
    out[p.out_off + i] = 0.5 * v * (1.0 + erf(v * FRAC_1_SQRT_2));
}

@compute @workgroup_size(256)
fn backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = index(id, groups);
    if (i >= p.n) { return; }
    let v = x[p.x_off + i];
    let cdf = 0.5 * (1.0 + erf(v * FRAC_1_SQRT_2));
    let density = FRAC_1_SQRT_2PI * exp(-0.5 * v * v);
    out[p.out_off + i] += dout[p.dout_off + i] * (cdf + v * density);
}
