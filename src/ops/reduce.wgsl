// reduce.wgsl — workgroup reductions, prepended to the kernels that need
// them (softmax, layernorm, cross_entropy, adamw) when their pipelines are
// built: WGSL has no #include.
//
// The 256 invocations of a workgroup each hold one partial value; they
// combine them in shared memory by halving, 256 → 128 → … → 1, with a barrier
// between rounds, and everyone returns the result. Call these from uniform
// control flow only (every invocation of the workgroup must reach them).

const WG: u32 = 256u;
var<workgroup> scratch: array<f32, 256>;

fn reduce(value: f32, me: u32, is_max: bool) -> f32 {
    scratch[me] = value;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half /= 2u) {
        if (me < half) {
            if (is_max) { scratch[me] = max(scratch[me], scratch[me + half]); }
            else { scratch[me] = scratch[me] + scratch[me + half]; }
        }
        workgroupBarrier();
    }
    let result = scratch[0];
    workgroupBarrier(); // everyone has read it before scratch is reused
    return result;
}

fn reduce_sum(value: f32, me: u32) -> f32 { return reduce(value, me, false); }
fn reduce_max(value: f32, me: u32) -> f32 { return reduce(value, me, true); }
