//! Helpers shared by the test files: seeded inputs, tolerant comparison that
//! reports the worst element, and central finite differences.
//!
//! Every test body here runs natively (`cargo test`) and inside Chromium
//! (`wasm-pack test`): the `gf_test!` macro gives each function both attributes.
#![allow(dead_code)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Declare tests that run under `cargo test` and under `wasm-pack test`.
#[macro_export]
macro_rules! gf_test {
    ($(fn $name:ident() $body:block)*) => {
        $(
            #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
            #[cfg_attr(not(target_arch = "wasm32"), test)]
            fn $name() $body
        )*
    };
}

/// Declare tests whose async bodies live in `mod bodies`: natively they are
/// driven by `pollster`, in the browser by the wasm test runner.
#[macro_export]
macro_rules! gpu_tests {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        fn $name() {
            pollster::block_on(bodies::$name());
        }
        #[cfg(target_arch = "wasm32")]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            bodies::$name().await;
        }
    )*};
}

/// GPU tests that run natively only (on lavapipe where there is no GPU): the
/// long training comparisons, whose kernels the browser already checks one
/// by one and layer by layer, so running them again on its adapter would
/// add time and no coverage.
#[macro_export]
macro_rules! native_gpu_tests {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        fn $name() {
            pollster::block_on(bodies::$name());
        }
    )*};
}

/// `n` values uniform in `[-scale, scale)`, fixed by `seed`.
pub fn random_vec(n: usize, scale: f32, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| (rng.random::<f32>() * 2.0 - 1.0) * scale).collect()
}

/// Assert `|got − want| ≤ atol + rtol·|want|` everywhere; on failure print the
/// worst element, its index and both values.
pub fn assert_close(what: &str, got: &[f32], want: &[f32], atol: f32, rtol: f32) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let mut worst: Option<(usize, f32)> = None;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let excess = (g - w).abs() - (atol + rtol * w.abs());
        let fails = excess > 0.0 || excess.is_nan();
        if fails && worst.is_none_or(|(_, e)| excess > e || excess.is_nan()) {
            worst = Some((i, excess));
        }
    }
    if let Some((i, _)) = worst {
        panic!(
            "{what}: worst element {i}: got {} want {} (|diff| = {:e}, allowed {:e})",
            got[i],
            want[i],
            (got[i] - want[i]).abs(),
            atol + rtol * want[i].abs()
        );
    }
}

/// Central finite differences of a scalar `loss` with respect to every
/// element of `x`: `(L(x + εeᵢ) − L(x − εeᵢ)) / 2ε`. The loss is returned in
/// f64 so that summing many f32 terms does not drown the difference.
pub fn numeric_grad(x: &[f32], eps: f32, mut loss: impl FnMut(&[f32]) -> f64) -> Vec<f32> {
    let mut probe = x.to_vec();
    (0..x.len())
        .map(|i| {
            probe[i] = x[i] + eps;
            let up = loss(&probe);
            probe[i] = x[i] - eps;
            let down = loss(&probe);
            probe[i] = x[i];
            ((up - down) / (2.0 * eps as f64)) as f32
        })
        .collect()
}

/// `Σ out ⊙ weights` in f64: a scalar loss whose gradient with respect to
/// `out` is exactly `weights`, so a backward pass can be seeded with them.
pub fn weighted_sum(out: &[f32], weights: &[f32]) -> f64 {
    out.iter().zip(weights).map(|(&a, &b)| a as f64 * b as f64).sum()
}

/// The value of a future that is ready at once (no GPU work behind it),
/// without an executor: poll it one time.
pub fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => panic!("the future was expected to be ready at once"),
    }
}

/// Tensor `name` of a safetensors fixture (`tests/fixtures/hf/`), as f32:
/// F32 values as they are, I64 token ids converted.
pub fn fixture_tensor(file: &[u8], name: &str) -> Vec<f32> {
    use safetensors::tensor::{Dtype, SafeTensors};
    let file = SafeTensors::deserialize(file).expect("a safetensors fixture");
    let t = file.tensor(name).unwrap_or_else(|_| panic!("the fixture has no {name}"));
    match t.dtype() {
        Dtype::F32 => t
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect(),
        Dtype::I64 => t
            .data()
            .chunks_exact(8)
            .map(|b| i64::from_le_bytes(b.try_into().unwrap()) as f32)
            .collect(),
        other => panic!("{name} is {other:?}"),
    }
}
