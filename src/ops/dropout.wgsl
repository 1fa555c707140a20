// dropout.wgsl — seeded dropout; the same hash and formulas as dropout.rs.
//
// Bindings:
//   0  p     uniform   n, x_off, out_off, mask_off, seed, p (f32 bits), scale (f32 bits)
//   1  x     read      (N)
//   2  out   rw        (N)  x · mask
//   3  mask  rw        (N)  0 where dropped, else scale = 1/(1−p) (1 in evaluation)
// backward (offsets: dx at out_off, dout at x_off, mask at mask_off):
//   4  dx         rw    (N)  dx += dout · mask
//   5  dout       read  (N)
//   6  mask_read  read  (N)

struct Params { n: u32, x_off: u32, out_off: u32, mask_off: u32, seed: u32, p: f32, scale: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> mask: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read> mask_read: array<f32>;

fn pcg_hash(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

@compute @workgroup_size(256)
fn forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.x + id.y * groups.x * 256u;
    if (i >= p.n) { return; }
    let coin = f32(pcg_hash(i ^ pcg_hash(p.seed)) >> 8u) / 16777216.0;
    var m = p.scale;
    if (coin < p.p) { m = 0.0; }
    mask[p.mask_off + i] = m;
    out[p.out_off + i] = x[p.x_off + i] * m;
}

@compute @workgroup_size(256)
fn backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.x + id.y * groups.x * 256u;
    if (i >= p.n) { return; }
    dx[p.out_off + i] += dout[p.x_off + i] * mask_read[p.mask_off + i];
}
