// matmul.wgsl — C (+)= op(A) · op(B) (+ bias), tiled through workgroup memory.
//
// Bindings (f32 arrays addressed from element offsets in `p`):
//   0  p     uniform   m, k, n, flags, a_off, b_off, bias_off, c_off
//   1  a     read      op(A) is (M, K); stored (M, K), or (K, M) when flags & 1
//   2  b     read      op(B) is (K, N); stored (K, N), or (N, K) when flags & 2
//   3  bias  read      (N), added to every row when flags & 4
//   4  c     rw        (M, N); added to instead of overwritten when flags & 8
//
// Each workgroup of 16×16 invocations computes a 64×64 block of C; each
// invocation a 4×4 patch of it. The K dimension is walked in steps of 16:
// the workgroup first copies a 64×16 slice of A and a 16×64 slice of B into
// shared memory (every value loaded once from the buffer, then read 64 times
// from fast memory), waits at a barrier, and multiplies. Loads past the edge
// of A or B read 0, so sizes need not be multiples of the tile.

struct Params { m: u32, k: u32, n: u32, flags: u32, a_off: u32, b_off: u32, bias_off: u32, c_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

const TILE: u32 = 64u;  // rows and columns of C per workgroup
const DEPTH: u32 = 16u; // K values per step

var<workgroup> tile_a: array<f32, 1024>; // [kk * 64 + row]
var<workgroup> tile_b: array<f32, 1024>; // [kk * 64 + col]

fn load_a(row: u32, col: u32) -> f32 {
    if (row >= p.m || col >= p.k) { return 0.0; }
    if ((p.flags & 1u) != 0u) { return a[p.a_off + col * p.m + row]; }
    return a[p.a_off + row * p.k + col];
}

fn load_b(row: u32, col: u32) -> f32 {
    if (row >= p.k || col >= p.n) { return 0.0; }
    if ((p.flags & 2u) != 0u) { return b[p.b_off + col * p.k + row]; }
    return b[p.b_off + row * p.n + col];
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
    let row0 = group.y * TILE;
    let col0 = group.x * TILE;
    let me = local.y * 16u + local.x; // 0..255
    // This invocation's 4×4 patch of C, one vec4 per row, held in registers.
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < p.k; k0 += DEPTH) {
        // Copy the slices: 1024 values each, 4 per invocation.
        for (var i = 0u; i < 4u; i++) {
            let e = me + i * 256u;
            tile_a[(e % DEPTH) * TILE + e / DEPTH] = load_a(row0 + e / DEPTH, k0 + e % DEPTH);
            tile_b[(e / TILE) * TILE + e % TILE] = load_b(k0 + e / TILE, col0 + e % TILE);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < DEPTH; kk++) {
            let ar = kk * TILE + local.y * 4u; // my 4 rows of A at depth kk
            let bc = kk * TILE + local.x * 4u; // my 4 columns of B at depth kk
            let b4 = vec4<f32>(tile_b[bc], tile_b[bc + 1u], tile_b[bc + 2u], tile_b[bc + 3u]);
            acc0 += tile_a[ar] * b4;
            acc1 += tile_a[ar + 1u] * b4;
            acc2 += tile_a[ar + 2u] * b4;
            acc3 += tile_a[ar + 3u] * b4;
        }
        workgroupBarrier();
    }
    let rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
    for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
            let row = row0 + local.y * 4u + i;
            let col = col0 + local.x * 4u + j;
            if (row < p.m && col < p.n) {
                var value = rows[i][j];
                if ((p.flags & 4u) != 0u) { value += bias[p.bias_off + col]; }
                let at = p.c_off + row * p.n + col;
                if ((p.flags & 8u) != 0u) { value += c[at]; }
                c[at] = value;
            }
        }
    }
}
