//! The decoder layer of the encoder–decoder Transformer: gradients against
//! finite differences (pre-LN and post-LN, with source padding), and the
//! causal mask seen from outside.

mod common;
use common::{assert_close, numeric_grad, random_vec, weighted_sum};
use glassformer::device::tensor::Tensor;
use glassformer::nn::block::{BlockConfig, NormPlacement};
use glassformer::nn::decoder_block::{DecoderActs, DecoderBlock};
use glassformer::nn::feed_forward::Activation;
use glassformer::nn::params::Params;
use glassformer::Device;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CPU: Device = Device::Cpu;
const C: usize = 4;

fn host(values: &[f32]) -> Tensor {
    Tensor::Host(values.to_vec())
}

fn config(norm: NormPlacement) -> BlockConfig {
    BlockConfig {
        c: C,
        heads: 2,
        ffn_hidden: 8,
        activation: Activation::Relu,
        norm,
    }
}

/// `out` of one decoder layer for targets `x (B,T,C)` over encoder output `enc (B,S,C)`.
fn run(
    block: &DecoderBlock,
    cfg: &BlockConfig,
    p: &[f32],
    x: &[f32],
    enc: &[f32],
    dims: (usize, usize, usize),
    lengths: &[usize],
) -> Vec<f32> {
    let (b, t, s) = dims;
    let mut acts = DecoderActs::new(&CPU, cfg, b, t, s);
    let mut out = host(&vec![0.0; x.len()]);
    block
        .forward(&CPU, &host(p), &mut acts, &mut out, &host(x), &host(enc), dims, lengths)
        .unwrap();
    out.host().unwrap().to_vec()
}

fn gradient_case(norm: NormPlacement) {
    let cfg = config(norm);
    let (b, t, s) = (2, 3, 4);
    let lengths = [4, 2]; // the second source sentence is padded
    let mut params = Params::new(1);
    let block = DecoderBlock::new(&mut params, "decoder", &cfg).unwrap();
    let p = random_vec(params.len(), 0.5, 2);
    params.values = host(&p);
    let (x, enc, g) = (
        random_vec(b * t * C, 1.0, 3),
        random_vec(b * s * C, 1.0, 4),
        random_vec(b * t * C, 1.0, 5),
    );
    let loss = |p: &[f32], x: &[f32], enc: &[f32]| weighted_sum(&run(&block, &cfg, p, x, enc, (b, t, s), &lengths), &g);

    let mut acts = DecoderActs::new(&CPU, &cfg, b, t, s);
    let mut out = host(&vec![0.0; x.len()]);
    block
        .forward(
            &CPU,
            &params.values,
            &mut acts,
            &mut out,
            &host(&x),
            &host(&enc),
            (b, t, s),
            &lengths,
        )
        .unwrap();
    let (mut dx, mut denc) = (host(&vec![0.0; x.len()]), host(&vec![0.0; enc.len()]));
    block
        .backward(
            &CPU,
            &params.values,
            &mut params.grads,
            &acts,
            &mut dx,
            &mut denc,
            &host(&g),
            &host(&x),
            &host(&enc),
            (b, t, s),
            &lengths,
        )
        .unwrap();
    let eps = 2e-3; // ReLU: small steps stay on one side of the kink
    let what = format!("{norm:?}");
    assert_close(
        &format!("{what} dx"),
        dx.host().unwrap(),
        &numeric_grad(&x, eps, |x| loss(&p, x, &enc)),
        3e-3,
        2e-2,
    );
    let denc_numeric = numeric_grad(&enc, eps, |enc| loss(&p, &x, enc));
    assert_close(&format!("{what} denc"), denc.host().unwrap(), &denc_numeric, 3e-3, 2e-2);
    // Padded source positions (row 1, positions 2 and 3) get no gradient at all.
    assert!(
        denc.host().unwrap()[(s + 2) * C..].iter().all(|&d| d == 0.0),
        "gradient reached source padding"
    );
    let numeric = numeric_grad(&p, eps, |p| loss(p, &x, &enc));
    for info in &params.tensors {
        let r = info.range;
        assert_close(
            &format!("{what} d{}", info.name),
            r.of(params.grads.host().unwrap()),
            r.of(&numeric),
            3e-3,
            2e-2,
        );
    }
}

gf_test! {
    fn decoder_block_gradients_pre_ln() {
        gradient_case(NormPlacement::PreLn);
    }

    fn decoder_block_gradients_post_ln() {
        gradient_case(NormPlacement::PostLn);
    }

    fn a_later_target_does_not_change_earlier_outputs() {
        for norm in [NormPlacement::PreLn, NormPlacement::PostLn] {
            let cfg = config(norm);
            let (b, t, s) = (1, 5, 3);
            let mut params = Params::new(1);
            let block = DecoderBlock::new(&mut params, "decoder", &cfg).unwrap();
            let p = random_vec(params.len(), 0.5, 6);
            let (mut x, enc) = (random_vec(t * C, 1.0, 7), random_vec(s * C, 1.0, 8));
            let before = run(&block, &cfg, &p, &x, &enc, (b, t, s), &[s]);
            for v in &mut x[3 * C..] {
                *v += 1.0; // change targets 3 and 4
            }
            let after = run(&block, &cfg, &p, &x, &enc, (b, t, s), &[s]);
            assert!(before[..3 * C] == after[..3 * C], "{norm:?}: positions 0..3 changed");
            assert!(before[3 * C..] != after[3 * C..], "{norm:?}: the changed positions did not change");
        }
    }
}
