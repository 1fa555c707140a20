// softmax.wgsl — row-wise softmax and its backward; one workgroup per row.
//
// Bindings:
//   0  p       uniform   rows, cols, x_off, y_off, dy_off, dx_off
//   forward:   1 x read (rows, cols)      2 y rw (rows, cols)
//   backward:  3 y_in read (rows, cols)   4 dy read (rows, cols)   5 dx rw (rows, cols)
//
// The 256 invocations of a workgroup stride over the row, then combine their
// partial maxima (or sums) with reduce_max / reduce_sum from reduce.wgsl,
// which is prepended to this file when the pipeline is built.

struct Params { rows: u32, cols: u32, x_off: u32, y_off: u32, dy_off: u32, dx_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> y_in: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
           @builtin(local_invocation_index) me: u32) {
    let row = group.x + group.y * groups.x;
    if (row >= p.rows) { return; }
    let xs = p.x_off + row * p.cols;
    let ys = p.y_off + row * p.cols;
    var m = -3.0e38;
    for (var j = me; j < p.cols; j += WG) { m = max(m, x[xs + j]); }
    m = reduce_max(m, me);
    var s = 0.0;
    for (var j = me; j < p.cols; j += WG) { s += exp(x[xs + j] - m); }
    s = reduce_sum(s, me);
    for (var j = me; j < p.cols; j += WG) { y[ys + j] = exp(x[xs + j] - m) / s; }
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
            @builtin(local_invocation_index) me: u32) {
    let row = group.x + group.y * groups.x;
    if (row >= p.rows) { return; }
    let ys = p.y_off + row * p.cols;
    let gs = p.dy_off + row * p.cols;
    var dot = 0.0;
    for (var j = me; j < p.cols; j += WG) { dot += dy[gs + j] * y_in[ys + j]; }
    dot = reduce_sum(dot, me);
    for (var j = me; j < p.cols; j += WG) {
        dx[p.dx_off + row * p.cols + j] += y_in[ys + j] * (dy[gs + j] - dot);
    }
}
