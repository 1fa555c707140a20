// relu.wgsl — ReLU, elementwise.
//
// Bindings:
//   0  p     uniform   n, x_off, out_off, dout_off
//   1  x     read      (N) the forward input
//   2  out   rw        (N) forward: y = max(0, x); backward: dx += dout·[x > 0]
//   3  dout  read      (N) backward only
// One invocation per value; the grid is folded into 2-D (see grid_1d).

struct Params { n: u32, x_off: u32, out_off: u32, dout_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;

fn index(id: vec3<u32>, groups: vec3<u32>) -> u32 { return id.x + id.y * groups.x * 256u; }

@compute @workgroup_size(256)
fn forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = index(id, groups);
    if (i >= p.n) { return; }
    out[p.out_off + i] = max(0.0, x[p.x_off + i]);
}

@compute @workgroup_size(256)
fn backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = index(id, groups);
    if (i >= p.n) { return; }
    if (x[p.x_off + i] > 0.0) { out[p.out_off + i] += dout[p.dout_off + i]; }
}
