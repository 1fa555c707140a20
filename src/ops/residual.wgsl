// residual.wgsl — out = a + b, and its backward da += dout, db += dout.
//
// Bindings:
//   0  p     uniform   n, a_off, b_off, out_off
//   forward:   1 a read (N),   2 b read (N),   3 out rw (N)
//   backward:  4 da rw (N),    5 db rw (N),    6 dout read (N)
// A binding's access mode (read or read_write) is fixed, so the backward
// pass, which writes what the forward reads, has bindings of its own.

struct Params { n: u32, a_off: u32, b_off: u32, out_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> da: array<f32>;
@group(0) @binding(5) var<storage, read_write> db: array<f32>;
@group(0) @binding(6) var<storage, read> dout: array<f32>;

fn index(id: vec3<u32>, groups: vec3<u32>) -> u32 { return id.x + id.y * groups.x * 256u; }

@compute @workgroup_size(256)
fn forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = index(id, groups);
    if (i >= p.n) { return; }
    out[p.out_off + i] = a[p.a_off + i] + b[p.b_off + i];
}

// Backward uses bindings 4, 5, 6 (da, db, dout) with offsets a_off, b_off, out_off.
@compute @workgroup_size(256)
fn backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = index(id, groups);
    if (i >= p.n) { return; }
    let g = dout[p.out_off + i];
    da[p.a_off + i] += g;
    db[p.b_off + i] += g;
}
