//! The gradient back through a recurrent network's time steps: exactly
//! ρ^(T−1−t) with the identity as f; vanishing below ρ = 1 and exploding
//! above it; tanh only ever shrinks it.

use glassformer::models::rnn::{orthogonal, RnnActivation, RnnSetup};
use glassformer::Device;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn setup(radius: f32, activation: RnnActivation) -> RnnSetup {
    RnnSetup {
        hidden: 16,
        steps: 30,
        radius,
        activation,
        input_scale: 0.5,
        seed: 7,
    }
}

#[test]
fn orthogonal_matrices_have_orthonormal_rows() {
    let q = orthogonal(12, &mut ChaCha8Rng::seed_from_u64(3));
    for r in 0..12 {
        for s in 0..12 {
            let dot: f32 = (0..12).map(|i| q[r * 12 + i] * q[s * 12 + i]).sum();
            assert!((dot - if r == s { 1.0 } else { 0.0 }).abs() < 1e-5, "row {r}·row {s} = {dot}");
        }
    }
}

#[test]
fn with_the_identity_the_gradient_is_radius_to_the_distance() {
    for radius in [0.5f32, 0.9, 1.0, 1.1, 1.5] {
        let g = setup(radius, RnnActivation::Identity).gradients_through_time(&Device::Cpu).unwrap();
        for (t, &norm) in g.gradient_norms.iter().enumerate() {
            let want = radius.powi(29 - t as i32);
            assert!((norm - want).abs() <= 1e-4 * want.max(1.0), "ρ {radius}, t {t}: {norm} vs {want}");
        }
    }
}

#[test]
fn tanh_vanishes_below_one_and_never_grows_faster_than_the_identity() {
    let small = setup(0.8, RnnActivation::Tanh).gradients_through_time(&Device::Cpu).unwrap();
    assert!(small.gradient_norms[0] < 1e-2, "{:?}", small.gradient_norms);
    let large = setup(1.5, RnnActivation::Identity).gradients_through_time(&Device::Cpu).unwrap();
    assert!(large.gradient_norms[0] > 1e4, "exploding: {:?}", large.gradient_norms);
    let squashed = setup(1.5, RnnActivation::Tanh).gradients_through_time(&Device::Cpu).unwrap();
    for (t, s) in squashed.gradient_norms.iter().enumerate() {
        assert!(*s <= large.gradient_norms[t] * (1.0 + 1e-5), "t {t}");
    }
    // tanh keeps the state bounded: ‖h‖ ≤ √H
    assert!(squashed.state_norms.iter().all(|&n| n <= 4.0 + 1e-5));
}

#[test]
fn bad_setups_are_refused_with_the_numbers() {
    let e = RnnSetup {
        steps: 1,
        ..setup(1.0, RnnActivation::Tanh)
    }
    .gradients_through_time(&Device::Cpu)
    .unwrap_err();
    assert!(e.to_string().contains("steps 2–200") && e.to_string().contains("steps 1"), "{e}");
    let e = setup(f32::NAN, RnnActivation::Tanh)
        .gradients_through_time(&Device::Cpu)
        .unwrap_err();
    assert!(e.to_string().contains("radius must be in [0, 4]"), "{e}");
}
