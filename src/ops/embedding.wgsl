// embedding.wgsl — token and learned position embeddings; the loops of embedding.rs.
//
// Bindings:
//   0  p       uniform   n (rows), c, v (table rows), t (positions per sequence), table_off, out_off, dtable_off
//   1  tokens  read      (N) u32 token ids (checked against V on the CPU before upload)
//   2  table   read      (V, C) token table, or (T_max, C) position table
//   3  out     rw        (N, C)
//   4  dout    read      (N, C)
//   5  dtable  rw        (V, C) or (T_max, C)
// Backward passes give each table entry to one invocation, which sums every
// contribution to it in a fixed order: no float atomics (WGSL has none), and
// the same result on every run. The token backward scans all N ids per entry
// (V·C·N work), fine for the small vocabularies here.

struct Params { n: u32, c: u32, v: u32, t: u32, table_off: u32, out_off: u32, dtable_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read_write> dtable: array<f32>;

fn linear_id(id: vec3<u32>, groups: vec3<u32>) -> u32 { return id.x + id.y * groups.x * 256u; }

// out[n, j] = table[tokens[n], j]        one invocation per (n, j)
@compute @workgroup_size(256)
fn token_forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = linear_id(id, groups);
    if (i >= p.n * p.c) { return; }
    let row = i / p.c;
    let j = i % p.c;
    out[p.out_off + i] = table[p.table_off + tokens[row] * p.c + j];
}

// dtable[r, j] += Σ_{n: tokens[n] = r} dout[n, j]        one invocation per (r, j)
@compute @workgroup_size(256)
fn token_backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = linear_id(id, groups);
    if (i >= p.v * p.c) { return; }
    let r = i / p.c;
    let j = i % p.c;
    var sum = 0.0;
    for (var row = 0u; row < p.n; row++) {
        if (tokens[row] == r) { sum += dout[row * p.c + j]; }
    }
    dtable[p.dtable_off + i] += sum;
}

// out[b, t, j] += table[t, j]        one invocation per (b, t, j); n = B·T
@compute @workgroup_size(256)
fn position_forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = linear_id(id, groups);
    if (i >= p.n * p.c) { return; }
    let t = (i / p.c) % p.t;
    out[p.out_off + i] += table[p.table_off + t * p.c + i % p.c];
}

// dtable[t, j] += Σ_b dout[b, t, j]        one invocation per (t, j)
@compute @workgroup_size(256)
fn position_backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = linear_id(id, groups);
    if (i >= p.t * p.c) { return; }
    var sum = 0.0;
    for (var seq = 0u; seq < p.n / p.t; seq++) { sum += dout[seq * p.t * p.c + i]; }
    dtable[p.dtable_off + i] += sum;
}
